"""Disputes end to end: the buyer opens one, the seller answers (offer, accept, reject), the platform decides,
the tick moves lapsed deadlines on; refunds go through the sandbox gateway; every party sees only their own."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.orders import disputes
from storefront.orders.dispute_rules import DisputeRefused, InvalidDispute
from storefront.orders.fulfilment import as_utc
from storefront.orders.protection import DISPUTE_OPENS_AFTER_DAYS, utc
from storefront.orders.services import IllegalTransition
from storefront.orders.refunds import refund_order
from storefront.payments.testgateway.models import SandboxRefund
from tests.factories import account
from tests.integration.orders.after_sale import (
    bought,
    dispute_of,
    mail_count,
    mails,
    payout_of,
    refunds_of,
    set_locale,
    ship,
    snapshot,
)
from tests.builders import reload

NOT_RECEIVED = {"reason": "not_received", "requested": "full_refund", "amount": "",
                "message": "Nothing has arrived and the tracking has not moved for days."}


def partial(amount: str, reason: str = "not_as_described") -> dict:
    return {"reason": reason, "requested": "partial_refund", "amount": amount,
            "message": "The colour is not the one in the photos."}


@pytest.fixture
def admin(app, stores):
    """A platform admin, logged in."""
    return account(app, "admin@example.com", role="admin")


@pytest.fixture
def disputed(app, shopper, owner):
    """A shopper's order shipped six days ago, now disputed as not received (full refund asked)."""
    number = bought(shopper)
    ship(number, days_ago=6)
    assert shopper.post(f"/es/orders/{number}/dispute/new", data=NOT_RECEIVED).status_code == 303
    return number


def thread_lines(number: str) -> list[tuple[str, str]]:
    return [(m.author, m.body) for m in dispute_of(number).messages]


# --- opening ----------------------------------------------------------------------------------------

def test_buyer_opens_a_dispute_and_the_seller_is_emailed_in_their_language(app, shopper, owner):
    set_locale("owner@example.com", "zh")
    number = bought(shopper)
    ship(number, days_ago=6)
    page = shopper.get(f"/es/orders/{number}").data.decode()
    assert 'data-testid="open-dispute"' in page
    form = shopper.get(f"/es/orders/{number}/dispute/new")
    assert form.status_code == 200 and 'data-testid="dispute-form"' in form.data.decode()

    response = shopper.post(f"/es/orders/{number}/dispute/new", data=NOT_RECEIVED)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/es/orders/{number}/dispute")
    order, dispute = reload(number), dispute_of(number)
    assert order.status == "disputed" and (order.events[-1].actor, order.events[-1].to_status) == ("buyer", "disputed")
    assert (dispute.status, dispute.reason, dispute.requested, dispute.requested_amount, dispute.previous_status) == \
        ("open", "not_received", "full_refund", order.total, "shipped")
    assert as_utc(dispute.respond_by) - as_utc(dispute.opened_at) == timedelta(days=disputes.SELLER_RESPONSE_DAYS)
    assert [a for a, _ in thread_lines(number)] == ["system", "buyer"]
    assert thread_lines(number)[1][1] == NOT_RECEIVED["message"]

    [mail] = mails(app, "dispute_opened")
    assert mail["To"] == "owner@example.com" and mail["Content-Language"] == "zh"
    assert number in mail["Subject"] and NOT_RECEIVED["message"] in mail.get_content() and "年" in mail.get_content()
    shown = shopper.get(f"/es/orders/{number}/dispute").data.decode()
    assert 'data-testid="dispute-status" data-status="open"' in shown and NOT_RECEIVED["message"] in shown
    # a second dispute on the same order is not possible: the form sends the buyer to the one there is
    again = shopper.post(f"/es/orders/{number}/dispute/new", data=NOT_RECEIVED)
    assert again.status_code == 303 and len(thread_lines(number)) == 2


def test_a_dispute_before_the_waiting_days_is_refused_and_changes_nothing(app, shopper):
    number = bought(shopper)
    shipped_at = ship(number)
    before, sent = snapshot(number), mail_count(app)
    page = shopper.get(f"/en/orders/{number}").data.decode()
    assert 'data-testid="open-dispute"' not in page and 'data-testid="dispute-opens"' in page
    form = shopper.get(f"/en/orders/{number}/dispute/new").data.decode()
    assert "You can open a dispute from" in form and 'data-testid="dispute-form"' not in form
    for data in (NOT_RECEIVED, partial("1.00")):
        response = shopper.post(f"/en/orders/{number}/dispute/new", data=data)
        assert response.status_code == 409 and "You can open a dispute from" in response.data.decode()
    assert snapshot(number) == before and mail_count(app) == sent

    # the clock: one second short of the waiting days it is still refused, then it opens
    opens = shipped_at + timedelta(days=DISPUTE_OPENS_AFTER_DAYS)
    with pytest.raises(DisputeRefused) as refused:
        disputes.open_dispute(db.session, reload(number), now=opens - timedelta(seconds=1), **NOT_RECEIVED)
    assert refused.value.reason == "too_early" and as_utc(refused.value.opens_at) == opens
    assert snapshot(number) == before
    disputes.open_dispute(db.session, reload(number), now=opens, **NOT_RECEIVED)
    assert reload(number).status == "disputed"


def test_not_as_described_can_be_opened_as_soon_as_the_parcel_is_delivered(app, shopper):
    number = bought(shopper)
    shipped_at = ship(number)
    from storefront.orders.services import transition

    transition(db.session, reload(number), "delivered", actor="carrier", now=shipped_at + timedelta(days=2))
    db.session.commit()
    now = shipped_at + timedelta(days=2, hours=1)
    with pytest.raises(DisputeRefused):
        disputes.open_dispute(db.session, reload(number), now=now, **NOT_RECEIVED)
    disputes.open_dispute(db.session, reload(number), now=now, **partial("1.00"))
    assert dispute_of(number).previous_status == "delivered"


def test_a_dispute_after_completion_is_refused_and_changes_nothing(app, shopper):
    number = bought(shopper)
    ship(number, days_ago=6)
    assert shopper.post(f"/en/orders/{number}/confirm-receipt", data={"confirm": "y"}).status_code == 303
    before, sent = snapshot(number), mail_count(app)
    response = shopper.post(f"/en/orders/{number}/dispute/new", data=NOT_RECEIVED)
    assert response.status_code == 409 and "cannot be disputed" in response.data.decode()
    with pytest.raises(IllegalTransition):
        disputes.open_dispute(db.session, reload(number), now=as_utc(reload(number).completed_at), **NOT_RECEIVED)
    assert snapshot(number) == before and dispute_of(number) is None and mail_count(app) == sent


def test_a_bad_dispute_form_shows_every_problem_keeps_the_input_and_changes_nothing(app, shopper):
    number = bought(shopper)
    ship(number, days_ago=6)
    before = snapshot(number)
    response = shopper.post(f"/en/orders/{number}/dispute/new",
                            data={"reason": "broken", "requested": "partial_refund", "amount": "99999",
                                  "message": "   "})
    html = response.data.decode()
    assert response.status_code == 422
    assert "Please choose what went wrong." in html and "Please write a message." in html
    assert "The most that can be refunded is" in html and 'value="99999"' in html
    bad_amount = shopper.post(f"/en/orders/{number}/dispute/new", data=partial("1.234"))
    assert bad_amount.status_code == 422 and "Please enter an amount such as 5.50." in bad_amount.data.decode()
    too_long = shopper.post(f"/en/orders/{number}/dispute/new", data=NOT_RECEIVED | {"message": "x" * 2001})
    assert too_long.status_code == 422 and "under 2000 characters" in too_long.data.decode()
    assert snapshot(number) == before
    with pytest.raises(InvalidDispute) as invalid:
        disputes.open_dispute(db.session, reload(number), now=utc(reload(number).shipped_at)
                              + timedelta(days=6), **partial("0"))
    assert (invalid.value.field, invalid.value.code) == ("amount", "not_positive")
    assert snapshot(number) == before


# --- the seller's answers -----------------------------------------------------------------------------

def test_partial_refund_offered_by_the_seller_and_accepted_by_the_buyer(app, shopper, owner):
    number = bought(shopper)
    ship(number, days_ago=6)
    shopper.post(f"/es/orders/{number}/dispute/new", data=partial("4.00"))
    seller_page = owner.get(f"/en/seller/orders/{number}").data.decode()
    assert 'data-testid="dispute-panel"' in seller_page and 'data-testid="offer-refund"' in seller_page

    offer = owner.post(f"/en/seller/orders/{number}/dispute/offer",
                       data={"offer-amount": "2.50", "offer-message": "Sorry! Keep it and take this back."})
    assert offer.status_code == 303 and offer.headers["Location"].endswith(f"/en/seller/orders/{number}#dispute")
    dispute = dispute_of(number)
    assert (dispute.status, dispute.offer_amount) == ("offered", Decimal("2.50"))
    currency = reload(number).currency
    assert ("system", f"The seller offered a partial refund of 2.50 {currency}.") in thread_lines(number)
    [answered] = mails(app, "dispute_answered")
    assert answered["To"] == reload(number).email and answered["Content-Language"] == "es"
    assert "Sorry! Keep it and take this back." in answered.get_content()

    buyer_page = shopper.get(f"/es/orders/{number}/dispute").data.decode()
    assert 'data-testid="accept-offer"' in buyer_page and 'data-testid="decline-offer"' in buyer_page
    accepted = shopper.post(f"/es/orders/{number}/dispute/accept-offer")
    assert accepted.status_code == 303
    order, dispute = reload(number), dispute_of(number)
    assert refunds_of(number) == [Decimal("2.50")] and order.refunded_total == Decimal("2.50")
    assert db.session.scalar(select(func.sum(SandboxRefund.amount))) == Decimal("2.50")  # the provider refunded
    assert order.status == "completed" and order.events[-1].actor == "buyer"
    assert payout_of(number).amount == order.total - Decimal("2.50")
    assert (dispute.status, dispute.resolution, dispute.refund_amount, dispute.resolved_by, dispute.respond_by) == \
        ("resolved", "partial_refund", Decimal("2.50"), "buyer", None)
    assert thread_lines(number)[-1] == ("system", f"The buyer accepted the offer: 2.50 {currency} refunded.")
    resolved = {m["To"]: m for m in mails(app, "dispute_resolved")}
    assert resolved[order.email]["Content-Language"] == "es" and "Reembolsado" in resolved[order.email].get_content()
    assert resolved["owner@example.com"]["Content-Language"] == "en"
    # resolved: nothing more can happen
    before = snapshot(number)
    assert shopper.post(f"/es/orders/{number}/dispute/accept-offer").status_code == 409
    assert shopper.post(f"/es/orders/{number}/dispute/message", data={"message": "Hi"}).status_code == 409
    assert owner.post(f"/en/seller/orders/{number}/dispute/offer", data={"offer-amount": "1.00"}).status_code == 409
    assert snapshot(number) == before


def test_seller_accepts_a_full_refund_the_order_ends_refunded_and_nobody_is_paid(app, disputed, owner):
    number = disputed
    total = reload(number).total
    unconfirmed = owner.post(f"/en/seller/orders/{number}/dispute/accept")
    assert unconfirmed.status_code == 422 and dispute_of(number).status == "open"
    done = owner.post(f"/en/seller/orders/{number}/dispute/accept", data={"accept-confirm": "y"})
    assert done.status_code == 303
    order, dispute = reload(number), dispute_of(number)
    assert order.status == "refunded" and order.refunded_total == total and refunds_of(number) == [total]
    assert order.events[-1].actor.startswith("seller:") and order.completed_at is None
    assert payout_of(number) is None
    assert (dispute.status, dispute.resolution, dispute.refund_amount) == ("resolved", "full_refund", total)
    assert len(mails(app, "dispute_resolved")) == 2


def test_rejected_claim_goes_to_the_admin_who_decides_a_partial_refund(app, disputed, owner, shopper, admin):
    number = disputed
    empty = owner.post(f"/en/seller/orders/{number}/dispute/reject", data={"reject-message": " "})
    assert empty.status_code == 422 and "Please write a message." in empty.data.decode()
    assert dispute_of(number).status == "open"
    owner.post(f"/en/seller/orders/{number}/dispute/reject",
               data={"reject-message": "Tracking shows it was handed to the buyer's neighbour."})
    dispute = dispute_of(number)
    assert (dispute.status, dispute.respond_by) == ("escalated", None) and dispute.escalated_at is not None
    [answered] = mails(app, "dispute_answered")
    assert "neighbour" in answered.get_content()
    # the seller cannot change their mind by refunding now, nor the buyer take an offer: the admin decides
    before = snapshot(number)
    assert owner.post(f"/en/seller/orders/{number}/dispute/accept", data={"accept-confirm": "y"}).status_code == 409
    assert shopper.post(f"/es/orders/{number}/dispute/accept-offer").status_code == 409
    assert snapshot(number) == before

    listing = admin.get("/en/admin/disputes").data.decode()
    assert number in listing and 'data-testid="escalated-dispute"' in listing
    page = admin.get(f"/en/admin/disputes/{number}").data.decode()
    assert 'data-testid="decision-form"' in page and "neighbour" in page
    missing = admin.post(f"/en/admin/disputes/{number}/decide", data={"decision": "partial_refund", "amount": ""})
    assert missing.status_code == 422 and "Please enter the amount." in missing.data.decode()
    assert snapshot(number) == before
    decided = admin.post(f"/en/admin/disputes/{number}/decide",
                         data={"decision": "partial_refund", "amount": "3.00", "message": "Half the way: 3.00 back."})
    assert decided.status_code == 303
    order, dispute = reload(number), dispute_of(number)
    assert order.status == "completed" and order.refunded_total == Decimal("3.00")
    assert payout_of(number).amount == order.total - Decimal("3.00")
    assert (dispute.resolution, dispute.refund_amount) == ("partial_refund", Decimal("3.00"))
    assert dispute.resolved_by.startswith("admin:") and order.events[-1].actor.startswith("admin:")
    assert ("admin", "Half the way: 3.00 back.") in thread_lines(number)
    assert number not in admin.get("/en/admin/disputes").data.decode()
    resolved = mails(app, "dispute_resolved")
    assert len(resolved) == 2 and all("Half the way: 3.00 back." in m.get_content() for m in resolved)


def test_the_admin_can_reject_the_claim_and_the_seller_is_paid_in_full(app, disputed, owner, admin):
    number = disputed
    owner.post(f"/en/seller/orders/{number}/dispute/reject", data={"reject-message": "It was delivered."})
    assert admin.post(f"/en/admin/disputes/{number}/decide", data={"decision": "rejected"}).status_code == 303
    order = reload(number)
    assert order.status == "completed" and payout_of(number).amount == order.total and refunds_of(number) == []
    assert dispute_of(number).resolution == "rejected"


def test_a_buyer_who_declines_the_offer_sends_it_to_the_admin(app, disputed, owner, shopper):
    number = disputed
    owner.post(f"/en/seller/orders/{number}/dispute/offer", data={"offer-amount": "1.00"})
    assert shopper.post(f"/es/orders/{number}/dispute/decline-offer",
                        data={"decline-message": "Too little."}).status_code == 303
    dispute = dispute_of(number)
    assert dispute.status == "escalated" and dispute.offer_amount == Decimal("1.00")
    assert thread_lines(number)[-2:] == [
        ("buyer", "Too little."), ("system", "The buyer declined the offer; the platform will decide.")]
    assert refunds_of(number) == []


def test_a_refund_the_payment_service_cannot_make_changes_nothing(app, disputed, owner):
    number = disputed
    before = snapshot(number)
    app.config["TEST_GATEWAY_DOWN"] = True
    try:
        response = owner.post(f"/en/seller/orders/{number}/dispute/accept", data={"accept-confirm": "y"})
    finally:
        app.config["TEST_GATEWAY_DOWN"] = False
    assert response.status_code == 503 and "did not answer" in response.data.decode()
    assert snapshot(number) == before and mails(app, "dispute_resolved") == []
    assert owner.post(f"/en/seller/orders/{number}/dispute/accept",
                      data={"accept-confirm": "y"}).status_code == 303
    assert reload(number).status == "refunded"


# --- the timer --------------------------------------------------------------------------------------

def test_a_seller_who_misses_the_deadline_is_escalated_by_the_tick(app, disputed, runner, admin):
    number = disputed
    respond_by = as_utc(dispute_of(number).respond_by)
    runner.invoke(args=["orders", "tick", "--now", (respond_by - timedelta(minutes=1)).isoformat()])
    assert dispute_of(number).status == "open"
    result = runner.invoke(args=["orders", "tick", "--now", (respond_by + timedelta(minutes=1)).isoformat()])
    assert "1 disputes past their deadline moved on" in result.output, result.output
    dispute = dispute_of(number)
    assert dispute.status == "escalated" and dispute.respond_by is None
    assert thread_lines(number)[-1] == ("system", "The seller did not answer in time; the platform will decide.")
    [told] = mails(app, "dispute_answered")
    assert told["Content-Language"] == "es" and told["To"] == reload(number).email
    assert reload(number).status == "disputed" and number in admin.get("/en/admin/disputes").data.decode()


def test_an_offer_the_buyer_lets_lapse_stands_and_the_tick_refunds_it(app, disputed, owner, runner):
    number = disputed
    owner.post(f"/en/seller/orders/{number}/dispute/offer", data={"offer-amount": "1.20"})
    respond_by = as_utc(dispute_of(number).respond_by)
    runner.invoke(args=["orders", "tick", "--now", (respond_by + timedelta(minutes=1)).isoformat()])
    order, dispute = reload(number), dispute_of(number)
    assert (dispute.resolution, dispute.resolved_by, order.status) == ("partial_refund", "system", "completed")
    assert refunds_of(number) == [Decimal("1.20")] and payout_of(number).amount == order.total - Decimal("1.20")
    assert len(mails(app, "dispute_resolved")) == 2


def test_withdrawn_dispute_goes_back_to_shipped_for_good(app, disputed, shopper, owner):
    number = disputed
    unconfirmed = shopper.post(f"/es/orders/{number}/dispute/withdraw")
    assert unconfirmed.status_code == 422 and dispute_of(number).status == "open"
    assert shopper.post(f"/es/orders/{number}/dispute/withdraw", data={"confirm": "y"}).status_code == 303
    order, dispute = reload(number), dispute_of(number)
    assert order.status == "shipped" and (order.events[-1].from_status, order.events[-1].note) == \
        ("disputed", "dispute withdrawn")
    assert (dispute.status, dispute.resolution, dispute.resolved_by) == ("resolved", "withdrawn", "buyer")
    assert refunds_of(number) == [] and payout_of(number) is None
    before = snapshot(number)
    again = shopper.post(f"/es/orders/{number}/dispute/new", data=NOT_RECEIVED)
    assert again.status_code == 303 and again.headers["Location"].endswith("/dispute")
    assert snapshot(number) == before
    assert 'data-testid="confirm-receipt"' in shopper.get(f"/es/orders/{number}").data.decode()


# --- what people write is text -------------------------------------------------------------------------

def test_html_in_dispute_messages_is_shown_as_text_everywhere(app, shopper, owner, admin):
    number = bought(shopper)
    ship(number, days_ago=6)
    script = '<script>alert("x")</script><b>bold</b>'
    shopper.post(f"/en/orders/{number}/dispute/new", data=NOT_RECEIVED | {"message": script})
    owner.post(f"/en/seller/orders/{number}/dispute/reply", data={"message": "<img src=x onerror=alert(1)>"})
    assert dispute_of(number).messages[1].body == script
    for client, url in ((shopper, f"/en/orders/{number}/dispute"), (owner, f"/en/seller/orders/{number}"),
                        (admin, f"/en/admin/disputes/{number}")):
        html = client.get(url).data.decode()
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
        assert "<script>alert" not in html and "<img src=x" not in html


def test_buyer_and_seller_write_to_each_other(app, disputed, shopper, owner):
    number = disputed
    assert owner.post(f"/en/seller/orders/{number}/dispute/reply",
                      data={"message": "Could you check with your neighbours?"}).status_code == 303
    assert shopper.post(f"/es/orders/{number}/dispute/message",
                        data={"message": "I did, nobody has it."}).status_code == 303
    assert thread_lines(number)[-2:] == [("seller", "Could you check with your neighbours?"),
                                         ("buyer", "I did, nobody has it.")]
    [answered] = mails(app, "dispute_answered")
    assert "Could you check with your neighbours?" in answered.get_content()
    empty = shopper.post(f"/es/orders/{number}/dispute/message", data={"message": ""})
    assert empty.status_code == 422 and len(thread_lines(number)) == 4


# --- who may do what --------------------------------------------------------------------------------

BUYER_ENDPOINTS = [
    ("get", "/en/orders/{number}/dispute/new", None),
    ("post", "/en/orders/{number}/dispute/new", NOT_RECEIVED),
    ("get", "/en/orders/{number}/dispute", None),
    ("post", "/en/orders/{number}/dispute/message", {"message": "Hello"}),
    ("post", "/en/orders/{number}/dispute/accept-offer", None),
    ("post", "/en/orders/{number}/dispute/decline-offer", None),
    ("post", "/en/orders/{number}/dispute/withdraw", {"confirm": "y"}),
]
SELLER_ENDPOINTS = [
    ("post", "/en/seller/orders/{number}/dispute/reply", {"message": "Hello"}),
    ("post", "/en/seller/orders/{number}/dispute/accept", {"accept-confirm": "y"}),
    ("post", "/en/seller/orders/{number}/dispute/offer", {"offer-amount": "1.00"}),
    ("post", "/en/seller/orders/{number}/dispute/reject", {"reject-message": "No."}),
]
ADMIN_ENDPOINTS = [
    ("get", "/en/admin/disputes", None),
    ("get", "/en/admin/disputes/{number}", None),
    ("post", "/en/admin/disputes/{number}/decide", {"decision": "full_refund"}),
    ("post", "/en/admin/disputes/{number}/message", {"ask-message": "Hello"}),
]


@pytest.fixture
def offered(app, disputed, owner):
    """The disputed order, with a seller's offer pending, so every buyer action would be allowed."""
    owner.post(f"/en/seller/orders/{disputed}/dispute/offer", data={"offer-amount": "1.00"})
    return disputed


@pytest.mark.parametrize("method,path,data", BUYER_ENDPOINTS)
@pytest.mark.parametrize("who", ["other_buyer", "seller", "anonymous"])
def test_buyer_dispute_pages_are_404_for_anybody_else(app, offered, owner, who, method, path, data):
    client = {"other_buyer": account(app, "eve@example.com"), "seller": owner, "anonymous": app.test_client()}[who]
    before = snapshot(offered)
    sent = mail_count(app)  # after making the account, whose registration emails a confirmation link
    assert getattr(client, method)(path.format(number=offered), data=data).status_code == 404
    assert snapshot(offered) == before and mail_count(app) == sent


@pytest.mark.parametrize("method,path,data", SELLER_ENDPOINTS)
@pytest.mark.parametrize("who", ["other_seller", "buyer", "anonymous"])
def test_seller_dispute_answers_are_the_owning_sellers_only(app, disputed, shopper, other_seller, who, method,
                                                            path, data):
    before = snapshot(disputed)
    sent = mail_count(app)
    client = {"other_seller": other_seller, "buyer": shopper, "anonymous": app.test_client()}[who]
    response = getattr(client, method)(path.format(number=disputed), data=data)
    if who == "anonymous":  # as everywhere in the seller center: to the login page
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    else:
        assert response.status_code == 404
    assert snapshot(disputed) == before and mail_count(app) == sent


@pytest.mark.parametrize("method,path,data", ADMIN_ENDPOINTS)
@pytest.mark.parametrize("who", ["buyer", "seller", "anonymous"])
def test_admin_pages_are_404_for_everybody_but_admins(app, disputed, shopper, owner, admin, who, method, path,
                                                      data):
    owner.post(f"/en/seller/orders/{disputed}/dispute/reject", data={"reject-message": "No."})
    before = snapshot(disputed)
    client = {"buyer": shopper, "seller": owner, "anonymous": app.test_client()}[who]
    assert getattr(client, method)(path.format(number=disputed), data=data).status_code == 404
    assert snapshot(disputed) == before
    if method == "get":
        assert admin.get(path.format(number=disputed)).status_code == 200


def test_admin_dispute_page_of_an_order_without_dispute_is_404(app, shopper, admin):
    number = bought(shopper)
    assert admin.get(f"/en/admin/disputes/{number}").status_code == 404
    assert admin.get("/en/admin/disputes/NO-SUCH").status_code == 404


# --- the review reply email ---------------------------------------------------------------------------

def test_a_seller_reply_to_a_review_emails_the_buyer_in_their_language(app, shopper, owner):
    from storefront.core.clock import utcnow
    from storefront.reviews import services as reviews
    from storefront.reviews.models import Review
    from tests.review_factories import buyer_of, review_input

    number = bought(shopper)
    ship(number, days_ago=6)
    shopper.post(f"/es/orders/{number}/confirm-receipt", data={"confirm": "y"})
    order = reload(number)
    reviews.write_review(db.session, number, order.lines[0].id, buyer_of(order), review_input(text="Muy bien."),
                         now=utcnow())
    db.session.commit()
    review_id = db.session.scalar(select(Review.id))
    assert owner.post(f"/en/seller/reviews/{review_id}/reply", data={"reply": "¡Gracias!"}).status_code == 303
    [mail] = mails(app, "review_replied")
    assert mail["To"] == order.email and mail["Content-Language"] == "es"
    assert "Tu opinión" in mail.get_content() and "Muy bien." in mail.get_content() and "¡Gracias!" in \
        mail.get_content()
    assert owner.post(f"/en/seller/reviews/{review_id}/reply", data={"reply": "Twice"}).status_code == 409
    assert len(mails(app, "review_replied")) == 1


# --- a refund interrupted halfway -------------------------------------------------------------------------

def claim_as_if_crashed(number: str, minutes_ago: int = 0):
    """Leave the dispute claimed for a refund, as a crash between the provider's answer and ours would."""
    dispute = dispute_of(number)
    dispute.status = "settling"
    dispute.respond_by = datetime.now(timezone.utc) + timedelta(minutes=10 - minutes_ago)
    db.session.commit()


def test_while_a_refund_is_being_made_every_answer_waits(app, disputed, shopper, owner):
    number = disputed
    claim_as_if_crashed(number)
    before = snapshot(number)
    busy = owner.post(f"/en/seller/orders/{number}/dispute/accept", data={"accept-confirm": "y"})
    assert busy.status_code == 409 and "being made right now" in busy.data.decode()
    assert shopper.post(f"/es/orders/{number}/dispute/withdraw", data={"confirm": "y"}).status_code == 409
    assert snapshot(number) == before and refunds_of(number) == []


def test_the_tick_finishes_a_refund_that_was_recorded_but_not_closed(app, disputed):
    number = disputed
    dispute = dispute_of(number)
    refund_order(db.session, app.extensions["payment_gateway"], reload(number), Decimal("2.00"),
                 reason=f"dispute {dispute.id}: partial_refund")
    claim_as_if_crashed(number, minutes_ago=11)
    changes = disputes.expire_disputes(db.session, app.extensions["payment_gateway"],
                                       datetime.now(timezone.utc))
    assert [(c.order.number, c.outcome) for c in changes] == [(number, "settled")]
    order, dispute = reload(number), dispute_of(number)
    assert (dispute.status, dispute.resolution, dispute.refund_amount) == ("resolved", "partial_refund",
                                                                          Decimal("2.00"))
    assert order.status == "completed" and payout_of(number).amount == order.total - Decimal("2.00")
    assert refunds_of(number) == [Decimal("2.00")]  # nothing refunded twice


def test_the_tick_hands_an_abandoned_claim_without_refund_to_the_admin(app, disputed):
    number = disputed
    claim_as_if_crashed(number, minutes_ago=11)
    disputes.expire_disputes(db.session, app.extensions["payment_gateway"], datetime.now(timezone.utc))
    assert dispute_of(number).status == "escalated" and refunds_of(number) == []
    assert thread_lines(number)[-1] == ("system", "The refund could not be confirmed; the platform will decide.")


def test_the_seller_dashboard_lists_disputes_to_answer(app, disputed, owner, other_seller):
    html = owner.get("/en/seller/").data.decode()
    section = html.split('data-testid="disputes-to-answer"')[1].split("</ul>")[0]
    assert disputed in section and 'data-testid="count-disputed">1<' in html
    assert disputed not in other_seller.get("/en/seller/").data.decode()
    owner.post(f"/en/seller/orders/{disputed}/dispute/reject", data={"reject-message": "No."})
    assert 'data-testid="disputes-to-answer"' not in owner.get("/en/seller/").data.decode()
