"""Fulfilment after the sale: a seller ships a paid order by its handling deadline, or cancels it and the
buyer gets all the money back; `flask orders tick` cancels what was not shipped in time."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session, selectinload

from ..core.effects import before_commit
from ..core.errors import DomainError, FieldError, NotFound
from ..core.money import Money
from ..extensions import begin_write
from ..payments.gateway import PaymentGateway
from ..sellers.models import Offer, Variant
from ..shipping.carriers import CARRIERS, carrier_name, normalize_tracking_number, valid_tracking_number
from ..shipping.services import add_business_days
from .refunds import refund_order
from .models import Order
from .services import STATES, IllegalTransition, restore_stock, transition

log = logging.getLogger(__name__)

DEFAULT_HANDLING_DAYS = 3  # an offer's default, for lines whose variant has since been deleted
CANCEL_REASONS = ("out_of_stock", "cannot_ship_to_address", "buyer_asked", "pricing_error", "other")
OVERDUE = "not_shipped_in_time"  # the reason given when the deadline cancels an order
NOTE_MAX = 300
# A cancellation claims its order while the provider refunds; a claim this old was abandoned (a crash).
CLAIM_TIMEOUT = timedelta(minutes=10)
LOW_STOCK = 3
# A buyer's request to cancel a paid order is accepted when the seller has not answered (shipped or
# accepted) within this time.
CANCEL_REQUEST_ANSWER_WITHIN = timedelta(days=2)
BUYER_ASKED = "buyer_asked"


class InvalidShipment(FieldError):
    """Shipping details broke a rule: `field` is the form field, `code` the rule ('unknown', 'format')."""


class InvalidCancellation(FieldError):
    """A cancellation broke a rule: `field` is the form field, `code` the rule ('unknown', 'required', 'too_long')."""


class CancelRequestRefused(DomainError):
    """A cancel request that cannot be made or answered: `reason` is 'already_requested' or 'not_requested'."""

    def __init__(self, number: str, reason: str) -> None:
        super().__init__(f"{number}: {reason}")
        self.reason = reason


class OrderBusy(DomainError):
    """The order is being cancelled: its refund is with the payment provider right now."""


@dataclass(frozen=True)
class Cancellation:
    """A cancelled order and what went back to the buyer."""

    order: Order
    refunded: Money
    reason: str
    note: str


def as_utc(moment: datetime) -> datetime:
    """`moment` with its time zone: SQLite gives stored times back without one, and they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def handling_days(order: Order) -> int:
    """Business days the seller has to ship: the slowest of the order's offers, at least one."""
    session = object_session(order)
    variant_ids = sorted({line.variant_id for line in order.lines if line.variant_id is not None})
    days: list[int] = []
    if variant_ids and session is not None:
        days = list(session.scalars(select(Offer.handling_days).join(Variant, Variant.offer_id == Offer.id)
                                    .where(Variant.id.in_(variant_ids))))
    return max(max(days, default=DEFAULT_HANDLING_DAYS), 1)


def handling_deadline(order: Order) -> datetime:
    """When a paid order must have shipped: paid_at plus its handling days, counted in business days
    (Saturday and Sunday skipped), at the time of day it was paid (UTC).

    :raises ValueError: the order has not been paid.
    """
    if order.paid_at is None:
        raise ValueError(f"{order.number} has not been paid")
    paid = as_utc(order.paid_at)
    return datetime.combine(add_business_days(paid.date(), handling_days(order)), paid.timetz())


def is_overdue(order: Order, now: datetime) -> bool:
    """True when a paid order is past its handling deadline."""
    return order.status == "paid" and order.ship_by is not None and as_utc(order.ship_by) < as_utc(now)


# --- reading: what the seller center shows (always scoped to one seller) ---------------------------

def order_for_seller(session: Session, seller_id: int, number: str) -> Order:
    """One of this seller's orders, with its lines, checkout and history loaded.

    :raises NotFound: no such order, or another seller's (the same answer, so numbers leak nothing).
    """
    order = session.scalar(
        select(Order).where(Order.number == number, Order.seller_id == seller_id)
        .options(selectinload(Order.lines), selectinload(Order.checkout), selectinload(Order.events))
    )
    if order is None:
        raise NotFound(number)
    return order


def orders_to_ship(session: Session, seller_id: int, limit: int = 50) -> list[Order]:
    """Paid orders waiting for shipment, the nearest deadline (so the overdue ones) first."""
    return list(session.scalars(
        select(Order).where(Order.seller_id == seller_id, Order.status == "paid")
        .order_by(Order.ship_by.is_(None), Order.ship_by, Order.id).limit(limit)
        .options(selectinload(Order.lines))
    ))


def seller_orders(session: Session, seller_id: int, *, status: str | None = None, page: int = 1,
                  per_page: int = 30) -> tuple[list[Order], bool]:
    """A page of this seller's orders, optionally of one status, and whether there are more.

    Orders to ship come by deadline; every other list newest first.
    """
    query = select(Order).where(Order.seller_id == seller_id).options(selectinload(Order.lines))
    if status in STATES:
        query = query.where(Order.status == status)
    if status == "paid":
        query = query.order_by(Order.ship_by.is_(None), Order.ship_by, Order.id)
    else:
        query = query.order_by(Order.id.desc())
    page = max(page, 1)
    rows = list(session.scalars(query.offset((page - 1) * per_page).limit(per_page + 1)))
    return rows[:per_page], len(rows) > per_page


def status_counts(session: Session, seller_id: int) -> dict[str, int]:
    """How many of this seller's orders are in each status (every status present, zero or more)."""
    counts = dict.fromkeys(STATES, 0)
    for status, count in session.execute(
        select(Order.status, func.count(Order.id)).where(Order.seller_id == seller_id).group_by(Order.status)
    ):
        counts[status] = count
    return counts


def low_stock(session: Session, seller_id: int, threshold: int = LOW_STOCK, limit: int = 50) -> list[Variant]:
    """This seller's variants with `threshold` units or fewer left, the emptiest first."""
    return list(session.scalars(
        select(Variant).where(Variant.seller_id == seller_id, Variant.stock <= threshold)
        .order_by(Variant.stock, Variant.sku).limit(limit)
        .options(selectinload(Variant.offer).selectinload(Offer.product))
    ))


# --- the rules on what a seller enters (forms show every broken rule at once, services refuse the first)

def shipment_problems(carrier: str, tracking_number: str) -> list[tuple[str, str]]:
    """Every rule a carrier and tracking number break, as (field, code) pairs; empty when they are fine."""
    problems = []
    if carrier not in CARRIERS:
        problems.append(("carrier", "unknown"))
    if not valid_tracking_number(normalize_tracking_number(tracking_number)):
        problems.append(("tracking_number", "format"))
    return problems


def cancellation_problems(reason: str, note: str, *, actor: str = "") -> list[tuple[str, str]]:
    """Every rule a cancellation's reason and note break, as (field, code) pairs; empty when they are fine.

    Only the system cancels for a missed deadline; a seller picks one of CANCEL_REASONS.
    """
    note = " ".join((note or "").split())
    problems = []
    if reason not in CANCEL_REASONS and not (reason == OVERDUE and actor == "system"):
        problems.append(("reason", "unknown"))
    if reason == "other" and not note:
        problems.append(("note", "required"))
    if len(note) > NOTE_MAX:
        problems.append(("note", "too_long"))
    return problems


# --- writing: ship, cancel, and the deadline timer --------------------------------------------------

def _tell_buyer(session: Session, mail: str, order_id: int, *args) -> None:
    """Queue an email to the buyer (orders/notifications): written to the mail outbox as this transaction
    commits (from its final state), sent by the mail job after."""
    before_commit(session, _send, session, mail, order_id, *args)


def _send(session: Session, mail: str, order_id: int, *args) -> None:
    from . import notifications  # it builds on this module (reasons, Cancellation)

    order = session.get(Order, order_id)
    if mail == "order_cancelled":
        refunded, reason, note = args
        notifications.order_cancelled(Cancellation(order=order, refunded=refunded, reason=reason, note=note))
    else:
        getattr(notifications, mail)(order)


def _lock(session: Session, order: Order) -> Order:
    """Begin a write and lock the order's row, reading it afresh."""
    order_id = order.id
    begin_write(session)
    return session.scalar(select(Order).where(Order.id == order_id).with_for_update()
                          .execution_options(populate_existing=True))


def mark_shipped(session: Session, order: Order, *, carrier: str, tracking_number: str, actor: str,
                 now: datetime) -> None:
    """Record that a paid order left with `carrier` under `tracking_number`; it becomes shipped. Commits.

    The tracking number is stored normalized: upper case, without spaces.

    :raises IllegalTransition: the order is not paid (awaiting payment, shipped already, cancelled...).
    :raises OrderBusy: it is being cancelled (or a cancellation was interrupted: its refund is unsure).
    :raises InvalidShipment: an unknown carrier, or a tracking number that is not 6-40 of A-Z, 0-9, '-'.
    Nothing changes when it raises.
    """
    now = as_utc(now)
    tracking = normalize_tracking_number(tracking_number)
    locked = _lock(session, order)
    try:
        if locked.status != "paid":
            raise IllegalTransition(f"{locked.number}: {locked.status} -> shipped")
        if locked.cancelling_since is not None:
            raise OrderBusy(locked.number)
        problems = shipment_problems(carrier, tracking)
        if problems:
            raise InvalidShipment(*problems[0])
        locked.carrier, locked.tracking_number, locked.shipped_at = carrier, tracking, now
        from .protection import protection_end  # the buyer's protection window starts at shipment

        locked.protection_ends_at = protection_end(locked)
        transition(session, locked, "shipped", actor=actor, note=f"{carrier_name(carrier)} {tracking}", now=now)
        _tell_buyer(session, "order_shipped", locked.id)  # with the carrier and tracking number
    except DomainError:
        session.rollback()
        raise
    session.commit()


def cancel_by_seller(session: Session, gateway: PaymentGateway, order: Order, *, reason: str, note: str = "",
                     actor: str, now: datetime) -> Cancellation:
    """Cancel a paid order: refund the buyer everything not yet refunded, restock, end as cancelled.

    One operation in three steps. The order is claimed first (committed), so it cannot ship while
    the provider works and no second cancellation refunds it again. Then the provider refunds; only
    once it agreed do the refund record, the restocked units and the cancelled status commit, in one
    transaction. If the provider refuses or is down, the claim is released and the order is exactly
    as before. Commits.

    :raises IllegalTransition: the order is not paid.
    :raises OrderBusy: another cancellation of it is waiting for the provider.
    :raises InvalidCancellation: see cancellation_problems(); nothing is refunded then.
    :raises PaymentError: the provider refused or did not answer; nothing changed.
    :raises InvalidInput: no successful payment is on record for it; nothing changed.
    """
    now = as_utc(now)
    note = " ".join((note or "").split())
    locked = _lock(session, order)
    try:
        if locked.status != "paid":
            raise IllegalTransition(f"{locked.number}: {locked.status} -> cancelled")
        if locked.cancelling_since is not None and now - as_utc(locked.cancelling_since) < CLAIM_TIMEOUT:
            raise OrderBusy(locked.number)
        problems = cancellation_problems(reason, note, actor=actor)
        if problems:
            raise InvalidCancellation(*problems[0])
    except DomainError:
        session.rollback()
        raise
    locked.cancelling_since, locked.cancel_reason = now, reason
    amount, currency, number = locked.total - locked.refunded_total, locked.currency, locked.number
    session.commit()

    def close(session: Session, refunded: Order) -> None:
        # Runs in the refund's transaction. The claim keeps the order paid meanwhile; should anything
        # else have moved it, the refund is still recorded rather than lost with a failed transition.
        if refunded.status != "paid":
            log.error("order %s refunded for cancellation but is %s now", refunded.number, refunded.status)
            return
        restore_stock(session, refunded)
        refunded.cancelling_since = None
        transition(session, refunded, "cancelled", actor=actor, note=note or reason.replace("_", " "), now=now)
        _tell_buyer(session, "order_cancelled", refunded.id, Money(amount, currency), reason, note)

    try:
        refund_order(session, gateway, locked, amount, reason=f"order cancelled: {reason}", on_full_refund=close)
    except DomainError:
        session.rollback()
        released = _lock(session, locked)
        if released.status == "paid":
            released.cancelling_since, released.cancel_reason = None, None
        session.commit()
        raise
    log.info("order %s cancelled by %s (%s), %s %s refunded", number, actor, reason, amount, currency)
    return Cancellation(order=locked, refunded=Money(amount, currency), reason=reason, note=note)


def request_cancel(session: Session, order: Order, *, now: datetime) -> Order:
    """The buyer asks to cancel a paid order that has not shipped. Commits.

    The seller then accepts (accept_cancel_request: refund and restock) or ships it, which declines the
    request; a request left unanswered for CANCEL_REQUEST_ANSWER_WITHIN is accepted by `orders tick`.

    :raises IllegalTransition: the order is not paid (not paid yet, shipped, cancelled...).
    :raises CancelRequestRefused: asked already ('already_requested').
    :raises OrderBusy: the seller is cancelling it right now.
    Nothing changes when it raises.
    """
    locked = _lock(session, order)
    try:
        if locked.status != "paid":
            raise IllegalTransition(f"{locked.number}: {locked.status} -> cancel request")
        if locked.cancelling_since is not None:
            raise OrderBusy(locked.number)
        if locked.cancel_requested_at is not None:
            raise CancelRequestRefused(locked.number, "already_requested")
    except DomainError:
        session.rollback()
        raise
    locked.cancel_requested_at = as_utc(now)
    session.commit()
    return locked


def accept_cancel_request(session: Session, gateway: PaymentGateway, order: Order, *, actor: str,
                          now: datetime) -> Cancellation:
    """Accept the buyer's request to cancel: the seller's cancellation (refund in full, restock) with the
    reason "the buyer asked". Commits.

    :raises CancelRequestRefused: the buyer has not asked ('not_requested').
    :raises: the same as cancel_by_seller (IllegalTransition once shipped, OrderBusy, PaymentError...).
    """
    if order.status == "paid" and order.cancel_requested_at is None:
        raise CancelRequestRefused(order.number, "not_requested")
    return cancel_by_seller(session, gateway, order, reason=BUYER_ASKED, actor=actor, now=now)


def accept_unanswered_cancel_requests(session: Session, gateway: PaymentGateway, now: datetime) -> list[Cancellation]:
    """Accept (refund and restock) every cancel request of a paid order left unanswered for
    CANCEL_REQUEST_ANSWER_WITHIN. Run by `flask orders tick`; an order the provider cannot refund now
    stays for the next tick.
    """
    now = as_utc(now)
    due = list(session.scalars(select(Order.id).where(Order.status == "paid", Order.cancel_requested_at.is_not(None),
                                                      Order.cancel_requested_at <= now - CANCEL_REQUEST_ANSWER_WITHIN)
                               .order_by(Order.cancel_requested_at, Order.id)))
    session.commit()
    done = []
    for order_id in due:
        order = session.get(Order, order_id)
        try:
            done.append(cancel_by_seller(session, gateway, order, reason=BUYER_ASKED, actor="system",
                                         note="", now=now))
        except DomainError as exc:
            session.rollback()
            log.warning("cancel request of order %s not accepted yet, will retry: %s", order.number, exc)
    return done


def cancel_overdue(session: Session, gateway: PaymentGateway, now: datetime) -> list[Cancellation]:
    """Cancel and refund every paid order past its handling deadline (actor "system"). Commits each.

    Run by `flask orders tick`; `now` is injected so tests can move time. An order the provider
    cannot refund now, or that another cancellation holds, stays as it is for the next tick.
    """
    now = as_utc(now)
    due = list(session.scalars(select(Order.id).where(Order.status == "paid", Order.ship_by < now)
                               .order_by(Order.ship_by, Order.id)))
    session.commit()
    done = []
    for order_id in due:
        order = session.get(Order, order_id)
        try:
            done.append(cancel_by_seller(session, gateway, order, reason=OVERDUE, actor="system", now=now))
        except DomainError as exc:
            session.rollback()
            log.warning("overdue order %s not cancelled, will retry: %s", order.number, exc)
    return done
