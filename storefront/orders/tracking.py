"""Recording a shipped parcel's scans, from polling the carrier (`flask orders tick`) or its webhook, once
each; the carrier's delivered scan makes a shipped order delivered."""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ..core.errors import NotFound
from ..shipping.carriers import normalize_tracking_number
from ..shipping.tracking import CarrierAdapter, Shipment, TrackingPush, TrackingUpdate
from .fulfilment import _lock, _tell_buyer, as_utc
from .models import Order, TrackingEvent
from .services import transition

log = logging.getLogger(__name__)

BATCH = 200  # orders read per query while polling
WEBHOOK = "webhook"  # the source (and actor) of scans a carrier pushed


@dataclass(frozen=True)
class Recorded:
    """What recording a batch of scans did: how many were new, and whether the order became delivered."""

    added: int
    delivered: bool


def shipment_of(order: Order) -> Shipment:
    """The parcel of a shipped order, as a carrier adapter sees it."""
    address = order.checkout.address or {}
    return Shipment(carrier=order.carrier or "", tracking_number=order.tracking_number or "",
                    shipped_at=as_utc(order.shipped_at), origin=order.ships_from, destination=order.checkout.country,
                    method=order.shipping_method, destination_city=str(address.get("city") or ""),
                    delivery_earliest=order.delivery_earliest and as_utc(order.delivery_earliest),
                    delivery_latest=order.delivery_latest and as_utc(order.delivery_latest))


def record_updates(session: Session, order: Order, updates: Iterable[TrackingUpdate], *, source: str,
                   now: datetime) -> Recorded:
    """Record the scans not recorded yet (by external_id) for a shipped order. Commits.

    A new delivered scan moves a shipped order to delivered (actor `source`), with delivered_at
    the scan's time; on a disputed order it sets delivered_at (evidence for the dispute) without
    changing the status. Scans for an order that never shipped are ignored.
    """
    now = as_utc(now)
    locked = _lock(session, order)
    if locked.shipped_at is None:
        session.rollback()
        log.warning("scans for order %s ignored: it has not shipped (%s)", locked.number, locked.status)
        return Recorded(0, False)
    seen = set(session.scalars(select(TrackingEvent.external_id).where(TrackingEvent.order_id == locked.id)))
    new: list[TrackingUpdate] = []
    for update in sorted(updates, key=lambda u: as_utc(u.at)):
        if update.external_id not in seen:
            seen.add(update.external_id)
            new.append(update)
    for update in new:
        session.add(TrackingEvent(order_id=locked.id, code=update.code, at=as_utc(update.at),
                                  location=update.location[:80], country=update.country, source=source[:20],
                                  external_id=update.external_id, recorded_at=now))
    delivered_scans = [as_utc(u.at) for u in new if u.code == "delivered"]
    became_delivered = False
    if delivered_scans and locked.status in ("shipped", "disputed"):
        # Never later than we heard of it: a carrier's clock running ahead must not date it in the future.
        if locked.delivered_at is None:
            locked.delivered_at = min(delivered_scans[0], now)
        if locked.status == "shipped":
            transition(session, locked, "delivered", actor=source, now=now)
            became_delivered = True
            _tell_buyer(session, "order_delivered", locked.id)  # confirm receipt, or dispute
    session.commit()
    if new:
        log.info("order %s: %d new scans from %s%s", locked.number, len(new), source,
                 ", delivered" if became_delivered else "")
    return Recorded(len(new), became_delivered)


def order_for_tracking(session: Session, carrier: str, tracking_number: str) -> Order:
    """The shipped order with this carrier and tracking number (the latest, should a number be reused).

    :raises NotFound: when there is none.
    """
    order = session.scalar(
        select(Order).where(Order.carrier == carrier,
                            Order.tracking_number == normalize_tracking_number(tracking_number),
                            Order.shipped_at.is_not(None))
        .order_by(Order.id.desc()).limit(1)
    )
    if order is None:
        raise NotFound(f"{carrier} {tracking_number}")
    return order


def receive_push(session: Session, push: TrackingPush, *, now: datetime) -> tuple[Order, Recorded]:
    """Record the scans a carrier pushed (already verified) on their order. Commits.

    :raises NotFound: no shipped order has that carrier and tracking number; nothing is written.
    """
    order = order_for_tracking(session, push.carrier, push.tracking_number)
    return order, record_updates(session, order, push.updates, source=WEBHOOK, now=now)


def poll_shipments(session: Session, adapter: CarrierAdapter, now: datetime) -> list[Order]:
    """Ask the carrier for new scans of every parcel on its way, record them; returns the orders that
    became delivered (for the caller to email). Commits per order.

    Run by `flask orders tick`; `now` is injected so tests can move time. Orders in transit are
    the shipped ones and the disputed ones the carrier has not delivered yet. An order whose
    carrier fails, or whose recording fails, is logged and left for the next tick; the rest go on.
    """
    now = as_utc(now)
    in_transit = and_(Order.shipped_at.is_not(None), Order.tracking_number.is_not(None),
                      or_(Order.status == "shipped", and_(Order.status == "disputed", Order.delivered_at.is_(None))))
    delivered: list[Order] = []
    last_id = 0
    while True:
        ids = list(session.scalars(select(Order.id).where(in_transit, Order.id > last_id)
                                   .order_by(Order.id).limit(BATCH)))
        session.commit()
        if not ids:
            return delivered
        last_id = ids[-1]
        for order_id in ids:
            order = session.get(Order, order_id)
            try:
                known = {e.external_id for e in order.tracking_events}
                fresh = [u for u in adapter.updates(shipment_of(order), now) if u.external_id not in known]
                if fresh and record_updates(session, order, fresh, source=adapter.name, now=now).delivered:
                    delivered.append(order)
            except Exception:  # one parcel's trouble (carrier down, bad data) never stops the others
                session.rollback()
                log.exception("tracking order id %s failed, will retry on the next tick", order_id)
