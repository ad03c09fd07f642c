"""Recording events from a request: cheap, anonymous, and never able to break the page."""
from __future__ import annotations

import logging
import re
import secrets

from flask import Flask, Response, g, request, session
from flask_login import current_user

from ..extensions import db
from .models import Event

log = logging.getLogger(__name__)
MOBILE = re.compile(r"Mobile|Android.+Mobile|iPhone|iPod|Opera Mini|IEMobile", re.I)
TABLET = re.compile(r"iPad|Tablet|Android(?!.*Mobile)", re.I)


def device_class(user_agent: str) -> str:
    """'mobile', 'tablet' or 'desktop' from a User-Agent header."""
    if TABLET.search(user_agent or ""):
        return "tablet"
    if MOBILE.search(user_agent or ""):
        return "mobile"
    return "desktop"


def anonymous_session_id() -> str:
    """A random id kept in the signed session cookie; it names a visit, not a person."""
    if "sid" not in session:
        session["sid"] = secrets.token_hex(8)
    return session["sid"]


def new_reference() -> str:
    """A short random id to tie later events to this one (a search to its clicks)."""
    return secrets.token_hex(6)


def record_event(kind: str, **data) -> None:
    """Queue one event; it is written after the page is rendered, so it never slows or breaks it."""
    shopper = g.get("shopper")
    g.setdefault("pending_events", []).append(Event(
        kind=kind,
        session_id=anonymous_session_id(),
        user_id=current_user.id if current_user.is_authenticated else None,
        locale=shopper.locale if shopper else "",
        country=shopper.country if shopper else "",
        currency=shopper.currency if shopper else "",
        device=device_class(request.headers.get("User-Agent", "")),
        data=data,
    ))


def init_recording(app: Flask) -> None:
    """Write each request's queued events once its response is ready."""

    @app.after_request
    def write_events(response: Response) -> Response:
        events = g.pop("pending_events", None)
        if events:
            try:
                db.session.commit()  # end the page's read transaction so the insert starts fresh
                db.session.add_all(events)
                db.session.commit()
            except Exception as exc:  # metrics must never break shopping
                db.session.rollback()
                log.warning("%d events not recorded: %s", len(events), exc)
        return response
