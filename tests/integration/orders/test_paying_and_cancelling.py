"""Charged once, always a way to pay: re-pay reuses or supersedes the open session, a second charge is refunded,
a declined buyer pays later from their orders, unpaid orders can be cancelled, paid ones asked to cancel."""
from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from storefront.core.clock import utcnow
from storefront.extensions import begin_write, db
from storefront.orders.fulfilment import accept_unanswered_cancel_requests
from storefront.orders.models import Checkout, Order
from storefront.payments.models import Payment, Refund
from storefront.payments.testgateway.models import SandboxSession
from storefront.sellers.models import Variant
from tests.integration.orders.after_sale import bought, mails, ship
from tests.builders import BUYER, CARD, place, reload, review_keys

DECLINED = CARD | {"number": "4000000000000002"}


def hosted(location: str) -> str:
    """The hosted page's path from a redirect to it."""
    assert "/testpay/pay/" in location, location
    return "/testpay/pay/" + location.split("/testpay/pay/")[1]


def reference() -> str:
    db.session.rollback()
    return db.session.scalars(select(Checkout.reference).order_by(Checkout.id.desc())).first()


def payments() -> list[tuple[str, Decimal]]:
    db.session.rollback()
    return [(p.status, p.amount) for p in db.session.scalars(select(Payment).order_by(Payment.id))]


def stock(sku: str) -> int:
    db.session.rollback()
    return db.session.scalar(select(Variant.stock).where(Variant.sku == sku))


def two_sellers(client) -> str:
    """A guest checkout of one item from each store, placed (not paid); returns the hosted page's path."""
    for sku in ("EB-1", "MUG-1"):
        variant_id = db.session.scalar(select(Variant.id).where(Variant.sku == sku))
        client.post("/es/cart/add", data={"variant_id": variant_id, "qty": 1})
    client.post("/es/checkout/", data=BUYER)
    html = client.get("/es/checkout/review").data.decode()
    key, total = review_keys(html)
    return hosted(client.post("/es/checkout/place", data={"idempotency_key": key,
                                                          "expected_total": total}).headers["Location"])


# --- one open session per checkout ------------------------------------------------------------------

def test_pay_pressed_again_reuses_the_open_session(app, stores):
    client = app.test_client()
    page = hosted(place(client, "EB-1").headers["Location"])
    again = client.post(f"/es/checkout/done/{reference()}/pay")
    assert hosted(again.headers["Location"]) == page
    assert payments() == [("pending", payments()[0][1])]


def test_cancelling_one_of_two_unpaid_orders_supersedes_the_session_and_pay_now_charges_the_rest(app, stores):
    client = app.test_client()
    old_page = two_sellers(client)
    db.session.rollback()
    mug = db.session.scalar(select(Order).join(Order.seller).where(Order.seller.has(handle="berlin")))
    earbuds = db.session.scalar(select(Order).where(Order.id != mug.id))
    assert stock("MUG-1") == 8
    response = client.post(f"/es/orders/{mug.number}/cancel", follow_redirects=True)
    assert response.status_code == 200 and "Pedido cancelado" in response.data.decode()
    assert reload(mug.number).status == "cancelled" and stock("MUG-1") == 9  # released at once
    assert payments()[0][0] == "superseded"
    assert 'data-testid="link-expired"' in client.get(old_page).data.decode()  # the old page can no longer be paid
    assert client.post(old_page, data=CARD).status_code == 200
    assert 'data-testid="pay-now"' in client.get(f"/es/orders/{earbuds.number}").data.decode()
    new_page = hosted(client.post(f"/es/checkout/done/{reference()}/pay").headers["Location"])
    assert new_page != old_page
    assert payments()[-1] == ("pending", reload(earbuds.number).total)
    client.post(new_page, data=CARD, follow_redirects=True)
    assert reload(earbuds.number).status == "paid" and reload(mug.number).status == "cancelled"
    assert db.session.scalar(select(func.count(Refund.id))) == 0  # the cancelled order was never charged
    db.session.rollback()
    charged = db.session.scalars(select(SandboxSession.amount).where(SandboxSession.status == "succeeded")).all()
    assert charged == [reload(earbuds.number).total]


def test_cancel_unpaid_is_refused_once_paid(app, stores):
    client = app.test_client()
    number = bought(client)
    response = client.post(f"/es/orders/{number}/cancel")
    assert response.status_code == 409 and reload(number).status == "paid"


# --- the double charge ------------------------------------------------------------------------------

def paid_at_provider_but_not_yet_applied(client, page: str) -> str:
    """Pay on the hosted page without following the return (and without its webhook, which goes out only
    when the response is closed): the provider has the money, the shop does not know yet. Returns the
    signed return URL's path."""
    response = client.post(page, data=CARD)
    location = response.headers["Location"]
    return "/" + location.split("/", 3)[3]


def test_pay_pressed_again_after_paying_at_the_provider_charges_once(app, stores):
    """The result is slow to come back and the shopper presses Pay again: they get the same session, which
    the provider shows as paid, and nothing is charged twice."""
    client = app.test_client()
    page = hosted(place(client, "EB-1").headers["Location"])
    back = paid_at_provider_but_not_yet_applied(client, page)
    again = client.post(f"/es/checkout/done/{reference()}/pay")
    assert hosted(again.headers["Location"]) == page
    assert 'data-testid="already-paid"' in client.get(page).data.decode()
    client.get(back)
    assert payments() == [("succeeded", payments()[0][1])]
    db.session.rollback()
    assert db.session.scalar(select(func.count(SandboxSession.id)).where(SandboxSession.status == "succeeded")) == 1


def test_two_hosted_sessions_paid_keep_one_charge_and_refund_the_other(app, stores):
    """Session A is paid at the provider but its result is late; the buyer cancels one of the two orders (A
    can no longer be expired), pays the rest with session B; A's success then arrives for a checkout already
    paid: it is refunded in full through the gateway and recorded, and the paid order is untouched."""
    client = app.test_client()
    first_page = two_sellers(client)
    first_return = paid_at_provider_but_not_yet_applied(client, first_page)
    db.session.rollback()
    mug = db.session.scalar(select(Order).where(Order.seller.has(handle="berlin")))
    earbuds = db.session.scalar(select(Order).where(Order.id != mug.id))
    client.post(f"/es/orders/{mug.number}/cancel")
    second_page = hosted(client.post(f"/es/checkout/done/{reference()}/pay").headers["Location"])
    assert second_page != first_page
    assert "Pago recibido" in client.post(second_page, data=CARD, follow_redirects=True).data.decode()
    client.get(first_return)  # the first result arrives last
    assert sorted(status for status, _ in payments()) == ["refunded", "succeeded"]
    db.session.rollback()
    duplicate = db.session.scalar(select(Payment).where(Payment.status == "refunded"))
    refund = db.session.scalar(select(Refund))
    assert (refund.payment_id, refund.order_id, refund.amount) == (duplicate.id, None, duplicate.amount)
    at_provider = db.session.scalar(select(SandboxSession).where(SandboxSession.token == duplicate.provider_ref))
    assert at_provider.refunded_amount == at_provider.amount  # sent back through the gateway
    order = reload(earbuds.number)
    assert order.status == "paid" and order.refunded_total == 0 and reload(mug.number).status == "cancelled"
    assert len(mails(app, "payment_received")) == 1


def open_second_session(app, number: str) -> str:
    """Open another hosted session for the order's checkout straight through the gateway, as the shop did
    before it kept one open session per checkout (and as a race could still): returns its page's path."""
    from storefront.core.money import Money
    from storefront.payments.gateway import PaymentRequest

    order = reload(number)
    payment = Payment(reference="pay_second", checkout_id=order.checkout_id, gateway="test", amount=order.total,
                      currency=order.currency, status="pending", order_ids=[order.id])
    db.session.add(payment)
    db.session.commit()
    base = "http://localhost"
    started = app.extensions["payment_gateway"].start(PaymentRequest(
        reference="pay_second", amount=Money(order.total, order.currency), description="second",
        return_url=f"{base}/es/payments/return/test", cancel_url=f"{base}/", webhook_url=f"{base}/payments/webhook/test",
        locale="es", email=order.email))
    begin_write(db.session)
    payment = db.session.scalar(select(Payment).where(Payment.reference == "pay_second"))
    payment.provider_ref = started.provider_ref
    db.session.commit()
    return hosted(started.redirect_url)


def test_two_paid_sessions_returning_at_once_keep_exactly_one_charge(app, stores):
    """Both results applied at the same moment (two threads, two connections): one kept, one refunded."""
    client = app.test_client()
    first_page = hosted(place(client, "EB-1").headers["Location"])
    number = db.session.scalar(select(Order.number))
    returns = [paid_at_provider_but_not_yet_applied(client, first_page),
               paid_at_provider_but_not_yet_applied(client, open_second_session(app, number))]
    db.session.commit()
    barrier = threading.Barrier(2)
    answers = []

    def come_back(path: str) -> None:
        with app.app_context():
            browser = app.test_client()
            barrier.wait()
            answers.append(browser.get(path).status_code)
            db.session.remove()

    threads = [threading.Thread(target=come_back, args=(path,)) for path in returns]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [303, 303]
    assert sorted(status for status, _ in payments()) == ["refunded", "succeeded"]
    assert db.session.scalar(select(func.count(Refund.id)).where(Refund.order_id.is_(None))) == 1
    order = reload(number)
    assert (order.status, order.refunded_total) == ("paid", 0)
    assert len([e for e in order.events if e.to_status == "paid"]) == 1
    assert len(mails(app, "payment_received")) == 1


# --- a declined card never strands the order --------------------------------------------------------

def test_declined_then_pay_now_from_the_order_list_and_the_order_page(app, shopper):
    page = hosted(place(shopper, "EB-1").headers["Location"])
    declined = shopper.post(page, data=DECLINED, follow_redirects=True).data.decode()
    assert "<title>Pago no completado" in declined and "Gracias por tu pedido" not in declined
    number = reload(db.session.scalar(select(Order.number))).number
    listing = shopper.get("/es/orders/").data.decode()
    assert 'data-testid="pay-now"' in listing
    detail = shopper.get(f"/es/orders/{number}").data.decode()
    assert 'data-testid="pay-now"' in detail and "Pagar ahora" in detail
    retry = shopper.post(f"/es/checkout/done/{reference()}/pay")
    shopper.post(hosted(retry.headers["Location"]), data=CARD, follow_redirects=True)
    assert reload(number).status == "paid"
    assert 'data-testid="pay-now"' not in shopper.get("/es/orders/").data.decode()
    assert 'data-testid="pay-now"' not in shopper.get(f"/es/orders/{number}").data.decode()


def test_no_pay_now_after_the_deadline(app, shopper):
    place(shopper, "EB-1")
    number = db.session.scalar(select(Order.number))
    app.config["CLOCK_OFFSET"] = timedelta(hours=1)
    try:
        assert 'data-testid="pay-now"' not in shopper.get("/es/orders/").data.decode()
        assert 'data-testid="pay-now"' not in shopper.get(f"/es/orders/{number}").data.decode()
    finally:
        app.config["CLOCK_OFFSET"] = timedelta(0)


# --- asking to cancel a paid order ------------------------------------------------------------------

def test_cancel_request_accepted_by_the_seller(app, owner, shopper):
    number = bought(shopper)
    assert stock("EB-1") == 4
    assert shopper.post(f"/es/orders/{number}/request-cancel").status_code == 303
    assert reload(number).cancel_requested_at is not None
    assert shopper.post(f"/es/orders/{number}/request-cancel").status_code == 409  # once
    assert 'data-testid="cancel-request"' in owner.get(f"/es/seller/orders/{number}").data.decode()
    assert owner.post(f"/es/seller/orders/{number}/accept-cancel").status_code == 303
    order = reload(number)
    assert (order.status, order.refunded_total, order.cancel_reason) == ("cancelled", order.total, "buyer_asked")
    assert stock("EB-1") == 5 and len(mails(app, "order_cancelled")) == 1


def test_cancel_request_unanswered_for_two_days_is_accepted_by_tick(app, runner, shopper):
    number = bought(shopper)
    shopper.post(f"/es/orders/{number}/request-cancel")
    asked = reload(number).cancel_requested_at
    gateway = app.extensions["payment_gateway"]
    assert accept_unanswered_cancel_requests(db.session, gateway, asked + timedelta(days=1)) == []
    later = (utcnow() + timedelta(days=2, minutes=1)).isoformat()
    result = runner.invoke(args=["orders", "tick", "--now", later])
    assert "1 cancel requests unanswered for 2 days accepted" in result.output, result.output
    order = reload(number)
    assert (order.status, order.refunded_total) == ("cancelled", order.total) and stock("EB-1") == 5


def test_shipping_declines_the_cancel_request(app, owner, shopper):
    number = bought(shopper)
    shopper.post(f"/es/orders/{number}/request-cancel")
    ship(number)
    assert owner.post(f"/es/seller/orders/{number}/accept-cancel").status_code == 409
    db.session.rollback()
    assert accept_unanswered_cancel_requests(db.session, app.extensions["payment_gateway"],
                                             utcnow() + timedelta(days=3)) == []
    assert reload(number).status == "shipped"
    assert 'data-testid="cancel-request-declined"' in shopper.get(f"/es/orders/{number}").data.decode()


def test_cancel_request_refused_before_payment(app, shopper):
    place(shopper, "EB-1")
    number = db.session.scalar(select(Order.number))
    assert shopper.post(f"/es/orders/{number}/request-cancel").status_code == 409
    assert reload(number).cancel_requested_at is None
