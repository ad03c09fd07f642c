"""Import tax is worded the same on cart, review, confirmation, order page and email, and never shown as a zero
where customs collects it on delivery; only tax collected at checkout is part of what the shopper pays."""
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from storefront.orders.models import Checkout, Order
from storefront.sellers.models import Variant
from tests.builders import review_keys
from tests.outbox import outbox_mails

US = {"full_name": "Ann Lee", "line1": "1 Market St", "city": "San Francisco", "region": "CA",
      "postal_code": "94105", "country": "US", "email": "ann@example.com", "payment_method": "bank_transfer",
      "saved_address": "new"}
DE = US | {"region": "", "postal_code": "10115", "city": "Berlin", "country": "DE"}


@pytest.fixture
def earbuds(app, session):
    app.config["TODAY"] = date(2026, 11, 27)
    from tests.factories import add_listing

    add_listing(session, variants=[{"sku": "EB-20", "options": {}, "price": "20.00", "currency": "EUR", "stock": 5},
                                   {"sku": "EB-400", "options": {"Size": "Pro"}, "price": "400.00",
                                    "currency": "EUR", "stock": 5}])


def buy(client, session, sku, address, currency):
    """Cart -> checkout -> review -> place; returns the pages' HTML and the confirmation mail's text."""
    client.set_cookie("currency", currency)
    client.set_cookie("ship_to", address["country"])
    variant_id = session.scalar(select(Variant.id).where(Variant.sku == sku))
    client.post("/en/cart/add", data={"variant_id": variant_id, "qty": 1})
    cart = client.get("/en/cart/").data.decode()
    assert client.post("/en/checkout/", data=address).status_code == 303
    review = client.get("/en/checkout/review").data.decode()
    key, total = review_keys(review)
    placed = client.post("/en/checkout/place", data={"idempotency_key": key, "expected_total": total})
    assert placed.status_code == 303
    confirmation = client.get(placed.headers["Location"]).data.decode()
    order = session.scalar(select(Order))
    order_page = client.get(f"/en/orders/{order.number}").data.decode()
    return cart, review, confirmation, order_page


def mail_text(app) -> str:
    """The body of the one confirmation email."""
    [mail] = outbox_mails("order_received")
    return mail.get_body().get_content()


def summary_tax(html: str) -> str:
    """The text of the summary's import-tax row (prices' <bdi> isolation taken out)."""
    row = re.search(r'data-testid="tax-summary">(.*?)</dd>', html, re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r"</?bdi>", "", row)).strip()


def euros(amount: Decimal) -> str:
    """An amount as an English reader shipping to Germany reads it (CLDR en_DE: "4,05 €")."""
    return f"{amount:.2f}".replace(".", ",") + "\xa0€"


def test_duties_collected_on_delivery_are_said_everywhere_never_a_zero(app, client, session, earbuds):
    cart, review, confirmation, order_page = buy(client, session, "EB-20", US, "USD")
    assert summary_tax(cart) == summary_tax(review) == summary_tax(order_page) == "Duties may be charged on delivery"
    for html in (cart, review, confirmation):
        assert "Import tax: Duties may be charged on delivery" in html
    assert "Import tax: Duties may be charged on delivery" in mail_text(app)
    checkout = session.scalar(select(Checkout))
    assert checkout.tax_total == 0 and checkout.total == checkout.items_total + checkout.shipping_total


def test_tax_collected_at_checkout_is_an_amount_in_every_summary(app, client, session, earbuds):
    cart, review, confirmation, order_page = buy(client, session, "EB-20", DE, "EUR")
    checkout = session.scalar(select(Checkout))
    assert checkout.tax_total > 0 and checkout.total == checkout.items_total + checkout.shipping_total + checkout.tax_total
    amount = euros(checkout.tax_total)
    for html in (cart, review, order_page):
        assert summary_tax(html) == f"{amount}, paid at checkout".replace("\xa0", " ")
    assert f"Import tax: <bdi>{amount}</bdi>, paid at checkout" in confirmation
    assert f"Import tax: {amount}, paid at checkout" in mail_text(app)  # in the buyer's language and country


def test_tax_charged_on_delivery_is_an_estimate_outside_the_total(app, client, session, earbuds):
    """Above the EU's 150 EUR IOSS limit customs charges VAT on delivery: we must not charge it as well."""
    cart, review, confirmation, order_page = buy(client, session, "EB-400", DE, "EUR")
    order = session.scalar(select(Order))
    assert order.tax_total == 0 and order.total == order.items_total + order.shipping_total
    assert order.tax_delivery_estimate == ((order.items_total + order.shipping_total) * Decimal("0.19")).quantize(
        Decimal("0.01"))
    amount = euros(order.tax_delivery_estimate)
    estimate = f"about {amount}, charged on delivery (estimate)"
    for html in (cart, review, order_page):
        assert summary_tax(html) == estimate.replace("\xa0", " ")
    assert f"Import tax: about <bdi>{amount}</bdi>, charged on delivery (estimate)" in confirmation
    assert f"Import tax: {estimate}" in mail_text(app)
