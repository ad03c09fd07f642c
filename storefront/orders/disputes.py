"""Disputes: a buyer's claim on a shipped order, the seller's answer, the platform's decision, and their timer.

A dispute is open (the seller answers by respond_by: accept, offer a partial refund, or reject), offered
(the buyer accepts or declines the offer by respond_by), escalated (the platform admin decides) and in
the end resolved: full_refund, partial_refund, rejected or withdrawn. While a refund is with the payment
provider it is 'settling', a claim like the one cancel_by_seller puts on its order, so no second answer
refunds twice. Every change is also written to the thread as a system line, so it reads as a history.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..core.effects import before_commit
from ..core.errors import DomainError
from ..payments.gateway import PaymentGateway
from ..payments.models import Refund
from . import dispute_mail
from .dispute_rules import (
    BUYER_RESPONSE_DAYS,
    DECISIONS,
    MESSAGE_MAX,
    REASONS,
    SELLER_RESPONSE_DAYS,
    SETTLE_TIMEOUT,
    SETTLING,
    UNRESOLVED,
    DisputeBusy,
    DisputeRefused,
    Expired,
    InvalidDispute,
    amount_problem,
    clean_message,
    dispute_problems,
    left_to_refund,
    message_problem,
    money_text,
    parse_refund,
    system_line,
)
from .models import Dispute, DisputeMessage, Order
from .refunds import refund_order
from .protection import IN_TRANSIT, dispute_opens_at, lock_order, utc
from .services import IllegalTransition, transition

log = logging.getLogger(__name__)


# --- reading ----------------------------------------------------------------------------------------

def thread(session: Session, order: Order) -> Dispute | None:
    """The order's dispute with its messages, or None."""
    return session.scalar(select(Dispute).where(Dispute.order_id == order.id)
                          .options(selectinload(Dispute.messages)))


def disputes_to_answer(session: Session, seller_id: int, limit: int = 50) -> list[Dispute]:
    """This seller's disputes waiting for their answer, the nearest deadline first."""
    return list(session.scalars(
        select(Dispute).join(Order).where(Order.seller_id == seller_id, Dispute.status == "open")
        .order_by(Dispute.respond_by, Dispute.id).limit(limit).options(selectinload(Dispute.order))
    ))


def escalated_disputes(session: Session, limit: int = 100) -> list[Dispute]:
    """Disputes waiting for the platform's decision, the longest waiting first."""
    return list(session.scalars(
        select(Dispute).where(Dispute.status == "escalated").order_by(Dispute.escalated_at, Dispute.id)
        .limit(limit).options(selectinload(Dispute.order).selectinload(Order.seller))
    ))


# --- writing ----------------------------------------------------------------------------------------

def _tell(session: Session, mail: str, order_id: int, *args: str) -> None:
    """Queue one of dispute_mail's emails about the order, sent once this transaction commits (never if it
    rolls back): the services say who hears of each step, the views only answer the request."""
    before_commit(session, _send, session, mail, order_id, *args)


def _send(session: Session, mail: str, order_id: int, *args: str) -> None:
    getattr(dispute_mail, mail)(session.get(Order, order_id), *args)


@contextmanager
def _writing(session: Session) -> Iterator[None]:
    """Commit what the block did, or roll all of it back when it raises."""
    try:
        yield
    except BaseException:
        session.rollback()
        raise
    session.commit()


def _locked(session: Session, order_id: int) -> tuple[Order, Dispute | None]:
    """Begin a write, lock the order's row then its dispute's, both read afresh."""
    order = lock_order(session, order_id)
    dispute = session.scalar(select(Dispute).where(Dispute.order_id == order_id).with_for_update()
                             .execution_options(populate_existing=True))
    return order, dispute


def _expect(order: Order, dispute: Dispute | None, statuses: tuple[str, ...], move: str) -> Dispute:
    """The dispute, when `move` is allowed in its status.

    :raises DisputeBusy: a refund for it is with the provider.
    :raises IllegalTransition: no dispute, or not in one of `statuses`.
    """
    if dispute is not None and dispute.status == SETTLING:
        raise DisputeBusy(order.number)
    if dispute is None or dispute.status not in statuses:
        raise IllegalTransition(f"{order.number}: dispute {dispute.status if dispute else 'none'} -> {move}")
    return dispute


def _say(session: Session, dispute: Dispute, author: str, body: str, now: datetime) -> None:
    session.add(DisputeMessage(dispute_id=dispute.id, author=author, body=body[:MESSAGE_MAX], at=now))


def _escalate(session: Session, dispute: Dispute, line: str, now: datetime) -> None:
    dispute.status, dispute.escalated_at, dispute.respond_by = "escalated", now, None
    _say(session, dispute, "system", system_line(line), now)


def _close(session: Session, order: Order, dispute: Dispute, *, resolution: str, amount: Decimal, actor: str,
           line: str, now: datetime) -> None:
    """Resolve the dispute and end the order: refunded when nothing is left to pay the seller, else completed
    (which makes the seller's payout of total less refunds due)."""
    dispute.status, dispute.resolution, dispute.refund_amount = "resolved", resolution, amount
    dispute.resolved_by, dispute.resolved_at, dispute.respond_by = actor[:40], now, None
    _say(session, dispute, "system", system_line(line, amount=money_text(amount, order.currency)), now)
    _tell(session, "dispute_resolved", order.id)  # buyer and seller
    if order.status != "disputed":  # never lose a recorded refund to a failed transition
        log.error("dispute on %s resolved but the order is %s", order.number, order.status)
        return
    to = "refunded" if order.refunded_total >= order.total else "completed"
    transition(session, order, to, actor=actor, note=f"dispute: {resolution.replace('_', ' ')}", now=now)


def _refund_and_close(session: Session, gateway: PaymentGateway, order_id: int, dispute_id: int, amount: Decimal,
                      *, resolution: str, actor: str, line: str, now: datetime,
                      before: tuple[str, datetime | None], note: tuple[str, str] | None = None) -> Dispute:
    """Refund `amount` through the provider, then resolve; the dispute is claimed (settling) already.

    A full refund resolves in the refund's own transaction. A partial one resolves right after; should
    that never happen (a crash), expire_disputes finds the refund and finishes. If the provider refuses,
    the claim is released and everything is as before. `note` (author, text) goes in the thread on success.
    """

    def close(session: Session, order: Order) -> None:
        dispute = session.scalar(select(Dispute).where(Dispute.id == dispute_id).with_for_update()
                                 .execution_options(populate_existing=True))
        if note:
            _say(session, dispute, *note, now)
        _close(session, order, dispute, resolution=resolution, amount=amount, actor=actor, line=line, now=now)

    order = session.get(Order, order_id)
    full = amount >= order.total - order.refunded_total
    try:
        refund_order(session, gateway, order, amount, reason=f"dispute {dispute_id}: {resolution}",
                     on_full_refund=close if full else None)
    except DomainError:
        session.rollback()
        with _writing(session):
            _, dispute = _locked(session, order_id)
            if dispute is not None and dispute.status == SETTLING:
                dispute.status, dispute.respond_by = before
        raise
    if not full:
        with _writing(session):
            close(session, lock_order(session, order_id))
    return session.get(Dispute, dispute_id)


def _refund_due(order: Order, wanted: Decimal) -> tuple[Decimal, str]:
    """What to refund for `wanted` (never more than is left) and whether that is a full or a partial refund."""
    left = order.total - order.refunded_total
    amount = min(wanted, left)
    return amount, ("full_refund" if amount >= left else "partial_refund")


def _settle(session: Session, gateway: PaymentGateway, order: Order, dispute: Dispute, amount: Decimal, *,
            resolution: str, actor: str, line: str, now: datetime,
            note: tuple[str, str] | None = None) -> Dispute:
    """Claim the checked dispute (in the caller's locking transaction), commit, and refund. Commits."""
    before = (dispute.status, dispute.respond_by)
    dispute.status, dispute.respond_by = SETTLING, now + SETTLE_TIMEOUT
    order_id, dispute_id = order.id, dispute.id
    session.commit()
    return _refund_and_close(session, gateway, order_id, dispute_id, amount, resolution=resolution, actor=actor,
                             line=line, now=now, before=before, note=note)


def open_dispute(session: Session, order: Order, *, reason: str, requested: str, amount: str | Decimal | None,
                 message: str, now: datetime, actor: str = "buyer") -> Dispute:
    """The buyer opens a dispute on a shipped or delivered order; the order becomes disputed and the seller
    has SELLER_RESPONSE_DAYS to answer. A partial refund of everything left counts as a full one. Commits.

    :raises IllegalTransition: the order is not shipped or delivered (paid, completed, disputed...).
    :raises DisputeRefused: 'already_disputed', 'too_early' (see dispute_opens_at), 'window_ended'.
    :raises InvalidDispute: see dispute_problems(). Nothing changes when it raises.
    """
    now = utc(now)
    message = clean_message(message)
    with _writing(session):
        locked, existing = _locked(session, order.id)
        if locked.status not in IN_TRANSIT:
            raise IllegalTransition(f"{locked.number}: {locked.status} -> disputed")
        if existing is not None:
            raise DisputeRefused("already_disputed")
        opens = dispute_opens_at(locked, reason if reason in REASONS else "not_received")
        if now < opens:
            raise DisputeRefused("too_early", opens)
        if locked.protection_ends_at is not None and now >= utc(locked.protection_ends_at):
            raise DisputeRefused("window_ended")
        left = left_to_refund(locked)
        problems = dispute_problems(reason, requested, amount, message, left)
        if problems:
            raise InvalidDispute(*problems[0])
        asked = left.amount if requested == "full_refund" else parse_refund(amount, left.currency)
        requested = "full_refund" if asked >= left.amount else requested
        dispute = Dispute(order_id=locked.id, reason=reason, status="open", requested=requested,
                          requested_amount=asked, respond_by=now + timedelta(days=SELLER_RESPONSE_DAYS),
                          previous_status=locked.status, opened_at=now)
        session.add(dispute)
        session.flush()
        _say(session, dispute, "system", system_line(f"opened_{requested}", reason=reason.replace("_", " "),
                                                     amount=money_text(asked, locked.currency)), now)
        _say(session, dispute, "buyer", message, now)
        transition(session, locked, "disputed", actor=actor, note=reason.replace("_", " "), now=now)
        _tell(session, "dispute_opened", locked.id)  # the seller must answer
    log.info("order %s disputed (%s, %s %s)", locked.number, reason, requested, asked)
    return dispute


def add_message(session: Session, order: Order, *, author: str, body: str, now: datetime) -> DisputeMessage:
    """Buyer or seller adds to the thread of an unresolved dispute. Commits.

    :raises IllegalTransition: no dispute, or it is resolved.
    :raises DisputeBusy: its refund is with the provider.
    :raises InvalidDispute: field 'message', 'required' or 'too_long'.
    """
    if author not in ("buyer", "seller", "admin"):
        raise ValueError(author)
    now, body = utc(now), clean_message(body)
    with _writing(session):
        locked, dispute = _locked(session, order.id)
        dispute = _expect(locked, dispute, UNRESOLVED, "message")
        if problem := message_problem(body):
            raise InvalidDispute(*problem)
        message = DisputeMessage(dispute_id=dispute.id, author=author, body=body, at=now)
        session.add(message)
        if author == "seller":
            _tell(session, "dispute_answered", locked.id, "replied")
    return message


def seller_accept(session: Session, gateway: PaymentGateway, order: Order, *, actor: str, now: datetime) -> Dispute:
    """The seller gives the buyer what they asked for: that refund, and the dispute is resolved. Commits.

    :raises IllegalTransition: the dispute is not open or offered. :raises DisputeBusy: see _expect.
    :raises PaymentError: the provider refused; nothing changed.
    """
    now = utc(now)
    locked, dispute = _locked(session, order.id)
    try:
        dispute = _expect(locked, dispute, ("open", "offered"), "accepted")
    except DomainError:
        session.rollback()
        raise
    amount, resolution = _refund_due(locked, dispute.requested_amount)
    return _settle(session, gateway, locked, dispute, amount, resolution=resolution, actor=actor, line="accepted",
                   now=now)


def seller_offer(session: Session, order: Order, *, amount: str | Decimal, message: str | None, actor: str,
                 now: datetime) -> Dispute:
    """The seller offers a partial refund instead; the buyer has BUYER_RESPONSE_DAYS to accept or decline.
    A new offer replaces one the buyer has not answered yet. Commits.

    :raises IllegalTransition: the dispute is not open or offered. :raises DisputeBusy: see _expect.
    :raises InvalidDispute: 'amount' ('required', 'format', 'not_positive', 'too_much') or 'message' ('too_long').
    """
    now, message = utc(now), clean_message(message)
    with _writing(session):
        locked, dispute = _locked(session, order.id)
        dispute = _expect(locked, dispute, ("open", "offered"), "offered")
        if problem := amount_problem(amount, left_to_refund(locked)) or message_problem(message, required=False):
            raise InvalidDispute(*problem)
        dispute.offer_amount = parse_refund(amount, locked.currency)
        dispute.status, dispute.respond_by = "offered", now + timedelta(days=BUYER_RESPONSE_DAYS)
        _say(session, dispute, "system", system_line("offered", amount=money_text(dispute.offer_amount,
                                                                                  locked.currency)), now)
        if message:
            _say(session, dispute, "seller", message, now)
        _tell(session, "dispute_answered", locked.id, "offered")
    return dispute


def seller_reject(session: Session, order: Order, *, message: str, actor: str, now: datetime) -> Dispute:
    """The seller refuses the claim and says why; the platform admin decides. Commits.

    :raises IllegalTransition: the dispute is not open or offered. :raises DisputeBusy: see _expect.
    :raises InvalidDispute: field 'message', 'required' or 'too_long'.
    """
    now, message = utc(now), clean_message(message)
    with _writing(session):
        locked, dispute = _locked(session, order.id)
        dispute = _expect(locked, dispute, ("open", "offered"), "rejected")
        if problem := message_problem(message):
            raise InvalidDispute(*problem)
        _say(session, dispute, "seller", message, now)
        _escalate(session, dispute, "rejected", now)
        _tell(session, "dispute_answered", locked.id, "rejected")
    log.info("dispute on %s rejected by %s, escalated", locked.number, actor)
    return dispute


def buyer_accept_offer(session: Session, gateway: PaymentGateway, order: Order, *, now: datetime,
                       actor: str = "buyer") -> Dispute:
    """The buyer takes the seller's offer: it is refunded and the order completes. Commits.

    :raises IllegalTransition: there is no offer. :raises DisputeBusy: see _expect.
    :raises PaymentError: the provider refused; nothing changed.
    """
    now = utc(now)
    locked, dispute = _locked(session, order.id)
    try:
        dispute = _expect(locked, dispute, ("offered",), "offer accepted")
    except DomainError:
        session.rollback()
        raise
    amount, resolution = _refund_due(locked, dispute.offer_amount)
    return _settle(session, gateway, locked, dispute, amount, resolution=resolution, actor=actor,
                   line="offer_accepted", now=now)


def buyer_decline_offer(session: Session, order: Order, *, message: str | None = None, now: datetime) -> Dispute:
    """The buyer turns the offer down; the platform admin decides. Commits.

    :raises IllegalTransition: there is no offer. :raises DisputeBusy: see _expect.
    :raises InvalidDispute: field 'message', 'too_long'.
    """
    now, message = utc(now), clean_message(message)
    with _writing(session):
        locked, dispute = _locked(session, order.id)
        dispute = _expect(locked, dispute, ("offered",), "offer declined")
        if problem := message_problem(message, required=False):
            raise InvalidDispute(*problem)
        if message:
            _say(session, dispute, "buyer", message, now)
        _escalate(session, dispute, "offer_declined", now)
    return dispute


def buyer_withdraw(session: Session, order: Order, *, now: datetime, actor: str = "buyer") -> Dispute:
    """The buyer drops the dispute: it is resolved as withdrawn and the order goes back to where it was
    (delivered, should the parcel have been delivered meanwhile), its protection window still running. Commits.

    :raises IllegalTransition: the dispute is resolved already. :raises DisputeBusy: see _expect.
    """
    now = utc(now)
    with _writing(session):
        locked, dispute = _locked(session, order.id)
        dispute = _expect(locked, dispute, UNRESOLVED, "withdrawn")
        dispute.status, dispute.resolution, dispute.resolved_by = "resolved", "withdrawn", actor
        dispute.resolved_at, dispute.respond_by = now, None
        _say(session, dispute, "system", system_line("withdrawn"), now)
        back = "delivered" if locked.delivered_at is not None else dispute.previous_status
        transition(session, locked, back, actor=actor, note="dispute withdrawn", now=now)
        _tell(session, "dispute_resolved", locked.id)
    return dispute


def admin_decide(session: Session, gateway: PaymentGateway, order: Order, *, decision: str,
                 amount: str | Decimal | None = None, note: str | None = None, actor: str, now: datetime) -> Dispute:
    """The platform admin ends an escalated dispute: a full refund (order refunded), a partial refund of
    `amount` or a rejection (both complete the order and pay the seller the rest). The note goes in the
    thread. Commits.

    :raises IllegalTransition: the dispute is not escalated. :raises DisputeBusy: see _expect.
    :raises InvalidDispute: 'decision' ('unknown'), 'amount' (see amount_problem), 'message' ('too_long').
    :raises PaymentError: the provider refused; nothing changed.
    """
    now, note = utc(now), clean_message(note)
    locked, dispute = _locked(session, order.id)
    try:
        dispute = _expect(locked, dispute, ("escalated",), f"decided {decision}")
        left = left_to_refund(locked)
        if decision not in DECISIONS:
            raise InvalidDispute("decision", "unknown")
        if decision == "partial_refund" and (problem := amount_problem(amount, left)):
            raise InvalidDispute(*problem)
        if problem := message_problem(note, required=False):
            raise InvalidDispute(*problem)
        if decision == "rejected":
            if note:
                _say(session, dispute, "admin", note, now)
            _close(session, locked, dispute, resolution="rejected", amount=Decimal(0), actor=actor,
                   line="decided_rejected", now=now)
            session.commit()
            return dispute
    except BaseException:
        session.rollback()
        raise
    value = left.amount if decision == "full_refund" else parse_refund(amount, left.currency)
    value, resolution = _refund_due(locked, value)
    return _settle(session, gateway, locked, dispute, value, resolution=resolution, actor=actor,
                   line=f"decided_{resolution}", now=now, note=("admin", note) if note else None)


def expire_disputes(session: Session, gateway: PaymentGateway, now: datetime) -> list[Expired]:
    """The dispute timer, run by `flask orders tick` (`now` injected). Commits each dispute.

    - open past respond_by: the seller did not answer, so the platform admin decides (escalated). We do
      not refund the buyer automatically as AliExpress does: our sellers are small shops, a refund cannot
      be taken back, and a person looking at the thread is cheap next to a wrong refund. The admin's
      queue is ordered by waiting time, and the buyer is told.
    - offered past respond_by: the buyer let the seller's offer stand, so it is accepted (refunded, order
      completed), as marketplaces do with an unanswered proposal; otherwise the order would never end.
    - settling past respond_by (a crash while refunding): finished from the refund on record, or, with
      none, handed to the admin.

    A dispute whose refund the provider refuses now stays as it was, for the next tick.
    """
    now = utc(now)
    due = session.execute(
        select(Dispute.id, Dispute.order_id).where(Dispute.status.in_(("open", "offered", SETTLING)),
                                                   Dispute.respond_by < now).order_by(Dispute.respond_by)
    ).all()
    session.commit()
    done = []
    for dispute_id, order_id in due:
        try:
            outcome = _expire_one(session, gateway, order_id, now)
        except DomainError as exc:
            session.rollback()
            log.warning("dispute %s not moved on, will retry: %s", dispute_id, exc)
            continue
        if outcome:
            done.append(Expired(session.get(Order, order_id), session.get(Dispute, dispute_id), outcome))
    return done


def _expire_one(session: Session, gateway: PaymentGateway, order_id: int, now: datetime) -> str | None:
    locked, dispute = _locked(session, order_id)
    if dispute is None or dispute.respond_by is None or utc(dispute.respond_by) >= now:
        session.commit()  # answered meanwhile
        return None
    if dispute.status == "open":
        _escalate(session, dispute, "no_answer", now)
        _tell(session, "dispute_answered", order_id, "no_answer")  # the buyer hears the platform decides now
        session.commit()
        return "escalated"
    if dispute.status == "offered":
        amount, resolution = _refund_due(locked, dispute.offer_amount)
        _settle(session, gateway, locked, dispute, amount, resolution=resolution, actor="system",
                line="offer_lapsed", now=now)
        return "offer_accepted"
    if dispute.status == SETTLING:
        refunds = session.scalars(select(Refund).where(Refund.order_id == order_id,
                                                       Refund.reason.like(f"dispute {dispute.id}:%"))).all()
        if refunds:
            resolution = refunds[-1].reason.split(": ", 1)[1]
            _close(session, locked, dispute, resolution=resolution, amount=sum(r.amount for r in refunds),
                   actor="system", line="settled", now=now)
            outcome = "settled"
        else:
            _escalate(session, dispute, "settle_failed", now)
            _tell(session, "dispute_answered", order_id, "no_answer")
            outcome = "escalated"
        session.commit()
        return outcome
    session.commit()
    return None
