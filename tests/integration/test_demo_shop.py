"""The demo shop, seeded once per database and checked from every side: the bundled catalog imports cleanly
and meets the shop's promises, the demo logins work, and months of history agree with the state machine, the
payments and the metrics."""
from __future__ import annotations

import json
from collections import Counter

import pytest
from sqlalchemy import func, select

from storefront.accounts.models import User
from storefront.catalog.models import Category, Product
from storefront.core.events import Event
from storefront.demo.feedback import DEMO_KEY
from storefront.demo.history import HISTORY_KEY, history_start, seed_history
from storefront.demo.seed import DEMO_PASSWORD, seed_demo_store
from storefront.extensions import db
from storefront.orders.models import Checkout, Dispute, Order, OrderEvent
from storefront.orders.services import TRANSITIONS
from storefront.payments.models import Payment, Payout, Refund
from storefront.reviews.models import Review
from storefront.sellers.models import Seller
from tests.conftest import app_on
from tests.integration.test_demo_history import DAYS, END, FUNNEL, utc


@pytest.fixture(scope="module")
def demo_shop(database_url, tmp_path_factory):
    """The demo store with DAYS of history up to END, seeded once for this module's tests (seeding is the
    slowest thing the suite does; these tests only read, or check that seeding again adds nothing)."""
    with app_on(database_url, tmp_path_factory.mktemp("demo")) as app:
        app.demo_report = seed_demo_store(db.session, history_days=DAYS, now=END)
        yield app


def test_demo_store_imports_every_line_and_meets_its_targets(demo_shop):
    session, report = db.session, demo_shop.demo_report
    assert report.errors == [] and report.imported == report.lines
    products = session.scalar(select(func.count(Product.id)))
    assert products >= 300
    assert session.scalar(select(func.count(Category.id)).where(Category.parent_id.is_(None))) >= 15
    assert session.scalar(select(func.count(Seller.id))) >= 30
    assert session.scalar(select(func.count(func.distinct(Seller.country)))) >= 5
    assert session.scalar(select(func.count(Product.id)).where(Product.offer_count >= 2)) >= 60
    every_language = session.scalars(select(Product.titles)).all()
    assert sum(all(t.get(loc) for loc in ("en", "es", "ar", "zh")) for t in every_language) >= 300


def test_seeding_again_adds_nothing(demo_shop):
    session = db.session
    products = session.scalar(select(func.count(Product.id)))
    assert seed_demo_store(session, if_empty=True) is None
    assert seed_history(session, days=DAYS, end=END) is None  # already there: nothing is added
    assert session.scalar(select(func.count(Product.id))) == products


def test_demo_logins_work(demo_shop):
    client = demo_shop.test_client()
    for email in ("shopper@demo.test", "seller@demo.test", "admin@demo.test"):
        assert db.session.scalar(select(User).where(User.email == email)) is not None
        login = client.post("/en/account/login", data={"email": email, "password": DEMO_PASSWORD})
        assert login.status_code == 303
        client.post("/en/account/logout")


def test_demo_history_is_a_living_shop_the_state_machine_payments_and_events_agree_on(demo_shop):
    session = db.session
    every_order_moved_only_by_legal_transitions_in_time_order(session)
    payments_refunds_and_payouts_are_what_the_services_record(session)
    disputes_end_as_the_dispute_services_end_them(session)
    events_cover_the_funnel_and_every_status_change_in_the_period(session)
    events_hold_no_personal_data(session)


def every_order_moved_only_by_legal_transitions_in_time_order(shop):
    orders = shop.scalars(select(Order)).all()
    events = Counter()
    history: dict[int, list[OrderEvent]] = {}
    for event in shop.scalars(select(OrderEvent).order_by(OrderEvent.id)):
        history.setdefault(event.order_id, []).append(event)
    assert len(orders) > 1000
    for order in orders:
        chain = history[order.id]
        assert (chain[0].from_status, chain[0].to_status) == (None, "awaiting_payment"), order.number
        for before, after in zip(chain, chain[1:]):
            assert after.from_status == before.to_status, order.number
            assert after.to_status in TRANSITIONS[after.from_status], order.number
            assert utc(after.at) >= utc(before.at), order.number
            events[after.to_status] += 1
        assert chain[-1].to_status == order.status, order.number
        stamps = [utc(t) for t in (order.created_at, order.paid_at, order.shipped_at, order.delivered_at,
                                   order.completed_at) if t is not None]
        assert stamps == sorted(stamps), order.number
        assert all(utc(e.at) <= END for e in chain)
        if order.status in ("shipped", "delivered", "completed") and order.shipped_at is not None:
            assert order.ship_by is not None and order.carrier and order.tracking_number
    # every kind of ending is there, as in a living shop
    assert {"paid", "shipped", "delivered", "completed", "cancelled", "disputed", "refunded"} <= set(events)
    statuses = Counter(o.status for o in orders)
    assert statuses["completed"] > statuses["shipped"] > 0 and statuses["delivered"] > 0


def payments_refunds_and_payouts_are_what_the_services_record(shop):
    for order in shop.scalars(select(Order)):
        payout = shop.scalar(select(Payout).where(Payout.order_id == order.id))
        if order.status == "completed":
            assert payout is not None and payout.amount == order.total - order.refunded_total
            assert utc(payout.due_at) == utc(order.completed_at)
        else:
            assert payout is None
        refunded = shop.scalar(select(func.coalesce(func.sum(Refund.amount), 0)).where(Refund.order_id == order.id))
        assert refunded == order.refunded_total, order.number
        if order.status != "awaiting_payment" and order.paid_at is not None:
            assert shop.scalar(select(func.count(Payment.id)).where(Payment.checkout_id == order.checkout_id,
                                                                    Payment.status == "succeeded")) == 1
    reasons = set(shop.scalars(select(Payment.failure_reason).where(Payment.status == "failed")))
    assert len(reasons) >= 3
    assert shop.scalar(select(func.count(Checkout.id)).where(Checkout.usd_rate.is_(None))) == 0
    currencies = set(shop.scalars(select(Checkout.currency).where(Checkout.idempotency_key.like(HISTORY_KEY + "%"))))
    assert len(currencies) >= 8
    cancelled_late = shop.scalar(select(func.count(Order.id)).where(Order.cancel_reason == "not_shipped_in_time"))
    shipped_late = shop.scalar(select(func.count(Order.id)).where(Order.shipped_at > Order.ship_by))
    on_time = shop.scalar(select(func.count(Order.id)).where(Order.shipped_at <= Order.ship_by))
    assert cancelled_late > 0 and 0 < shipped_late < on_time / 10


def disputes_end_as_the_dispute_services_end_them(shop):
    disputes = shop.scalars(select(Dispute)).all()
    assert len(disputes) >= 3
    resolutions = {d.resolution for d in disputes}
    assert "full_refund" in resolutions and len(resolutions - {None}) >= 2
    for dispute in disputes:
        order = shop.get(Order, dispute.order_id)
        moves = [(e.from_status, e.to_status) for e in order.events]
        assert (dispute.previous_status, "disputed") in moves
        assert dispute.messages and dispute.messages[0].author == "system"
        if dispute.status == "resolved":
            after = moves[moves.index((dispute.previous_status, "disputed")) + 1]
            expected = {"full_refund": "refunded", "partial_refund": "completed", "rejected": "completed"}
            assert after[1] == expected.get(dispute.resolution, after[1])
            if dispute.resolution == "withdrawn":
                assert after[1] in ("shipped", "delivered")
        else:
            assert order.status == "disputed" and utc(dispute.respond_by) > END


def events_cover_the_funnel_and_every_status_change_in_the_period(shop):
    start = history_start(END, DAYS)
    kinds = Counter(dict(shop.execute(select(Event.kind, func.count(Event.id)).group_by(Event.kind)).all()))
    for kind in FUNNEL + ("payment_succeeded", "payment_failed", "review_posted"):
        assert kinds[kind] > 0, kind

    def sessions_with(kind: str) -> int:
        return shop.scalar(select(func.count(func.distinct(Event.session_id))).where(Event.kind == kind))

    assert (sessions_with("session_start") > sessions_with("product_view") > sessions_with("add_to_cart")
            > sessions_with("checkout_start") > sessions_with("order_placed"))
    searches = shop.scalars(select(Event.data).where(Event.kind == "search")).all()
    assert 0 < sum(1 for s in searches if s["results"] == 0) < len(searches) / 5
    # each status change in the period has its order_* event, with the same time, actor and from-status
    changes = Counter((o.number, e.from_status, e.to_status, e.actor, utc(e.at)) for o, e in shop.execute(
        select(Order, OrderEvent).join(OrderEvent).where(OrderEvent.from_status.is_not(None))) if utc(e.at) >= start)
    recorded = Counter()
    for event in shop.scalars(select(Event).where(Event.kind.like("order\\_%", escape="\\"),
                                                  Event.kind != "order_placed")):
        recorded[(event.data["order"], event.data["from"], event.kind[6:], event.data["actor"], utc(event.at))] += 1
        assert event.session_id == "" and event.device == "" and event.locale and event.currency
    assert recorded == changes
    # the feedback orders placed in the period were placed by a visit, and their reviews are not doubled
    feedback = shop.scalars(select(Checkout.reference).where(Checkout.idempotency_key.like(DEMO_KEY + "%"),
                                                             Checkout.created_at >= start)).all()
    placed = {e["checkout"] for e in shop.scalars(select(Event.data).where(Event.kind == "order_placed"))}
    assert feedback and set(feedback) <= placed
    assert shop.scalar(select(func.count(Review.id))) == shop.scalar(
        select(func.count(func.distinct(Review.order_line_id))))
    posted = shop.scalar(select(func.count(Event.id)).where(Event.kind == "review_posted"))
    assert posted == shop.scalar(select(func.count(Review.id)).where(Review.created_at >= start))


def events_hold_no_personal_data(shop):
    emails = set(shop.scalars(select(Checkout.email)))
    names = {c["full_name"] for c in shop.scalars(select(Checkout.address))}
    text = json.dumps([e.data for e in shop.scalars(select(Event))], ensure_ascii=False)
    assert "@" not in text
    assert not any(name in text for name in names)
    assert emails and len(emails) < shop.scalar(select(func.count(Checkout.id)))  # some buyers came back
