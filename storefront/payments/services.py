"""Payment rules: start a payment for a checkout, apply verified results exactly once, send refunds.

Payments know checkouts and their orders only through the Payment's relationships; they report outcomes
(the `payment_succeeded` signal, sent inside the transaction that records the success) and the orders
package applies them (marks orders paid, refunds orders paid too late). Refunding an order is an orders
rule (orders/refunds.py) that calls the gateway through here.
"""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from blinker import Namespace
from sqlalchemy.orm import Session

from ..core.clock import utcnow
from ..core.errors import InvalidInput
from ..extensions import begin_write
from ..core.events import record_system_event
from ..core.l10n import format_locale
from ..core.money import Money
from .gateway import PaymentError, PaymentGateway, PaymentRequest, PaymentResult
from .models import Payment, ProcessedWebhook, Refund

log = logging.getLogger(__name__)
signals = Namespace()
# Sent (sender: the session) inside the transaction that marks a payment succeeded, with payment=, gateway=
# and now=: its receivers apply the outcome in that same transaction (orders.payment_outcomes connects one).
payment_succeeded = signals.signal("payment-succeeded")


def _checkout_model():
    """The Checkout class, reached through Payment.checkout (payments never import the orders package)."""
    return Payment.checkout.property.mapper.class_


@dataclass(frozen=True)
class ReturnUrls:
    """Where the provider sends the shopper and its webhooks for one payment."""

    return_url: str
    cancel_url: str
    webhook_url: str


def checkout_paid(session: Session, checkout) -> bool:
    """True when a payment for this checkout has succeeded."""
    return session.scalar(select(Payment.id).where(Payment.checkout_id == checkout.id,
                                                   Payment.status == "succeeded")) is not None


class PaymentReplaced(InvalidInput):
    """A newer "Pay" for the same checkout replaced this attempt while the provider was opening it."""


def amount_due(checkout) -> Money:
    """What is left to pay for a checkout: the sum of its orders still awaiting payment (its total until
    the buyer cancels one of them)."""
    return Money(sum((o.total for o in checkout.orders if o.status == "awaiting_payment"), Decimal(0)),
                 checkout.currency)


def _lock_checkout(session: Session, checkout_id: int):
    """Begin a write and lock the checkout's row, reading it and its orders afresh.

    Every change to a checkout's payments takes this lock first (then payments, then orders), so two
    presses of "Pay" or two results arriving at once are applied one after the other.
    """
    begin_write(session)
    checkout = session.get(_checkout_model(), checkout_id, with_for_update=True, populate_existing=True)
    session.expire(checkout, ["orders"])
    for order in checkout.orders:
        session.refresh(order)
    return checkout


def _supersede_open(session: Session, checkout_id: int) -> list[str]:
    """Mark the checkout's open attempts superseded (in the caller's transaction); returns their provider refs
    to expire at the provider once that transaction has committed."""
    pending = session.scalars(select(Payment).where(Payment.checkout_id == checkout_id,
                                                    Payment.status == "pending")).all()
    for payment in pending:
        payment.status = "superseded"
    return [p.provider_ref for p in pending if p.provider_ref]


def _expire_at_provider(gateway: PaymentGateway, provider_refs: list[str]) -> None:
    """Close superseded sessions at the provider. One that was completed meanwhile cannot be: its result is
    applied when it arrives (a success for a checkout already paid is refunded), so this only logs."""
    for provider_ref in provider_refs:
        try:
            gateway.expire(provider_ref)
        except PaymentError as exc:
            log.warning("could not expire superseded payment session %s: %s", provider_ref, exc)


def expire_open_payments(session: Session, gateway: PaymentGateway, checkout) -> int:
    """Close the checkout's open payment sessions (what they would charge is no longer due, e.g. the buyer
    cancelled one of its orders); the next "Pay now" opens one for what is left. Commits; returns how many.
    """
    _lock_checkout(session, checkout.id)
    refs = _supersede_open(session, checkout.id)
    session.commit()
    _expire_at_provider(gateway, refs)
    return len(refs)


def start_payment(session: Session, gateway: PaymentGateway, checkout, urls: ReturnUrls,
                  description: str) -> str:
    """Open the checkout's payment at the provider for what is due; returns the hosted page's URL.

    A checkout has at most one open payment: pressing "Pay" again while it is open for the same orders
    and amount returns the same page; otherwise (the amount changed, or the open one has no page yet)
    the open one is superseded and expired at the provider, and a new one opens. The attempt is
    committed before the provider is called, so a provider failure leaves a record and the orders stay
    awaiting payment, ready for a retry. The write lock (BEGIN IMMEDIATE on SQLite, the checkout's row
    on PostgreSQL) is the same kind placement takes, so concurrent buyers wait rather than fail.

    :raises InvalidInput: the checkout is already paid or no longer awaiting payment.
    :raises PaymentReplaced: a newer press opened another page while the provider was opening this one.
    :raises PaymentError: the provider is down or refused; nothing was charged.
    """
    checkout = _lock_checkout(session, checkout.id)
    if checkout_paid(session, checkout):
        session.rollback()
        raise InvalidInput("already paid")
    awaiting = sorted(o.id for o in checkout.orders if o.status == "awaiting_payment")
    if not awaiting:
        session.rollback()
        raise InvalidInput("nothing awaiting payment")
    due = amount_due(checkout)
    current = session.scalar(select(Payment).where(Payment.checkout_id == checkout.id, Payment.status == "pending")
                             .order_by(Payment.id.desc()))
    if (current is not None and current.redirect_url and current.amount == due.amount
            and current.currency == due.currency and current.order_ids == awaiting):
        redirect_url = current.redirect_url
        session.commit()
        return redirect_url
    stale = _supersede_open(session, checkout.id)
    payment = Payment(reference="pay_" + secrets.token_urlsafe(18), checkout_id=checkout.id, gateway=gateway.name,
                      amount=due.amount, currency=due.currency, status="pending", order_ids=awaiting)
    request = PaymentRequest(
        reference=payment.reference, amount=due, description=description,
        return_url=urls.return_url, cancel_url=urls.cancel_url, webhook_url=urls.webhook_url,
        # BCP 47 with the ship-to region ('es-MX'), as providers take it: their page formats the amount so
        locale=format_locale(checkout.locale, checkout.country).replace("_", "-"), email=checkout.email,
    )
    session.add(payment)
    session.flush()
    payment_id = payment.id
    # Committed (and no transaction left open) before calling out: the attempt is on record whatever
    # the provider does, and SQLite lets the provider's own session write meanwhile.
    session.commit()
    _expire_at_provider(gateway, stale)
    try:
        started = gateway.start(request)
    except PaymentError as exc:
        begin_write(session)
        payment = session.get(Payment, payment_id, with_for_update=True, populate_existing=True)
        if payment.status == "pending":
            payment.status, payment.failure_reason = "failed", "provider_unavailable"
            record_payment_event(session, payment, at=utcnow())
        session.commit()
        raise exc
    begin_write(session)
    payment = session.get(Payment, payment_id, with_for_update=True, populate_existing=True)
    payment.provider_ref = started.provider_ref
    if payment.status != "pending":  # superseded by a newer press while the provider worked
        session.commit()
        _expire_at_provider(gateway, [started.provider_ref])
        raise PaymentReplaced(payment.reference)
    payment.redirect_url = started.redirect_url[:2000]
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

    A webhook event id seen before is ignored. A success marks the payment, reports it (payment_succeeded:
    the orders package moves the orders it pays for to paid, in this transaction) and expires any other open
    session of the checkout. A failure never overrides a success. A success for a checkout
    another payment already paid is a duplicate charge: it is refunded in full through the gateway
    and recorded (`flask orders tick` retries if the provider refuses now). A success for orders
    already released (paid too late) is refunded at once. Commits.
    """
    begin_write(session)
    if result.event_id:
        session.add(ProcessedWebhook(event_id=result.event_id, gateway=gateway.name))
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            return None  # a replay
    checkout_id = session.scalar(select(Payment.checkout_id).where(Payment.reference == result.reference,
                                                                   Payment.gateway == gateway.name))
    if checkout_id is None:
        log.warning("payment result for unknown reference %s", result.reference)
        session.commit()
        return None
    # The checkout first, as start_payment locks it: two results for one checkout apply one at a time.
    session.get(_checkout_model(), checkout_id, with_for_update=True)
    payment = session.scalar(select(Payment).where(Payment.reference == result.reference).with_for_update()
                             .execution_options(populate_existing=True))
    if payment.status in ("succeeded", "duplicate", "refunded") or result.status in ("pending", "refunded"):
        # refunds are recorded when we ask for them; their webhook only confirms
        session.commit()
        return payment
    if result.status == "failed":
        if payment.status in ("pending", "superseded"):
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
    payment.provider_ref = payment.provider_ref or result.provider_ref
    paid_by = session.scalar(select(Payment.reference).where(Payment.checkout_id == checkout_id,
                                                             Payment.status == "succeeded"))
    if paid_by is not None:
        payment.status, payment.failure_reason = "duplicate", ""
        session.commit()
        log.warning("payment %s charged checkout %s already paid by %s: refunding it", payment.reference,
                    checkout_id, paid_by)
        try:
            refund_duplicate(session, gateway, payment)
        except (PaymentError, InvalidInput) as exc:
            session.rollback()
            log.error("could not refund duplicate payment %s now, orders tick retries: %s", payment.reference, exc)
        return payment
    payment.status, payment.failure_reason = "succeeded", ""
    record_payment_event(session, payment, at=now)
    if not payment_succeeded.receivers:
        raise RuntimeError("nothing applies payment outcomes: import storefront.orders.payment_outcomes")
    payment_succeeded.send(session, payment=payment, gateway=gateway, now=now)
    stale = _supersede_open(session, checkout_id)
    session.commit()
    _expire_at_provider(gateway, stale)
    return payment


def refund_duplicate(session: Session, gateway: PaymentGateway, payment: Payment) -> Refund:
    """Send back, in full, a payment that charged a checkout another payment had already paid, and record it
    (a refund of no order: the orders were paid once, by the other payment). Commits.

    :raises InvalidInput: the payment is not such a duplicate (or was refunded meanwhile).
    :raises PaymentError: the provider refused or did not answer; the payment stays to refund.
    """
    payment_id, amount, currency = payment.id, payment.amount, payment.currency
    provider_ref, reference = payment.provider_ref, payment.reference
    if payment.status != "duplicate":
        raise InvalidInput(f"{reference} is {payment.status}, not a duplicate")
    session.commit()  # nothing open while the provider works (see refund_order)
    refund_ref = gateway.refund(provider_ref, Money(amount, currency), reference)
    begin_write(session)
    locked = session.get(Payment, payment_id, with_for_update=True, populate_existing=True)
    refund = Refund(payment_id=payment_id, order_id=None, amount=amount, currency=currency,
                    provider_ref=refund_ref, reason="charged twice: the checkout was already paid")
    session.add(refund)
    locked.status = "refunded"
    session.commit()
    log.info("duplicate payment %s refunded (%s %s, %s)", reference, amount, currency, refund_ref)
    return refund


def send_refund(session: Session, gateway: PaymentGateway, payment: Payment, amount: Decimal, currency: str) -> str:
    """Ask the payment's provider to send `amount` back; returns the provider's refund id.

    Commits first: no transaction may stay open while the provider works (on SQLite a read begun before the
    provider's own write could not be turned into our write afterwards). The caller records the refund.

    :raises PaymentError: the provider refused or did not answer; nothing was sent.
    """
    provider_ref, reference = payment.provider_ref, payment.reference
    session.commit()
    return gateway.refund(provider_ref, Money(amount, currency), reference)


def refund_duplicates(session: Session, gateway: PaymentGateway) -> int:
    """Send back duplicate charges not refunded yet (retries of what apply_result tried). Returns how many.

    Run by `flask orders tick`, so a refund that failed when the payment arrived is not lost.
    """
    done = 0
    for payment in session.scalars(select(Payment).where(Payment.status == "duplicate").order_by(Payment.id)).all():
        try:
            refund_duplicate(session, gateway, payment)
            done += 1
        except (PaymentError, InvalidInput) as exc:
            session.rollback()
            log.error("refund of duplicate payment %s failed, will retry: %s", payment.reference, exc)
    return done
