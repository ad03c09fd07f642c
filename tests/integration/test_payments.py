"""Paying for a checkout through the sandbox provider: returns, webhooks, retries, outages, refunds."""
import json
import time
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from storefront.orders.models import Checkout, Order
from storefront.payments.models import Payment, ProcessedWebhook, Refund
from storefront.orders.refunds import refund_order
from storefront.payments.testgateway.adapter import sign_webhook
from storefront.sellers.models import Variant
from tests.factories import add_listing
from tests.builders import BUYERS, check_out, review_keys

ADDRESS = BUYERS["DE"]
CARD = {"expiry": "12/34", "cvc": "123", "name": "Jonas Weber"}
CARD = {"expiry": "12/34", "cvc": "123", "name": "Jonas Weber"}


@pytest.fixture
def placed(app, client, session):
    """A card checkout placed, the shopper now at the provider's hosted page (its path is returned)."""
    app.config["TODAY"] = date(2026, 11, 27)
    add_listing(session, variants=[{"sku": "EB-1", "price": "10.00", "currency": "USD", "stock": 5}])
    add_listing(session, seller={"handle": "berlin", "name": "Berlin", "country": "DE"}, ships_from="DE",
                variants=[{"sku": "MUG-1", "price": "8.00", "currency": "EUR", "stock": 2}])
    response = check_out(client, "EB-1", "MUG-1", address=ADDRESS, locale="en")
    assert "/testpay/pay/" in response.headers["Location"]
    return "/testpay/pay/" + response.headers["Location"].split("/testpay/pay/")[1]


def pay(client, page, number):
    """Submit a card on the hosted page and follow back to the shop (closing responses delivers webhooks)."""
    return client.post(page, data=CARD | {"number": number}, follow_redirects=True)


def statuses(session):
    session.rollback()
    return sorted(session.scalars(select(Order.status)).all())


def test_card_payment_marks_both_orders_paid_once(client, session, placed):
    page = pay(client, placed, "4242424242424242").data.decode()
    assert "Payment received" in page
    assert statuses(session) == ["paid", "paid"]
    assert session.scalar(select(func.count(Payment.id)).where(Payment.status == "succeeded")) == 1
    assert session.scalar(select(func.count(ProcessedWebhook.event_id))) == 1  # the webhook came too, no-op
    order = session.scalars(select(Order)).first()
    assert [e.to_status for e in order.events] == ["awaiting_payment", "paid"]


def test_declined_card_then_successful_retry(client, session, placed):
    page = pay(client, placed, "4000000000000002").data.decode()
    assert "Your card was declined" in page and statuses(session) == ["awaiting_payment", "awaiting_payment"]
    reference = session.scalar(select(Checkout.reference))
    retry = client.post(f"/en/checkout/done/{reference}/pay")
    new_page = "/testpay/pay/" + retry.headers["Location"].split("/testpay/pay/")[1]
    assert new_page != placed
    assert "Payment received" in pay(client, new_page, "4242424242424242").data.decode()
    assert statuses(session) == ["paid", "paid"]
    assert sorted(session.scalars(select(Payment.status))) == ["failed", "succeeded"]


def test_extra_authentication_step(client, session, placed):
    challenge = client.post(placed, data=CARD | {"number": "4000002500003155"})
    assert "/testpay/authenticate/" in challenge.headers["Location"]
    path = "/testpay/authenticate/" + challenge.headers["Location"].split("/testpay/authenticate/")[1]
    html = client.get(path).data.decode()
    assert "Complete authentication" in html
    done = client.post(path, data={"complete": "1"}, follow_redirects=True)
    assert "Payment received" in done.data.decode() and statuses(session) == ["paid", "paid"]


def test_provider_outage_keeps_orders_awaiting_payment_and_retry_works(app, client, session):
    app.config["TODAY"] = date(2026, 11, 27)
    add_listing(session, variants=[{"sku": "EB-9", "price": "10.00", "currency": "USD", "stock": 5}])
    client.post("/en/cart/add", data={"variant_id": session.scalar(select(Variant.id)), "qty": 1})
    client.post("/en/checkout/", data=ADDRESS)
    html = client.get("/en/checkout/review").data.decode()
    key, total = review_keys(html)
    app.config["TEST_GATEWAY_DOWN"] = True
    app.extensions["payment_gateway"].config = app.config  # the gateway reads the flag on every call
    response = client.post("/en/checkout/place", data={"idempotency_key": key, "expected_total": total},
                           follow_redirects=True)
    assert "payment service is not answering" in response.data.decode()
    assert statuses(session) == ["awaiting_payment"]
    app.config["TEST_GATEWAY_DOWN"] = False
    reference = session.scalar(select(Checkout.reference))
    retry = client.post(f"/en/checkout/done/{reference}/pay")
    assert "/testpay/pay/" in retry.headers["Location"]


def test_tampered_return_is_refused_and_changes_nothing(client, session, placed):
    response = client.post(placed, data=CARD | {"number": "4000000000000002"})
    location = response.headers["Location"]
    forged = location.replace("status=failed", "status=succeeded")
    path = "/" + forged.split("/", 3)[3]
    assert client.get(path).status_code == 400
    assert statuses(session) == ["awaiting_payment", "awaiting_payment"]


def webhook(client, app, body: dict, ts: int | None = None, secret: str | None = None):
    raw = json.dumps(body).encode()
    gateway = app.extensions["payment_gateway"]
    header = sign_webhook(secret or gateway.secret, raw, ts or int(time.time()))
    return client.post("/payments/webhook/test", data=raw, headers={"Testgw-Signature": header,
                                                                     "Content-Type": "application/json"})


def event(session, kind="payment.succeeded", event_id="evt_1", reason=None):
    payment = session.scalar(select(Payment))
    return {"id": event_id, "type": kind, "created": int(time.time()),
            "data": {"reference": payment.reference, "provider_ref": payment.provider_ref,
                     "amount": str(payment.amount.quantize(Decimal("0.01"))), "currency": payment.currency,
                     "failure_reason": reason}}


def test_forged_stale_and_replayed_webhooks(app, client, session, placed):
    body = event(session)
    assert webhook(client, app, body, secret="wrong-secret").status_code == 400
    assert webhook(client, app, body, ts=int(time.time()) - 3600).status_code == 400
    assert client.post("/payments/webhook/test", data=json.dumps(body)).status_code == 400
    assert statuses(session) == ["awaiting_payment", "awaiting_payment"]
    assert webhook(client, app, body).status_code == 200
    assert statuses(session) == ["paid", "paid"]
    assert webhook(client, app, body).status_code == 200  # replay: accepted, ignored
    assert session.scalar(select(func.count(ProcessedWebhook.event_id))) == 1


def test_failure_arriving_after_success_does_not_undo_it(app, client, session, placed):
    webhook(client, app, event(session, event_id="evt_ok"))
    webhook(client, app, event(session, kind="payment.failed", event_id="evt_late", reason="declined"))
    assert statuses(session) == ["paid", "paid"]
    assert session.scalar(select(Payment.status)) == "succeeded"


def test_payment_after_expiry_is_refunded(app, client, session, placed):
    from datetime import timedelta

    from storefront.core.clock import utcnow
    from storefront.orders.services import release_unpaid

    release_unpaid(session, utcnow() + timedelta(hours=1))
    assert statuses(session) == ["cancelled", "cancelled"]
    pay(client, placed, "4242424242424242")
    session.rollback()
    refunds = session.scalars(select(Refund)).all()
    assert len(refunds) == 2 and statuses(session) == ["cancelled", "cancelled"]


def test_partial_then_full_refund(app, client, session, placed):
    pay(client, placed, "4242424242424242")
    order = session.scalars(select(Order).order_by(Order.id)).first()
    gateway = app.extensions["payment_gateway"]
    refund_order(session, gateway, order, Decimal("1.00"), reason="scratched")
    assert order.status == "paid" and order.refunded_total == Decimal("1.00")
    with pytest.raises(Exception):
        refund_order(session, gateway, order, order.total, reason="too much")
    refund_order(session, gateway, order, order.total - Decimal("1.00"), reason="return")
    assert order.status == "refunded"
