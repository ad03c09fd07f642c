"""Refunding orders: part or all of an order's money back through its payment's gateway, and the orders a
payment reached too late (cancelled before it arrived) refunded in full."""
from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.errors import InvalidInput
from ..extensions import begin_write
from ..payments.gateway import PaymentError, PaymentGateway
from ..payments.models import Payment, Refund
from ..payments.services import send_refund
from .models import Order
from .services import transition

log = logging.getLogger(__name__)
LATE = "paid after the order expired"


def refund_order(session: Session, gateway: PaymentGateway, order: Order, amount: Decimal, *, reason: str,
                 payment: Payment | None = None,
                 on_full_refund: Callable[[Session, Order], None] | None = None) -> Refund:
    """Refund part or all of an order through its payment's gateway; a full refund ends the order. Commits.

    A full refund moves a paid or disputed order to refunded, unless `on_full_refund` is given: then
    it decides how the order ends (a seller's cancellation ends it as cancelled), in the transaction
    that records the refund, so the two commit together.

    :raises InvalidInput: nothing paid, or more than what is left to refund.
    :raises PaymentError: the provider refused.
    """
    payment = payment or session.scalar(select(Payment).where(Payment.checkout_id == order.checkout_id,
                                                              Payment.status == "succeeded"))
    if payment is None:
        raise InvalidInput("order not paid")
    left = order.total - order.refunded_total
    if amount <= 0 or amount > left:
        raise InvalidInput(f"refund must be more than 0 and at most {left}")
    payment_id, order_id, currency = payment.id, order.id, order.currency
    provider_ref = send_refund(session, gateway, payment, amount, currency)
    begin_write(session)
    refund = Refund(payment_id=payment_id, order_id=order_id, amount=amount, currency=currency,
                    provider_ref=provider_ref, reason=reason[:200])
    session.add(refund)
    session.flush()  # write first, then read what the transition needs
    order = session.scalar(select(Order).where(Order.id == order_id).with_for_update()
                           .execution_options(populate_existing=True))
    order.refunded_total = order.refunded_total + amount
    if order.refunded_total >= order.total:
        if on_full_refund is not None:
            on_full_refund(session, order)
        elif order.status in ("paid", "disputed"):
            transition(session, order, "refunded", actor="payment", note=reason)
    session.commit()
    return refund


def refund_late(session: Session, gateway: PaymentGateway, payment_id: int, order_ids: list[int]) -> None:
    """Refund, in full, orders a payment paid after they were cancelled (run once that payment is recorded).
    A refund the provider refuses now is retried by `orders tick` (refund_late_orders)."""
    payment = session.get(Payment, payment_id)
    for order_id in order_ids:
        order = session.get(Order, order_id)
        try:
            refund_order(session, gateway, order, order.total - order.refunded_total, reason=LATE, payment=payment)
        except (PaymentError, InvalidInput) as exc:
            session.rollback()
            log.error("could not refund late payment for %s: %s", order.number, exc)


def refund_late_orders(session: Session, gateway: PaymentGateway) -> int:
    """Refund cancelled orders whose payment succeeded anyway; returns how many refunds were made.

    Run by `flask orders tick`, so a refund that failed when the payment arrived is not lost. Only
    orders the succeeded payment paid for count: one cancelled before a later payment was never charged.
    """
    done = 0
    paid = {p.checkout_id: p for p in session.scalars(
        select(Payment).where(Payment.status == "succeeded", Payment.checkout_id.in_(
            select(Order.checkout_id).where(Order.status == "cancelled", Order.refunded_total < Order.total))))}
    due = session.scalars(select(Order).where(Order.status == "cancelled", Order.checkout_id.in_(list(paid)),
                                              Order.refunded_total < Order.total).order_by(Order.id)).all()
    due = [(o, paid[o.checkout_id]) for o in due
           if paid[o.checkout_id].order_ids is None or o.id in paid[o.checkout_id].order_ids]
    session.commit()
    for order, payment in due:
        try:
            refund_order(session, gateway, order, order.total - order.refunded_total, reason=LATE, payment=payment)
            done += 1
        except (PaymentError, InvalidInput) as exc:
            session.rollback()
            log.error("late refund for %s failed, will retry: %s", order.number, exc)
    return done
