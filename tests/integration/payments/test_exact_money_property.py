"""Property: however a paid checkout is split across sellers and refunded or cancelled, refunds never exceed
what was paid and reach it exactly (issue 11, defect 5), on SQLite and PostgreSQL.

Checkouts are built with the models (placing them is not what is tested); paying goes through the sandbox's
hosted page and the shop's return handler, refunds through orders.refunds.refund_order and cancellations
through orders.fulfilment.cancel_by_seller, both to the real sandbox gateway.
"""
from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import Decimal

from flask import url_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from storefront.core.clock import utcnow
from storefront.core.money import precision
from storefront.orders.fulfilment import cancel_by_seller
from storefront.orders.models import Checkout, Order, OrderLine
from storefront.payments.models import Payment, Refund
from storefront.orders.refunds import refund_order
from storefront.payments.services import ReturnUrls, start_payment
from storefront.payments.testgateway.models import SandboxSession
from storefront.sellers.models import Seller
from tests.integration.payments.merchant import CARD, path_of

CURRENCIES = ["USD", "EUR", "GBP", "BRL", "JPY", "KRW"]  # two- and zero-decimal ones

# One checkout: a currency, 2-4 orders (one per seller) of 1 minor unit to 10 million major units, then steps:
# (which order, "refund" a fraction of what is left or "cancel" it, the fraction in thousandths).
checkouts = st.tuples(
    st.sampled_from(CURRENCIES),
    st.lists(st.integers(min_value=1, max_value=10**9), min_size=2, max_size=4),
    st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["refund", "cancel"]), st.integers(1, 1000)), max_size=6),
)


def sellers(session) -> list[Seller]:
    """Four stores in four countries."""
    rows = [Seller(handle=f"store-{country.lower()}", name=f"Store {country}", country=country)
            for country in ("CN", "DE", "US", "JP")]
    session.add_all(rows)
    session.commit()
    return rows


def paid_checkout(app, session, stores: list[Seller], currency: str, minor_totals: list[int]) -> Checkout:
    """A checkout of one order per seller with these totals (in minor units), paid by card on the hosted page."""
    unit = Decimal(1).scaleb(-precision(currency))
    totals = [minor * unit for minor in minor_totals]
    now = utcnow()
    checkout = Checkout(reference="CK-" + secrets.token_hex(6), idempotency_key=secrets.token_hex(16),
                        email="ana@example.com", locale="en", currency=currency, country="US",
                        address={"country": "US"}, payment_method="card", items_total=sum(totals),
                        shipping_total=Decimal(0), tax_total=Decimal(0), total=sum(totals), usd_rate=Decimal(1),
                        pay_by=now + timedelta(hours=1), created_at=now)
    for seller, total in zip(stores, totals):
        order = Order(number="SO-" + secrets.token_hex(5).upper(), checkout=checkout, seller_id=seller.id,
                      email=checkout.email, status="awaiting_payment", currency=currency, items_total=total,
                      shipping_total=Decimal(0), tax_total=Decimal(0), total=total, shipping_method="standard",
                      ships_from=seller.country, created_at=now)
        order.lines.append(OrderLine(sku="SKU", title="Thing", quantity=1, unit_price=total, price_currency=currency,
                                     rate=Decimal(1), unit_price_paid=total, line_total=total))
        session.add(order)
    session.commit()
    gateway = app.extensions["payment_gateway"]
    with app.test_request_context():
        urls = ReturnUrls(return_url=url_for("payments.returned", gateway_name=gateway.name, locale="en",
                                             _external=True),
                          cancel_url="http://localhost/en/", webhook_url=url_for(
                              "payments.webhook", gateway_name=gateway.name, _external=True))
    hosted = start_payment(session, gateway, checkout, urls, f"Order {checkout.reference}")
    app.test_client().post(path_of(hosted), data=CARD | {"number": "4242424242424242"}, follow_redirects=True)
    session.rollback()
    assert [o.status for o in checkout.orders] == ["paid"] * len(totals)
    return checkout


def sandbox_of(session, checkout: Checkout) -> SandboxSession:
    """The provider's record of the checkout's payment, as committed."""
    session.rollback()
    reference = session.scalar(select(Payment.reference).where(Payment.checkout_id == checkout.id,
                                                               Payment.status == "succeeded"))
    return session.scalar(select(SandboxSession).where(SandboxSession.reference == reference))


def refunded_in_shop(session, order: Order) -> Decimal:
    """The sum of the order's refund records, summed in SQL."""
    return session.scalar(select(func.coalesce(func.sum(Refund.amount), 0)).where(Refund.order_id == order.id))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(example=checkouts)
def test_refunds_never_exceed_and_always_reach_what_was_paid(app, session, example):
    currency, minor_totals, steps = example
    stores = session.scalars(select(Seller).order_by(Seller.id)).all() or sellers(session)
    checkout = paid_checkout(app, session, stores, currency, minor_totals)
    gateway = app.extensions["payment_gateway"]
    orders = list(checkout.orders)
    unit = Decimal(1).scaleb(-precision(currency))

    for index, action, thousandths in steps:
        order = session.get(Order, orders[index % len(orders)].id)
        left = order.total - order.refunded_total
        if order.status != "paid" or left <= 0:
            continue
        if action == "cancel":
            cancel_by_seller(session, gateway, order, reason="out_of_stock", actor="seller", now=utcnow())
        else:
            amount = max(unit, (left * thousandths / 1000).quantize(unit))
            refund_order(session, gateway, order, min(amount, left), reason="partial")
        sandbox = sandbox_of(session, checkout)
        assert sandbox.refunded_amount <= sandbox.amount == checkout.total

    for order in orders:  # then everything left goes back
        order = session.get(Order, order.id)
        left = order.total - order.refunded_total
        if left > 0:
            refund_order(session, gateway, order, left, reason="the rest")

    sandbox = sandbox_of(session, checkout)
    assert sandbox.refunded_amount == sandbox.amount == checkout.total
    assert sum(r.amount for r in sandbox.refunds) == checkout.total
    for order in orders:
        order = session.get(Order, order.id)
        assert order.refunded_total == refunded_in_shop(session, order) == order.total
        assert order.status in ("refunded", "cancelled")
    assert session.scalar(select(func.sum(Refund.amount)).where(Refund.order_id.in_([o.id for o in orders]))) \
        == checkout.total
