"""Security headers on every page, private pages never cached, `next` never leaving the site, and error pages
that render while the database is down (issue 14, items 6, 7 and 9)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from werkzeug.routing import IntegerConverter

from storefront import create_app
from storefront.core.security import safe_next
from storefront.sellers.models import Variant
from storefront.extensions import db
from tests.factories import account

HOSTILE_NEXT = ["/\t/evil.example", "//evil.example", "https://evil.example", "/\\evil.example",
                "javascript:alert(1)", "/\n/evil.example", "\\\\evil.example", " //evil.example", "/%09/evil.example"]


@pytest.mark.parametrize("value", HOSTILE_NEXT)
def test_safe_next_falls_back_for_other_sites_and_script(value):
    # "/%09/..." stays on this site: the browser does not decode %09 in a path, so it is a local path.
    expected = value if value == "/%09/evil.example" else "/fallback"
    assert safe_next(value, "/fallback") == expected


def test_safe_next_keeps_local_paths_with_their_query():
    assert safe_next("/es/p/3-mug?offer=2&qty=1", "/x") == "/es/p/3-mug?offer=2&qty=1"
    assert safe_next("", "/x") == "/x" and safe_next(None, "/x") == "/x"


def _location_is_local(response) -> bool:
    location = response.headers.get("Location", "")
    return location.startswith("/") and not location.startswith("//") and "evil.example" not in location


@pytest.mark.parametrize("value", HOSTILE_NEXT[:5])
def test_every_next_parameter_refuses_other_sites(app, stores, shopper, value):
    variant = db.session.scalar(select(Variant).where(Variant.sku == "EB-1"))
    product_id = variant.offer.product_id
    anonymous = app.test_client()
    posts = [
        (anonymous, "/en/compare", {"product_id": product_id, "next": value}),
        (anonymous, "/en/cart/add", {"variant_id": variant.id, "qty": "999", "next": value}),  # error: back
        (shopper, "/en/cart/shipping", {"seller_id": variant.offer.seller_id, "method": "express", "next": value}),
        (anonymous, "/en/preferences", {"currency": "EUR", "next": value}),
        (anonymous, "/en/account/login", {"email": "shopper@example.com", "password": "kettle-moss-harbour-71",
                                          "next": value}),
    ]
    shopper.post("/en/cart/add", data={"variant_id": variant.id, "qty": 1})
    for client, path, data in posts:
        response = client.post(path, data=data)
        assert response.status_code in (302, 303), (path, response.status_code)
        assert _location_is_local(response), (path, response.headers["Location"])
    page = anonymous.get("/en/preferences", query_string={"next": value}).data.decode()
    assert re.search(r'name="next" value="([^"]*)"', page).group(1) == "/en/"




def _pages(app, world_ids: dict) -> list[tuple[str, str]]:
    """(endpoint, url) for every GET endpoint of the URL map, with the ids of the world the test builds."""
    from flask import url_for

    out = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "core.media"):
            continue
        values = {name: world_ids.get(name, 1 if isinstance(rule._converters.get(name), IntegerConverter) else "x")
                  for name in rule.arguments if name != "locale"}
        with app.test_request_context():
            out.append((rule.endpoint, url_for(rule.endpoint, **values, **(
                {"locale": "en"} if "locale" in rule.arguments else {}))))
    return sorted(set(out))


PERSONAL = ("cart.", "checkout.", "orders.", "accounts.", "seller_", "admin.", "metrics.", "testgateway.",
            "core.preferences", "catalog.compare", "payments.")


def test_every_page_sends_the_security_headers_and_personal_pages_are_not_cached(app, stores, owner):
    admin = account(app, "admin@example.com", role="admin")
    variant = db.session.scalar(select(Variant).where(Variant.sku == "EB-1"))
    product = variant.offer.product
    ids = {"product_id": product.id, "slug": product.slug, "handle": "sz-audio", "slug_c": "electronics",
           "offer_id": variant.offer_id, "table_id": "funnel", "gateway_name": "test", "filename": "x.js"}
    checked = 0
    for endpoint, url in _pages(app, ids):
        for client in (owner, admin):
            response = client.get(url)
            headers = response.headers
            csp = headers.get("Content-Security-Policy", "")
            for part in ("default-src 'self'", "img-src 'self' data:", "script-src 'self'", "style-src 'self'",
                         "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'", "object-src 'none'"):
                assert part in csp, (url, csp)
            assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
            assert headers["X-Frame-Options"] == "DENY"
            assert headers["X-Content-Type-Options"] == "nosniff"
            assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
            assert "Strict-Transport-Security" not in headers
            if endpoint.startswith(PERSONAL):
                want = "no-store" if endpoint.startswith("testgateway.") else "private, no-store"
                assert headers.get("Cache-Control") == want, (url, response.status_code)
            checked += 1
    assert checked > 40
    static = app.test_client().get("/static/css/site.css")
    assert static.headers["X-Content-Type-Options"] == "nosniff" and "private" not in static.headers.get(
        "Cache-Control", "")
    assert "no-store" not in app.test_client().get("/en/").headers.get("Cache-Control", "")


def test_hsts_only_when_cookies_are_secure(app):
    app.config["SESSION_COOKIE_SECURE"] = True
    assert app.test_client().get("/healthz").headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_pages_have_no_inline_script_style_or_handlers(app, stores, owner):
    admin = account(app, "admin@example.com", role="admin")
    product = db.session.scalar(select(Variant).where(Variant.sku == "EB-1")).offer.product
    for client, url in ((owner, f"/en/p/{product.id}-{product.slug}"), (owner, "/en/seller/listings/new"),
                        (admin, "/en/admin/metrics"), (owner, "/en/cart/"), (owner, "/en/")):
        html = client.get(url).data.decode()
        # JSON-LD is a data block the browser never runs (no CSP check applies); any other inline script fails
        assert not re.search(r"<script(?![^>]*\b(?:src=|type=\"application/ld\+json\"))", html), url
        assert "<style" not in html and " style=" not in html, url
        assert not re.search(r"\son[a-z]+=|hx-on", html), url
        assert '"allowEval":false' in html and '"includeIndicatorStyles":false' in html


# -- the database is down --------------------------------------------------------------------------------

@pytest.fixture
def outage_app(tmp_path):
    """The shop pointed at a PostgreSQL port nothing listens on."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:9/storefront",
                      "TESTING": True, "PROPAGATE_EXCEPTIONS": False, "SEARCH_INDEX_PATH": str(tmp_path / "ix"),
                      "MEDIA_PATH": str(tmp_path / "media")})

    @app.get("/boom")
    def boom():
        raise RuntimeError("a bug")

    return app


@pytest.mark.parametrize("url", ["/en/", "/ar/cart/", "/es/p/1-x", "/zh/search?q=x", "/en/store/x"])
def test_pages_answer_503_with_a_translated_try_again_page_while_the_database_is_down(outage_app, url):
    client = outage_app.test_client()
    client.set_cookie("sf_currency", "EUR")
    response = client.get(url)
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    html = response.data.decode()
    assert 'data-testid="unavailable"' in html
    if url.startswith("/ar/"):
        assert 'dir="rtl"' in html and "We will be right back" not in html
    if url.startswith("/ar/cart"):
        assert response.headers["Cache-Control"] == "private, no-store"


def test_the_500_page_renders_without_the_database(outage_app):
    response = outage_app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in response.data.decode()
    assert "Content-Security-Policy" in response.headers
