"""Payment rules: start a payment for a checkout, apply verified results exactly once, refund orders."""
from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..core.clock import utcnow
from ..core.errors import InvalidInput
from ..extensions import begin_write
from ..core.events import record_system_event
from ..core.money import Money
from ..orders.models import Checkout, Order
from ..orders.services import transition
from .gateway import PaymentError, PaymentGateway, PaymentRequest, PaymentResult
from .models import Payment, ProcessedWebhook, Refund

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReturnUrls:
    """Where the provider sends the shopper and its webhooks for one payment."""

    return_url: str
    cancel_url: str
    webhook_url: str


def checkout_paid(session: Session, checkout: Checkout) -> bool:
    """True when a payment for this checkout has succeeded."""
    return session.scalar(select(Payment.id).where(Payment.checkout_id == checkout.id,
                                                   Payment.status == "succeeded")) is not None


def start_payment(session: Session, gateway: PaymentGateway, checkout: Checkout, urls: ReturnUrls,
                  description: str) -> str:
    """Create a payment attempt and open it at the provider; returns the hosted page's URL.

    The attempt is committed before the provider is called, so a provider failure leaves a record
    and the orders stay awaiting payment, ready for a retry.

    :raises InvalidInput: the checkout is already paid or no longer awaiting payment.
    :raises PaymentError: the provider is down or refused; nothing was charged.
    """
    if checkout_paid(session, checkout):
        raise InvalidInput("already paid")
    if not any(o.status == "awaiting_payment" for o in checkout.orders):
        raise InvalidInput("nothing awaiting payment")
    payment = Payment(reference="pay_" + secrets.token_urlsafe(18), checkout_id=checkout.id, gateway=gateway.name,
                      amount=checkout.total, currency=checkout.currency, status="pending")
    request = PaymentRequest(
        reference=payment.reference, amount=Money(checkout.total, checkout.currency), description=description,
        return_url=urls.return_url, cancel_url=urls.cancel_url, webhook_url=urls.webhook_url,
        locale=checkout.locale, email=checkout.email,
    )
    session.add(payment)
    # Committed (and no transaction left open) before calling out: the attempt is on record whatever
    # the provider does, and SQLite lets the provider's own session write meanwhile.
    session.commit()
    try:
        started = gateway.start(request)
    except PaymentError as exc:
        payment.status, payment.failure_reason = "failed", "provider_unavailable"
        record_payment_event(session, payment, at=utcnow())
        session.commit()
        raise exc
    payment.provider_ref = started.provider_ref
    session.commit()
    return started.redirect_url


def record_payment_event(session: Session, payment: Payment, *, at: datetime) -> None:
    """Record a payment's new status (payment_succeeded / payment_failed) in the caller's transaction."""
    checkout = payment.checkout
    method = "bank_transfer" if checkout.payment_method == "bank_transfer" else payment.gateway
    record_system_event(session, f"payment_{payment.status}", at=at, checkout=checkout, method=method,
                        reason=payment.failure_reason or "")


def apply_result(session: Session, gateway: PaymentGateway, result: PaymentResult, *, now: datetime) -> Payment | None:
    """Apply a verified provider result, exactly once, whatever order returns and webhooks arrive in.

    A webhook event id seen before is ignored. A success marks the payment and moves its orders to
    paid; a failure never overrides a success. A success for a checkout whose orders were already
    released (paid too late) is refunded at once. Commits.
    """
    begin_write(session)
    if result.event_id:
        session.add(ProcessedWebhook(event_id=result.event_id, gateway=gateway.name))
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            return None  # a replay
    payment = session.scalar(select(Payment).where(Payment.reference == result.reference).with_for_update())
    if payment is None or payment.gateway != gateway.name:
        log.warning("payment result for unknown reference %s", result.reference)
        session.commit()
        return None
    if payment.status == "succeeded" or result.status in ("pending", "refunded"):
        # refunds are recorded when we ask for them; their webhook only confirms
        session.commit()
        return payment
    if result.status == "failed":
        if payment.status == "pending":
            payment.status, payment.failure_reason = "failed", (result.failure_reason or "declined")[:40]
            payment.provider_ref = payment.provider_ref or result.provider_ref
            record_payment_event(session, payment, at=now)
        session.commit()
        return payment
    if result.amount is not None and (result.amount.currency != payment.currency
                                      or result.amount.amount != payment.amount):
        log.error("payment %s: amount mismatch %s", payment.reference, result.amount)
        session.commit()
        return payment
    payment.status, payment.failure_reason = "succeeded", ""
    payment.provider_ref = payment.provider_ref or result.provider_ref
    record_payment_event(session, payment, at=now)
    orders = session.scalars(select(Order).where(Order.checkout_id == payment.checkout_id).with_for_update()).all()
    late = [o for o in orders if o.status == "cancelled"]
    for order in orders:
        if order.status == "awaiting_payment":
            transition(session, order, "paid", actor="payment", now=now)
    session.commit()
    for order in late:
        try:
            refund_order(session, gateway, order, order.total, reason="paid after the order expired", payment=payment)
        except PaymentError as exc:
            log.error("could not refund late payment for %s: %s", order.number, exc)
    return payment


def refund_order(session: Session, gateway: PaymentGateway, order: Order, amount: Decimal, *, reason: str,
                 payment: Payment | None = None,
                 on_full_refund: Callable[[Session, Order], None] | None = None) -> Refund:
    """Refund part or all of an order through its payment's gateway; a full refund ends the order.

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
    provider_ref, reference = payment.provider_ref, payment.reference
    # No transaction may stay open while the provider works: on SQLite a read begun before the
    # provider's own write could not be turned into our write afterwards.
    session.commit()
    provider_ref = gateway.refund(provider_ref, Money(amount, currency), reference)
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


def refund_late_payments(session: Session, gateway: PaymentGateway) -> int:
    """Refund cancelled orders whose checkout was paid anyway (a retry of what apply_result tried).

    Run by `flask orders tick`, so a refund that failed when the late payment arrived is not lost.
    """
    paid_checkouts = select(Payment.checkout_id).where(Payment.status == "succeeded")
    due = session.scalars(select(Order).where(Order.status == "cancelled", Order.checkout_id.in_(paid_checkouts),
                                              Order.refunded_total < Order.total)).all()
    done = 0
    for order in due:
        try:
            refund_order(session, gateway, order, order.total - order.refunded_total,
                         reason="paid after the order expired")
            done += 1
        except (PaymentError, InvalidInput) as exc:
            session.rollback()
            log.error("late refund for %s failed, will retry: %s", order.number, exc)
    return done
