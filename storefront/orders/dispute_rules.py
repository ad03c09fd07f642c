"""The rules of a dispute, without the database: who may ask for what, the limits on amounts and messages,
the errors the dispute services raise, and the thread's system lines (stored in English, shown translated)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from ..core.errors import DomainError, FieldError
from ..core.money import Money, precision
from .models import Dispute, Order

REASONS = ("not_received", "not_as_described")
REQUESTS = ("full_refund", "partial_refund")
DECISIONS = ("full_refund", "partial_refund", "rejected")
MESSAGE_MAX = 2000
SELLER_RESPONSE_DAYS = 3   # the seller's time to answer a new dispute
BUYER_RESPONSE_DAYS = 5    # the buyer's time to accept or decline an offer
SETTLING = "settling"
SETTLE_TIMEOUT = timedelta(minutes=10)  # a claim this old was abandoned (a crash while refunding)
UNRESOLVED = ("open", "offered", "escalated")

# The thread's system lines, in English as stored; dispute_mail translates them for display by code.
SYSTEM_LINES = {
    "opened_full_refund": "Dispute opened ({reason}): the buyer asks for a full refund of {amount}.",
    "opened_partial_refund": "Dispute opened ({reason}): the buyer asks for a partial refund of {amount}.",
    "accepted": "The seller accepted the claim: {amount} refunded.",
    "offered": "The seller offered a partial refund of {amount}.",
    "offer_accepted": "The buyer accepted the offer: {amount} refunded.",
    "offer_lapsed": "The buyer did not answer the offer in time, so it stands: {amount} refunded.",
    "offer_declined": "The buyer declined the offer; the platform will decide.",
    "rejected": "The seller rejected the claim; the platform will decide.",
    "no_answer": "The seller did not answer in time; the platform will decide.",
    "withdrawn": "The buyer withdrew the dispute.",
    "decided_full_refund": "The platform decided: full refund of {amount}.",
    "decided_partial_refund": "The platform decided: partial refund of {amount}.",
    "decided_rejected": "The platform rejected the claim; the seller is paid.",
    "settled": "{amount} refunded.",
    "settle_failed": "The refund could not be confirmed; the platform will decide.",
}


class InvalidDispute(FieldError):
    """Dispute input broke a rule: `field` is the form field, `code` the rule ('unknown', 'required', 'format',
    'not_positive', 'too_much', 'too_long')."""


class DisputeRefused(DomainError):
    """The buyer cannot open a dispute now: `reason` is 'too_early' (see `opens_at`), 'window_ended' or
    'already_disputed' (an order has one dispute, ever)."""

    def __init__(self, reason: str, opens_at: datetime | None = None) -> None:
        super().__init__(reason)
        self.reason, self.opens_at = reason, opens_at


class DisputeBusy(DomainError):
    """A refund for this dispute is with the payment provider right now."""


@dataclass(frozen=True)
class Expired:
    """What the timer did to one dispute: 'escalated', 'offer_accepted' or 'settled'."""

    order: Order
    dispute: Dispute
    outcome: str


# --- the thread's system lines -----------------------------------------------------------------------

def money_text(amount: Decimal, currency: str) -> str:
    """An amount as the thread stores it: '5.00 EUR'."""
    return f"{Money(amount, currency).quantize().amount} {currency}"


def system_line(code: str, **params: str) -> str:
    """The English system line for `code`, as stored in the thread."""
    return SYSTEM_LINES[code].format(**params)


# What each placeholder of a system line may hold: an amount as money_text writes it, a reason's words.
_PARAMS = {"amount": r"\d+(?:\.\d+)? [A-Z]{3}", "reason": r"[a-z ]+"}


def _line_pattern(template: str) -> re.Pattern:
    return re.compile(re.sub(r"\\\{(\w+)\\\}", lambda m: f"(?P<{m[1]}>{_PARAMS[m[1]]})", re.escape(template)))


_PATTERNS = {code: _line_pattern(template) for code, template in SYSTEM_LINES.items()}


def parse_system_line(body: str) -> tuple[str, dict[str, str]] | None:
    """(code, params) of a stored system line, or None for text that is not one."""
    for code, pattern in _PATTERNS.items():
        match = pattern.fullmatch(body)
        if match:
            return code, match.groupdict()
    return None


# --- the rules on what people enter -----------------------------------------------------------------

def clean_message(text: str | None) -> str:
    """A message as stored: trimmed, line breaks kept, at most one blank line in a row."""
    text = (text or "").replace("\r\n", "\n").strip()
    return re.sub(r"\n{3,}", "\n\n", text)


def message_problem(text: str | None, *, required: bool = True) -> tuple[str, str] | None:
    """The rule a message breaks, as ('message', code), or None."""
    text = clean_message(text)
    if required and not text:
        return "message", "required"
    if len(text) > MESSAGE_MAX:
        return "message", "too_long"
    return None


def parse_refund(text: str | Decimal | None, currency: str) -> Decimal:
    """An amount of `currency` as typed ('5.50' or '5,50').

    :raises InvalidDispute: field 'amount', 'required', 'format' or 'not_positive'.
    """
    raw = str(text if text is not None else "").strip().replace(" ", "")
    if not raw:
        raise InvalidDispute("amount", "required")
    if "," in raw and "." not in raw:
        raw = raw.replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise InvalidDispute("amount", "format") from None
    try:
        exact = value.is_finite() and value == value.quantize(Decimal(1).scaleb(-precision(currency)))
    except InvalidOperation:  # more digits than a Decimal holds
        exact = False
    if not exact:
        raise InvalidDispute("amount", "format")
    if value <= 0:
        raise InvalidDispute("amount", "not_positive")
    return value


def amount_problem(text: str | Decimal | None, left: Money) -> tuple[str, str] | None:
    """The rule a refund amount breaks, as ('amount', code), or None: at most what is left to refund."""
    try:
        value = parse_refund(text, left.currency)
    except InvalidDispute as exc:
        return exc.field, exc.code
    return ("amount", "too_much") if value > left.amount else None


def dispute_problems(reason: str, requested: str, amount: str | Decimal | None, message: str | None,
                     left: Money) -> list[tuple[str, str]]:
    """Every rule a new dispute breaks, as (field, code) pairs; empty when it is fine."""
    problems = []
    if reason not in REASONS:
        problems.append(("reason", "unknown"))
    if requested not in REQUESTS:
        problems.append(("requested", "unknown"))
    elif requested == "partial_refund" and (problem := amount_problem(amount, left)):
        problems.append(problem)
    if problem := message_problem(message):
        problems.append(problem)
    return problems


def left_to_refund(order: Order) -> Money:
    """What of the order has not been refunded yet."""
    return Money(order.total - order.refunded_total, order.currency)
