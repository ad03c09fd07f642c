"""Folding feedback.py's completed demo orders into the demo history, without counting anything twice.

feedback.py writes completed orders with their reviews and status history straight into the tables (fast,
for ratings). Here they get what the real services would also have written for them: the checkout's USD
rate, its card payment (and the sandbox's record of it), each order's handling deadline, carrier and
tracking number, promised delivery window, delivery and completion stamps, protection window and payout;
inside the history's period, the events of the visit that placed them and of their life (payment,
order_* changes, review). Their reviews stay the ones feedback.py wrote: none is added. Emails move from
the single shared demo address to the history's buyers, so repeat purchases mean something.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from ..checkout.services import usd_rate
from ..currency.services import Rates
from ..core.events import system_context, system_event_data
from ..orders.models import Checkout, Order, OrderEvent, OrderLine, TrackingEvent
from ..orders.protection import protection_end
from ..payments.models import Payment, Payout
from ..payments.testgateway.models import SandboxSession
from ..reviews.models import Review
from ..sellers.models import Offer, Seller, Variant
from ..shipping.services import delivery_window
from ..shipping.simulated import lane_transit, simulated_schedule
from ..shipping.tracking import Shipment
from .feedback import DEMO_KEY, HISTORY, STEPS
from .history_outcomes import (
    CARRIERS_FROM,
    OTHER_CARRIERS,
    TICK,
    handling_deadline,
    midnight,
    pick,
    seller_profile,
    token,
)
from .history_writer import CARD_ENDINGS, insert_events, return_url, tracking_values


def as_utc(moment: datetime | None) -> datetime | None:
    """A stored time with its zone (SQLite returns them naive, in UTC)."""
    return moment.replace(tzinfo=timezone.utc) if moment is not None and moment.tzinfo is None else moment


def feedback_per_day(session: Session, end: datetime) -> tuple[float, datetime]:
    """feedback.py's checkouts (not folded in yet) placed per day, and when its placements stop.

    It completes its orders evenly over the HISTORY days before it ran (`end`), the last ones two days
    before; each was placed STEPS' completion hours before it completed. The demo shopper's own two
    orders are not counted.
    """
    paid = select(Payment.id).where(Payment.checkout_id == Checkout.id).exists()
    count = session.scalar(select(func.count(Checkout.id)).where(
        Checkout.idempotency_key.like(DEMO_KEY + "%"), Checkout.user_id.is_(None), ~paid))
    return count / (HISTORY - 2), end - timedelta(days=2, hours=STEPS[-1][2])


def fold_in_feedback(session: Session, writer, catalog, buyers, *, start: datetime, end: datetime, rates: Rates,
                     seed: str) -> int:
    """Complete feedback.py's demo orders as the services would have; events only for [start, end].

    Reads plain rows (thousands of orders: no ORM objects needed) and writes in bulk. Returns how many
    checkouts were folded in.
    """
    paid = select(Payment.id).where(Payment.checkout_id == Checkout.id).exists()
    checkouts = [SimpleNamespace(**row._mapping, orders=[]) for row in session.execute(
        select(Checkout.id, Checkout.reference, Checkout.created_at, Checkout.locale, Checkout.country,
               Checkout.currency, Checkout.total, Checkout.user_id)
        .where(Checkout.idempotency_key.like(DEMO_KEY + "%"), ~paid).order_by(Checkout.id))]  # not folded in yet
    if not checkouts:
        return 0
    by_id = {c.id: c for c in checkouts}
    orders = {}
    for row in session.execute(
            select(Order.id, Order.checkout_id, Order.number, Order.seller_id, Order.user_id, Order.status,
                   Order.total, Order.refunded_total, Order.currency, Order.ships_from, Order.shipping_method,
                   Order.paid_at, Order.shipped_at).where(Order.checkout_id.in_(by_id)).order_by(Order.id)):
        order = SimpleNamespace(**row._mapping, checkout=by_id[row.checkout_id], lines=[], events=[])
        order.checkout.orders.append(order)
        orders[order.id] = order
    for row in session.execute(select(OrderLine.order_id, OrderLine.variant_id, OrderLine.product_id,
                                      OrderLine.quantity).where(OrderLine.order_id.in_(orders)).order_by(OrderLine.id)):
        orders[row.order_id].lines.append(row)
    for row in session.execute(select(OrderEvent.id, OrderEvent.order_id, OrderEvent.from_status,
                                      OrderEvent.to_status, OrderEvent.actor, OrderEvent.at)
                               .where(OrderEvent.order_id.in_(orders)).order_by(OrderEvent.id)):
        orders[row.order_id].events.append(SimpleNamespace(**row._mapping))
    handles = dict(session.execute(select(Seller.id, Seller.handle)).all())
    handling = dict(session.execute(select(Variant.id, Offer.handling_days).join(Offer, Variant.offer_id == Offer.id))
                    .all())
    reviews_of: dict[int, list] = {}
    for order_id, product_id, rating, created in session.execute(
            select(Review.order_id, Review.product_id, Review.rating, Review.created_at)
            .where(Review.order_id.in_(orders))):
        reviews_of.setdefault(order_id, []).append((product_id, rating, as_utc(created)))
    checkout_rows, order_rows, moved, scans, payments, sandboxes, payouts, events = [], [], [], [], [], [], [], []
    for checkout in checkouts:
        rnd = random.Random(f"history:{seed}:{checkout.reference}")
        placed = as_utc(checkout.created_at)
        buyer = buyers.next(checkout.locale) if checkout.user_id is None else None
        checkout_rows.append({"id": checkout.id, "usd_rate": usd_rate(rates, checkout.currency),
                              **({"email": buyer.email} if buyer else {})})
        paid = min(as_utc(o.paid_at) for o in checkout.orders)
        payment = {"reference": "pay_" + token(rnd, 24), "checkout_id": checkout.id, "gateway": "test",
                   "amount": checkout.total, "currency": checkout.currency, "status": "succeeded",
                   "provider_ref": "tgs_" + token(rnd, 43), "failure_reason": "",
                   "created_at": paid - timedelta(minutes=rnd.uniform(1, 4)), "updated_at": paid}
        payments.append(payment)
        sandboxes.append({"token": payment["provider_ref"], "reference": payment["reference"],
                          "amount": checkout.total, "currency": checkout.currency,
                          "description": f"Order {checkout.reference}", "return_url": return_url(checkout.locale),
                          "cancel_url": return_url(checkout.locale),
                          "webhook_url": "http://127.0.0.1:5000/payments/webhook/test", "locale": checkout.locale,
                          "status": "succeeded", "refunded_amount": Decimal(0), "created_at": payment["created_at"],
                          "completed_at": paid, "card_last4": CARD_ENDINGS["succeeded"], "card_brand": "visa"})
        if start <= paid <= end:
            events.append(_system_row("payment_succeeded", paid, checkout=checkout, method="test", reason=""))
        for order in checkout.orders:
            row, life = _complete_order(rnd, order, checkout, placed, handling, buyer,
                                        seller_profile(handles[order.seller_id])[0])
            order_rows.append(row)
            moved += [{"id": e.id, "at": e.at} for e in order.events if e.to_status in ("shipped", "delivered")]
            scans += [{**scan, "order_id": order.id} for scan in order.tracking]
            if order.status == "completed":
                payouts.append({"order_id": order.id, "seller_id": order.seller_id,
                                "amount": order.total - order.refunded_total, "currency": order.currency,
                                "status": "due", "due_at": row["completed_at"]})
            events += [e for e in life if start <= e["at"] <= end]
            events += [_system_row("review_posted", created, order=order, product_id=product_id, rating=rating)
                       for product_id, rating, created in reviews_of.get(order.id, []) if start <= created <= end]
        if start <= placed <= end:
            events += _placing_visit(rnd, catalog, checkout, placed)
    session.execute(update(Checkout), checkout_rows)
    session.execute(update(Order), order_rows)
    session.execute(update(OrderEvent), moved)
    if scans:
        session.execute(insert(TrackingEvent), scans)
    session.execute(insert(Payment), payments)
    session.execute(insert(SandboxSession), sandboxes)
    if payouts:
        session.execute(insert(Payout), payouts)
    events.sort(key=lambda e: e["at"])
    insert_events(session, events)
    writer.counts["feedback_checkouts"] += len(checkouts)
    writer.counts["events"] += len(events)
    return len(checkouts)


def _system_row(kind: str, at: datetime, *, order=None, checkout=None, **data) -> dict:
    """An events row exactly as record_system_event would add it."""
    return {"kind": kind, "at": at, **system_context(order, checkout),
            "data": system_event_data(order, checkout, **data)}


def _complete_order(rnd: random.Random, order, checkout, placed: datetime, handling: dict, buyer,
                    reliability: float) -> tuple[dict, list[dict]]:
    """The columns the services would have set on a feedback order, and the order_* events of its history."""
    days = max([handling.get(line.variant_id, 3) for line in order.lines] or [3])
    paid, shipped = as_utc(order.paid_at), as_utc(order.shipped_at)
    ship_by = handling_deadline(paid, days)
    if shipped > ship_by and rnd.random() < reliability:
        # feedback.py ships every order 50 hours after placing; a reliable seller met a shorter deadline
        shipped = paid + (ship_by - paid) * rnd.uniform(0.3, 0.95)
    carrier = pick(rnd, CARRIERS_FROM.get(order.ships_from, OTHER_CARRIERS))
    tracking = f"{carrier[:2].upper()}{rnd.randrange(10**11, 10**12)}{order.ships_from}"
    shipment = Shipment(carrier=carrier, tracking_number=tracking, shipped_at=shipped, origin=order.ships_from,
                        destination=checkout.country, method=order.shipping_method)
    earliest, latest = delivery_window(placed.date(), days, lane_transit(shipment))
    # feedback.py delivers every parcel 400 hours after placing; the carrier's story gives each lane its time
    scans = simulated_schedule(shipment)
    delivered = scans[-1].at
    completed = next((as_utc(e.at) for e in order.events if e.to_status == "completed"), None)
    told = delivered + TICK * rnd.random()
    moved = completed is not None and told < completed - timedelta(hours=1)
    for event in order.events:
        event.at = as_utc(event.at)
        if event.to_status == "shipped":
            event.at = shipped
        elif event.to_status == "delivered" and moved:
            event.at = told
    at = {e.to_status: e.at for e in order.events}
    order.tracking = tracking_values(scans, completed) if moved else []
    row = {"id": order.id, "ship_by": ship_by, "shipped_at": shipped, "carrier": carrier, "tracking_number": tracking,
           "delivery_earliest": midnight(earliest), "delivery_latest": midnight(latest),
           "delivered_at": delivered if moved else at.get("delivered"), "completed_at": at.get("completed")}
    if buyer is not None:
        row["email"] = buyer.email
    row["protection_ends_at"] = protection_end(SimpleNamespace(
        number=order.number, shipped_at=shipped, delivery_latest=row["delivery_latest"],
        shipping_method=order.shipping_method, ships_from=order.ships_from, checkout=checkout))
    life = [_system_row(f"order_{e.to_status}", e.at, order=order, seller_id=order.seller_id,
                        **{"from": e.from_status}, actor=e.actor)
            for e in order.events if e.from_status is not None]
    return row, life


def _placing_visit(rnd: random.Random, catalog, checkout, placed: datetime) -> list[dict]:
    """The visit that placed a feedback checkout: it viewed the product, carted it, checked out and placed."""
    from .history import new_visit

    visit = new_visit(rnd, placed, locale=checkout.locale, country=checkout.country, currency=checkout.currency)
    visit.user_id = checkout.user_id
    line = checkout.orders[0].lines[0]
    product = catalog.by_id.get(line.product_id)
    visit.record("session_start", path="catalog.product" if product is not None else "catalog.home")
    for order in checkout.orders:
        for ordered in order.lines:
            visit.record("product_view", rnd=rnd, product_id=ordered.product_id)
            visit.record("add_to_cart", rnd=rnd, variant_id=ordered.variant_id, quantity=ordered.quantity)
    visit.record("checkout_start", (20, 90), rnd)
    visit.record("order_placed", (60, 400), rnd, checkout=checkout.reference, orders=len(checkout.orders),
                 total=str(checkout.total), currency=checkout.currency)
    shift = placed - visit.events[-1][1]  # the visit ends exactly when the checkout was placed
    visit.events = [(kind, at + shift, data) for kind, at, data in visit.events]
    return visit.rows()
