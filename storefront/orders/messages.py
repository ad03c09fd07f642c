"""Contact the seller: one message thread per order between its buyer and its seller, and how quickly each
seller answers (their response rate and typical response time, shown to shoppers).

The caller commits; the other side is emailed after the message commits.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.clock import utcnow
from ..core.effects import after_commit
from ..core.errors import FieldError
from ..core.mail import send_mail
from .dispute_mail import seller_contact
from .dispute_rules import clean_message, message_problem
from .models import Order, OrderMessage

RESPONSE_WINDOW = timedelta(days=90)   # response figures look at threads started this recently
ANSWERED_WITHIN = timedelta(hours=48)  # a thread counts as answered when the seller replied this fast
MIN_THREADS = 3                        # fewer threads than this say too little to show a rate


class InvalidMessage(FieldError):
    """Codes: message 'required' / 'too_long'."""


@dataclass(frozen=True)
class ResponseFigures:
    """How a seller answers buyers' messages: the share of threads answered within ANSWERED_WITHIN and the
    median hours to their first reply, over the last RESPONSE_WINDOW."""

    threads: int
    rate: int            # percent, rounded down
    median_hours: int    # rounded up, at least 1


def thread(session: Session, order: Order) -> list[OrderMessage]:
    """The order's messages, oldest first."""
    return list(session.scalars(select(OrderMessage).where(OrderMessage.order_id == order.id)
                                .order_by(OrderMessage.at, OrderMessage.id)))


def post(session: Session, order: Order, *, author: str, body: str | None, now: datetime) -> OrderMessage:
    """Add the buyer's or the seller's message to the order's thread; the other side is emailed.

    :raises InvalidMessage: 'required' or 'too_long'.
    """
    if author not in ("buyer", "seller"):
        raise ValueError(author)
    problem = message_problem(body)
    if problem is not None:
        raise InvalidMessage(*problem)
    message = OrderMessage(order_id=order.id, seller_id=order.seller_id, author=author, body=clean_message(body),
                           at=now)
    session.add(message)
    session.flush()
    after_commit(session, _tell, session, message.id)
    return message


def _tell(session: Session, message_id: int) -> None:
    message = session.get(OrderMessage, message_id)
    order = session.get(Order, message.order_id)
    if message.author == "buyer":
        contact = seller_contact(order)  # a store without an owner is logged there
        if contact is not None:
            send_mail(contact[0], "order_message", contact[1], order=order, message=message, to_seller=True)
    elif order.email:
        send_mail(order.email, "order_message", order.checkout.locale, order=order, message=message,
                  to_seller=False)


def response_figures(session: Session, seller_ids, now: datetime | None = None) -> dict[int, ResponseFigures]:
    """Each seller's response figures (sellers with fewer than MIN_THREADS recent threads are left out)."""
    now = now or utcnow()
    rows = session.execute(
        select(OrderMessage.seller_id, OrderMessage.order_id, OrderMessage.author, OrderMessage.at)
        .where(OrderMessage.seller_id.in_(list(seller_ids)), OrderMessage.at >= now - RESPONSE_WINDOW)
        .order_by(OrderMessage.order_id, OrderMessage.at, OrderMessage.id))
    first_ask: dict[tuple[int, int], datetime] = {}
    first_reply: dict[tuple[int, int], datetime] = {}
    for seller_id, order_id, author, at in rows:
        key = (seller_id, order_id)
        if author == "buyer":
            first_ask.setdefault(key, at)
        elif key in first_ask:
            first_reply.setdefault(key, at)
    per_seller: dict[int, list[timedelta | None]] = {}
    for key, asked in first_ask.items():
        replied = first_reply.get(key)
        per_seller.setdefault(key[0], []).append(None if replied is None else replied - asked)
    figures = {}
    for seller_id, waits in per_seller.items():
        if len(waits) < MIN_THREADS:
            continue
        answered = [w for w in waits if w is not None and w <= ANSWERED_WITHIN]
        replied = [w for w in waits if w is not None]
        hours = statistics.median(w.total_seconds() for w in replied) / 3600 if replied else 0
        figures[seller_id] = ResponseFigures(threads=len(waits), rate=100 * len(answered) // len(waits),
                                             median_hours=max(1, -int(-hours // 1)))
    return figures
