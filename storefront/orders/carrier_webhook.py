"""Where carriers push parcel scans: POST /tracking/webhook, signed (the format is documented in
shipping/tracking.py), applied to orders by orders/tracking.py. Registering this blueprint also picks the
configured carrier adapter."""
from __future__ import annotations

import logging

from flask import Blueprint, request
from flask.blueprints import BlueprintSetupState

from ..core.clock import utcnow
from ..core.errors import NotFound
from ..extensions import csrf, db
from ..shipping.tracking import (
    InvalidWebhookPayload,
    InvalidWebhookSignature,
    create_adapter,
    progress,
    tracking_adapter,
)
from .tracking import receive_push

log = logging.getLogger(__name__)
bp = Blueprint("tracking", __name__)


@bp.app_context_processor
def tracking_globals() -> dict:
    """Order pages draw a parcel's progress from its scans."""
    return {"tracking_progress": progress}


@bp.record_once
def init_tracking(state: BlueprintSetupState) -> None:
    """Create the adapter named by TRACKING_PROVIDER as the app starts, so a wrong name fails loudly then."""
    state.app.extensions["tracking_adapter"] = create_adapter(state.app.config["TRACKING_PROVIDER"],
                                                              state.app.config)


@bp.post("/tracking/webhook")
@csrf.exempt  # authenticated by the carrier's signature over the raw body instead
def webhook():
    """Scans a carrier pushed: verify the signature over the raw body, record the new ones, and tell the
    buyer when their parcel was delivered."""
    adapter = tracking_adapter()
    body = request.get_data(cache=False)
    now = utcnow()
    try:
        push = adapter.parse_webhook(body, request.headers, now)
    except InvalidWebhookSignature as exc:
        log.warning("rejected tracking webhook: %s", exc)
        return {"error": "invalid signature"}, 400
    except InvalidWebhookPayload as exc:
        log.warning("rejected tracking webhook: %s", exc)
        return {"error": str(exc)}, 400
    try:
        order, recorded = receive_push(db.session, push, now=now)
    except NotFound:
        return {"error": "unknown tracking number"}, 404
    return {"received": True, "recorded": recorded.added}
