"""The metrics' SQL: one aggregate query per source of figures, for a period and an optional breakdown.

A source returns {bucket: parts}: the pieces (counts, sums, durations) its metrics are made of, one
dict per breakdown bucket, or {None: parts} for the whole period; the dashboard asks for a Split, so
one pass reads the period and the previous one. The fixed tables (sellers, delivery by
country and method, payments by method and failure reason, time series) have their own queries here.
Orders come from the orders tables (authoritative, even for rows older than event recording); the
funnel and search figures come from events.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, localcontext
from typing import Any

from sqlalchemy import String, and_, case, cast, distinct, func, literal, null, or_, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

from ..orders.fulfilment import OVERDUE
from ..orders.models import Checkout, Dispute, Order
from ..payments.models import Payment
from ..reviews.models import Review
from ..reviews.ratings import POSITIVE_FROM
from ..sellers.models import Seller
from ..core.events import Event
from .periods import Period
from .sql import seconds_between, utc_day, utc_week

Parts = dict[str, Any]
Grouped = dict[str | None, Parts]


@dataclass(frozen=True)
class Split:
    """A breakdown into the two sides of a moment ('previous' before it, 'current' from it): the
    dashboard reads a period and the one before it in one pass."""

    at: datetime


Breakdown = str | Split | None
Source = Callable[[Session, Period, Breakdown], Grouped]

SOURCES: dict[str, Source] = {}


def source(name: str) -> Callable[[Source], Source]:
    """Register a source of figures under `name` (metric definitions refer to it)."""

    def register(fn: Source) -> Source:
        SOURCES[name] = fn
        return fn

    return register


def within(column, period: Period) -> ColumnElement:
    """column in [period start, period end)."""
    start, end = period.bounds()
    return and_(column >= start, column < end)


def bucket_of(breakdown: str | Split, time_column, dims: dict[str, Any]) -> ColumnElement:
    """The breakdown's key: the side of a Split, the UTC day or week of `time_column`, or one of `dims`
    ('' when unknown)."""
    if isinstance(breakdown, Split):
        return case((time_column >= breakdown.at, "current"), else_="previous")
    if breakdown == "day":
        return utc_day(time_column)
    if breakdown == "week":
        return utc_week(time_column)
    return func.coalesce(dims[breakdown], "")


def grouped(session: Session, stmt: Select, breakdown: Breakdown, time_column, dims: dict[str, Any]) -> Grouped:
    """Run an aggregate statement once for the whole period, or grouped by the breakdown's buckets."""
    if breakdown is None:
        return {None: dict(session.execute(stmt).mappings().one())}
    key = bucket_of(breakdown, time_column, dims)
    out: Grouped = {}
    for row in session.execute(stmt.add_columns(key.label("bucket")).group_by(key).order_by(key)).mappings():
        parts = dict(row)
        out[parts.pop("bucket")] = parts
    return out


def placed_device():
    """Checkout id -> the device class of the visit that placed it (from order_placed events).

    Keyed by the checkout's id, so both databases join it by an (automatic) index.
    """
    return (select(Checkout.id.label("checkout_id"), func.max(Event.device).label("device"))
            .select_from(Event).join(Checkout, Checkout.reference == Event.data["checkout"].as_string())
            .where(Event.kind == "order_placed").group_by(Checkout.id).subquery())


def checkout_dims(stmt: Select, breakdown: Breakdown, currency_column=Checkout.currency) -> tuple[Select, dict]:
    """Breakdown columns for figures about orders: the checkout's destination country, language and
    currency, and the device of the session that placed it (joined only when asked for)."""
    dims = {"country": Checkout.country, "locale": Checkout.locale, "currency": currency_column}
    if breakdown == "device":
        device = placed_device()
        stmt = stmt.outerjoin(device, device.c.checkout_id == Checkout.id)
        dims["device"] = device.c.device
    return stmt, dims


def event_dims() -> dict:
    """Breakdown columns for figures about events: the visitor's context when it happened."""
    return {"country": Event.country, "locale": Event.locale, "currency": Event.currency, "device": Event.device}


def count_if(condition) -> ColumnElement:
    """How many rows meet `condition`."""
    return func.sum(case((condition, 1), else_=0))


@source("paid_orders")
def paid_orders(session: Session, period: Period, breakdown: Breakdown) -> Grouped:
    """Orders paid in the period: how many, their value in USD, refunds, cancellations, disputes."""
    stmt = (paid_in(period)
            .add_columns(func.count(Order.id).label("orders"),
                         func.count(Checkout.usd_rate).label("priced"),
                         func.count(distinct(Order.seller_id)).label("sellers"),
                         count_if(Order.refunded_total > 0).label("refunded"),
                         count_if(Order.status == "cancelled").label("cancelled"),
                         func.count(Dispute.id).label("disputed"))
            .outerjoin(Dispute, Dispute.order_id == Order.id))
    stmt, dims = checkout_dims(stmt, breakdown, Order.currency)
    out = grouped(session, stmt, breakdown, Order.paid_at, dims)
    # The USD value in its own query: see usd_value.
    orders, gmv_dims = checkout_dims(paid_in(period), breakdown, Order.currency)
    gmv = usd_value(session, orders, None if breakdown is None else bucket_of(breakdown, Order.paid_at, gmv_dims))
    for bucket, parts in out.items():
        parts["gmv_usd"] = gmv.get(bucket)
    return out


def paid_in(period: Period) -> Select:
    """Orders paid in the period, with their checkout (and its recorded USD rate)."""
    return (select().select_from(Order).join(Checkout, Checkout.id == Order.checkout_id)
            .where(within(Order.paid_at, period)))


def usd_value(session: Session, orders: Select, key: ColumnElement | None) -> dict:
    """{bucket of `key` (None: the whole): sum of order total x the checkout's USD rate}, exact on every database.

    SQL sums the totals per bucket and recorded rate (a sum of money: exact everywhere), Python multiplies:
    on SQLite money and rates are scaled integers whose products would overflow, and the rows are few
    (one per bucket, currency and rate in force). Orders with no recorded rate are left out.
    """
    stmt = (orders.add_columns(Checkout.usd_rate.label("rate"), func.sum(Order.total).label("total"))
            .where(Checkout.usd_rate.is_not(None)).group_by(Checkout.usd_rate))
    if key is not None:
        stmt = stmt.add_columns(key.label("bucket")).group_by(key)
    out: dict = {}
    with localcontext() as exact:
        exact.prec = 80  # more digits than any sum of NUMERIC(18, 4) x NUMERIC(24, 10) has: no rounding
        for row in session.execute(stmt).mappings():
            bucket = row["bucket"] if key is not None else None
            out[bucket] = out.get(bucket, Decimal(0)) + row["total"] * row["rate"]
    return out


@source("completed_orders")
def completed_orders(session: Session, period: Period, breakdown: Breakdown) -> Grouped:
    """Orders completed (receipt confirmed or auto-confirmed) in the period."""
    stmt = (select(func.count(Order.id).label("completed"))
            .select_from(Order).join(Checkout, Checkout.id == Order.checkout_id)
            .where(within(Order.completed_at, period)))
    stmt, dims = checkout_dims(stmt, breakdown, Order.currency)
    return grouped(session, stmt, breakdown, Order.completed_at, dims)


def buyer_key() -> ColumnElement:
    """Who bought: the account, or the e-mail address of a guest (used for grouping only, never shown)."""
    return func.coalesce(cast(Order.user_id, String), func.lower(Order.email))


@source("buyers")
def buyers(session: Session, period: Period, breakdown: Breakdown) -> Grouped:
    """Buyers with a paid order in the period, and those among them who had paid for an earlier checkout
    (an order paid later than their first paid order ever; orders of one checkout are paid together)."""
    buyer = buyer_key()
    paid = (select(buyer.label("buyer"), Order.paid_at.label("paid_at"),
                   func.min(Order.paid_at).over(partition_by=buyer).label("first_paid"))
            .select_from(Order).join(Checkout, Checkout.id == Order.checkout_id)
            .where(Order.paid_at.is_not(None), Order.paid_at < period.bounds()[1]))
    paid, dims = checkout_dims(paid, breakdown, Order.currency)
    rows = paid.add_columns(*(column.label(name) for name, column in dims.items())).subquery()
    stmt = (select(func.count(distinct(rows.c.buyer)).label("buyers"),
                   func.count(distinct(case((rows.c.paid_at > rows.c.first_paid, rows.c.buyer)))).label("repeat_buyers"))
            .where(within(rows.c.paid_at, period)))
    return grouped(session, stmt, breakdown, rows.c.paid_at, {name: rows.c[name] for name in dims})


@source("handling")
def handling(session: Session, period: Period, breakdown: Breakdown) -> Grouped:
    """Orders whose handling deadline fell in the period and that shipped or were cancelled for missing it."""
    shipped = Order.shipped_at.is_not(None)
    stmt = (select(count_if(or_(shipped, Order.cancel_reason == OVERDUE)).label("due"),
                   count_if(and_(shipped, Order.shipped_at <= Order.ship_by)).label("on_time"))
            .select_from(Order).join(Checkout, Checkout.id == Order.checkout_id)
            .where(within(Order.ship_by, period)))
    stmt, dims = checkout_dims(stmt, breakdown, Order.currency)
    return grouped(session, stmt, breakdown, Order.ship_by, dims)


def late_delivery() -> ColumnElement:
    """Delivered on a later (UTC) day than the last day of the promised range."""
    return and_(Order.delivery_latest.is_not(None), utc_day(Order.delivered_at) > utc_day(Order.delivery_latest))


@source("deliveries")
def deliveries(session: Session, period: Period, breakdown: Breakdown) -> Grouped:
    """Orders delivered in the period, those with a promised range, those delivered after it; and each
    delivery's time from shipping to delivery (seconds, for percentiles)."""
    stmt = (select(func.count(Order.id).label("delivered"), func.count(Order.delivery_latest).label("promised"),
                   count_if(late_delivery()).label("late"))
            .select_from(Order).join(Checkout, Checkout.id == Order.checkout_id)
            .where(within(Order.delivered_at, period)))
    stmt, dims = checkout_dims(stmt, breakdown, Order.currency)
    out = grouped(session, stmt, breakdown, Order.delivered_at, dims)
    for key, seconds in delivery_seconds(session, period, breakdown).items():
        out.setdefault(key, {"delivered": 0, "promised": 0, "late": 0})["seconds"] = seconds
    for parts in out.values():
        parts.setdefault("seconds", [])
    return out


def delivery_seconds(session: Session, period: Period, breakdown: Breakdown) -> dict[str | None, list[float]]:
    """Shipping-to-delivery times (seconds) of the orders delivered in the period, per bucket."""
    seconds = seconds_between(Order.shipped_at, Order.delivered_at)
    stmt = (select(seconds.label("seconds")).select_from(Order).join(Checkout, Checkout.id == Order.checkout_id)
            .where(within(Order.delivered_at, period), Order.shipped_at.is_not(None)))
    stmt, dims = checkout_dims(stmt, breakdown, Order.currency)
    if breakdown is not None:
        stmt = stmt.add_columns(bucket_of(breakdown, Order.delivered_at, dims).label("bucket"))
    out: dict[str | None, list[float]] = defaultdict(list)
    for row in session.execute(stmt):
        out[row.bucket if breakdown else None].append(round(row.seconds))
    return dict(out)


@source("reviews")
def reviews(session: Session, period: Period, breakdown: Breakdown) -> Grouped:
    """Reviews written in the period: how many, their stars, how many were positive."""
    stmt = (select(func.count(Review.id).label("reviews"), func.sum(Review.rating).label("rating_sum"),
                   count_if(Review.rating >= POSITIVE_FROM).label("positive"))
            .select_from(Review).join(Order, Order.id == Review.order_id)
            .join(Checkout, Checkout.id == Order.checkout_id)
            .where(within(Review.created_at, period)))
    stmt, dims = checkout_dims(stmt, breakdown, Order.currency)
    return grouped(session, stmt, breakdown, Review.created_at, dims)


@source("payments")
def payments(session: Session, period: Period, breakdown: Breakdown) -> Grouped:
    """Payment attempts started in the period that succeeded or failed (abandoned ones stay pending)."""
    stmt = (select(count_if(Payment.status == "succeeded").label("succeeded"),
                   count_if(Payment.status == "failed").label("failed"))
            .select_from(Payment).join(Checkout, Checkout.id == Payment.checkout_id)
            .where(within(Payment.created_at, period)))
    stmt, dims = checkout_dims(stmt, breakdown, Payment.currency)
    return grouped(session, stmt, breakdown, Payment.created_at, dims)


@source("searches")
def searches(session: Session, period: Period, breakdown: Breakdown) -> Grouped:
    """Search events in the period, those with no result, and how many searches led to a click."""
    is_search, results = Event.kind == "search", Event.data["results"].as_integer()
    clicked = case((Event.kind == "search_click", Event.data["search_id"].as_string()))
    stmt = (select(count_if(is_search).label("searches"),
                   count_if(and_(is_search, results == 0)).label("zero_results"),
                   count_if(and_(is_search, results > 0)).label("with_results"),
                   func.count(distinct(clicked)).label("clicked"))
            .where(Event.kind.in_(("search", "search_click")), within(Event.at, period)))
    return grouped(session, stmt, breakdown, Event.at, event_dims())


FUNNEL_FLAGS = ("started", "browsed", "carted", "checked_out", "paid")
FUNNEL_STEP_KINDS = {"browsed": ("search", "product_view"), "carted": ("add_to_cart",),
                     "checked_out": ("checkout_start",)}


def funnel_sessions(period: Period):
    """One row per visit with events in the period: which funnel steps it reached, and its context
    (country, language, currency, device and start time of its session_start event).

    Built as a union of narrow rows, one branch per step, then grouped by visit: the step branches
    read only the events index (kind, at, session_id). A visit is paid when a checkout it placed
    (order_placed event) has a paid order.
    """

    def flags(step: str) -> list:
        return [literal(1 if flag == step else 0).label(flag) for flag in FUNNEL_FLAGS]

    context = (Event.at.label("started_at"), Event.country.label("country"), Event.locale.label("locale"),
               Event.currency.label("currency"), Event.device.label("device"))
    nothing = [null().label(column.name) for column in context]
    branches = [select(Event.session_id, *flags("started"), *context)
                .where(Event.kind == "session_start", within(Event.at, period))]
    for step, kinds in FUNNEL_STEP_KINDS.items():
        branches.append(select(Event.session_id, *flags(step), *nothing)
                        .where(Event.kind.in_(kinds), within(Event.at, period)))
    paid_order = select(Order.id).where(Order.checkout_id == Checkout.id, Order.paid_at.is_not(None)).exists()
    branches.append(select(Event.session_id, *flags("paid"), *nothing)
                    .join(Checkout, Checkout.reference == Event.data["checkout"].as_string())
                    .where(Event.kind == "order_placed", within(Event.at, period), paid_order))
    rows = union_all(*branches).subquery()
    return (select(rows.c.session_id, *(func.max(rows.c[flag]).label(flag) for flag in FUNNEL_FLAGS),
                   func.min(rows.c.started_at).label("started_at"),
                   *(func.max(rows.c[name]).label(name) for name in ("country", "locale", "currency", "device")))
            .where(rows.c.session_id != "").group_by(rows.c.session_id).subquery())


@source("funnel")
def funnel(session: Session, period: Period, breakdown: Breakdown) -> Grouped:
    """Visits started in the period and how many reached each step, every earlier step included."""
    s = funnel_sessions(period).c
    stmt = (select(func.count().label("sessions"),
                   func.sum(s.browsed).label("browsed"),
                   func.sum(s.browsed * s.carted).label("carted"),
                   func.sum(s.browsed * s.carted * s.checked_out).label("checked_out"),
                   func.sum(s.browsed * s.carted * s.checked_out * s.paid).label("paid"))
            .where(s.started == 1))
    dims = {"country": s.country, "locale": s.locale, "currency": s.currency, "device": s.device}
    return grouped(session, stmt, breakdown, s.started_at, dims)


# --- fixed tables ---------------------------------------------------------------------------------

def time_series(session: Session, period: Period, unit: str) -> list[dict]:
    """Paid orders and GMV (USD) per day or week of the period, every step present (zeros included)."""
    key = bucket_of(unit, Order.paid_at, {})
    stmt = paid_in(period).add_columns(key.label("bucket"), func.count(Order.id).label("orders")).group_by(key)
    found = {row.bucket: row.orders for row in session.execute(stmt)}
    gmv = usd_value(session, paid_in(period), key)
    return [{"bucket": b, "orders": found.get(b, 0), "gmv_usd": gmv.get(b, 0)} for b in period.buckets(unit)]


def seller_rows(session: Session, period: Period) -> list[dict]:
    """Per seller with orders paid in the period: paid orders, disputes and cancellations among them."""
    stmt = (select(Seller.id.label("seller_id"), Seller.name.label("name"), Seller.handle.label("handle"),
                   func.count(Order.id).label("orders"), func.count(Dispute.id).label("disputes"),
                   count_if(Order.status == "cancelled").label("cancelled"))
            .select_from(Order).join(Seller, Seller.id == Order.seller_id)
            .outerjoin(Dispute, Dispute.order_id == Order.id)
            .where(within(Order.paid_at, period))
            .group_by(Seller.id, Seller.name, Seller.handle))
    return [dict(row) for row in session.execute(stmt).mappings()]


def delivery_rows(session: Session, period: Period, dimension: str) -> list[dict]:
    """Per destination country or shipping method: orders delivered in the period, how many late, and
    their shipping-to-delivery times in seconds."""
    column = Checkout.country if dimension == "country" else Order.shipping_method
    base = (select(column.label("key")).select_from(Order).join(Checkout, Checkout.id == Order.checkout_id)
            .where(within(Order.delivered_at, period)))
    counts = {row.key: row for row in session.execute(
        base.add_columns(func.count(Order.id).label("delivered"), func.count(Order.delivery_latest).label("promised"),
                         count_if(late_delivery()).label("late")).group_by(column))}
    seconds: dict[str, list[int]] = defaultdict(list)
    for row in session.execute(base.add_columns(seconds_between(Order.shipped_at, Order.delivered_at).label("s"))
                               .where(Order.shipped_at.is_not(None))):
        seconds[row.key].append(round(row.s))
    return [{"key": key, "delivered": row.delivered, "promised": row.promised, "late": row.late or 0,
             "seconds": seconds.get(key, [])} for key, row in counts.items()]


def payment_method() -> ColumnElement:
    """How the buyer paid: bank transfer, or the card gateway's name."""
    return case((Checkout.payment_method == "bank_transfer", "bank_transfer"), else_=Payment.gateway)


def payment_rows(session: Session, period: Period) -> list[dict]:
    """Per payment method: attempts started in the period that succeeded and that failed."""
    method = payment_method()
    stmt = (select(method.label("method"), count_if(Payment.status == "succeeded").label("succeeded"),
                   count_if(Payment.status == "failed").label("failed"))
            .select_from(Payment).join(Checkout, Checkout.id == Payment.checkout_id)
            .where(within(Payment.created_at, period)).group_by(method).order_by(method))
    return [dict(row) for row in session.execute(stmt).mappings()]


def failure_rows(session: Session, period: Period) -> list[dict]:
    """Failed payment attempts started in the period, per failure reason, most frequent first."""
    reason = func.coalesce(Payment.failure_reason, "")
    stmt = (select(reason.label("reason"), func.count(Payment.id).label("failures"))
            .where(Payment.status == "failed", within(Payment.created_at, period))
            .group_by(reason).order_by(func.count(Payment.id).desc(), reason))
    return [dict(row) for row in session.execute(stmt).mappings()]
