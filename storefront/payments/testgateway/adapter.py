"""The built-in test gateway as a PaymentGateway, registered as PAYMENT_GATEWAY="test".

A complete sandbox provider living inside the app, like Stripe's test mode: `start` opens a session
at the provider (its own testgw_* tables, its own transaction) and sends the shopper to the hosted
page at /testpay/pay/<token>; results come back signed on the return URL and in webhooks.

Configuration (Flask config keys):

``TEST_GATEWAY_SECRET``
    HMAC key signing returns and webhooks. Default: derived from SECRET_KEY with HMAC-SHA256, so
    it is stable across restarts but never equal to SECRET_KEY. Start-up fails when neither is set.
``TEST_GATEWAY_WEBHOOK_TOLERANCE``
    Seconds a webhook's signed timestamp may differ from now, either way. Default 300.
``TEST_GATEWAY_DOWN``
    Simulate an outage: when true ("1", "true", "yes", "on" or True), `start`, `expire` and `refund` raise
    PaymentError("provider unavailable"). Read at each call, so flipping it on a running app works.
    Default False.

Signatures (helpers `sign_return`, `sign_webhook` are re-exported here for tests and tools):

- Return: query parameters ``ref`` (merchant reference), ``pid`` (provider_ref), ``status``
  ("succeeded" | "failed"), ``reason`` (only on failure), ``ts`` (unix seconds) and ``sig``, the hex
  HMAC-SHA256 of ``ref=…&pid=…&status=…&reason=…&ts=…`` (each value percent-encoded, missing
  reason empty). A return is accepted up to RETURN_MAX_AGE (one day) after ``ts``: a shopper's tab
  may sit open, and replaying a return only repeats a result the shop already knows.
- Webhook: header ``Testgw-Signature: t=<unix ts>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">``,
  accepted when |now - t| <= TEST_GATEWAY_WEBHOOK_TOLERANCE. Body:
  ``{"id": "evt_…", "type": "payment.succeeded" | "payment.failed" | "refund.succeeded",
  "created": ts, "data": {"reference", "provider_ref", "amount", "currency", "failure_reason"}}``;
  refund events add ``refund_id`` and ``amount_refunded`` (the total so far) and carry the refund's
  own amount. `parse_webhook` reports refund events with status "refunded".
"""
from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError

from ...core.clock import utcnow
from ...core.money import Money
from ...core.untrusted import load_json
from ...extensions import db
from ..gateway import InvalidSignature, PaymentError, PaymentRequest, PaymentResult, PaymentStart, register
from . import provider
from .delivery import deliver_after_this_request
from .signing import (
    DEFAULT_WEBHOOK_TOLERANCE,
    SIGNATURE_HEADER,
    SignatureError,
    secret_from_config,
    sign_return,
    sign_webhook,
    verify_return,
    verify_webhook,
)

__all__ = ["TestGateway", "sign_return", "sign_webhook", "SIGNATURE_HEADER"]

_TRUE = {"1", "true", "yes", "on"}


def _flag(value) -> bool:
    """A config switch given as a bool or as environment text ("1", "true", "yes", "on")."""
    return value is True or (isinstance(value, str) and value.strip().lower() in _TRUE) or value == 1


@register("test")
class TestGateway:
    """The sandbox provider behind the PaymentGateway protocol; `clock` (unix seconds) is injectable for tests."""

    __test__ = False  # not a pytest test class
    name = "test"

    def __init__(self, config: Mapping, clock: Callable[[], float] | None = None) -> None:
        self.config = config
        self.secret = secret_from_config(config)
        try:
            self.tolerance = int(config.get("TEST_GATEWAY_WEBHOOK_TOLERANCE", DEFAULT_WEBHOOK_TOLERANCE))
        except (TypeError, ValueError):
            self.tolerance = -1
        if self.tolerance <= 0:
            raise RuntimeError("TEST_GATEWAY_WEBHOOK_TOLERANCE must be a positive number of seconds")
        self.clock = clock or time.time

    def _check_up(self) -> None:
        """Refuse every API call while TEST_GATEWAY_DOWN simulates an outage."""
        if _flag(self.config.get("TEST_GATEWAY_DOWN", False)):
            raise PaymentError("provider unavailable")

    def start(self, request: PaymentRequest) -> PaymentStart:
        """Open a session at the provider and return the hosted page's absolute URL.

        :raises PaymentError: when the provider is down, or refuses the amount, currency or URLs.
        :raises RuntimeError: when the testgateway blueprint is not registered.
        """
        self._check_up()
        token = provider.new_token()
        redirect_url = _hosted_page_url(token, request.return_url)
        with Session(db.engine) as s:
            try:
                provider.create_session(
                    s, token=token, reference=request.reference, amount=request.amount.amount,
                    currency=request.amount.currency, description=request.description,
                    return_url=request.return_url, cancel_url=request.cancel_url,
                    webhook_url=request.webhook_url, locale=request.locale,
                )
                s.commit()
            except provider.Refused as exc:
                raise PaymentError(str(exc)) from None
            except SQLAlchemyError as exc:
                raise PaymentError("provider unavailable") from exc
        return PaymentStart(provider_ref=token, redirect_url=redirect_url)

    def parse_return(self, args: Mapping[str, str]) -> PaymentResult:
        """Verify a return's signed parameters; the amount comes from the provider's session.

        :raises InvalidSignature: when the signature, timestamp, status or payment does not check out.
        """
        try:
            verify_return(self.secret, args, now=self.clock(), skew=self.tolerance)
        except SignatureError as exc:
            raise InvalidSignature(str(exc)) from None
        status = args.get("status")
        if status not in ("succeeded", "failed"):
            raise InvalidSignature(f"unknown return status {status!r}")
        with Session(db.engine) as s:
            session = provider.find_session(s, args.get("pid") or "")
            if session is None or session.reference != args.get("ref"):
                raise InvalidSignature("return names an unknown payment")
            amount = Money(session.amount, session.currency).quantize()
        return PaymentResult(
            reference=session.reference, provider_ref=session.token, status=status,
            failure_reason=(args.get("reason") or None) if status == "failed" else None,
            event_id=None, amount=amount,
        )

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> PaymentResult:
        """Verify a webhook's signature and timestamp against its raw body, then read the event.

        :raises InvalidSignature: when the header, signature, timestamp or body shape is wrong.
        """
        try:
            verify_webhook(self.secret, body, _header(headers, SIGNATURE_HEADER), self.clock(), self.tolerance)
        except SignatureError as exc:
            raise InvalidSignature(str(exc)) from None
        try:
            event = load_json(body)
            data = event["data"]
            status = provider.EVENT_STATUSES[event["type"]]
            event_id, reference, provider_ref = event["id"], data["reference"], data["provider_ref"]
            amount = Money(Decimal(data["amount"]), data["currency"])
            failure_reason = data.get("failure_reason") or None
        except (ValueError, KeyError, TypeError, InvalidOperation):
            raise InvalidSignature("webhook body is not a test gateway event") from None
        if not all(isinstance(v, str) and v for v in (event_id, reference, provider_ref)):
            raise InvalidSignature("webhook body is not a test gateway event")
        return PaymentResult(reference=reference, provider_ref=provider_ref, status=status,
                             failure_reason=failure_reason if status == "failed" else None,
                             event_id=event_id, amount=amount)

    def expire(self, provider_ref: str) -> None:
        """Close an open (or authenticating) session so it can no longer be paid; expiring twice is fine.

        :raises PaymentError: when the provider is down, or the session is unknown or already completed.
        """
        self._check_up()
        with Session(db.engine) as s:
            try:
                provider.expire(s, provider_ref, utcnow())
                s.commit()
            except provider.Refused as exc:
                raise PaymentError(str(exc)) from None
            except SQLAlchemyError as exc:
                raise PaymentError("provider unavailable") from exc

    def refund(self, provider_ref: str, amount: Money, reference: str) -> str:
        """Refund all or part of a succeeded payment; returns the refund id ("re_…").

        `reference` is the merchant reference the payment was started with. The refund.succeeded
        webhook is queued and, inside a request, delivered after that request's response.

        :raises PaymentError: when the provider is down, or the payment is unknown, not succeeded,
            in another currency or already refunded beyond `amount`, or amount is not positive.
        """
        self._check_up()
        with Session(db.engine) as s:
            try:
                row, event = provider.refund(s, provider_ref, amount.amount, amount.currency, reference, utcnow())
                s.commit()
            except provider.Refused as exc:
                s.rollback()
                raise PaymentError(str(exc)) from None
            except SQLAlchemyError as exc:
                raise PaymentError("provider unavailable") from exc
            refund_id, event_id = row.id, event.event_id
        if has_request_context():
            deliver_after_this_request([event_id])
        return refund_id


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by name, case-insensitively, from Werkzeug headers or a plain dict."""
    value = headers.get(name)
    if value is not None:
        return value
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), None)


def _hosted_page_url(token: str, return_url: str) -> str:
    """The hosted page's absolute URL: from the current request, else on the return URL's host.

    :raises RuntimeError: when the testgateway blueprint is not registered on the app.
    """
    try:
        if has_request_context():
            return url_for("testgateway.pay", token=token, _external=True)
        parts = urlsplit(return_url)
        adapter = current_app.url_map.bind(parts.netloc, url_scheme=parts.scheme or "http")
        return adapter.build("testgateway.pay", {"token": token}, force_external=True)
    except BuildError:
        raise RuntimeError(
            "PAYMENT_GATEWAY='test' needs the testgateway blueprint: register "
            "storefront.payments.testgateway.views.bp in create_app"
        ) from None
