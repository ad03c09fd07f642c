"""Buyer protection after shipping: the window in which the buyer confirms receipt or opens a dispute, its one
extension, and auto-confirmation when it ends (run by `flask orders tick`)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..core.errors import DomainError
from ..extensions import begin_write
from ..shipping.services import rate_table
from ..shipping.zones import distance_class
from .models import Order
from .services import IllegalTransition, transition

log = logging.getLogger(__name__)

# The window ends this long after the latest delivery estimate: time to open the parcel and look.
PROTECTION_GRACE_DAYS = 7
# What one extension adds (the buyer may extend once, e.g. when customs hold the parcel).
EXTENSION_DAYS = 15
# A "not received" dispute can be opened this long after shipment (a parcel needs a few days to move).
DISPUTE_OPENS_AFTER_DAYS = 5
# When neither the shipping lane nor the order knows a delivery estimate.
DEFAULT_TRANSIT_DAYS = 60
IN_TRANSIT = ("shipped", "delivered")  # the statuses in which the window runs


class ProtectionRefused(DomainError):
    """The buyer cannot extend the window: `reason` is 'already_extended' or 'window_ended'."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def utc(moment: datetime) -> datetime:
    """`moment` in UTC: SQLite gives stored times back without a time zone, and they are UTC."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def lane_transit_days(order: Order) -> int | None:
    """The latest transit day (calendar days after hand-over) of the order's method on its lane, if known."""
    methods = rate_table()["methods"].get(order.shipping_method) or {}
    row = methods.get(distance_class(order.ships_from, order.checkout.country))
    return int(row["transit"][1]) if row else None


def protection_end(order: Order) -> datetime:
    """When the buyer's protection ends: the latest delivery estimate plus PROTECTION_GRACE_DAYS.

    The estimate is the later of the lane's latest transit day counted from shipment and the date
    promised at checkout (delivery_latest), so a buyer never gets less than promised and a late
    shipment pushes the window out. With neither, DEFAULT_TRANSIT_DAYS after shipment.

    :raises ValueError: the order has not shipped.
    """
    if order.shipped_at is None:
        raise ValueError(f"{order.number} has not shipped")
    shipped = utc(order.shipped_at)
    estimates = []
    days = lane_transit_days(order)
    if days is not None:
        estimates.append(shipped + timedelta(days=days))
    if order.delivery_latest is not None:
        estimates.append(utc(order.delivery_latest))
    latest = max(estimates) if estimates else shipped + timedelta(days=DEFAULT_TRANSIT_DAYS)
    return max(latest, shipped) + timedelta(days=PROTECTION_GRACE_DAYS)


def dispute_opens_at(order: Order, reason: str = "not_received") -> datetime | None:
    """From when the buyer may open a dispute (None before shipment).

    "Not received": DISPUTE_OPENS_AFTER_DAYS after shipment. "Not as described": as soon as it was
    delivered, or after that same delay, whichever comes first.
    """
    if order.shipped_at is None:
        return None
    opens = utc(order.shipped_at) + timedelta(days=DISPUTE_OPENS_AFTER_DAYS)
    if reason == "not_as_described" and order.delivered_at is not None:
        opens = min(opens, utc(order.delivered_at))
    return opens


def can_confirm(order: Order) -> bool:
    """True when the buyer may confirm receipt now."""
    return order.status in IN_TRANSIT


def can_extend(order: Order, now: datetime) -> bool:
    """True when the buyer may still extend the window (once, before it ends)."""
    return (order.status in IN_TRANSIT and not order.protection_extended and order.protection_ends_at is not None
            and utc(now) < utc(order.protection_ends_at))


@dataclass(frozen=True)
class AfterSale:
    """What the buyer's order page offers after shipping, worked out once for the template."""

    protection_ends_at: datetime | None
    extended: bool
    can_confirm: bool
    can_extend: bool
    dispute_opens_at: datetime | None   # the earliest a dispute of any reason may be opened
    can_dispute: bool


def after_sale(order: Order, now: datetime) -> AfterSale:
    """The buyer's after-sale choices on `order` at `now` (a dispute needs none opened before, ever)."""
    now = utc(now)
    ends = utc(order.protection_ends_at) if order.protection_ends_at else None
    opens = dispute_opens_at(order, "not_as_described")
    running = order.status in IN_TRANSIT and (ends is None or now < ends)
    return AfterSale(
        protection_ends_at=ends, extended=order.protection_extended, can_confirm=can_confirm(order),
        can_extend=can_extend(order, now), dispute_opens_at=opens,
        can_dispute=running and order.dispute is None and opens is not None and now >= opens,
    )


def lock_order(session: Session, order_id: int) -> Order:
    """Begin a write and lock the order's row, reading it afresh."""
    begin_write(session)
    return session.scalar(select(Order).where(Order.id == order_id).with_for_update()
                          .execution_options(populate_existing=True))


def confirm_receipt(session: Session, order: Order, now: datetime, *, actor: str = "buyer") -> Order:
    """The buyer got the parcel and is happy: the order completes and the seller's payout becomes due. Commits.

    :raises IllegalTransition: the order is not shipped or delivered (disputed, completed...); nothing changes.
    """
    now = utc(now)
    locked = lock_order(session, order.id)
    try:
        if locked.status not in IN_TRANSIT:
            raise IllegalTransition(f"{locked.number}: {locked.status} -> completed")
        transition(session, locked, "completed", actor=actor, note="receipt confirmed", now=now)
    except DomainError:
        session.rollback()
        raise
    session.commit()
    return locked


def extend_protection(session: Session, order: Order, now: datetime) -> Order:
    """Push the buyer's protection window out by EXTENSION_DAYS, once, while it runs. Commits.

    :raises IllegalTransition: the order is not shipped or delivered.
    :raises ProtectionRefused: 'already_extended', or 'window_ended'. Nothing changes when it raises.
    """
    now = utc(now)
    locked = lock_order(session, order.id)
    try:
        if locked.status not in IN_TRANSIT:
            raise IllegalTransition(f"{locked.number}: {locked.status} cannot extend protection")
        if locked.protection_extended:
            raise ProtectionRefused("already_extended")
        ends = utc(locked.protection_ends_at) if locked.protection_ends_at else protection_end(locked)
        if now >= ends:
            raise ProtectionRefused("window_ended")
    except DomainError:
        session.rollback()
        raise
    locked.protection_ends_at = ends + timedelta(days=EXTENSION_DAYS)
    locked.protection_extended = True
    session.commit()
    log.info("order %s: protection extended to %s", locked.number, locked.protection_ends_at)
    return locked


def auto_confirm(session: Session, now: datetime) -> list[Order]:
    """Complete every shipped or delivered order whose protection window has ended (actor "system"). Commits each.

    A disputed order is not touched (its status is 'disputed' until the dispute ends). An order
    shipped before windows existed gets its window computed here first. Returns the completed orders.
    """
    now = utc(now)
    candidates = list(session.scalars(
        select(Order.id).where(Order.status.in_(IN_TRANSIT),
                               or_(Order.protection_ends_at < now, Order.protection_ends_at.is_(None)))
        .order_by(Order.id)
    ))
    session.commit()
    done = []
    for order_id in candidates:
        locked = lock_order(session, order_id)
        if locked.status not in IN_TRANSIT:
            session.commit()  # confirmed or disputed meanwhile
            continue
        if locked.protection_ends_at is None and locked.shipped_at is not None:
            locked.protection_ends_at = protection_end(locked)
        if locked.protection_ends_at is None or utc(locked.protection_ends_at) > now:
            session.commit()
            continue
        transition(session, locked, "completed", actor="system", note="protection window ended", now=now)
        session.commit()
        done.append(locked)
    return done
