"""The product page's buy box: the add form sends what the shopper sees, adds once per rendering,
offers only combinations that exist, and "Buy now" checks out one item without touching the cart."""
import re
import threading
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storefront.cart.models import BUY_NOW, Cart, CartAddToken, CartLine
from storefront.cart.services import add_item, new_add_token, new_cart
from storefront.extensions import db
from storefront.orders.models import Checkout, OrderLine
from storefront.sellers.models import Variant
from tests.factories import add_listing
from tests.builders import buyer, review_keys

GTIN = "0190199246850"
ADDRESS = buyer(payment_method="bank_transfer")


@pytest.fixture
def earbuds(app, session):
    """Earbuds from two sellers: the Chinese one in Black and Navy, the German one in Black and White."""
    app.config["TODAY"] = date(2026, 11, 27)
    add_listing(session, gtin=GTIN, title={"en": "Earbuds", "es": "Auriculares"}, free_shipping=["*"],
                variants=[{"sku": "CN-BLK", "options": {"Color": "Black"}, "price": "10.00", "currency": "USD",
                           "stock": 5},
                          {"sku": "CN-NAV", "options": {"Color": "Navy"}, "price": "11.00", "currency": "USD",
                           "stock": 5}])
    return add_listing(session, gtin=GTIN, ships_from="DE", seller={"handle": "berlin", "name": "Berlin Elektro",
                                                                    "country": "DE"},
                       variants=[{"sku": "DE-BLK", "options": {"Color": "Black"}, "price": "30.00",
                                  "currency": "EUR", "stock": 4},
                                 {"sku": "DE-WHT", "options": {"Color": "White"}, "price": "31.00",
                                  "currency": "EUR", "stock": 0}])


@pytest.fixture
def shirt(app, session):
    """A shirt one seller has in Black M, Black L and White L only (White M does not exist)."""
    app.config["TODAY"] = date(2026, 11, 27)
    return add_listing(session, title={"en": "Shirt"}, variants=[
        {"sku": "SH-BM", "options": {"Color": "Black", "Size": "M"}, "price": "9.00", "currency": "USD", "stock": 3},
        {"sku": "SH-BL", "options": {"Color": "Black", "Size": "L"}, "price": "9.00", "currency": "USD", "stock": 0},
        {"sku": "SH-WL", "options": {"Color": "White", "Size": "L"}, "price": "9.50", "currency": "USD", "stock": 2},
    ])


def offer_id(session, sku):
    return session.scalar(select(Variant.offer_id).where(Variant.sku == sku))


def lines(session):
    session.commit()
    return {sku: qty for sku, qty in session.execute(
        select(Variant.sku, CartLine.quantity).join(CartLine, CartLine.variant_id == Variant.id)
        .join(Cart, Cart.id == CartLine.cart_id).where(Cart.kind == "cart"))}


def add_form(html: str) -> str:
    return re.search(r'<form id="add_form".*?</form>', html, re.S).group(0)


def test_add_form_holds_the_visible_option_and_quantity_controls_not_hidden_copies(client, earbuds):
    form = add_form(client.get(f"/es/p/{earbuds.id}-{earbuds.slug}").data.decode())
    assert re.search(r'type="radio"[^>]*name="o_Color" value="Navy"', form)
    assert re.search(r'<input type="number" id="qty" name="qty"', form)
    assert 'name="variant_id"' not in form and not re.search(r'type="hidden" name="qty"', form)
    assert 'data-testid="add-to-cart"' in form and 'data-testid="buy-now"' in form


def test_add_adds_the_variant_and_quantity_chosen_in_the_form(client, session, earbuds):
    response = client.post("/es/cart/add", data={"offer": offer_id(session, "CN-BLK"), "o_Color": "Navy", "qty": "2",
                                                 "add_token": new_add_token()})
    assert response.status_code == 303 and response.headers["Location"] == "/es/cart/"
    assert lines(session) == {"CN-NAV": 2}


def test_a_combination_the_seller_lacks_adds_nothing_and_shows_who_has_it(client, session, earbuds):
    de = offer_id(session, "DE-BLK")
    response = client.post("/es/cart/add", data={"offer": de, "o_Color": "Navy", "qty": "1",
                                                 "next": f"/es/p/{earbuds.id}-{earbuds.slug}"})
    assert response.status_code == 303 and lines(session) == {}
    assert response.headers["Location"] == f"/es/p/{earbuds.id}-{earbuds.slug}?offer={de}&o_Color=Navy&qty=1"
    page = client.get(response.headers["Location"]).data.decode()
    assert 'data-testid="sku">CN-NAV<' in page and "Berlin Elektro" in page  # the seller who has Navy


def test_replayed_add_token_adds_once_and_every_answer_carries_a_fresh_token(client, session, earbuds):
    token = new_add_token()
    form = {"offer": offer_id(session, "CN-BLK"), "o_Color": "Black", "qty": "2", "add_token": token}
    htmx = {"HX-Request": "true", "HX-Target": "add_to_cart"}
    first = client.post("/es/cart/add", data=form, headers=htmx).data.decode()
    replay = client.post("/es/cart/add", data=form, headers=htmx).data.decode()
    assert lines(session) == {"CN-BLK": 2}
    fresh = re.search(r'id="add_token" name="add_token" value="([^"]+)" hx-swap-oob="true"', first).group(1)
    again = re.search(r'id="add_token" name="add_token" value="([^"]+)"', replay).group(1)
    assert len({token, fresh, again}) == 3 and 'data-testid="cart-count">2<' in replay
    client.post("/es/cart/add", data=form | {"add_token": fresh}, headers=htmx)
    assert lines(session) == {"CN-BLK": 4}  # a deliberate second add still adds
    assert client.post("/es/cart/add", data=form).status_code == 303  # the plain post replayed: no change
    assert lines(session) == {"CN-BLK": 4}


def test_concurrent_submits_of_one_token_add_once(app, client, session, earbuds):
    """Two requests with the same token racing (a double tap on a slow network): one line of the quantity."""
    cart = new_cart(session)
    session.commit()
    variant = session.scalar(select(Variant.id).where(Variant.sku == "CN-NAV"))
    token, results, barrier = new_add_token(), [], threading.Barrier(2)

    def submit():
        with app.app_context():
            with Session(db.engine) as own:
                mine = own.get(Cart, cart.id)
                barrier.wait()
                try:
                    results.append(add_item(own, mine, variant, 3, token=token, now=datetime.now(timezone.utc)))
                    own.commit()
                except Exception as exc:  # noqa: BLE001 - reported below
                    own.rollback()
                    results.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    session.commit()  # end this test's read, so it sees what the two requests wrote
    assert [r for r in results if isinstance(r, Exception)] == [], results
    assert sum(r is None for r in results) == 1  # the second one found the token used
    assert session.scalar(select(CartLine.quantity).where(CartLine.cart_id == cart.id)) == 3
    assert session.scalar(select(func.count(CartAddToken.id))) == 1


def test_picker_disables_combinations_no_seller_has_and_marks_sold_out(client, shirt):
    form = add_form(client.get(f"/en/p/{shirt.id}-{shirt.slug}?o_Color=White").data.decode())
    assert re.search(r'name="o_Size" value="M"[^>]* disabled', form)  # White M exists nowhere
    assert re.search(r'name="o_Size" value="L" checked', form) and "not available" in form
    black = add_form(client.get(f"/en/p/{shirt.id}-{shirt.slug}?o_Color=Black&o_Size=M").data.decode())
    assert not re.search(r'name="o_Size" value="[ML]"[^>]* disabled', black)
    assert re.search(r'for="opt-2-2">L <span class="chip-note">Sold out', black)


def test_choosing_a_colour_keeps_it_and_finds_a_size_that_exists(client, shirt):
    # Size M was checked when the shopper tapped White: White comes in L only, so L it is, silently.
    html = client.get(f"/en/p/{shirt.id}-{shirt.slug}?o_Color=White&o_Size=M").data.decode()
    assert 'data-testid="sku">SH-WL<' in html and "showing the closest one" not in html
    assert "showing the closest one" in client.get(f"/en/p/{shirt.id}-{shirt.slug}?o_Color=Purple").data.decode()


def test_combination_missing_at_the_chosen_seller_moves_to_one_that_has_it(client, session, earbuds):
    de = offer_id(session, "DE-BLK")
    html = client.get(f"/en/p/{earbuds.id}-{earbuds.slug}?offer={de}&o_Color=Navy").data.decode()
    assert 'data-testid="sku">CN-NAV<' in html and "Berlin Elektro does not offer this option" in html


def test_no_js_update_button_shows_the_chosen_options_without_tokens_in_the_address(client, session, earbuds):
    response = client.post(f"/en/p/{earbuds.id}/choose", data={
        "csrf_token": "x", "add_token": "y" * 20, "offer": offer_id(session, "CN-BLK"), "o_Color": "Navy", "qty": "3"})
    assert response.status_code == 303
    assert "o_Color=Navy" in response.headers["Location"] and "qty=3" in response.headers["Location"]
    assert "token" not in response.headers["Location"]


def test_buy_now_checks_out_that_one_item_and_leaves_the_cart_alone(client, session, earbuds):
    cn = offer_id(session, "CN-BLK")
    client.post("/es/cart/add", data={"offer": cn, "o_Color": "Black", "qty": "1", "add_token": new_add_token()})
    response = client.post("/es/cart/buy-now", data={"offer": cn, "o_Color": "Navy", "qty": "2"})
    assert response.status_code == 303 and response.headers["Location"] == "/es/checkout/"
    assert client.post("/es/checkout/", data=ADDRESS).headers["Location"] == "/es/checkout/review"
    review = client.get("/es/checkout/review").data.decode()
    assert "CN-NAV" not in review and review.count('data-testid="line-item"') == 1 and ">2</span> ×" in review
    key, total = review_keys(review)
    placed = client.post("/es/checkout/place", data={"idempotency_key": key, "expected_total": total})
    assert placed.status_code == 303
    bought = session.scalars(select(OrderLine)).all()
    assert [(line.sku, line.quantity) for line in bought] == [("CN-NAV", 2)]
    assert lines(session) == {"CN-BLK": 1}  # the cart is untouched
    confirmation = client.get(placed.headers["Location"]).data.decode()
    assert f'href="/es/p/{earbuds.id}-{earbuds.slug}" data-testid="line-link"' in confirmation
    assert 'data-testid="line-thumb"' in confirmation
    # The next checkout buys the cart again.
    assert client.post("/es/checkout/", data=ADDRESS).headers["Location"] == "/es/checkout/review"
    again = client.get("/es/checkout/review").data.decode()
    assert again.count('data-testid="line-item"') == 1 and ">1</span> ×" in again
    assert session.scalar(select(func.count(Checkout.id))) == 1


def test_buy_now_with_htmx_redirects_the_page_to_checkout(client, session, earbuds):
    response = client.post("/es/cart/buy-now", data={"offer": offer_id(session, "CN-BLK"), "o_Color": "Black",
                                                     "qty": "1"},
                           headers={"HX-Request": "true", "HX-Target": "add_to_cart"})
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/es/checkout/"
    assert session.scalar(select(func.count(Cart.id)).where(Cart.kind == BUY_NOW)) == 1


def test_buy_now_with_a_silly_quantity_says_so_and_changes_nothing(client, session, earbuds):
    response = client.post("/es/cart/buy-now", data={"offer": offer_id(session, "CN-BLK"), "o_Color": "Black",
                                                     "qty": "999", "next": f"/es/p/{earbuds.id}-{earbuds.slug}"})
    assert response.status_code == 303 and "/es/p/" in response.headers["Location"]
    assert session.scalar(select(func.count(CartLine.id))) == 0
