"""Writing the demo history through the shop's own rules: what each step of history_outcomes does to the rows.

Checkouts, orders and lines are built exactly as checkout.services.place_order builds them, from the
cart's own pricing; every status change goes through orders.services.transition() with the step's
historical time (so OrderEvents, order_* events, paid/delivered/completed stamps, handling deadlines and
payouts are the state machine's own); payment events come from payments.services.record_payment_event,
reviews post review_posted like reviews.services.write_review. What the shop could only learn from a
request (the visits' web events) is inserted in bulk. The caller commits.
"""
from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from ..checkout.services import package_tax_columns, usd_rate
from ..core.i18n import localized
from ..metrics.models import Event
from ..metrics.recording import record_system_event
from ..orders.models import Checkout, Dispute, DisputeMessage, Order, OrderEvent, OrderLine, TrackingEvent
from ..orders.protection import EXTENSION_DAYS, protection_end
from ..orders.services import transition
from ..payments.models import Payment, Refund
from ..payments.services import record_payment_event
from ..payments.testgateway.models import SandboxRefund, SandboxSession
from ..reviews.models import Review
from ..reviews.ratings import refresh_product_ratings
from ..reviews.services import short_name
from .history_outcomes import Step, midnight, token

EVENT_BATCH = 5000
CARD_ENDINGS = {"succeeded": "4242", "declined": "0002", "insufficient_funds": "9995",
                "authentication_failed": "3155", "processing_error": "0119"}


@dataclass
class Written:
    """A checkout's rows as they are being written."""

    checkout: Checkout
    orders: list[Order]
    plan: object
    payment: Payment | None = None
    sandbox: SandboxSession | None = None
    disputes: dict[int, Dispute] = field(default_factory=dict)


def event_rows(visits) -> list[dict]:
    """The events table rows of many visits."""
    return [row for visit in visits for row in visit.rows()]


EVENT_COLUMNS = ("kind", "at", "session_id", "user_id", "locale", "country", "currency", "device", "data")


def insert_events(session: Session, rows: list[dict]) -> None:
    """Insert event rows in batches (web events: no request is there to record them).

    Millions of rows at benchmark scale: on SQLite the driver gets them directly, times made by the
    column type's own bind processing and data encoded as the engine's JSON serializer does (json.dumps
    with ensure_ascii=False, see create_app), so they read back exactly as any other row.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        for start in range(0, len(rows), EVENT_BATCH):
            session.execute(Event.__table__.insert(), rows[start:start + EVENT_BATCH])
        return
    dialect, columns = connection.dialect, Event.__table__.c
    stamp = columns.at.type.dialect_impl(dialect).bind_processor(dialect)
    encode = json.JSONEncoder(ensure_ascii=False).encode
    cursor = connection.connection.driver_connection.cursor()
    sql = f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES ({', '.join('?' * len(EVENT_COLUMNS))})"
    for start in range(0, len(rows), EVENT_BATCH):
        cursor.executemany(sql, [(r["kind"], stamp(r["at"]), r["session_id"], r["user_id"], r["locale"],
                                  r["country"], r["currency"], r["device"], encode(r["data"]))
                                 for r in rows[start:start + EVENT_BATCH]])
    cursor.close()


def return_url(locale: str) -> str:
    """Where the sandbox sent the shopper back (the demo server's own address)."""
    return f"http://127.0.0.1:5000/{locale}/payments/return/test"


# --- the rows both writers write: one definition each --------------------------------------------------

def checkout_values(plan) -> dict:
    """A planned checkout's columns, as checkout.services.place_order fills them."""
    summary, visit = plan.summary, plan.visit
    return {"reference": plan.reference, "idempotency_key": plan.key, "user_id": None, "email": plan.buyer.email,
            "locale": visit.locale, "currency": visit.currency, "country": visit.country,
            "address": {"full_name": plan.buyer.name, "country": visit.country},
            "payment_method": plan.payment_method, "items_total": summary.items.amount,
            "shipping_total": summary.shipping.amount, "tax_total": summary.tax.amount,
            "total": summary.total.amount, "pay_by": plan.pay_by, "created_at": plan.placed,
            "usd_rate": usd_rate(plan.rates, visit.currency)}


def order_values(plan, i: int) -> dict:
    """The columns of a planned checkout's order `i` at placement (one order per seller package)."""
    pkg, visit = plan.summary.packages[i], plan.visit
    return {"number": plan.numbers[i], "seller_id": pkg.seller.id, "user_id": None, "email": plan.buyer.email,
            "status": "awaiting_payment", "currency": visit.currency, "items_total": pkg.items.amount,
            "shipping_total": pkg.method.cost.amount,
            **package_tax_columns(pkg), "total": pkg.total.amount, "refunded_total": Decimal(0),
            "shipping_method": pkg.method.method, "ships_from": pkg.offer_ships_from, "created_at": plan.placed,
            "updated_at": plan.placed, "delivery_earliest": midnight(pkg.method.earliest),
            "delivery_latest": midnight(pkg.method.latest), "protection_extended": False}


def line_values(plan, i: int) -> list[dict]:
    """The lines of order `i`, prices snapshotted as place_order does."""
    out = []
    for p in plan.summary.packages[i].lines:
        variant, product = p.variant, p.variant.offer.product
        out.append({"variant_id": variant.id, "product_id": product.id, "sku": variant.sku,
                    "title": localized(product.titles, plan.visit.locale)[0][:200], "options": dict(variant.options),
                    "quantity": p.line.quantity, "unit_price": variant.price, "price_currency": variant.currency,
                    "rate": (p.unit.amount / variant.price).quantize(Decimal("0.0000000001")),
                    "unit_price_paid": p.unit.amount, "line_total": p.total.amount})
    return out


def payment_values(attempt, plan) -> dict:
    """A payment attempt's row (without its checkout id)."""
    total = plan.summary.total
    return {"reference": attempt.reference, "gateway": attempt.gateway, "amount": total.amount,
            "currency": total.currency, "status": attempt.status, "provider_ref": attempt.provider_ref,
            "failure_reason": attempt.reason, "created_at": attempt.created, "updated_at": attempt.updated}


def sandbox_values(attempt, plan) -> dict:
    """The sandbox provider's own record of a card attempt (so refunds of demo orders work in the demo)."""
    total, locale, final = plan.summary.total, plan.visit.locale, attempt.status != "pending"
    return {"token": attempt.provider_ref, "reference": attempt.reference, "amount": total.amount,
            "currency": total.currency, "description": f"Order {plan.reference}", "return_url": return_url(locale),
            "cancel_url": return_url(locale), "webhook_url": "http://127.0.0.1:5000/payments/webhook/test",
            "locale": locale, "status": attempt.status if final else "open", "failure_reason": attempt.reason or None,
            "refunded_amount": Decimal(0), "created_at": attempt.created,
            "card_last4": CARD_ENDINGS[attempt.reason or "succeeded"] if final else None,
            "card_brand": "visa" if final else None, "completed_at": attempt.updated if final else None}


def refund_reference(number: str, amount: Decimal, at: datetime) -> str:
    """The provider's id for a refund ("re_…"), the same whichever writer records it."""
    return "re_" + token(random.Random(f"{number}:{amount}:{at.isoformat()}"), 24)


def dispute_values(data: dict, previous_status: str, at: datetime) -> dict:
    """A dispute's row when opened (without its order id), as orders.disputes.open_dispute writes it."""
    return {"reason": data["reason"], "status": "open", "requested": data["requested"],
            "requested_amount": data["amount"], "respond_by": data["respond_by"], "previous_status": previous_status,
            "opened_at": at}


def review_values(plan, data: dict, at: datetime, end: datetime) -> dict:
    """A review's columns (without line, order and product ids), as reviews.services.write_review fills them."""
    replied = data["replied_at"] is not None and data["replied_at"] <= end
    return {"user_id": None, "author_name": short_name(plan.buyer.name)[:60], "photos": [], "photo_count": 0,
            "created_at": at, "rating": data["rating"], "text": data["text"], "language": data["language"],
            "item_as_described": data["item_as_described"], "communication": data["communication"],
            "shipping_speed": data["shipping_speed"], "helpful_count": 0,
            "reply_text": data["reply_text"] if replied else None,
            "replied_at": data["replied_at"] if replied else None}


def tracking_values(scans, end: datetime) -> list[dict]:
    """The scans recorded by `end` (without their order id), as orders.tracking.record_updates keeps them."""
    return [{"code": scan.code, "at": scan.at, "location": scan.location, "country": scan.country,
             "source": "simulated", "external_id": scan.external_id, "recorded_at": scan.at}
            for scan in scans if scan.at <= end]


class DeferredFlush:
    """The writer's session as transition() sees it: the same session, whose flushes wait for the writer's
    one flush per batch (thousands of status changes, one flush a day of history). The rows are the same."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def flush(self) -> None:
        """Nothing yet: the writer flushes the batch."""

    def __getattr__(self, name: str):
        return getattr(self._session, name)


class ServiceWriter:
    """Writes planned checkouts through transition() and the services' own event helpers."""

    def __init__(self, session: Session, *, end: datetime) -> None:
        self.session, self.end = session, end
        self.deferred = DeferredFlush(session)
        self.counts: Counter = Counter()
        self.reviewed: set[int] = set()

    def write(self, visits, checkouts) -> None:
        """One batch of visits and the checkouts they placed, each with its whole story; one flush."""
        rows = event_rows(visits)
        insert_events(self.session, rows)
        self.counts["events"] += len(rows)
        self.counts["sessions"] += len(visits)
        written = [self._checkout(plan) for plan in checkouts]
        self.session.add_all(w.checkout for w in written)
        self.session.flush()  # ids for the rows that point at orders and lines
        with self.session.no_autoflush:
            for plan, rows_of in zip(checkouts, written):
                for step in plan.steps:
                    getattr(self, "_" + step.kind)(rows_of, step)
        self.counts["checkouts"] += len(checkouts)
        self.counts["orders"] += sum(len(w.orders) for w in written)
        self.session.flush()

    def finish(self) -> Counter:
        """Product ratings from the new reviews; returns what was written."""
        refresh_product_ratings(self.session, self.reviewed)
        return self.counts

    # --- placement: place_order's rows -----------------------------------------------------------

    def _checkout(self, plan) -> Written:
        checkout = Checkout(**checkout_values(plan))
        orders = []
        for i in range(len(plan.summary.packages)):
            order = Order(**order_values(plan, i), checkout=checkout)
            order.lines = [OrderLine(**values) for values in line_values(plan, i)]
            order.events.append(OrderEvent(from_status=None, to_status="awaiting_payment", actor="buyer",
                                           at=plan.placed))
            orders.append(order)
        return Written(checkout, orders, plan)

    def _move(self, order: Order, to: str, step: Step, actor: str, note: str = "") -> None:
        order.updated_at = step.at
        transition(self.deferred, order, to, actor=actor, note=note, now=step.at)

    # --- payment -------------------------------------------------------------------------------------

    def _payments(self, w: Written, step: Step) -> None:
        for attempt in step.data["attempts"]:
            payment = Payment(**payment_values(attempt, w.plan), checkout=w.checkout)
            self.session.add(payment)
            if attempt.status != "pending":
                record_payment_event(self.session, payment, at=attempt.updated)
            sandbox = SandboxSession(**sandbox_values(attempt, w.plan)) if attempt.gateway == "test" else None
            if sandbox is not None:
                self.session.add(sandbox)
            if attempt.status == "succeeded":
                w.payment, w.sandbox = payment, sandbox
            self.counts[f"payments_{attempt.status}"] += 1

    def _paid(self, w: Written, step: Step) -> None:
        self._move(w.orders[step.order], "paid", step, "payment")

    def _cancel_unpaid(self, w: Written, step: Step) -> None:
        self._move(w.orders[step.order], "cancelled", step, "system", "payment not received in time")

    def _refund(self, w: Written, order: Order, amount: Decimal, reason: str, at: datetime) -> None:
        """A refund through the checkout's payment, as refund_order records it (and the sandbox's side)."""
        ref = refund_reference(order.number, amount, at)
        if w.payment.id is None or (w.sandbox is not None and w.sandbox.id is None):
            self.session.flush()  # a refund soon after payment needs the payment's id
        self.session.add(Refund(payment_id=w.payment.id, order_id=order.id, amount=amount, currency=order.currency,
                                provider_ref=ref, reason=reason[:200], created_at=at))
        order.refunded_total = order.refunded_total + amount
        if w.sandbox is not None:
            w.sandbox.refunded_amount = w.sandbox.refunded_amount + amount
            self.session.add(SandboxRefund(id=ref, session_id=w.sandbox.id, amount=amount, created_at=at))
        self.counts["refunds"] += 1

    # --- fulfilment ------------------------------------------------------------------------------------

    def _cancel(self, w: Written, step: Step) -> None:
        order, data = w.orders[step.order], step.data
        self._refund(w, order, order.total - order.refunded_total, f"order cancelled: {data['reason']}", step.at)
        order.cancel_reason = data["reason"]
        self._move(order, "cancelled", step, data["actor"], data["note"])

    def _ship(self, w: Written, step: Step) -> None:
        order, data = w.orders[step.order], step.data
        order.carrier, order.tracking_number, order.shipped_at = data["carrier"], data["tracking"], step.at
        order.protection_ends_at = protection_end(order)
        self._move(order, "shipped", step, data["actor"], data["note"])

    def _scans(self, w: Written, step: Step) -> None:
        order = w.orders[step.order]
        self.session.add_all(TrackingEvent(order_id=order.id, **values)
                             for values in tracking_values(step.data["scans"], self.end))

    def _extend(self, w: Written, step: Step) -> None:
        order = w.orders[step.order]  # as protection.extend_protection does
        order.protection_ends_at += timedelta(days=EXTENSION_DAYS)
        order.protection_extended = True
        order.updated_at = step.at

    def _deliver(self, w: Written, step: Step) -> None:
        order = w.orders[step.order]  # as orders.tracking.record_updates does
        if order.status not in ("shipped", "disputed"):
            return
        if order.delivered_at is None:
            order.delivered_at, order.updated_at = step.data["delivered_at"], step.at
        if order.status == "shipped":  # a disputed parcel's scan is evidence only
            self._move(order, "delivered", step, "simulated")

    def _complete(self, w: Written, step: Step) -> None:
        self._move(w.orders[step.order], "completed", step, step.data["actor"], step.data["note"])

    # --- disputes and reviews ---------------------------------------------------------------------------

    def _say(self, dispute: Dispute, lines: list[tuple[str, str]], at: datetime) -> None:
        for author, body in lines:
            dispute.messages.append(DisputeMessage(author=author, body=body, at=at))

    def _dispute_open(self, w: Written, step: Step) -> None:
        order, data = w.orders[step.order], step.data
        dispute = Dispute(order_id=order.id, **dispute_values(data, order.status, step.at))
        self._say(dispute, data["lines"], step.at)
        self.session.add(dispute)
        w.disputes[step.order] = dispute
        self._move(order, "disputed", step, "buyer", data["reason"].replace("_", " "))
        self.counts["disputes"] += 1

    def _dispute_update(self, w: Written, step: Step) -> None:
        dispute, data = w.disputes[step.order], step.data
        dispute.status, dispute.respond_by = data["status"], data["respond_by"]
        dispute.offer_amount = data.get("offer_amount", dispute.offer_amount)
        dispute.escalated_at = data.get("escalated_at", dispute.escalated_at)
        self._say(dispute, data["lines"], step.at)

    def _dispute_close(self, w: Written, step: Step) -> None:
        order, dispute, data = w.orders[step.order], w.disputes[step.order], step.data
        if dispute.id is None:
            self.session.flush()  # the refund's reason names the dispute
        if data["amount"] > 0:
            self._refund(w, order, min(data["amount"], order.total - order.refunded_total),
                         f"dispute {dispute.id}: {data['resolution']}", step.at)
        dispute.status, dispute.resolution, dispute.refund_amount = "resolved", data["resolution"], data["amount"]
        dispute.resolved_by, dispute.resolved_at, dispute.respond_by = data["actor"], step.at, None
        self._say(dispute, data["lines"], step.at)
        to = "refunded" if order.refunded_total >= order.total else "completed"
        self._move(order, to, step, data["actor"], f"dispute: {data['resolution'].replace('_', ' ')}")

    def _dispute_withdraw(self, w: Written, step: Step) -> None:
        order, dispute = w.orders[step.order], w.disputes[step.order]
        dispute.status, dispute.resolution, dispute.resolved_by = "resolved", "withdrawn", "buyer"
        dispute.resolved_at, dispute.respond_by = step.at, None
        self._say(dispute, step.data["lines"], step.at)
        back = "delivered" if order.delivered_at is not None else dispute.previous_status
        self._move(order, back, step, "buyer", "dispute withdrawn")

    def _review(self, w: Written, step: Step) -> None:
        order, data = w.orders[step.order], step.data
        line = order.lines[0]
        self.session.add(Review(order_line_id=line.id, order_id=order.id, product_id=line.product_id,
                                seller_id=order.seller_id, options=dict(line.options or {}),
                                **review_values(w.plan, data, step.at, self.end)))
        record_system_event(self.session, "review_posted", at=step.at, order=order, product_id=line.product_id,
                            rating=data["rating"])
        self.reviewed.add(line.product_id)
        self.counts["reviews"] += 1
