"""Recently viewed: the last 20 products per visitor (session for guests, rows for members, merged at login),
on home, an empty cart and an empty search, and cleared by a POST."""
from datetime import date

import pytest
from sqlalchemy import func, select

from storefront.favourites.models import RecentView
from storefront.favourites.recent import RECENT_LIMIT
from tests.factories import PASSWORD, account, add_listing


@pytest.fixture
def shelf(app, session):
    """Four products: Alpha, Bravo, Charlie, Delta."""
    app.config["TODAY"] = date(2026, 11, 27)
    return [add_listing(session, title={"en": name}, variants=[
        {"sku": f"SKU-{name}", "options": {}, "price": "5.00", "currency": "USD", "stock": 3}])
        for name in ("Alpha", "Bravo", "Charlie", "Delta")]


def view(client, product, locale="en"):
    assert client.get(f"/{locale}/p/{product.id}-{product.slug}").status_code == 200


def recent_titles(html: str) -> list[str]:
    if 'data-testid="recently-viewed"' not in html:
        return []
    section = html.split('data-testid="recently-viewed"')[1].split("</section>")[0]
    return [part.split("<")[0] for part in section.split('<span class="title">')[1:]]


def test_guest_sees_the_products_viewed_newest_first_on_home(client, shelf):
    assert recent_titles(client.get("/en/").data.decode()) == []
    for p in shelf[:3]:
        view(client, p)
    view(client, shelf[0])  # viewed again: back to the front, not twice
    assert recent_titles(client.get("/en/").data.decode()) == ["Alpha", "Charlie", "Bravo"]


def test_htmx_swaps_of_the_product_page_do_not_count_as_views(client, shelf):
    p = shelf[1]
    client.get(f"/en/p/{p.id}-{p.slug}", headers={"HX-Request": "true", "HX-Target": "purchase"})
    assert recent_titles(client.get("/en/").data.decode()) == []


def test_member_views_are_kept_in_the_account(app, session, shelf):
    ana = account(app, "ana@example.com")
    view(ana, shelf[2])
    view(ana, shelf[3])
    assert session.scalar(select(func.count(RecentView.id))) == 2
    other_browser = app.test_client()
    other_browser.post("/en/account/login", data={"email": "ana@example.com", "password": PASSWORD})
    assert recent_titles(other_browser.get("/en/").data.decode()) == ["Delta", "Charlie"]


def test_only_the_last_twenty_are_kept(app, client, session, shelf):
    more = [add_listing(session, title={"en": f"Item {i}"}, variants=[
        {"sku": f"MORE-{i}", "options": {}, "price": "1.00", "currency": "USD", "stock": 1}]) for i in range(18)]
    ana = account(app, "ana@example.com")
    for p in [*shelf, *more]:  # 22 products
        view(client, p)
        view(ana, p)
    with client.session_transaction() as s:
        assert len(s["recently_viewed"]) == RECENT_LIMIT and s["recently_viewed"][0] == more[-1].id
    assert session.scalar(select(func.count(RecentView.id))) == RECENT_LIMIT
    kept = set(session.scalars(select(RecentView.product_id)))
    assert shelf[0].id not in kept and shelf[1].id not in kept and more[-1].id in kept


def test_guest_views_go_in_front_of_the_members_at_login(app, client, session, shelf):
    ana = account(app, "ana@example.com")
    view(ana, shelf[3])
    view(ana, shelf[0])
    view(client, shelf[1])
    view(client, shelf[0])
    client.post("/en/account/login", data={"email": "ana@example.com", "password": PASSWORD})
    assert recent_titles(client.get("/en/").data.decode()) == ["Alpha", "Bravo", "Delta"]
    assert session.scalar(select(func.count(RecentView.id))) == 3


def test_guest_clears_with_a_plain_post(client, shelf):
    view(client, shelf[0])
    response = client.post("/en/recently-viewed/clear", data={"next": "/en/"})
    assert response.status_code == 303 and response.headers["Location"] == "/en/"
    html = client.get("/en/").data.decode()
    assert recent_titles(html) == [] and "Your recently viewed products were cleared." in html


def test_member_clears_in_place_with_htmx(app, session, shelf):
    ana = account(app, "ana@example.com")
    view(ana, shelf[0])
    response = ana.post("/en/recently-viewed/clear", headers={"HX-Request": "true", "HX-Target": "recently_viewed"})
    html = response.data.decode()
    assert response.status_code == 200 and "<html" not in html and 'id="recently_viewed"' in html
    assert session.scalar(select(func.count(RecentView.id))) == 0


def test_clearing_needs_the_csrf_token(app, shelf):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    view(client, shelf[0])
    assert client.post("/en/recently-viewed/clear").status_code == 400
    assert recent_titles(client.get("/en/").data.decode()) == ["Alpha"]


def test_empty_cart_and_empty_search_offer_recently_viewed(client, shelf):
    view(client, shelf[2])
    assert recent_titles(client.get("/en/cart/").data.decode()) == ["Charlie"]
    assert recent_titles(client.get("/en/search?q=zzzzqqqq").data.decode()) == ["Charlie"]
    assert recent_titles(client.get("/en/search?q=Charlie").data.decode()) == []  # results: no detour


def test_a_deleted_product_leaves_the_list_quietly(client, session, shelf):
    view(client, shelf[0])
    with client.session_transaction() as s:
        s["recently_viewed"] = [999999, *s["recently_viewed"], "junk"]
    assert recent_titles(client.get("/en/").data.decode()) == ["Alpha"]


@pytest.mark.parametrize("locale", ["es", "ar", "zh"])
def test_recently_viewed_in_every_language(client, shelf, locale):
    view(client, shelf[0], locale)
    html = client.get(f"/{locale}/").data.decode()
    assert recent_titles(html) == ["Alpha"] and ">Recently viewed<" not in html
