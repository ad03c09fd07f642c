"""CSRF on every state-changing request, and user text always escaped."""
import pytest

from storefront import create_app
from tests.factories import add_listing


@pytest.fixture
def csrf_client(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app.test_client()


@pytest.mark.parametrize("path", ["/en/preferences", "/en/account/register", "/en/account/login",
                                  "/en/account/logout", "/en/account/addresses/new", "/en/cart/add",
                                  "/en/cart/lines/1", "/en/cart/shipping", "/en/checkout/", "/en/checkout/place",
                                  "/en/checkout/done/CK-x/pay", "/en/compare", "/en/p/1/ship-to"])
def test_posts_without_csrf_token_are_refused(csrf_client, path):
    response = csrf_client.post(path, data={"country": "BR"})
    assert response.status_code in (400, 302)  # 302: login required comes first for account pages
    if response.status_code == 400:
        assert "Please try again" in response.data.decode()


def test_csrf_token_in_hx_headers_is_accepted(csrf_client):
    html = csrf_client.get("/en/").data.decode()
    token = html.split('"X-CSRFToken": "')[1].split('"')[0]
    response = csrf_client.post("/en/preferences", data={"currency": "JPY"}, headers={"X-CSRFToken": token})
    assert response.status_code == 303


def test_product_text_is_escaped(client, session):
    product = add_listing(session, title={"en": "<script>alert(1)</script> earbuds"})
    html = client.get(f"/en/p/{product.id}-{product.slug}").data.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_misconfigured_search_backend_fails_at_start(tmp_path):
    with pytest.raises(Exception) as info:
        create_app({"SEARCH_BACKEND": "elasticsearch", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert "SEARCH_BACKEND" in str(info.value)


def test_meilisearch_without_url_fails_at_start(tmp_path):
    with pytest.raises(RuntimeError) as info:
        create_app({"SEARCH_BACKEND": "meilisearch", "MEILI_URL": "",
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert "MEILI_URL" in str(info.value)


def test_unreachable_meilisearch_fails_at_start(tmp_path):
    with pytest.raises(RuntimeError) as info:
        create_app({"SEARCH_BACKEND": "meilisearch", "MEILI_URL": "http://127.0.0.1:9",
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert "SEARCH_BACKEND='meilisearch'" in str(info.value)


def test_request_bodies_over_the_app_wide_limit_are_refused_with_a_page(client, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit == 16 * 1024 * 1024
    response = client.post("/en/cart/add", data={"variant_id": "1", "note": "x" * (limit + 1)})
    assert response.status_code == 413
    assert "What you sent is too large" in response.data.decode()
