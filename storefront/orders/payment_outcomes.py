"""Orders apply what payments report: a succeeded payment moves the orders it pays for to paid, in the
transaction that records it; the buyer is told once it commits; orders it reached too late are refunded."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.effects import after_commit, before_commit
from ..payments.gateway import PaymentGateway
from ..payments.models import Payment
from ..payments.services import payment_succeeded
from . import notifications
from .models import Checkout, Order
from .refunds import refund_late
from .services import transition


@payment_succeeded.connect
def apply_payment(session: Session, *, payment: Payment, gateway: PaymentGateway, now: datetime) -> None:
    """Mark the orders this payment covers paid (row-locked, in the payment's transaction); once it commits,
    email the buyer "payment received" and refund any of those orders that were cancelled before it arrived."""
    covered = set(payment.order_ids) if payment.order_ids is not None else None
    orders = session.scalars(select(Order).where(Order.checkout_id == payment.checkout_id).order_by(Order.id)
                             .with_for_update()).all()
    mine = [o for o in orders if covered is None or o.id in covered]
    late = [o.id for o in mine if o.status == "cancelled" and o.refunded_total < o.total]
    paid = False
    for order in mine:
        if order.status == "awaiting_payment":
            transition(session, order, "paid", actor="payment", now=now)
            paid = True
    if paid:
        before_commit(session, _tell_buyer, session, payment.checkout_id)
    if late:
        after_commit(session, refund_late, session, gateway, payment.id, late)


def _tell_buyer(session: Session, checkout_id: int) -> None:
    notifications.payment_received(session.get(Checkout, checkout_id))
