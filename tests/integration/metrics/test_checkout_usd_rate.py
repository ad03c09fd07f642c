"""GMV's reporting currency: place_order records the checkout's USD rate from the rates it priced with."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from storefront.currency.services import current_rates
from storefront.orders.models import Checkout
from storefront.sellers.models import Variant
from tests.factories import add_listing
from tests.builders import buyer, review_keys

ADDRESS = buyer("BR", payment_method="bank_transfer")


def place(client, session, currency: str) -> Checkout:
    client.set_cookie("currency", currency)
    variant_id = session.scalar(select(Variant.id).where(Variant.sku == "EB-1"))
    client.post("/es/cart/add", data={"variant_id": variant_id, "qty": 1})
    client.post("/es/checkout/", data=ADDRESS)
    html = client.get("/es/checkout/review").data.decode()
    key, total = review_keys(html)
    client.post("/es/checkout/place", data={"idempotency_key": key, "expected_total": total})
    session.rollback()
    return session.scalars(select(Checkout).order_by(Checkout.id.desc())).first()


def test_checkout_records_usd_per_unit_of_its_currency(app, client, session):
    app.config["TODAY"] = date(2026, 11, 27)
    add_listing(session, variants=[{"sku": "EB-1", "options": {}, "price": "10.00", "currency": "USD", "stock": 5}])
    rates = current_rates().per_eur
    brl = place(client, session, "BRL")
    assert brl.currency == "BRL"
    # 1 BRL in USD = USD per euro / BRL per euro, kept to 10 decimals like order lines' rates
    assert brl.usd_rate == (rates["USD"] / rates["BRL"]).quantize(Decimal("0.0000000001"))
    assert brl.usd_rate < 1
    usd = place(app.test_client(), session, "USD")
    assert usd.usd_rate == Decimal(1)
