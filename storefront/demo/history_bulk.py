"""The demo history in bulk, for benchmarks at 100,000 orders: the rows the service writer writes, inserted
table by table instead of object by object.

Each step of history_outcomes is applied to a plain record of the order, and a status change does here
what orders.services.transition() does there (the order event, the order_* event, the paid / delivered /
completed stamps, the handling deadline, the payout; sold counts are recounted once at the end), so both
writers leave the same rows: a test writes one history both ways and compares them. Rows that point at others are inserted after them, ids
read back with RETURNING.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert
from sqlalchemy.orm import Session

from ..catalog.models import queue_reindex
from ..orders.services import recount_sold
from ..core.events import system_context, system_event_data
from ..orders.models import Checkout, Dispute, DisputeMessage, Order, OrderEvent, OrderLine, TrackingEvent
from ..orders.protection import EXTENSION_DAYS, protection_end
from ..orders.services import SOLD, TRANSITIONS, IllegalTransition
from ..payments.models import Payment, Payout, Refund
from ..payments.testgateway.models import SandboxRefund, SandboxSession
from ..reviews.models import Review
from ..reviews.ratings import refresh_product_ratings
from .history_outcomes import Step, handling_deadline
from .history_writer import (
    checkout_values,
    dispute_values,
    event_rows,
    insert_events,
    line_values,
    order_values,
    payment_values,
    refund_reference,
    review_values,
    sandbox_values,
    tracking_values,
)

BATCH = 2000  # rows per insert statement


@dataclass
class Record:
    """An order as it is being written: its columns, and the rows that hang off it."""

    values: dict
    plan: object
    lines: list[dict]
    handling_days: int
    checkout: object = None   # what system_context reads: locale, country, currency, user_id
    events: list[dict] = field(default_factory=list)
    dispute: dict | None = None
    messages: list[dict] = field(default_factory=list)
    refunds: list[dict] = field(default_factory=list)
    tracking: list[dict] = field(default_factory=list)
    review: dict | None = None

    # system_context and system_event_data read an order's attributes
    @property
    def number(self) -> str:
        return self.values["number"]

    @property
    def user_id(self):
        return self.values["user_id"]

    def __getattr__(self, name: str):
        try:
            return self.__dict__["values"][name]
        except KeyError:
            raise AttributeError(name) from None


class CheckoutView:
    """The checkout columns system_context reads."""

    def __init__(self, values: dict) -> None:
        self.reference, self.locale, self.country = values["reference"], values["locale"], values["country"]
        self.currency, self.user_id, self.payment_method = values["currency"], values["user_id"], \
            values["payment_method"]


class BulkWriter:
    """Writes planned checkouts with a few multi-row inserts per table and batch."""

    def __init__(self, session: Session, *, end: datetime) -> None:
        self.session, self.end = session, end
        self.counts: Counter = Counter()
        self.reviewed: set[int] = set()
        self.sold: set[int] = set()  # products whose sold count changed

    def write(self, visits, checkouts) -> None:
        """One batch of visits and the checkouts they placed, each with its whole story."""
        events = event_rows(visits)
        self.counts["sessions"] += len(visits)
        plans, records, payments = [], [], []
        for plan in checkouts:
            values = checkout_values(plan)
            view = CheckoutView(values)
            orders = [Record(order_values(plan, i), plan, line_values(plan, i),
                             max(max(p.variant.offer.handling_days for p in plan.summary.packages[i].lines), 1),
                             checkout=view) for i in range(len(plan.summary.packages))]
            for record in orders:
                record.events.append({"from_status": None, "to_status": "awaiting_payment", "actor": "buyer",
                                      "note": "", "at": plan.placed})
            state = {"payment": None, "sandbox": None, "payments": []}
            for step in plan.steps:
                getattr(self, "_" + step.kind)(plan, view, orders, state, step, events)
            plans.append((values, orders, state))
            records += orders
            payments += state["payments"]
        self._insert(plans, events)
        self.counts["checkouts"] += len(checkouts)
        self.counts["orders"] += len(records)

    def finish(self) -> Counter:
        """Sold counts as transition() keeps them (recounted from the orders, products queued for the search
        index) and product ratings from the new reviews; returns what was written."""
        recount_sold(self.session)
        queue_reindex(self.session, self.sold)
        refresh_product_ratings(self.session, self.reviewed)
        return self.counts

    # --- what transition() does ------------------------------------------------------------------------

    def _move(self, record: Record, to: str, step: Step, actor: str, events: list, note: str = "") -> None:
        """orders.services.transition on a record: the same checks, rows and stamps."""
        values, at = record.values, step.at
        if to not in TRANSITIONS.get(values["status"], ()):
            raise IllegalTransition(f"{values['number']}: {values['status']} -> {to}")
        record.events.append({"from_status": values["status"], "to_status": to, "actor": actor[:40],
                              "note": note[:500], "at": at})
        events.append({"kind": f"order_{to}", "at": at, **system_context(record, record.checkout),
                       "data": system_event_data(record, None, seller_id=values["seller_id"],
                                                 **{"from": values["status"]}, actor=actor[:40])})
        if to == "paid" or (to in ("cancelled", "refunded") and values["status"] in SOLD):
            self.sold.update(line["product_id"] for line in record.lines)
        if to == "paid":
            values["paid_at"] = at
            values["ship_by"] = handling_deadline(at, record.handling_days)
        elif to == "delivered" and values.get("delivered_at") is None:
            values["delivered_at"] = at
        elif to == "completed":
            values["completed_at"] = at
            values["payout"] = {"seller_id": values["seller_id"], "amount": values["total"] - values["refunded_total"],
                                "currency": values["currency"], "status": "due", "due_at": at}
        values["status"], values["updated_at"] = to, at

    def _payments(self, plan, view, orders, state, step, events) -> None:
        for attempt in step.data["attempts"]:
            row = {"payment": payment_values(attempt, plan),
                   "sandbox": sandbox_values(attempt, plan) if attempt.gateway == "test" else None}
            state["payments"].append(row)
            if attempt.status != "pending":
                method = "bank_transfer" if plan.payment_method == "bank_transfer" else attempt.gateway
                events.append({"kind": f"payment_{attempt.status}", "at": attempt.updated,
                               **system_context(None, view),
                               "data": system_event_data(None, view, method=method, reason=attempt.reason or "")})
            if attempt.status == "succeeded":
                state["payment"] = row
            self.counts[f"payments_{attempt.status}"] += 1

    def _paid(self, plan, view, orders, state, step, events) -> None:
        self._move(orders[step.order], "paid", step, "payment", events)

    def _cancel_unpaid(self, plan, view, orders, state, step, events) -> None:
        self._move(orders[step.order], "cancelled", step, "system", events, "payment not received in time")

    def _refund(self, state, record: Record, amount: Decimal, reason: str, at: datetime) -> None:
        values = record.values
        ref = refund_reference(values["number"], amount, at)
        record.refunds.append({"payment": state["payment"], "amount": amount, "currency": values["currency"],
                               "provider_ref": ref, "reason": reason[:200], "created_at": at})
        values["refunded_total"] += amount
        if state["payment"]["sandbox"] is not None:
            state["payment"]["sandbox"]["refunded_amount"] += amount
        self.counts["refunds"] += 1

    def _cancel(self, plan, view, orders, state, step, events) -> None:
        record, data = orders[step.order], step.data
        values = record.values
        self._refund(state, record, values["total"] - values["refunded_total"], f"order cancelled: {data['reason']}",
                     step.at)
        values["cancel_reason"] = data["reason"]
        self._move(record, "cancelled", step, data["actor"], events, data["note"])

    def _ship(self, plan, view, orders, state, step, events) -> None:
        record, data = orders[step.order], step.data
        values = record.values
        values["carrier"], values["tracking_number"], values["shipped_at"] = data["carrier"], data["tracking"], step.at
        values["protection_ends_at"] = protection_end(record)
        self._move(record, "shipped", step, data["actor"], events, data["note"])

    def _scans(self, plan, view, orders, state, step, events) -> None:
        orders[step.order].tracking += tracking_values(step.data["scans"], self.end)

    def _extend(self, plan, view, orders, state, step, events) -> None:
        values = orders[step.order].values
        values["protection_ends_at"] += timedelta(days=EXTENSION_DAYS)
        values["protection_extended"], values["updated_at"] = True, step.at

    def _deliver(self, plan, view, orders, state, step, events) -> None:
        record = orders[step.order]
        if record.values["status"] not in ("shipped", "disputed"):
            return
        if record.values.get("delivered_at") is None:
            record.values["delivered_at"], record.values["updated_at"] = step.data["delivered_at"], step.at
        if record.values["status"] == "shipped":
            self._move(record, "delivered", step, "simulated", events)

    def _complete(self, plan, view, orders, state, step, events) -> None:
        self._move(orders[step.order], "completed", step, step.data["actor"], events, step.data["note"])

    def _say(self, record: Record, lines, at: datetime) -> None:
        record.messages += [{"author": author, "body": body, "at": at} for author, body in lines]

    def _dispute_open(self, plan, view, orders, state, step, events) -> None:
        record, data = orders[step.order], step.data
        record.dispute = dispute_values(data, record.values["status"], step.at)
        self._say(record, data["lines"], step.at)
        self._move(record, "disputed", step, "buyer", events, data["reason"].replace("_", " "))
        self.counts["disputes"] += 1

    def _dispute_update(self, plan, view, orders, state, step, events) -> None:
        record, data = orders[step.order], step.data
        record.dispute.update(status=data["status"], respond_by=data["respond_by"])
        for name in ("offer_amount", "escalated_at"):
            if name in data:
                record.dispute[name] = data[name]
        self._say(record, data["lines"], step.at)

    def _dispute_close(self, plan, view, orders, state, step, events) -> None:
        record, data = orders[step.order], step.data
        values, dispute = record.values, record.dispute
        if data["amount"] > 0:
            # the reason names the dispute's id, known once it is inserted: filled in then
            self._refund(state, record, min(data["amount"], values["total"] - values["refunded_total"]),
                         f"dispute {{dispute}}: {data['resolution']}", step.at)
        dispute.update(status="resolved", resolution=data["resolution"], refund_amount=data["amount"],
                       resolved_by=data["actor"], resolved_at=step.at, respond_by=None)
        self._say(record, data["lines"], step.at)
        to = "refunded" if values["refunded_total"] >= values["total"] else "completed"
        self._move(record, to, step, data["actor"], events, f"dispute: {data['resolution'].replace('_', ' ')}")

    def _dispute_withdraw(self, plan, view, orders, state, step, events) -> None:
        record = orders[step.order]
        record.dispute.update(status="resolved", resolution="withdrawn", resolved_by="buyer", resolved_at=step.at,
                              respond_by=None)
        self._say(record, step.data["lines"], step.at)
        back = "delivered" if record.values.get("delivered_at") is not None else record.dispute["previous_status"]
        self._move(record, back, step, "buyer", events, "dispute withdrawn")

    def _review(self, plan, view, orders, state, step, events) -> None:
        record, data = orders[step.order], step.data
        record.review = review_values(plan, data, step.at, self.end)
        product_id = record.lines[0]["product_id"]
        events.append({"kind": "review_posted", "at": step.at, **system_context(record, record.checkout),
                       "data": system_event_data(record, None, product_id=product_id, rating=data["rating"])})
        self.reviewed.add(product_id)
        self.counts["reviews"] += 1

    # --- inserting ---------------------------------------------------------------------------------------

    def _ids(self, model, rows: list[dict]) -> list[int]:
        """Insert rows and return their ids, in order."""
        ids = []
        for start in range(0, len(rows), BATCH):
            ids += self.session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True),
                                        rows[start:start + BATCH]).all()
        return ids

    def _rows(self, model, rows: list[dict]) -> None:
        for start in range(0, len(rows), BATCH):
            self.session.execute(insert(model), rows[start:start + BATCH])

    def _insert(self, plans, events: list[dict]) -> None:
        checkout_ids = self._ids(Checkout, [values for values, _orders, _state in plans])
        records = [(record, checkout_id) for (_v, orders, _s), checkout_id in zip(plans, checkout_ids)
                   for record in orders]
        order_columns = {c.key for c in Order.__table__.columns} - {"id"}
        order_ids = self._ids(Order, [{**{k: None for k in order_columns}, **{k: v for k, v in r.values.items()
                                                                              if k in order_columns},
                                       "checkout_id": checkout_id} for r, checkout_id in records])
        line_ids = self._ids(OrderLine, [{**line, "order_id": order_id}
                                         for (r, _c), order_id in zip(records, order_ids) for line in r.lines])
        payments = [(row, checkout_id) for (_v, _o, state), checkout_id in zip(plans, checkout_ids)
                    for row in state["payments"]]
        payment_ids = self._ids(Payment, [{**row["payment"], "checkout_id": checkout_id}
                                          for row, checkout_id in payments])
        for (row, _c), payment_id in zip(payments, payment_ids):
            row["id"] = payment_id
        sandboxes = [row for row, _c in payments if row["sandbox"] is not None]
        for row, sandbox_id in zip(sandboxes, self._ids(SandboxSession, [row["sandbox"] for row in sandboxes])):
            row["sandbox_id"] = sandbox_id
        disputed = [(r, order_id) for (r, _c), order_id in zip(records, order_ids) if r.dispute is not None]
        dispute_ids = self._ids(Dispute, [{**r.dispute, "order_id": order_id} for r, order_id in disputed])
        dispute_of = {id(r): dispute_id for (r, _o), dispute_id in zip(disputed, dispute_ids)}
        self._rows(DisputeMessage, [{**m, "dispute_id": dispute_of[id(r)]} for r, _o in disputed for m in r.messages])
        refunds, sandbox_refunds = [], []
        for (r, _c), order_id in zip(records, order_ids):
            for refund in r.refunds:
                payment = refund["payment"]
                reason = refund["reason"].replace("{dispute}", str(dispute_of.get(id(r), "")))
                refunds.append({**{k: v for k, v in refund.items() if k != "payment"}, "reason": reason,
                                "payment_id": payment["id"], "order_id": order_id})
                if payment["sandbox"] is not None:
                    sandbox_refunds.append({"id": refund["provider_ref"], "session_id": payment["sandbox_id"],
                                            "amount": refund["amount"], "created_at": refund["created_at"]})
        self._rows(Refund, refunds)
        self._rows(SandboxRefund, sandbox_refunds)
        self._rows(OrderEvent, [{**e, "order_id": order_id} for (r, _c), order_id in zip(records, order_ids)
                                for e in r.events])
        self._rows(TrackingEvent, [{**t, "order_id": order_id} for (r, _c), order_id in zip(records, order_ids)
                                   for t in r.tracking])
        self._rows(Payout, [{**r.values["payout"], "order_id": order_id, "paid_at": None}
                            for (r, _c), order_id in zip(records, order_ids) if r.values.get("payout")])
        lines_of = iter(line_ids)
        reviews = []
        for (r, _c), order_id in zip(records, order_ids):
            first_line = [next(lines_of) for _ in r.lines][0]
            if r.review is not None:
                reviews.append({**r.review, "order_line_id": first_line, "order_id": order_id,
                                "product_id": r.lines[0]["product_id"], "seller_id": r.values["seller_id"],
                                "options": dict(r.lines[0]["options"]), "edited_at": None})
        self._rows(Review, reviews)
        events.sort(key=lambda e: e["at"])
        insert_events(self.session, events)
        self.counts["events"] += len(events)
