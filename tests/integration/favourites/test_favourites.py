"""Favourites: the heart as a plain form post and as an HTMX swap, guests' favourites kept in the session and
merged into the account at login, price drops judged exactly in the seller's currency, back in stock."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from storefront.favourites.models import Favourite
from storefront.sellers.models import Variant
from tests.factories import PASSWORD, account, add_listing, sign_up


@pytest.fixture
def products(app, session):
    """Earbuds at 10.00 USD (5 in stock), a mug at 8.00 EUR (sold out), a lamp at 19.99 USD."""
    app.config["TODAY"] = date(2026, 11, 27)
    earbuds = add_listing(session, title={"en": "Earbuds"}, variants=[
        {"sku": "EB-1", "options": {}, "price": "10.00", "currency": "USD", "stock": 5}])
    mug = add_listing(session, title={"en": "Mug"}, seller={"handle": "berlin", "name": "Berlin", "country": "DE"},
                      ships_from="DE", variants=[{"sku": "MUG-1", "options": {}, "price": "8.00", "currency": "EUR",
                                                  "stock": 0}])
    lamp = add_listing(session, title={"en": "Lamp"}, variants=[
        {"sku": "LAMP-1", "options": {}, "price": "19.99", "currency": "USD", "stock": 3}])
    return {"earbuds": earbuds, "mug": mug, "lamp": lamp}


def product_url(p, locale="en"):
    return f"/{locale}/p/{p.id}-{p.slug}"


def save(client, product, action="add", **headers):
    return client.post(f"/en/favourites/{product.id}", data={"action": action, "next": product_url(product)},
                       headers=headers)


def reprice(session, sku, price=None, stock=None):
    variant = session.scalar(select(Variant).where(Variant.sku == sku))
    if price is not None:
        variant.price = Decimal(price)
    if stock is not None:
        variant.stock = stock
    session.commit()


def hearts_pressed(html: str) -> int:
    return html.count('aria-pressed="true"')


def test_guest_saves_with_a_plain_form_and_returns_to_the_product(client, products):
    page = client.get(product_url(products["earbuds"])).data.decode()
    assert 'aria-pressed="false"' in page and hearts_pressed(page) == 0
    response = save(client, products["earbuds"])
    assert response.status_code == 303 and response.headers["Location"] == product_url(products["earbuds"])
    page = client.get(product_url(products["earbuds"])).data.decode()
    assert hearts_pressed(page) == 1 and "Saved to your favourites." in page
    listed = client.get("/en/favourites").data.decode()
    assert listed.count('data-testid="favourite"') == 1 and "Earbuds" in listed


def test_htmx_swaps_only_the_heart_that_was_pressed(client, products):
    target = f"fav-popular-{products['lamp'].id}"
    response = save(client, products["lamp"], **{"HX-Request": "true", "HX-Target": target})
    html = response.data.decode()
    assert response.status_code == 200 and "<html" not in html
    assert f'id="{target}"' in html and 'aria-pressed="true"' in html and 'value="remove"' in html
    response = save(client, products["lamp"], "remove", **{"HX-Request": "true", "HX-Target": target})
    assert 'aria-pressed="false"' in response.data.decode()
    assert 'data-testid="no-favourites"' in client.get("/en/favourites").data.decode()


def test_a_heart_id_of_another_product_gets_the_full_redirect(client, products):
    other = f"fav-{products['mug'].id}"
    response = save(client, products["lamp"], **{"HX-Request": "true", "HX-Target": other})
    assert response.status_code == 303


def test_hearts_on_cards_show_what_is_saved(client, products):
    save(client, products["lamp"])
    home = client.get("/en/").data.decode()
    assert f'id="fav-popular-{products["lamp"].id}"' in home
    card = home.split(f'id="fav-popular-{products["lamp"].id}"')[1].split("</form>")[0]
    assert 'aria-pressed="true"' in card


def test_unknown_product_is_404(client, products):
    assert client.post("/en/favourites/999999", data={"action": "add"}).status_code == 404


def test_saving_needs_the_csrf_token(app, products):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    assert save(client, products["lamp"]).status_code == 400
    html = client.get(product_url(products["lamp"])).data.decode()
    token = html.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(f"/en/favourites/{products['lamp'].id}", data={"action": "add", "csrf_token": token})
    assert response.status_code == 303


def test_member_saves_once_however_often_they_press(app, session, products):
    ana = account(app, "ana@example.com")
    for _ in range(3):
        save(ana, products["earbuds"])
    assert session.scalar(select(func.count(Favourite.id))) == 1
    save(ana, products["earbuds"], "remove")
    save(ana, products["earbuds"], "remove")
    assert session.scalar(select(func.count(Favourite.id))) == 0


def test_guest_favourites_join_the_account_at_login(app, client, session, products):
    ana = account(app, "ana@example.com")
    save(ana, products["lamp"])  # saved at 19.99 by the member earlier
    reprice(session, "LAMP-1", price="17.50")
    save(client, products["lamp"])       # the guest saves it again at 17.50: the member's earlier mark stays
    save(client, products["earbuds"])
    response = client.post("/en/account/login", data={"email": "ana@example.com", "password": PASSWORD})
    assert response.status_code in (302, 303)
    session.rollback()
    rows = session.scalars(select(Favourite).order_by(Favourite.product_id)).all()
    assert [r.product_id for r in rows] == sorted([products["lamp"].id, products["earbuds"].id])
    lamp = next(r for r in rows if r.product_id == products["lamp"].id)
    assert lamp.saved_price == Decimal("19.99") and lamp.saved_currency == "USD"
    page = client.get("/en/favourites").data.decode()
    assert page.count('data-testid="favourite"') == 2
    assert 'data-testid="price-drop"' in page  # the member's 19.99 against today's 17.50
    # The guest list is gone from the session: logging out shows no guest favourites.
    client.post("/en/account/logout")
    assert 'data-testid="no-favourites"' in client.get("/en/favourites").data.decode()


def test_price_drop_is_exact_in_the_sellers_currency(client, session, products):
    save(client, products["lamp"])  # 19.99 USD
    reprice(session, "LAMP-1", price="19.9900")  # the same price written differently is no drop
    assert 'data-testid="price-drop"' not in client.get("/en/favourites").data.decode()
    reprice(session, "LAMP-1", price="19.98")    # one cent less is
    page = client.get("/en/favourites").data.decode()
    assert "Price dropped from <bdi>$19.99</bdi> to <bdi>$19.98</bdi>" in page  # prices isolated (RTL-safe)
    reprice(session, "LAMP-1", price="25.00")
    page = client.get("/en/favourites").data.decode()
    assert 'data-testid="price-drop"' not in page and "$25.00" in page


def test_a_cheaper_offer_in_another_currency_is_not_a_drop(client, session, products):
    save(client, products["lamp"])  # 19.99 USD
    add_listing(session, gtin=None, brand=products["lamp"].brand, model=products["lamp"].model, title={"en": "Lamp"},
                seller={"handle": "tokyo", "name": "Tokyo", "country": "JP"}, ships_from="JP",
                variants=[{"sku": "LAMP-JP", "options": {}, "price": "100", "currency": "JPY", "stock": 4}])
    assert 'data-testid="price-drop"' not in client.get("/en/favourites").data.decode()


def test_sold_out_then_back_in_stock(client, session, products):
    save(client, products["mug"])  # saved while sold out
    page = client.get("/en/favourites").data.decode()
    assert 'data-testid="sold-out"' in page and 'data-testid="back-in-stock"' not in page
    reprice(session, "MUG-1", stock=4)
    page = client.get("/en/favourites").data.decode()
    assert 'data-testid="back-in-stock"' in page and 'data-testid="sold-out"' not in page


def test_a_tampered_guest_list_loses_only_bad_entries(client, products):
    save(client, products["lamp"])
    with client.session_transaction() as s:
        s["favourites"] = [*s["favourites"], ["x", "1", "USD", True], [5, "not money", "USD", True], "junk"]
    page = client.get("/en/favourites")
    assert page.status_code == 200 and page.data.decode().count('data-testid="favourite"') == 1


@pytest.mark.parametrize("locale", ["es", "ar", "zh"])
def test_favourites_page_in_every_language(client, products, locale):
    save(client, products["mug"])
    html = client.get(f"/{locale}/favourites").data.decode()
    assert f'lang="{locale}"' in html and 'data-testid="favourite"' in html
    assert "Sold out" not in html  # the badge is translated


def test_signing_up_keeps_the_guests_favourites(client, session, products):
    save(client, products["mug"])
    sign_up(client, "Bo", "bo@example.com")  # registering logs nobody in; the first login takes them along
    session.rollback()
    assert session.scalars(select(Favourite.product_id)).all() == [products["mug"].id]
