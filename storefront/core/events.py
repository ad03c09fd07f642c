"""Marketplace events (search, view, cart, order...) and recording them: cheap, anonymous, never breaking anything.

Events are the raw material of the success metrics (metrics/ reads them); every domain records them, so
they live in core, below all of them.

Web events (a shopper's request) are queued on the request and written once its response is ready;
system events (a service changing an order or a payment) are added to the caller's own transaction,
so they commit or roll back with the change they describe. Neither ever stores personal data: no
email, name, address, IP or card, only ids, the shop's context (locale, country, currency), the
device class and an anonymous session id.
"""
from __future__ import annotations

import logging
import re
import secrets
from datetime import datetime
from typing import Any

from flask import Flask, Response, g, request, session
from flask_login import current_user
from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..extensions import db
from .clock import utcnow

log = logging.getLogger(__name__)
MOBILE = re.compile(r"Mobile|Android.+Mobile|iPhone|iPod|Opera Mini|IEMobile", re.I)
TABLET = re.compile(r"iPad|Tablet|Android(?!.*Mobile)", re.I)
BOT = re.compile(r"bot|crawl|spider|slurp", re.I)
SEARCH_QUERY_MAX = 100  # search text is kept for zero-result analysis, and no more of it than needed


class Event(db.Model):
    """One thing that happened, with the anonymous context needed to slice metrics and nothing more."""

    __tablename__ = "events"
    # The metrics read events by kind and time; with the visit's id in the index, counting visits per
    # funnel step never touches the table.
    __table_args__ = (Index("ix_events_kind_at_session", "kind", "at", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    session_id: Mapped[str] = mapped_column(String(32), default="")
    user_id: Mapped[int | None]
    locale: Mapped[str] = mapped_column(String(8), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    currency: Mapped[str] = mapped_column(String(3), default="")
    device: Mapped[str] = mapped_column(String(8), default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)


def device_class(user_agent: str) -> str:
    """'mobile', 'tablet' or 'desktop' from a User-Agent header."""
    if TABLET.search(user_agent or ""):
        return "tablet"
    if MOBILE.search(user_agent or ""):
        return "mobile"
    return "desktop"


def is_bot(user_agent: str) -> bool:
    """True for crawlers (a User-Agent naming a bot, crawler or spider): they make no sessions."""
    return bool(BOT.search(user_agent or ""))


def anonymous_session_id() -> str:
    """A random id kept in the signed session cookie; it names a visit, not a person."""
    if "sid" not in session:
        session["sid"] = secrets.token_hex(8)
        g.sid_minted = True  # this request starts the visit (see write_events)
    return session["sid"]


def new_reference() -> str:
    """A short random id to tie later events to this one (a search to its clicks)."""
    return secrets.token_hex(6)


def record_event(kind: str, **data) -> None:
    """Queue one event of this request; it is written after the page is rendered, so it never slows or breaks it.

    Crawlers are not shoppers: their requests record nothing.
    """
    try:
        user_agent = request.headers.get("User-Agent", "")
        if is_bot(user_agent):
            return
        if kind == "search" and isinstance(data.get("query"), str):
            data["query"] = data["query"][:SEARCH_QUERY_MAX]
        shopper = g.get("shopper")
        g.setdefault("pending_events", []).append(Event(
            kind=kind,
            at=utcnow(),
            session_id=anonymous_session_id(),
            user_id=current_user.id if current_user.is_authenticated else None,
            locale=shopper.locale if shopper else "",
            country=shopper.country if shopper else "",
            currency=shopper.currency if shopper else "",
            device=device_class(user_agent),
            data=data,
        ))
    except Exception as exc:  # metrics must never break shopping
        log.warning("%s event not recorded: %s", kind, exc)


def system_context(order: Any = None, checkout: Any = None) -> dict:
    """The columns of a system event: who and where from the order's checkout, no session, no device.

    Takes the models, or any objects with the same attributes (the demo history's bulk writer).
    """
    checkout = checkout if checkout is not None else (order.checkout if order is not None else None)
    user_id = order.user_id if order is not None else (checkout.user_id if checkout is not None else None)
    return {
        "session_id": "", "device": "", "user_id": user_id,
        "locale": checkout.locale if checkout is not None else "",
        "country": checkout.country if checkout is not None else "",
        "currency": checkout.currency if checkout is not None else "",
    }


def system_event_data(order: Any = None, checkout: Any = None, **data) -> dict:
    """A system event's data: the order's number and the checkout's reference when given, then `data`."""
    ids = {}
    if order is not None:
        ids["order"] = order.number
    if checkout is not None:
        ids["checkout"] = checkout.reference
    return ids | data


def record_system_event(session: Session, kind: str, *, at: datetime, order: Any = None, checkout: Any = None,
                        **data) -> Event:
    """Add an event written by a service to `session`, in the caller's transaction (no request needed).

    Context (locale, country, currency, user) comes from the order's checkout; `order` puts its number
    in the data as "order", `checkout` its reference as "checkout". The insert rides on the caller's
    next flush, so it commits or rolls back with the change it records.
    """
    event = Event(kind=kind, at=at, **system_context(order, checkout),
                  data=system_event_data(order, checkout, **data))
    session.add(event)
    return event


def _starts_visit(response: Response) -> bool:
    """True for a full HTML page a person gets: not a crawler's, not a fragment, an asset or a redirect."""
    if request.method != "GET" or response.status_code != 200 or response.mimetype != "text/html":
        return False
    if request.endpoint in (None, "static"):
        return False
    if request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true":
        return False  # an HTMX fragment belongs to a page already counted
    return not is_bot(request.headers.get("User-Agent", ""))


def init_recording(app: Flask) -> None:
    """Write each request's queued events once its response is ready, starting a visit when it is new."""

    @app.after_request
    def write_events(response: Response) -> Response:
        try:
            # The page test comes first: assets never touch the session (nor get Vary: Cookie from it).
            if _starts_visit(response) and (g.get("sid_minted") or "sid" not in session):
                first_at = min((e.at for e in g.get("pending_events", [])), default=utcnow())
                record_event("session_start", path=request.endpoint)
                g.pending_events.insert(0, g.pending_events.pop())
                g.pending_events[0].at = first_at
        except Exception as exc:  # metrics must never break shopping
            log.warning("session start not recorded: %s", exc)
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
