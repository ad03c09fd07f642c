"""Checkout and order placement: validation, one order per seller, idempotency, stock, timers, snapshots."""
import re
import threading
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storefront.cart.services import add_item, new_cart
from storefront.checkout.services import CheckoutDetails, place_order
from storefront.currency.services import current_rates
from storefront.orders.models import Checkout, Order, OrderLine
from storefront.orders.services import IllegalTransition, release_unpaid, transition
from storefront.sellers.models import Variant
from tests.factories import add_listing
from tests.builders import buyer, review_keys

ADDRESS = buyer("BR", payment_method="bank_transfer")


@pytest.fixture
def products(app, session):
    app.config["TODAY"] = date(2026, 11, 27)
    add_listing(session, title={"en": "Earbuds", "es": "Auriculares"},
                variants=[{"sku": "EB-1", "options": {"Color": "Black"}, "price": "10.00", "currency": "USD",
                           "stock": 5}])
    add_listing(session, title={"en": "Mug"}, seller={"handle": "berlin", "name": "Berlin", "country": "DE"},
                ships_from="DE", variants=[{"sku": "MUG-1", "options": {}, "price": "8.00", "currency": "EUR",
                                           "stock": 2}])


def vid(session, sku):
    return session.scalar(select(Variant.id).where(Variant.sku == sku))


def fill_cart(client, session, *skus):
    for sku in skus:
        client.post("/es/cart/add", data={"variant_id": vid(session, sku), "qty": 1})


def review_form(client):
    html = client.get("/es/checkout/review").data.decode()
    key, total = review_keys(html)
    return key, total


def test_bad_checkout_input_rerenders_with_values_and_messages(client, session, products):
    fill_cart(client, session, "EB-1")
    response = client.post("/es/checkout/", data=ADDRESS | {"postal_code": "123", "email": "nope"})
    html = response.data.decode()
    assert response.status_code == 400 and 'value="Rua Augusta 100"' in html and html.count('class="error"') >= 2
    assert session.scalar(select(func.count(Checkout.id))) == 0


def test_guest_buys_from_two_sellers_gets_two_orders_one_checkout(client, session, products):
    client.set_cookie("currency", "BRL")
    fill_cart(client, session, "EB-1", "MUG-1")
    assert client.post("/es/checkout/", data=ADDRESS).headers["Location"] == "/es/checkout/review"
    key, total = review_form(client)
    placed = client.post("/es/checkout/place", data={"idempotency_key": key, "expected_total": total})
    assert placed.status_code == 303 and re.search(r"/es/checkout/done/[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$",
                                                   placed.headers["Location"])
    checkout = session.scalar(select(Checkout))
    assert checkout.currency == "BRL" and checkout.total == Decimal(total) and len(checkout.orders) == 2
    assert {o.status for o in checkout.orders} == {"awaiting_payment"}
    assert all(re.fullmatch(r"SO-[2-9A-HJ-NP-Z]{10}", o.number) for o in checkout.orders)
    assert sum(o.total for o in checkout.orders) == checkout.total
    line = session.scalar(select(OrderLine).where(OrderLine.sku == "EB-1"))
    assert (line.title, line.unit_price, line.price_currency) == ("Auriculares", Decimal("10.0000"), "USD")
    assert line.rate > 5 and line.unit_price_paid == (Decimal("10") * line.rate).quantize(Decimal("0.01"))
    assert session.scalar(select(Variant.stock).where(Variant.sku == "EB-1")) == 4
    confirmation = client.get(placed.headers["Location"]).data.decode()
    assert "IBAN" in confirmation and confirmation.count('data-testid="order-number"') == 2
    assert client.get("/es/cart/").data.decode().count('data-testid="cart-line"') == 0


def test_confirmation_email_in_buyers_language(app, client, session, products):
    fill_cart(client, session, "EB-1")
    client.post("/es/checkout/", data=ADDRESS)
    key, total = review_form(client)
    client.post("/es/checkout/place", data={"idempotency_key": key, "expected_total": total})
    from storefront.core.mail_outbox import OutboxMail

    mails = session.scalars(select(OutboxMail).where(OutboxMail.template == "order_received")).all()
    assert len(mails) == 1
    text = mails[0].message
    reference = session.scalar(select(Checkout.reference))
    assert "To: ana@example.com" in text and "Content-Language: es" in text
    assert f"Subject: Pedido {reference} recibido" in text


def test_second_submit_of_same_checkout_places_one_order(client, session, products):
    fill_cart(client, session, "EB-1")
    client.post("/es/checkout/", data=ADDRESS)
    key, total = review_form(client)
    first = client.post("/es/checkout/place", data={"idempotency_key": key, "expected_total": total})
    second = client.post("/es/checkout/place", data={"idempotency_key": key, "expected_total": total})
    assert first.headers["Location"] == second.headers["Location"]
    assert session.scalar(select(func.count(Order.id))) == 1
    assert session.scalar(select(Variant.stock).where(Variant.sku == "EB-1")) == 4


def test_tampered_total_places_nothing(client, session, products):
    fill_cart(client, session, "EB-1")
    client.post("/es/checkout/", data=ADDRESS)
    key, _ = review_form(client)
    response = client.post("/es/checkout/place", data={"idempotency_key": key, "expected_total": "0.01",
                                                       "price": "0.01", "total": "0.01"})
    assert response.headers["Location"] == "/es/checkout/review"
    assert session.scalar(select(func.count(Order.id))) == 0


def test_sold_out_between_cart_and_placement_gives_clear_message_and_no_order(client, session, products):
    fill_cart(client, session, "MUG-1")
    client.post("/es/checkout/", data=ADDRESS)
    key, total = review_form(client)
    mug = session.scalar(select(Variant).where(Variant.sku == "MUG-1"))
    mug.stock = 0
    session.commit()
    response = client.post("/es/checkout/place", data={"idempotency_key": key, "expected_total": total})
    assert response.headers["Location"] == "/es/cart/"
    assert session.scalar(select(func.count(Order.id))) == 0


def details(currency="USD"):
    address = {k: ADDRESS[k] for k in ("full_name", "line1", "city", "region", "postal_code", "country")}
    return CheckoutDetails(email="a@example.com", address=address | {"line2": "", "phone": ""},
                           payment_method="card", locale="en", currency=currency)


def buyer_cart(session, variant, qty):
    cart = new_cart(session)
    add_item(session, cart, variant, qty)
    session.commit()
    return cart


def test_unpaid_orders_release_stock_after_the_deadline(app, session, products):
    eb = vid(session, "EB-1")
    cart = buyer_cart(session, eb, 2)
    now = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)
    checkout, created = place_order(session, cart, details(), "k" * 20, expected_total=None, user_id=None,
                                    rates=current_rates(), today=date(2026, 11, 27), now=now)
    session.commit()
    assert created and session.scalar(select(Variant.stock).where(Variant.id == eb)) == 3
    assert release_unpaid(session, now + timedelta(minutes=29)) == 0
    assert release_unpaid(session, now + timedelta(minutes=31)) == 1
    order = session.scalar(select(Order))
    assert order.status == "cancelled" and order.events[-1].actor == "system"
    assert session.scalar(select(Variant.stock).where(Variant.id == eb)) == 5
    assert release_unpaid(session, now + timedelta(days=2)) == 0


def test_illegal_transitions_are_refused_without_change(app, session, products):
    cart = buyer_cart(session, vid(session, "EB-1"), 1)
    checkout, _ = place_order(session, cart, details(), "z" * 20, expected_total=None, user_id=None,
                              rates=current_rates(), today=date(2026, 11, 27), now=datetime.now(timezone.utc))
    order = checkout.orders[0]
    for target in ("shipped", "delivered", "completed", "refunded"):
        with pytest.raises(IllegalTransition):
            transition(session, order, target, actor="test")
    assert order.status == "awaiting_payment" and len(order.events) == 1


def test_same_key_in_parallel_places_one_order(app, session, products, database_url):
    """Two tabs submit the same checkout at the same moment: one order, the same result for both."""
    eb = vid(session, "EB-1")
    cart_id = buyer_cart(session, eb, 1).id
    results, errors = [], []
    barrier = threading.Barrier(2)
    engine = session.get_bind()

    def submit():
        with app.app_context(), Session(engine) as s:
            from storefront.cart.models import Cart

            cart = s.get(Cart, cart_id)
            barrier.wait()
            try:
                checkout, _ = place_order(s, cart, details(), "same-key-" + "x" * 12, expected_total=None,
                                          user_id=None, rates=current_rates(), today=date(2026, 11, 27),
                                          now=datetime.now(timezone.utc))
                s.commit()
                results.append(checkout.reference)
            except Exception as exc:  # noqa: BLE001 - reported below
                s.rollback()
                errors.append(repr(exc))

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    session.rollback()
    assert session.scalar(select(func.count(Checkout.id))) == 1, (errors, results)
    assert session.scalar(select(Variant.stock).where(Variant.id == eb)) == 4
    assert len(set(results)) == 1 and len(results) + len(errors) == 2
