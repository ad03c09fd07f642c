"""The test provider's own logic: test cards, hosted sessions, refunds and the webhook event queue.

Every function takes the provider's own SQLAlchemy Session (never the shop's) and leaves committing
to the caller. Writes that decide an outcome are compare-and-set UPDATEs issued first in their
transaction, so a double submit or two concurrent refunds can never both win, on SQLite or PostgreSQL.
"""
from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from babel.numbers import is_currency
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ...core.money import precision
from .models import SandboxRefund, SandboxSession, SandboxWebhookEvent
from .signing import RETURN_FIELDS, sign_return


class Refused(Exception):
    """The provider declines a merchant's API request; the message says why (the adapter maps it)."""


@dataclass(frozen=True)
class Outcome:
    """What paying with a card leads to."""

    status: str                       # "succeeded" | "failed" | "requires_action"
    failure_reason: str | None = None


@dataclass(frozen=True)
class TestCard:
    """A documented test card number and what it does (shown in the hosted page's table)."""

    __test__ = False  # not a pytest test class

    number: str
    outcome: Outcome
    description: str

    @property
    def display(self) -> str:
        """The number in groups of four, as printed on a card."""
        return " ".join(self.number[i:i + 4] for i in range(0, len(self.number), 4))


# Stripe's test-mode numbers, so the behaviour is familiar; any other Luhn-valid number approves.
TEST_CARDS = (
    TestCard("4242424242424242", Outcome("succeeded"), _l("Payment succeeds")),
    TestCard("4000000000000002", Outcome("failed", "declined"), _l("Card declined")),
    TestCard("4000000000009995", Outcome("failed", "insufficient_funds"), _l("Declined: insufficient funds")),
    TestCard("4000002500003155", Outcome("requires_action"), _l("Asks for authentication (3-D Secure)")),
    TestCard("4000000000000119", Outcome("failed", "processing_error"), _l("Fails with a processing error")),
)
_OUTCOMES = {card.number: card.outcome for card in TEST_CARDS}
APPROVED = Outcome("succeeded")

EVENT_STATUSES = {"payment.succeeded": "succeeded", "payment.failed": "failed", "refund.succeeded": "refunded"}
_EXPIRY = re.compile(r"^\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*$")


def normalise_number(text: str | None) -> str:
    """The card number's digits, without the spaces or dashes people type."""
    return re.sub(r"[\s-]", "", text or "")


def luhn_valid(number: str) -> bool:
    """True for 12 to 19 digits passing the Luhn checksum."""
    if not (12 <= len(number) <= 19) or not number.isascii() or not number.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def card_brand(number: str) -> str:
    """The card network from the number's first digits ("unknown" when none matches)."""
    if number.startswith("4"):
        return "visa"
    if number[:2] in {"34", "37"}:
        return "amex"
    if number[:2] in {"51", "52", "53", "54", "55"} or 2221 <= int(number[:4] or 0) <= 2720:
        return "mastercard"
    if number.startswith(("6011", "65")) or 644 <= int(number[:3] or 0) <= 649:
        return "discover"
    if 3528 <= int(number[:4] or 0) <= 3589:
        return "jcb"
    if number.startswith("62"):
        return "unionpay"
    return "unknown"


def outcome_for(number: str) -> Outcome:
    """What the test provider does with this (Luhn-valid) card number."""
    return _OUTCOMES.get(number, APPROVED)


def parse_expiry(text: str | None) -> tuple[int, int] | None:
    """(month, four-digit year) from "MM/YY" or "MM/YYYY", or None when it is not a date."""
    match = _EXPIRY.match(text or "")
    if not match:
        return None
    month, year = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        return None
    return month, (2000 + year if year < 100 else year)


def expiry_valid(text: str | None, today: date) -> bool:
    """True when the expiry parses and the card is still valid this month (cards run to the month's end)."""
    parsed = parse_expiry(text)
    return parsed is not None and (parsed[1], parsed[0]) >= (today.year, today.month)


def cvc_valid(text: str | None) -> bool:
    """Three or four digits."""
    value = (text or "").strip()
    return value.isascii() and value.isdigit() and len(value) in (3, 4)


def check_amount(amount: Decimal, currency: str) -> None:
    """A positive, finite amount in a real ISO 4217 currency, with no more decimals than it has.

    :raises Refused: naming what is wrong.
    """
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isupper() or not is_currency(currency):
        raise Refused(f"{currency!r} is not an ISO 4217 currency code")
    try:
        if not amount.is_finite() or amount <= 0:
            raise Refused("amount must be more than zero")
        if amount != amount.quantize(Decimal(1).scaleb(-precision(currency))):
            raise Refused(f"amount has more decimals than {currency} allows")
    except (InvalidOperation, AttributeError):
        raise Refused("amount is not a number") from None


def minor_text(amount: Decimal, currency: str) -> str:
    """The amount as text with the currency's decimals ("12.50", "1200"): how webhooks carry it."""
    return str(amount.quantize(Decimal(1).scaleb(-precision(currency))))


def create_session(s: Session, *, reference: str, amount: Decimal, currency: str, description: str,
                   return_url: str, cancel_url: str, webhook_url: str, locale: str,
                   token: str | None = None) -> SandboxSession:
    """Open a hosted payment session for the merchant.

    :raises Refused: on a bad amount, currency, reference or URL.
    """
    check_amount(amount, currency)
    if not reference or len(reference) > 100:
        raise Refused("reference must be 1 to 100 characters")
    for name, url in (("return_url", return_url), ("cancel_url", cancel_url), ("webhook_url", webhook_url)):
        parts = urlsplit(url or "")
        if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 2000:
            raise Refused(f"{name} must be an absolute http(s) URL")
    session = SandboxSession(
        token=token or new_token(), reference=reference, amount=amount, currency=currency,
        description=(description or "")[:500], return_url=return_url, cancel_url=cancel_url,
        webhook_url=webhook_url, locale=(locale or "en")[:16], status="open", refunded_amount=Decimal(0),
    )
    s.add(session)
    s.flush()
    return session


def new_token() -> str:
    """An unguessable session token (also the provider_ref): 256 random bits."""
    return "tgs_" + secrets.token_urlsafe(32)


def find_session(s: Session, token: str) -> SandboxSession | None:
    """The session behind a token, or None."""
    return s.scalar(select(SandboxSession).where(SandboxSession.token == token))


def pay(s: Session, session: SandboxSession, number: str, now: datetime) -> SandboxWebhookEvent | None:
    """Charge a (validated, Luhn-valid) card: succeed, fail, or ask for authentication.

    Only the last four digits and the brand are kept. Returns the queued event for a final outcome,
    None when authentication is required.

    :raises Refused: when the session is no longer open (another submit got there first).
    """
    outcome = outcome_for(number)
    card = {"card_last4": number[-4:], "card_brand": card_brand(number)}
    if outcome.status == "requires_action":
        _transition(s, session, "open", status="requires_action", **card)
        return None
    return _finish(s, session, "open", outcome, now, **card)


def authenticate(s: Session, session: SandboxSession, approved: bool, now: datetime) -> SandboxWebhookEvent:
    """Complete or fail the extra authentication step, which ends the payment either way.

    :raises Refused: when the session is not waiting for authentication.
    """
    outcome = APPROVED if approved else Outcome("failed", "authentication_failed")
    return _finish(s, session, "requires_action", outcome, now)


def _finish(s: Session, session: SandboxSession, expected: str, outcome: Outcome, now: datetime,
            **values) -> SandboxWebhookEvent:
    """Record a final outcome (if the session is still in `expected`) and queue its webhook."""
    _transition(s, session, expected, status=outcome.status, failure_reason=outcome.failure_reason,
                completed_at=now, **values)
    kind = "payment.succeeded" if outcome.status == "succeeded" else "payment.failed"
    return enqueue_event(s, session, kind, now, amount=session.amount)


def _transition(s: Session, session: SandboxSession, expected: str, **values) -> None:
    """Compare-and-set: update the session only while its status is `expected`, else Refused."""
    result = s.execute(
        update(SandboxSession)
        .where(SandboxSession.id == session.id, SandboxSession.status == expected)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Refused("this payment is no longer waiting for that step")
    s.refresh(session)


def expire(s: Session, token: str, now: datetime) -> None:
    """Close an unpaid session at the merchant's request (it replaced it with a newer one); no event is sent.

    An open session, or one waiting for authentication, can be expired; the hosted page then says so.

    :raises Refused: for an unknown session, or one already completed (its outcome stands).
    """
    result = s.execute(
        update(SandboxSession)
        .where(SandboxSession.token == token, SandboxSession.status.in_(("open", "requires_action")))
        .values(status="expired", completed_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session = find_session(s, token)
        s.rollback()
        if session is None:
            raise Refused("no such payment")
        if session.status != "expired":
            raise Refused(f"this payment is already {session.status}")


def refund(s: Session, token: str, amount: Decimal, currency: str, reference: str,
           now: datetime) -> tuple[SandboxRefund, SandboxWebhookEvent]:
    """Refund part or all of a succeeded payment and queue a refund.succeeded event.

    `reference` must be the merchant reference the payment was created with (it catches mix-ups).

    :raises Refused: for an unknown or unsucceeded payment, a mismatched reference or currency,
        a non-positive amount, or more than is left to refund.
    """
    check_amount(amount, currency)
    # The guarded UPDATE comes first so its check and its write are one atomic step.
    result = s.execute(
        update(SandboxSession)
        .where(SandboxSession.token == token, SandboxSession.reference == reference,
               SandboxSession.status == "succeeded", SandboxSession.currency == currency,
               SandboxSession.refunded_amount + amount <= SandboxSession.amount)
        .values(refunded_amount=SandboxSession.refunded_amount + amount)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        s.rollback()
        raise Refused(_refusal(find_session(s, token), amount, currency, reference))
    session = find_session(s, token)
    s.refresh(session)
    row = SandboxRefund(id="re_" + secrets.token_urlsafe(18), session_id=session.id, amount=amount, created_at=now)
    s.add(row)
    s.flush()
    event = enqueue_event(s, session, "refund.succeeded", now, amount=amount, refund_id=row.id,
                          amount_refunded=minor_text(session.refunded_amount, currency))
    return row, event


def _refusal(session: SandboxSession | None, amount: Decimal, currency: str, reference: str) -> str:
    """Why a refund's guarded update matched nothing, in words for the merchant."""
    if session is None:
        return "no such payment"
    if session.reference != reference:
        return "reference does not match this payment's reference"
    if session.status != "succeeded":
        return f"only a succeeded payment can be refunded (this one is {session.status})"
    if session.currency != currency:
        return f"refund currency {currency} does not match the payment's {session.currency}"
    left = minor_text(session.amount - session.refunded_amount, currency)
    return f"refund of {minor_text(amount, currency)} {currency} is more than the {left} {currency} left to refund"


def enqueue_event(s: Session, session: SandboxSession, kind: str, now: datetime, *, amount: Decimal,
                  **extra: str) -> SandboxWebhookEvent:
    """Queue a webhook event for the session's merchant; its body is fixed now and signed at each delivery."""
    event_id = "evt_" + secrets.token_urlsafe(18)
    body = {
        "id": event_id,
        "type": kind,
        "created": int(now.timestamp()),
        "data": {
            "reference": session.reference,
            "provider_ref": session.token,
            "amount": minor_text(amount, session.currency),
            "currency": session.currency,
            "failure_reason": session.failure_reason if kind == "payment.failed" else None,
            **extra,
        },
    }
    event = SandboxWebhookEvent(event_id=event_id, session_id=session.id, type=kind, body=json.dumps(body),
                                created_at=now, attempts=0)
    s.add(event)
    s.flush()
    return event


def signed_return_url(session: SandboxSession, secret: bytes, now: datetime) -> str:
    """The merchant's return_url with the session's final result appended as signed parameters."""
    fields = {"ref": session.reference, "pid": session.token, "status": session.status,
              "reason": session.failure_reason or "", "ts": str(int(now.timestamp()))}
    fields["sig"] = sign_return(secret, fields)
    if not fields["reason"]:
        del fields["reason"]
    parts = urlsplit(session.return_url)
    ours = {*RETURN_FIELDS, "sig"}  # a merchant's own parameter of the same name would break the signature
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ours]
    return urlunsplit(parts._replace(query=urlencode(query + list(fields.items()))))
