"""The cart: add, change, remove, save for later, packages per seller, re-checks, guest merge at login."""
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from storefront.cart.models import Cart, CartLine
from storefront.sellers.models import Variant
from tests.factories import PASSWORD, add_listing, sign_up


@pytest.fixture
def products(app, session):
    app.config["TODAY"] = date(2026, 11, 27)
    earbuds = add_listing(session, title={"en": "Earbuds"},
                          variants=[{"sku": "EB-1", "options": {"Color": "Black"}, "price": "10.00", "currency": "USD",
                                     "stock": 5}])
    mug = add_listing(session, title={"en": "Mug"}, seller={"handle": "berlin", "name": "Berlin", "country": "DE"},
                      ships_from="DE", variants=[{"sku": "MUG-1", "options": {}, "price": "8.00", "currency": "EUR",
                                                 "stock": 2}])
    return {"earbuds": earbuds, "mug": mug}


def variant_id(session, sku):
    return session.scalar(select(Variant.id).where(Variant.sku == sku))


def add(client, session, sku, qty=1, **headers):
    return client.post("/en/cart/add", data={"variant_id": variant_id(session, sku), "qty": qty}, headers=headers)


def test_add_groups_lines_into_one_package_per_seller(client, session, products):
    assert add(client, session, "EB-1", 2).status_code == 303
    add(client, session, "MUG-1")
    html = client.get("/en/cart/").data.decode()
    assert html.count('data-testid="package"') == 2 and html.count('data-testid="cart-line"') == 2
    assert 'data-testid="cart-count">3<' in html and 'data-testid="cart-total"' in html


def test_htmx_add_updates_the_mini_cart_out_of_band(client, session, products):
    response = add(client, session, "EB-1", 1, **{"HX-Request": "true", "HX-Target": "add_to_cart"})
    body = response.data.decode()
    assert 'id="add_to_cart"' in body and 'hx-swap-oob="true"' in body and 'data-testid="cart-count">1<' in body


@pytest.mark.parametrize("qty", ["0", "-2", "abc", "6"])
def test_bad_quantities_are_refused_and_change_nothing(client, session, products, qty):
    response = client.post("/en/cart/add", data={"variant_id": variant_id(session, "EB-1"), "qty": qty,
                                                  "next": "/en/"})
    assert response.status_code == 303
    assert session.scalar(select(func.count(CartLine.id))) == 0


def test_unknown_variant_is_404(client, products):
    assert client.post("/en/cart/add", data={"variant_id": "999999", "qty": 1}).status_code == 404


def test_change_quantity_save_for_later_move_back_and_remove(client, session, products):
    add(client, session, "EB-1", 1)
    line_id = session.scalar(select(CartLine.id))
    client.post(f"/en/cart/lines/{line_id}", data={"action": "update", "qty": "3"})
    assert session.scalar(select(CartLine.quantity)) == 3
    bad = client.post(f"/en/cart/lines/{line_id}", data={"action": "update", "qty": "50"},
                      headers={"HX-Request": "true", "HX-Target": "cart_body"})
    assert bad.status_code == 400 and session.scalar(select(CartLine.quantity)) == 3
    client.post(f"/en/cart/lines/{line_id}", data={"action": "save"})
    html = client.get("/en/cart/").data.decode()
    assert 'data-testid="saved-for-later"' in html and 'data-testid="cart-count">0<' in html
    client.post(f"/en/cart/lines/{line_id}", data={"action": "move"})
    client.post(f"/en/cart/lines/{line_id}", data={"action": "remove"})
    assert session.scalar(select(func.count(CartLine.id))) == 0


def test_someone_elses_cart_line_is_404(app, client, session, products):
    add(client, session, "EB-1", 1)
    line_id = session.scalar(select(CartLine.id))
    other = app.test_client()
    add(other, session, "MUG-1", 1)
    assert other.post(f"/en/cart/lines/{line_id}", data={"action": "remove"}).status_code == 404
    assert session.scalar(select(func.count(CartLine.id))) == 2


def test_price_change_and_sell_out_are_flagged_when_the_cart_is_shown(client, session, products):
    add(client, session, "EB-1", 2)
    add(client, session, "MUG-1", 1)
    eb = session.scalar(select(Variant).where(Variant.sku == "EB-1"))
    mug = session.scalar(select(Variant).where(Variant.sku == "MUG-1"))
    eb.price, mug.stock = eb.price + 1, 0
    session.commit()
    html = client.get("/en/cart/").data.decode()
    assert 'data-testid="price-changed"' in html and 'data-testid="sold-out"' in html
    assert 'data-testid="go-checkout"' not in html


def test_shipping_choice_per_package_changes_the_total(client, session, products):
    add(client, session, "EB-1", 1)
    seller_id = session.scalar(select(Variant).where(Variant.sku == "EB-1")).seller_id

    def total():
        html = client.get("/en/cart/").data.decode()
        return re.search(r'data-testid="cart-total">(?:<bdi>)?([^<]+)<', html).group(1)

    economy = total()
    client.post("/en/cart/shipping", data={"seller_id": seller_id, "method": "express"})
    assert total() != economy
    assert client.post("/en/cart/shipping", data={"seller_id": seller_id, "method": "teleport"}).status_code == 404


def test_guest_cart_merges_into_account_cart_at_login(app, client, session, products):
    sign_up(client, "Ana", "ana@example.com")
    add(client, session, "EB-1", 1)
    client.post("/en/account/logout")
    add(client, session, "EB-1", 2)
    add(client, session, "MUG-1", 1)
    client.post("/en/account/login", data={"email": "ana@example.com", "password": PASSWORD})
    carts = session.scalars(select(Cart)).all()
    assert len(carts) == 1 and carts[0].user_id is not None
    quantities = {line.variant.sku: line.quantity for line in carts[0].lines}
    assert quantities == {"EB-1": 3, "MUG-1": 1}
