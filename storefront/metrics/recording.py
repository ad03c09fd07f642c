"""Recording events from a request: cheap, anonymous, and never able to break the page."""
from __future__ import annotations

import logging
import re
import secrets

from flask import g, request, session
from flask_login import current_user
from sqlalchemy.orm import Session

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


def record_event(kind: str, **data) -> int | None:
    """Insert one event in its own session and transaction; returns its id, or None if recording failed.

    A separate session keeps the page's loaded rows from being expired by this commit.
    """
    shopper = g.get("shopper")
    try:
        event = Event(
            kind=kind,
            session_id=anonymous_session_id(),
            user_id=current_user.id if current_user.is_authenticated else None,
            locale=shopper.locale if shopper else "",
            country=shopper.country if shopper else "",
            currency=shopper.currency if shopper else "",
            device=device_class(request.headers.get("User-Agent", "")),
            data=data,
        )
        with Session(db.engine) as events:
            events.add(event)
            events.commit()
            return event.id
    except Exception as exc:  # metrics must never break shopping
        log.warning("event %s not recorded: %s", kind, exc)
        return None
