"""Where payment providers answer: the shopper's signed return, and signed webhooks."""
from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from sqlalchemy import select

from ..core.clock import utcnow
from ..extensions import csrf, db
from .gateway import InvalidSignature, PaymentGateway
from .models import Payment
from .services import apply_result

log = logging.getLogger(__name__)
bp = Blueprint("payments", __name__)


def gateway_named(name: str) -> PaymentGateway:
    """The configured gateway, if that is the one named in the URL."""
    gateway = current_app.extensions["payment_gateway"]
    if gateway.name != name:
        abort(404)
    return gateway


@bp.get("/<lang:locale>/payments/return/<gateway_name>")
def returned(gateway_name: str):
    """The shopper comes back from the provider: verify, apply once, show the confirmation."""
    gateway = gateway_named(gateway_name)
    try:
        result = gateway.parse_return(request.args)
    except InvalidSignature:
        return render_template("errors/payment_return.html"), 400
    payment = apply_result(db.session, gateway, result, now=utcnow())
    if payment is None:
        return render_template("errors/payment_return.html"), 400
    reference = payment.checkout.reference
    return redirect(url_for("checkout.confirmation", reference=reference), 303)


@bp.post("/payments/webhook/<gateway_name>")
@csrf.exempt  # authenticated by the provider's signature over the raw body instead
def webhook(gateway_name: str):
    """A provider event: verify the signature over the raw body, de-duplicate, apply."""
    gateway = gateway_named(gateway_name)
    body = request.get_data(cache=False)
    try:
        result = gateway.parse_webhook(body, request.headers)
    except InvalidSignature as exc:
        log.warning("rejected %s webhook: %s", gateway_name, exc)
        return {"error": "invalid signature"}, 400
    apply_result(db.session, gateway, result, now=utcnow())
    return {"received": True}


def payment_for(reference: str) -> Payment | None:
    """A payment by our reference."""
    return db.session.scalar(select(Payment).where(Payment.reference == reference))
