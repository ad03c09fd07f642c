"""Telling buyer and seller what happened in a dispute, each in their own language, and the words the pages
and emails share: reasons, statuses, outcomes and the thread's system lines. Also the buyer's email when a
seller answers their review."""
from __future__ import annotations

import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import object_session

from ..accounts.models import User
from ..core.mail import mail_money, send_mail
from ..core.money import Money
from .dispute_rules import parse_system_line
from .models import Dispute, DisputeMessage, Order

log = logging.getLogger(__name__)

REASON_LABELS = {"not_received": _l("I did not receive the item"),
                 "not_as_described": _l("The item is not as described")}
# The reason inside a sentence of the thread.
REASON_WORDS = {"not_received": _l("item not received"), "not_as_described": _l("item not as described")}
REQUEST_LABELS = {"full_refund": _l("Full refund"), "partial_refund": _l("Partial refund")}
STATUS_LABELS = {"open": _l("Waiting for the seller's answer"), "offered": _l("The seller offered a partial refund"),
                 "escalated": _l("Waiting for the platform's decision"), "settling": _l("Refund in progress"),
                 "resolved": _l("Closed")}
RESOLUTION_LABELS = {"full_refund": _l("Fully refunded"), "partial_refund": _l("Partly refunded"),
                     "rejected": _l("Claim rejected"), "withdrawn": _l("Withdrawn by the buyer")}
AUTHOR_LABELS = {"buyer": _l("Buyer"), "seller": _l("Seller"), "admin": _l("Platform"), "system": _l("Status update")}
SYSTEM_LINE_LABELS = {
    "opened_full_refund": _l("Dispute opened (%(reason)s): the buyer asks for a full refund of %(amount)s."),
    "opened_partial_refund": _l("Dispute opened (%(reason)s): the buyer asks for a partial refund of %(amount)s."),
    "accepted": _l("The seller accepted the claim: %(amount)s refunded."),
    "offered": _l("The seller offered a partial refund of %(amount)s."),
    "offer_accepted": _l("The buyer accepted the offer: %(amount)s refunded."),
    "offer_lapsed": _l("The buyer did not answer the offer in time, so it stands: %(amount)s refunded."),
    "offer_declined": _l("The buyer declined the offer; the platform will decide."),
    "rejected": _l("The seller rejected the claim; the platform will decide."),
    "no_answer": _l("The seller did not answer in time; the platform will decide."),
    "withdrawn": _l("The buyer withdrew the dispute."),
    "decided_full_refund": _l("The platform decided: full refund of %(amount)s."),
    "decided_partial_refund": _l("The platform decided: partial refund of %(amount)s."),
    "decided_rejected": _l("The platform rejected the claim; the seller is paid."),
    "settled": _l("%(amount)s refunded."),
    "settle_failed": _l("The refund could not be confirmed; the platform will decide."),
}
# What the buyer's "dispute answered" email says happened.
ANSWERS = ("replied", "offered", "rejected", "no_answer")


def _label(labels: dict, code: str | None) -> str:
    return str(labels.get(code or "", code or ""))


def dispute_reason_label(code: str) -> str:
    """A dispute reason in the current language."""
    return _label(REASON_LABELS, code)


def dispute_request_label(code: str) -> str:
    """What the buyer asked for, in the current language."""
    return _label(REQUEST_LABELS, code)


def dispute_status_label(dispute: Dispute) -> str:
    """Where a dispute stands, in the current language (its outcome once resolved)."""
    if dispute.status == "resolved":
        return _label(RESOLUTION_LABELS, dispute.resolution)
    return _label(STATUS_LABELS, dispute.status)


def dispute_author_label(code: str) -> str:
    """Who wrote a line of the thread."""
    return _label(AUTHOR_LABELS, code)


def dispute_text(message: DisputeMessage) -> str:
    """A message's text to show: people's words as written, system lines in the current language.

    The result is plain text; templates escape it like any other.
    """
    if message.author != "system":
        return message.body
    parsed = parse_system_line(message.body)
    if parsed is None or parsed[0] not in SYSTEM_LINE_LABELS:
        return message.body
    code, params = parsed
    if "reason" in params:
        params["reason"] = _label(REASON_WORDS, params["reason"].replace(" ", "_"))
    return str(SYSTEM_LINE_LABELS[code]) % params


TEMPLATE_HELPERS = {
    "dispute_reason_label": dispute_reason_label, "dispute_request_label": dispute_request_label,
    "dispute_status_label": dispute_status_label, "dispute_author_label": dispute_author_label,
    "dispute_text": dispute_text,
}


# --- emails -----------------------------------------------------------------------------------------

def seller_contact(order: Order) -> tuple[str, str, str | None] | None:
    """(email, locale, country) of the account owning the order's store; None for a store without an owner."""
    owner_id = order.seller.owner_id
    user = object_session(order).get(User, owner_id) if owner_id is not None else None
    if user is None:
        log.warning("store %s has no owner to email about order %s", order.seller.handle, order.number)
        return None
    return user.email, user.locale or "en", user.country or order.seller.country


def _amounts(order: Order, locale: str, country: str | None) -> dict[str, str]:
    """The dispute's amounts formatted for one recipient's language and country."""
    dispute = order.dispute

    def money(amount) -> str:
        return mail_money(Money(amount, order.currency), locale, country) if amount is not None else ""

    return {"requested": money(dispute.requested_amount), "offer": money(dispute.offer_amount),
            "refund": money(dispute.refund_amount), "total": money(order.total)}


def dispute_opened(order: Order) -> None:
    """Email the seller that a buyer disputes their order, what they ask and by when to answer."""
    contact = seller_contact(order)
    if contact:
        email, locale, country = contact
        send_mail(email, "dispute_opened", locale, country, order=order, dispute=order.dispute,
                  amounts=_amounts(order, locale, country), first=_first_buyer_words(order.dispute), **TEMPLATE_HELPERS)


def dispute_answered(order: Order, what: str) -> None:
    """Email the buyer the seller's answer: 'replied', 'offered', 'rejected', or 'no_answer' (the deadline)."""
    if what not in ANSWERS:
        raise ValueError(what)
    locale, country = order.checkout.locale, order.checkout.country
    send_mail(order.email, "dispute_answered", locale, country, order=order, dispute=order.dispute, what=what,
              amounts=_amounts(order, locale, country), last=_just_said(order.dispute, "seller"), **TEMPLATE_HELPERS)


def dispute_resolved(order: Order) -> None:
    """Email buyer and seller how the dispute ended and what was refunded."""
    recipients = [(order.email, order.checkout.locale, order.checkout.country, "buyer")]
    if contact := seller_contact(order):
        recipients.append((*contact, "seller"))
    note = _just_said(order.dispute, "admin") if (order.dispute.resolved_by or "").startswith("admin") else ""
    for email, locale, country, role in recipients:
        send_mail(email, "dispute_resolved", locale, country, order=order, dispute=order.dispute, role=role,
                  note=note, amounts=_amounts(order, locale, country), **TEMPLATE_HELPERS)


def review_replied(review) -> None:
    """Email the buyer that the seller answered their review, with the answer."""
    order = object_session(review).get(Order, review.order_id)
    send_mail(order.email, "review_replied", order.checkout.locale, order.checkout.country, order=order,
              review=review,
              seller=order.seller.name)


def _just_said(dispute: Dispute, author: str) -> str:
    """What `author` wrote with their latest step, if the thread's newest words (system lines aside) are theirs."""
    said = [m for m in dispute.messages if m.author != "system"]
    return said[-1].body if said and said[-1].author == author else ""


def _first_buyer_words(dispute: Dispute) -> str:
    said = [m.body for m in dispute.messages if m.author == "buyer"]
    return said[0] if said else ""
