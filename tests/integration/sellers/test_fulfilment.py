"""The seller center's fulfilment: who may see and act on an order, shipping, cancelling, the deadline."""
from __future__ import annotations

import email
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from storefront.core.clock import utcnow
from storefront.extensions import db
from storefront.orders.models import Order
from storefront.payments.models import Refund
from storefront.sellers.models import Variant

from tests.builders import BUYER, CARD, buy, place, reload
from tests.outbox import outbox_mails
from tests.factories import account

SHIP = {"carrier": "cainiao", "tracking_number": "lp 0012 3456 789cn"}
CANCEL = {"reason": "out_of_stock", "note": "Sorry, the last pair was damaged.", "confirm": "y"}
HTMX_ACTIONS = {"HX-Request": "true", "HX-Target": "order_actions"}


def mails(app, template: str) -> list[email.message.EmailMessage]:
    """The emails written to this test's mail outbox from `template`."""
    return outbox_mails(template)


def stock(sku: str) -> int:
    db.session.rollback()
    return db.session.scalar(select(Variant.stock).where(Variant.sku == sku))


def latest_order_number() -> str:
    db.session.rollback()
    return db.session.scalars(select(Order.number).order_by(Order.id.desc())).first()


def snapshot(number: str) -> tuple:
    """What must not change when an action is refused."""
    order = reload(number)
    return (order.status, order.refunded_total, order.carrier, order.tracking_number, order.cancel_reason,
            order.cancelling_since, len(order.events), stock("EB-1"))


# --- who may do what ---------------------------------------------------------------------------------

ORDER_ENDPOINTS = [
    ("get", "/en/seller/orders/{number}", None),
    ("post", "/en/seller/orders/{number}/ship", SHIP),
    ("post", "/en/seller/orders/{number}/cancel", CANCEL),
]
LIST_ENDPOINTS = [("get", "/en/seller/", None), ("get", "/en/seller/orders", None)]


@pytest.fixture
def clients(app, owner, other_seller, shopper):
    return {"owner": owner, "other_seller": other_seller, "shopper": shopper, "anonymous": app.test_client()}


@pytest.mark.parametrize("method,path,data", ORDER_ENDPOINTS)
@pytest.mark.parametrize("who", ["owner", "other_seller", "shopper", "anonymous"])
def test_order_endpoints_are_the_owning_sellers_only(app, clients, who, method, path, data):
    number = buy(app)
    before = snapshot(number)
    response = getattr(clients[who], method)(path.format(number=number), data=data)
    if who == "owner":
        assert response.status_code == (200 if method == "get" else 303)
        return
    if who == "anonymous":
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    else:
        assert response.status_code == 404
    assert snapshot(number) == before
    assert mails(app, "order_shipped") == mails(app, "order_cancelled") == []


@pytest.mark.parametrize("method,path,data", LIST_ENDPOINTS)
@pytest.mark.parametrize("who", ["owner", "other_seller", "shopper", "anonymous"])
def test_seller_pages_show_only_my_store(app, clients, who, method, path, data):
    number = buy(app)
    response = clients[who].get(path)
    if who == "anonymous":
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    elif who == "shopper":
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        assert (number in response.data.decode()) == (who == "owner")


# --- what the seller sees --------------------------------------------------------------------------

def test_dashboard_lists_orders_to_ship_overdue_first_low_stock_and_counts(app, session, owner):
    later = buy(app)
    overdue = buy(app, qty=2)
    order = reload(overdue)
    order.ship_by = utcnow() - timedelta(hours=1)
    session.commit()
    buy(app, pay=False)
    html = owner.get("/en/seller/").data.decode()
    to_ship = html.split('data-testid="to-ship"')[1].split("</ul>")[0]
    assert to_ship.index(overdue) < to_ship.index(later)
    assert to_ship.count('data-testid="overdue"') == 1 and "Ship by" in to_ship
    low = html.split('data-testid="low-stock"')[1].split("</ul>")[0]
    assert "EB-1" in low and "1 left" in low  # 5 - 1 - 2 - 1 (the unpaid order holds its unit)
    assert 'data-testid="count-paid">2<' in html and 'data-testid="count-awaiting_payment">1<' in html


def test_order_list_filters_by_status_with_tabs(app, owner):
    paid = buy(app)
    unpaid = buy(app, pay=False)
    everything = owner.get("/en/seller/orders").data.decode()
    assert paid in everything and unpaid in everything
    to_ship = owner.get("/en/seller/orders?status=paid").data.decode()
    assert paid in to_ship and unpaid not in to_ship
    assert 'href="/en/seller/orders?status=awaiting_payment"' in to_ship
    fragment = owner.get("/en/seller/orders?status=awaiting_payment",
                         headers={"HX-Request": "true", "HX-Target": "order_list"})
    body = fragment.data.decode()
    assert "<html" not in body and 'id="order_list"' in body and unpaid in body and paid not in body
    assert "HX-Request" in fragment.headers["Vary"]
    assert paid in owner.get("/en/seller/orders?status=nonsense").data.decode()  # unknown tab: everything


def test_order_page_shows_address_lines_totals_and_history(app, owner):
    number = buy(app, qty=2)
    html = owner.get(f"/en/seller/orders/{number}").data.decode()
    assert BUYER["full_name"] in html and BUYER["line1"] in html and "28013" in html
    assert "2 ×" in html and "EB-1" in html and "Black" in html
    assert 'data-testid="order-total"' in html and "Ship by" in html
    history = html.split('data-testid="order-history"')[1]
    assert "Awaiting payment" in history and "Paid, awaiting shipment" in history
    assert 'data-testid="ship-form"' in html and 'data-testid="cancel-form"' in html


# --- shipping --------------------------------------------------------------------------------------

def test_shipping_a_paid_order_emails_the_buyer_in_their_language(app, owner):
    number = buy(app, locale="es")
    response = owner.post(f"/en/seller/orders/{number}/ship", data=SHIP)
    assert response.status_code == 303 and response.headers["Location"] == f"/en/seller/orders/{number}"
    order = reload(number)
    assert (order.status, order.carrier, order.tracking_number) == ("shipped", "cainiao", "LP00123456789CN")
    assert order.shipped_at is not None and order.events[-1].actor.startswith("seller:")
    assert "Marked as shipped" in owner.get(response.headers["Location"]).data.decode()
    [mail] = mails(app, "order_shipped")
    body = mail.get_content()
    assert mail["To"] == BUYER["email"] and mail["Content-Language"] == "es"
    assert mail["Subject"] == f"Tu pedido {number} ya está en camino"
    assert "Cainiao" in body and "LP00123456789CN" in body and "Número de seguimiento" in body


def test_buyer_sees_carrier_and_tracking_number_on_their_order(app, owner):
    buyer = account(app, "lucia@example.com")
    placed = place(buyer, "EB-1")
    buyer.post("/testpay/pay/" + placed.headers["Location"].split("/testpay/pay/")[1], data=CARD,
               follow_redirects=True)
    number = latest_order_number()
    owner.post(f"/en/seller/orders/{number}/ship", data={"carrier": "dhl", "tracking_number": "JD014600006281230707"})
    html = buyer.get(f"/en/orders/{number}").data.decode()
    assert "DHL" in html and 'data-testid="tracking-number">JD014600006281230707<' in html


def test_shipping_with_htmx_swaps_the_action_block(app, owner):
    number = buy(app)
    response = owner.post(f"/en/seller/orders/{number}/ship", data=SHIP, headers=HTMX_ACTIONS)
    body = response.data.decode()
    assert response.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith('<section id="order_actions"') and "LP00123456789CN" in body
    assert 'id="order_status" hx-swap-oob="true"' in body  # the status and history elsewhere update too
    assert 'data-testid="order-history" hx-swap-oob="true"' in body and "Shipped · " in body
    assert reload(number).status == "shipped"


@pytest.mark.parametrize("data,field,message", [
    ({"carrier": "cainiao", "tracking_number": "ab-1"}, "tracking_number", "6 to 40 letters"),
    ({"carrier": "cainiao", "tracking_number": "LP0012!3456"}, "tracking_number", "6 to 40 letters"),
    ({"carrier": "", "tracking_number": "LP00123456789CN"}, "carrier", "choose the carrier"),
    ({"carrier": "pigeon", "tracking_number": "LP00123456789CN"}, "carrier", "from the list"),
    ({"carrier": "dhl", "tracking_number": ""}, "tracking_number", "enter the tracking number"),
])
def test_bad_shipping_details_rerender_with_input_and_inline_errors(app, owner, data, field, message):
    number = buy(app)
    before = snapshot(number)
    response = owner.post(f"/en/seller/orders/{number}/ship", data=data)
    html = response.data.decode()
    assert response.status_code == 400 and message in html and f'id="{field}-err"' in html
    if data["tracking_number"]:
        assert f'value="{data["tracking_number"]}"' in html
    assert snapshot(number) == before and mails(app, "order_shipped") == []
    htmx = owner.post(f"/en/seller/orders/{number}/ship", data=data, headers=HTMX_ACTIONS)
    assert htmx.status_code == 200 and message in htmx.data.decode()  # HTMX swaps 2xx only


def test_every_shipping_problem_shows_at_once(app, owner):
    number = buy(app)
    response = owner.post(f"/en/seller/orders/{number}/ship", data={"carrier": "pigeon", "tracking_number": "ab"})
    html = response.data.decode()
    assert 'id="carrier-err"' in html and 'id="tracking_number-err"' in html and reload(number).status == "paid"


def test_an_unpaid_order_cannot_be_shipped(app, owner):
    number = buy(app, pay=False)
    before = snapshot(number)
    response = owner.post(f"/en/seller/orders/{number}/ship", data=SHIP)
    assert response.status_code == 409 and "cannot be shipped" in response.data.decode()
    assert snapshot(number) == before and mails(app, "order_shipped") == []


def test_a_cancelled_order_cannot_be_shipped(app, owner):
    number = buy(app)
    owner.post(f"/en/seller/orders/{number}/cancel", data=CANCEL)
    before = snapshot(number)
    assert before[0] == "cancelled"
    response = owner.post(f"/en/seller/orders/{number}/ship", data=SHIP)
    assert response.status_code == 409 and snapshot(number) == before and mails(app, "order_shipped") == []
    stale_form = owner.post(f"/en/seller/orders/{number}/ship", data={"carrier": "", "tracking_number": "x"})
    assert stale_form.status_code == 409 and "cannot be shipped" in stale_form.data.decode()
    again = owner.post(f"/en/seller/orders/{number}/cancel", data={})
    assert again.status_code == 409 and "cannot be cancelled" in again.data.decode()


# --- cancelling ------------------------------------------------------------------------------------

def test_cancelling_a_paid_order_refunds_restocks_and_emails_the_buyer(app, session, owner):
    number = buy(app, qty=2)
    assert stock("EB-1") == 3
    response = owner.post(f"/en/seller/orders/{number}/cancel", data=CANCEL)
    assert response.status_code == 303
    order = reload(number)
    assert order.status == "cancelled" and order.refunded_total == order.total and order.cancel_reason == "out_of_stock"
    assert order.cancelling_since is None and [e.to_status for e in order.events][-1] == "cancelled"
    assert order.events[-1].note == CANCEL["note"]
    refund = session.scalar(select(Refund))
    assert refund.order_id == order.id and refund.amount == order.total and refund.provider_ref.startswith("re_")
    assert stock("EB-1") == 5
    page = owner.get(response.headers["Location"]).data.decode()
    assert "Order cancelled" in page and "Out of stock" in page
    [mail] = mails(app, "order_cancelled")
    body = mail.get_content()
    assert mail["To"] == BUYER["email"] and mail["Content-Language"] == "es"
    assert mail["Subject"] == f"Tu pedido {number} ha sido cancelado"
    assert "Sin stock" in body and CANCEL["note"] in body and "Reembolsado" in body
    amount = f"{order.total.quantize(Decimal('0.01'))}".replace(".", ",")
    assert amount in body


def test_cancelling_needs_a_reason_and_a_confirmation(app, owner):
    number = buy(app)
    before = snapshot(number)
    response = owner.post(f"/en/seller/orders/{number}/cancel", data={"reason": "", "note": "Typed this"})
    html = response.data.decode()
    assert response.status_code == 400 and "Please choose a reason." in html
    assert "Please confirm the cancellation." in html and "Typed this</textarea>" in html
    assert "<details class=\"filter-box\" open>" in html
    other = owner.post(f"/en/seller/orders/{number}/cancel", data={"reason": "other"}).data.decode()
    assert "Please tell the buyer why." in other and "Please confirm the cancellation." in other  # all at once
    system_only = owner.post(f"/en/seller/orders/{number}/cancel", data=CANCEL | {"reason": "not_shipped_in_time"})
    assert system_only.status_code == 400 and "Please choose a reason." in system_only.data.decode()
    assert snapshot(number) == before and mails(app, "order_cancelled") == []


def test_cancelling_while_the_payment_service_is_down_changes_nothing(app, session, owner):
    number = buy(app)
    before = snapshot(number)
    app.config["TEST_GATEWAY_DOWN"] = True
    response = owner.post(f"/en/seller/orders/{number}/cancel", data=CANCEL)
    assert response.status_code == 503 and "did not answer" in response.data.decode()
    htmx = owner.post(f"/en/seller/orders/{number}/cancel", data=CANCEL, headers=HTMX_ACTIONS)
    assert htmx.status_code == 200 and 'data-testid="action-problem"' in htmx.data.decode()
    assert snapshot(number) == before
    assert session.scalar(select(func.count(Refund.id))) == 0 and mails(app, "order_cancelled") == []
    app.config["TEST_GATEWAY_DOWN"] = False
    assert owner.post(f"/en/seller/orders/{number}/cancel", data=CANCEL).status_code == 303
    assert reload(number).status == "cancelled"


def test_a_cancelled_order_cannot_be_cancelled_again(app, session, owner):
    number = buy(app)
    owner.post(f"/en/seller/orders/{number}/cancel", data=CANCEL)
    response = owner.post(f"/en/seller/orders/{number}/cancel", data=CANCEL)
    assert response.status_code == 409 and session.scalar(select(func.count(Refund.id))) == 1
    assert stock("EB-1") == 5 and len(mails(app, "order_cancelled")) == 1


# --- the handling deadline -------------------------------------------------------------------------

def test_tick_past_the_handling_deadline_cancels_refunds_and_tells_the_buyer(app, session, runner, owner):
    number = buy(app)
    ship_by = reload(number).ship_by
    early = runner.invoke(args=["orders", "tick", "--now", (ship_by - timedelta(minutes=1)).isoformat()])
    assert "0 orders not shipped in time" in early.output and reload(number).status == "paid"
    late = runner.invoke(args=["orders", "tick", "--now", (ship_by + timedelta(minutes=1)).isoformat()])
    assert "1 orders not shipped in time cancelled and refunded" in late.output, late.output
    order = reload(number)
    assert order.status == "cancelled" and order.refunded_total == order.total
    assert order.cancel_reason == "not_shipped_in_time" and order.events[-1].actor == "system"
    assert stock("EB-1") == 5
    [mail] = mails(app, "order_cancelled")
    assert mail["Content-Language"] == "es" and "a tiempo" in mail.get_content()
    again = runner.invoke(args=["orders", "tick", "--now", (ship_by + timedelta(days=1)).isoformat()])
    assert "0 orders not shipped in time" in again.output
    assert session.scalar(select(func.count(Refund.id))) == 1


def test_tick_leaves_an_overdue_order_for_later_when_the_payment_service_is_down(app, runner, owner):
    number = buy(app)
    after = (reload(number).ship_by + timedelta(hours=1)).isoformat()
    app.config["TEST_GATEWAY_DOWN"] = True
    assert "0 orders not shipped" in runner.invoke(args=["orders", "tick", "--now", after]).output
    assert reload(number).status == "paid" and reload(number).cancelling_since is None
    app.config["TEST_GATEWAY_DOWN"] = False
    assert "1 orders not shipped" in runner.invoke(args=["orders", "tick", "--now", after]).output
    assert reload(number).status == "cancelled"
