"""The demo history: months of activity that the state machine, the payments and the metrics all agree with."""
from __future__ import annotations

import json
import random
from collections import Counter
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, inspect, select

from storefront.catalog.models import Product
from storefront.currency.services import current_rates
from storefront.demo.feedback import DEMO_KEY
from storefront.demo.history import (
    HISTORY_KEY,
    Buyers,
    Catalog,
    history_start,
    seed_history,
    sessions_on,
    simulate_day,
)
from storefront.demo.history_bulk import BulkWriter
from storefront.demo.history_outcomes import plan_outcomes
from storefront.demo.history_writer import ServiceWriter
from storefront.demo.seed import seed_demo_store
from storefront.core.events import Event
from storefront.orders.models import Checkout, Dispute, DisputeMessage, Order, OrderEvent, OrderLine, TrackingEvent
from storefront.orders.services import TRANSITIONS
from storefront.payments.models import Payment, Payout, Refund
from storefront.payments.testgateway.models import SandboxRefund, SandboxSession
from storefront.reviews.models import Review

END = datetime(2026, 6, 15, 12, 0, tzinfo=timezone.utc)
DAYS = 45
FUNNEL = ("session_start", "search", "search_click", "product_view", "add_to_cart", "checkout_start", "order_placed")


def utc(moment: datetime | None) -> datetime | None:
    """Stored times with their zone (SQLite gives them back naive, in UTC)."""
    return moment.replace(tzinfo=timezone.utc) if moment is not None and moment.tzinfo is None else moment


def test_demo_history_is_a_living_shop_the_state_machine_payments_and_events_agree_on(app, session):
    # Seeding takes seconds: one shop, checked from every side.
    seed_demo_store(session, history_days=DAYS, now=END)
    every_order_moved_only_by_legal_transitions_in_time_order(session)
    payments_refunds_and_payouts_are_what_the_services_record(session)
    disputes_end_as_the_dispute_services_end_them(session)
    events_cover_the_funnel_and_every_status_change_in_the_period(session)
    events_hold_no_personal_data(session)
    assert seed_history(session, days=DAYS, end=END) is None  # already there: nothing is added


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


def test_the_same_seed_gives_the_same_history(app, session):
    seed_demo_store(session, history_days=0, now=END)
    catalog = Catalog(session)

    def one_day(seed: str):
        rnd = random.Random(seed)
        day = END.date() - timedelta(days=3)
        visits, checkouts = simulate_day(rnd, catalog, Buyers(random.Random(seed)), day,
                                         sessions_on(rnd, day, day - timedelta(days=9), day, 200),
                                         rates=current_rates(), end=END)
        for plan in checkouts:
            plan_outcomes(plan, END)
        return ([v.rows() for v in visits],
                [(c.reference, c.numbers, [(s.at, s.kind, s.order) for s in c.steps]) for c in checkouts])

    first = one_day("a")
    assert first[1] and first == one_day("a")
    assert first != one_day("b")


def test_the_bulk_writer_writes_what_the_services_write(app, session):
    seed_demo_store(session, history_days=0, now=END)
    session.commit()
    catalog, rates = Catalog(session), current_rates()

    def written(writer_class) -> dict:
        """Three months written by one writer, as comparable rows (ids replaced by what they point at)."""
        buyers, writer = Buyers(random.Random("same")), writer_class(session, end=END)
        for n in range(90, 0, -1):
            day = END.date() - timedelta(days=n)
            rnd = random.Random(f"same:{day}")
            visits, checkouts = simulate_day(rnd, catalog, buyers, day, 130, rates=rates, end=END)
            for plan in checkouts:
                plan_outcomes(plan, END)
            writer.write(visits, checkouts)
        writer.finish()  # sold counts and ratings
        session.flush()
        session.expire_all()  # compare what the database holds
        rows = snapshot(session)
        session.rollback()
        return rows

    by_services, in_bulk = written(ServiceWriter), written(BulkWriter)
    assert len(by_services["orders"]) > 4000 and by_services["disputes"] and by_services["refunds"]
    for table, rows in by_services.items():
        assert in_bulk[table] == rows, table


def snapshot(session) -> dict[str, list]:
    """Every history row, each as sorted (column, value) pairs with ids mapped to natural keys."""
    number = dict(session.execute(select(Order.id, Order.number)).all())
    reference = dict(session.execute(select(Checkout.id, Checkout.reference)).all())
    payment = dict(session.execute(select(Payment.id, Payment.reference)).all())
    sandbox = dict(session.execute(select(SandboxSession.id, SandboxSession.token)).all())
    dispute = dict(session.execute(select(Dispute.id, Dispute.order_id)).all())
    line = {i: (number[o], sku) for i, o, sku in session.execute(select(OrderLine.id, OrderLine.order_id,
                                                                        OrderLine.sku))}
    keys = {"order_id": number, "checkout_id": reference, "payment_id": payment, "session_id": sandbox,
            "order_line_id": line}

    def value(model, column: str, raw):
        if column == "id" and model is not SandboxRefund:
            return None
        if column in keys and raw is not None and not (model is Event and column == "session_id"):
            return keys[column][raw]
        if column == "dispute_id":
            return number[dispute[raw]]
        if column == "reason" and model is Refund and raw.startswith("dispute "):  # "dispute 12: full_refund"
            dispute_id = raw.split()[1].rstrip(":")
            return raw.replace(dispute_id, number[dispute[int(dispute_id)]])
        if isinstance(raw, datetime):
            return utc(raw)
        return raw

    out = {"products": sorted(map(str, session.execute(select(
        Product.id, Product.orders_count, Product.rating_count, Product.rating_avg)).all()))}
    for model in (Checkout, Order, OrderLine, OrderEvent, Event, Payment, SandboxSession, Refund, SandboxRefund,
                  Payout, Dispute, DisputeMessage, TrackingEvent, Review):
        columns = [c.key for c in inspect(model).columns]
        rows = []
        for row in session.scalars(select(model)):
            items = tuple((c, value(model, c, getattr(row, c))) for c in columns)
            rows.append(json.dumps(items, default=str, sort_keys=True, ensure_ascii=False))
        out[model.__tablename__] = sorted(rows)
    return out
