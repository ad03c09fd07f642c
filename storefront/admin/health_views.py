"""Readiness for load balancers and monitoring: /readyz (the liveness check, /healthz, is in core/views.py).

Ready means the database answers: the shop cannot serve without it. The job queue and search are reported
in the body but never fail readiness, because the shop serves without them (work waits in database rows,
and search falls back to the database).
"""
from __future__ import annotations

import logging

from flask import Blueprint, current_app
from sqlalchemy import func, select, text

from ..catalog.models import SearchOutbox
from ..extensions import db
from ..jobs import huey
from ..jobs.work import worker_status

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


@bp.get("/readyz")
def ready():
    """200 when the database answers SELECT 1, else 503; with the queue's, search's and timers' state."""
    body: dict = {"database": "ok", "queue": _queue_state()}
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        log.error("readiness: the database does not answer: %s", exc)
        body |= {"status": "unavailable", "database": f"unavailable ({type(exc).__name__})"}
        return body, 503
    body |= {"status": "ready", "search": _search_state(), "timers": _timers_state()}
    return body, 200


def _queue_state() -> dict:
    try:
        return {"storage": type(huey.storage).__name__, "pending": huey.pending_count(),
                "scheduled": huey.scheduled_count()}
    except Exception as exc:  # Redis down: the work waits in database rows; triggers resume when it returns
        log.warning("readiness: the job queue does not answer: %s", exc)
        return {"storage": type(huey.storage).__name__, "error": type(exc).__name__}


def _search_state() -> dict:
    try:
        queued = db.session.scalar(select(func.count()).select_from(SearchOutbox))
        return {"backend": current_app.config["SEARCH_BACKEND"], "queued_changes": queued}
    except Exception as exc:
        db.session.rollback()
        log.warning("readiness: search outbox not readable: %s", exc)
        return {"backend": current_app.config["SEARCH_BACKEND"], "error": type(exc).__name__}


def _timers_state() -> dict:
    try:
        status = worker_status(db.session)
    except Exception as exc:
        db.session.rollback()
        log.warning("readiness: job heartbeat not readable: %s", exc)
        return {"error": type(exc).__name__}
    return {"last_run": status.last_tick.isoformat() if status.last_tick else None, "late": status.late,
            "failed_jobs": status.failures}
