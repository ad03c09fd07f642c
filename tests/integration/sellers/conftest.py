"""Seller-center fixtures: the fulfilment blueprint on the app, seller and shopper accounts, paid orders."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.orders.models import Order
from storefront.sellers.fulfilment import bp as seller_orders_bp
from storefront.sellers.models import Seller, Variant
from tests.factories import account, add_listing

BUYER = {"full_name": "Lucía Gómez", "line1": "Calle Mayor 1", "city": "Madrid", "postal_code": "28013",
         "country": "ES", "email": "lucia@example.com", "payment_method": "card", "saved_address": "new"}
CARD = {"number": "4242424242424242", "expiry": "12/34", "cvc": "123", "name": "Lucía Gómez"}


@pytest.fixture
def app(app):
    """The app with the seller-center fulfilment pages (a no-op once create_app registers them)."""
    if "seller_orders" not in app.blueprints:
        app.register_blueprint(seller_orders_bp)
    return app


@pytest.fixture
def stores(app, session):
    """Two stores with one listing each: SZ Audio ships from China in 3 business days, Berlin from Germany."""
    app.config["TODAY"] = date(2026, 11, 27)
    add_listing(session, handling_days=3, variants=[{"sku": "EB-1", "options": {"Color": "Black"}, "price": "10.00",
                                                     "currency": "USD", "stock": 5}])
    add_listing(session, seller={"handle": "berlin", "name": "Berlin Mugs", "country": "DE"}, ships_from="DE",
                handling_days=2, variants=[{"sku": "MUG-1", "options": {}, "price": "8.00", "currency": "EUR",
                                            "stock": 9}])


@pytest.fixture
def owner(app, stores):
    """The owner of SZ Audio, logged in."""
    return account(app, "owner@example.com", role="seller", store="sz-audio")


@pytest.fixture
def other_seller(app, stores):
    """The owner of Berlin Mugs, logged in."""
    return account(app, "berlin@example.com", role="seller", store="berlin")


@pytest.fixture
def shopper(app, stores):
    """A shopper account, logged in."""
    return account(app, "shopper@example.com")


def place(client, sku: str, qty: int = 1, *, payment_method: str = "card", locale: str = "es"):
    """Put `qty` of `sku` in the cart and place the checkout in `locale`; returns the place response."""
    variant_id = db.session.scalar(select(Variant.id).where(Variant.sku == sku))
    client.post(f"/{locale}/cart/add", data={"variant_id": variant_id, "qty": qty})
    client.post(f"/{locale}/checkout/", data=BUYER | {"payment_method": payment_method})
    html = client.get(f"/{locale}/checkout/review").data.decode()
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    total = re.search(r'name="expected_total" value="([^"]+)"', html).group(1)
    return client.post(f"/{locale}/checkout/place", data={"idempotency_key": key, "expected_total": total})


def buy(app, sku: str = "EB-1", qty: int = 1, *, pay: bool = True, locale: str = "es") -> str:
    """A guest buys (and pays by card on the sandbox's hosted page, unless pay=False); returns the order number."""
    client = app.test_client()
    placed = place(client, sku, qty, payment_method="card" if pay else "bank_transfer", locale=locale)
    if pay:
        page = "/testpay/pay/" + placed.headers["Location"].split("/testpay/pay/")[1]
        client.post(page, data=CARD, follow_redirects=True)
    db.session.rollback()
    return db.session.scalars(select(Order.number).order_by(Order.id.desc())).first()


def reload(number: str) -> Order:
    """The order as the database has it now."""
    db.session.rollback()
    return db.session.scalar(select(Order).where(Order.number == number))
