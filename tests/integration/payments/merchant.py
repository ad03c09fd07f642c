"""A tiny merchant standing in for the shop in the test gateway's tests, and helpers to drive the hosted page.

The merchant is a test-only blueprint standing in for the shop: a webhook endpoint that verifies
each delivery with the adapter's parse_webhook, a return page using parse_return, and a refund
endpoint, so delivery is tested end to end through the real WSGI stack.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from flask import Blueprint, Flask, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.core.money import Money
from storefront.extensions import csrf, db
from storefront.payments.gateway import InvalidSignature, PaymentError, PaymentRequest, PaymentResult
from storefront.payments.testgateway.models import SandboxSession, SandboxWebhookEvent

SHOP = "http://localhost"


@dataclass
class Merchant:
    """The test shop: starts payments and records every webhook it verified."""

    app: Flask
    gateway: object
    webhooks: list[PaymentResult] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    webhook_status: int | None = None  # answer every webhook with this status instead (an outage)
    webhook_raises: bool = False       # or crash in the webhook view (a bug in the shop)

    def start(self, amount: str = "25.00", currency: str = "USD", reference: str | None = None,
              description: str = "Order SF-1001 from SZ Audio Store", locale: str = "en", **urls):
        """Start a payment and return (reference, PaymentStart)."""
        reference = reference or f"pay_{len(self.provider_rows()) + 1:04d}"
        request_ = PaymentRequest(
            reference=reference, amount=Money(Decimal(amount), currency), description=description,
            return_url=urls.get("return_url", f"{SHOP}/merchant/return?order=SF-1001"),
            cancel_url=urls.get("cancel_url", f"{SHOP}/merchant/cancel"),
            webhook_url=urls.get("webhook_url", f"{SHOP}/merchant/webhook"),
            locale=locale, email="shopper@example.com",
        )
        return reference, self.gateway.start(request_)

    def provider_rows(self) -> list[SandboxSession]:
        """Every provider session, read in a fresh session (what the provider has committed)."""
        with Session(db.engine) as s:
            return list(s.scalars(select(SandboxSession).order_by(SandboxSession.id)))

    def provider_session(self, token: str) -> SandboxSession:
        """One provider session as committed."""
        with Session(db.engine) as s:
            return s.scalar(select(SandboxSession).where(SandboxSession.token == token))

    def events(self) -> list[SandboxWebhookEvent]:
        """Every queued webhook event as committed."""
        with Session(db.engine) as s:
            return list(s.scalars(select(SandboxWebhookEvent).order_by(SandboxWebhookEvent.id)))


def merchant_blueprint(merchant: Merchant) -> Blueprint:
    """The merchant's endpoints (CSRF-exempt webhook, like any shop's)."""
    bp = Blueprint("merchant", __name__, url_prefix="/merchant")

    @bp.post("/webhook")
    def webhook():
        if merchant.webhook_status:
            return "unavailable", merchant.webhook_status
        if merchant.webhook_raises:
            raise RuntimeError("shop bug")
        try:
            result = merchant.gateway.parse_webhook(request.get_data(), request.headers)
        except InvalidSignature as exc:
            merchant.rejected.append(str(exc))
            return "bad signature", 400
        merchant.webhooks.append(result)
        return "", 204

    @bp.get("/return")
    def back():
        try:
            result = merchant.gateway.parse_return(request.args)
        except InvalidSignature as exc:
            return str(exc), 400
        return jsonify(asdict(result) | {"amount": str(result.amount.amount), "currency": result.amount.currency,
                                         "order": request.args.get("order")})

    @bp.get("/cancel")
    def cancel():
        return "Payment cancelled; your cart is still here."

    @bp.post("/refund/<provider_ref>")
    def refund(provider_ref: str):
        amount = Money(Decimal(request.form["amount"]), request.form.get("currency", "USD"))
        try:
            refund_id = merchant.gateway.refund(provider_ref, amount, request.form["reference"])
        except PaymentError as exc:
            return str(exc), 409
        return {"refund_id": refund_id}

    csrf.exempt(bp)
    return bp


def path_of(url: str) -> str:
    """The path and query of an absolute URL on the shop's host."""
    assert url.startswith(SHOP + "/"), url
    return url[len(SHOP):]


def csrf_token(html: str) -> str:
    """The CSRF token from a rendered form."""
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)[1]


CARD = {"expiry": "12/34", "cvc": "123", "name": "Ana Lima"}


def pay(client, start, number: str, follow_redirects: bool = False, **fields):
    """Submit the hosted card form; returns the response (not yet closed unless redirects were followed)."""
    return client.post(path_of(start.redirect_url), data=CARD | {"number": number} | fields,
                       follow_redirects=follow_redirects)


def return_args(url: str) -> dict[str, str]:
    """The query parameters of a return URL, as the shop's view would read them."""
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
