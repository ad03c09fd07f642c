"""Money stays exact in SQL: a checkout split across sellers can always be refunded to the last cent.

On SQLite a `Numeric` column used to hold a binary float, so the sandbox's guarded refund UPDATE
(`refunded_amount + amount <= amount`) compared floats and refused the last refund of a split checkout
(issue 11, defect 5).
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from storefront.extensions import db
from storefront.orders.models import Checkout, Order
from storefront.orders.refunds import refund_order
from storefront.payments.testgateway.models import SandboxSession
from storefront.sellers.models import Variant
from tests.factories import add_listing
from tests.builders import BUYER, CARD, review_keys


def buy_from_two_sellers(app, session) -> Checkout:
    """A guest pays one checkout (USD) holding a 10.00 USD item from China and a 15.99 USD one from Germany."""
    app.config["TODAY"] = date(2026, 11, 27)
    add_listing(session, handling_days=3,
                variants=[{"sku": "EB-1", "options": {}, "price": "10.00", "currency": "USD", "stock": 5}])
    add_listing(session, seller={"handle": "berlin", "name": "Berlin Mugs", "country": "DE"}, ships_from="DE",
                handling_days=2, variants=[{"sku": "MUG-1", "options": {}, "price": "15.99", "currency": "USD",
                                            "stock": 5}])
    client = app.test_client()
    for sku in ("EB-1", "MUG-1"):
        client.post("/en/cart/add", data={"variant_id": session.scalar(select(Variant.id).where(Variant.sku == sku)),
                                          "qty": 1})
    client.post("/en/checkout/", data=BUYER)
    html = client.get("/en/checkout/review").data.decode()
    key, total = review_keys(html)
    placed = client.post("/en/checkout/place", data={"idempotency_key": key, "expected_total": total})
    page = "/testpay/pay/" + placed.headers["Location"].split("/testpay/pay/")[1]
    client.post(page, data=CARD, follow_redirects=True)
    db.session.rollback()
    return session.scalar(select(Checkout))


def test_tick_refunds_the_second_order_of_a_split_checkout_after_the_first_was_refunded(app, session, runner):
    checkout = buy_from_two_sellers(app, session)
    china, berlin = sorted(checkout.orders, key=lambda o: o.seller.handle != "sz-audio")
    assert (china.status, berlin.status, checkout.currency) == ("paid", "paid", "USD")
    # The prices were picked so that binary floats overshoot: 13.90 + 17.48 > 31.38 in doubles.
    assert (china.total, berlin.total) == (Decimal("13.90"), Decimal("17.48"))
    assert float(china.total) + float(berlin.total) > float(china.total + berlin.total)

    refund_order(session, app.extensions["payment_gateway"], berlin, berlin.total, reason="damaged in transit")
    ship_by = china.ship_by
    result = runner.invoke(args=["orders", "tick", "--now", (ship_by + timedelta(minutes=1)).isoformat()])

    assert "1 orders not shipped in time cancelled and refunded" in result.output, result.output
    db.session.rollback()
    china, berlin = session.get(Order, china.id), session.get(Order, berlin.id)
    assert (china.status, china.refunded_total) == ("cancelled", Decimal("13.90"))
    assert (berlin.status, berlin.refunded_total) == ("refunded", Decimal("17.48"))
    sandbox = session.scalar(select(SandboxSession))
    assert sandbox.amount == sandbox.refunded_amount == Decimal("31.38")
