"""The demo history: months of activity that the state machine, the payments and the metrics all agree with."""
from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone

from sqlalchemy import inspect, select

from storefront.catalog.models import Product
from storefront.currency.services import current_rates
from storefront.demo.history import (
    Buyers,
    Catalog,
    sessions_on,
    simulate_day,
)
from storefront.demo.history_bulk import BulkWriter
from storefront.demo.history_outcomes import plan_outcomes
from storefront.demo.history_writer import ServiceWriter
from storefront.demo.seed import seed_demo_store
from storefront.core.events import Event
from storefront.orders.models import Checkout, Dispute, DisputeMessage, Order, OrderEvent, OrderLine, TrackingEvent
from storefront.payments.models import Payment, Payout, Refund
from storefront.payments.testgateway.models import SandboxRefund, SandboxSession
from storefront.reviews.models import Review

END = datetime(2026, 6, 15, 12, 0, tzinfo=timezone.utc)
DAYS = 45
FUNNEL = ("session_start", "search", "search_click", "product_view", "add_to_cart", "checkout_start", "order_placed")


def utc(moment: datetime | None) -> datetime | None:
    """Stored times with their zone (SQLite gives them back naive, in UTC)."""
    return moment.replace(tzinfo=timezone.utc) if moment is not None and moment.tzinfo is None else moment


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
