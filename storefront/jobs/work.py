"""The work each job does, one function per job, shared by the worker's tasks and the manual CLI commands."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..extensions import db
from .models import JobFailure, JobHeartbeat

log = logging.getLogger(__name__)

TIMERS_LATE = timedelta(minutes=5)  # the order timers run every minute: five without a beat is an outage
ORDER_TIMERS = "order_timers"


@dataclass(frozen=True)
class TimerReport:
    """What one run of the order timers did."""

    unpaid_cancelled: int
    late_payments_refunded: int
    unshipped_cancelled: int
    cancel_requests_accepted: int
    delivered: int
    disputes_moved_on: int
    auto_confirmed: int


def run_order_timers(session: Session, gateway, now: datetime) -> TimerReport:
    """Run the order timers once as of `now`; each step re-reads order state under row locks, so a second
    run (or one racing this one) finds nothing left to do.

    Cancel unpaid orders past their deadline and release their stock; refund late and duplicate payments;
    cancel and refund paid orders not shipped by their handling deadline, and buyers' cancel requests
    unanswered for 2 days, and tell their buyers; record the carriers' new scans and tell buyers whose
    parcels were delivered; move disputes past their deadline on; complete orders whose buyer protection ended.
    """
    from ..orders.disputes import expire_disputes
    from ..orders.fulfilment import accept_unanswered_cancel_requests, cancel_overdue
    from ..orders.protection import auto_confirm
    from ..orders.refunds import refund_late_orders
    from ..orders.services import release_unpaid
    from ..orders.tracking import poll_shipments
    from ..payments.services import refund_duplicates
    from ..shipping.tracking import tracking_adapter

    # The buyers' emails (cancelled, delivered, dispute steps) are queued by these services and sent once
    # each change has committed (core/effects): never for a change that rolled back.
    unpaid = release_unpaid(session, now)
    late = refund_late_orders(session, gateway) + refund_duplicates(session, gateway)
    overdue = cancel_overdue(session, gateway, now)
    requested = accept_unanswered_cancel_requests(session, gateway, now)
    delivered = poll_shipments(session, tracking_adapter(), now)
    expired = expire_disputes(session, gateway, now)  # before auto-confirm: a settled dispute completes
    confirmed = auto_confirm(session, now)
    return TimerReport(unpaid, late, len(overdue), len(requested), len(delivered), len(expired), len(confirmed))


def sync_search_index(session: Session) -> int:
    """Apply the search outbox's queued product changes to the index; returns how many were applied.

    An unreachable engine is logged and its rows stay queued for the next run (catalog/indexing.py).
    """
    from ..catalog.indexing import drain_outbox
    from ..catalog.search_service import search_backend

    return drain_outbox(session, search_backend())


def fetch_listing_images(session: Session, config) -> object:
    """Download, check and store the pictures listings give by URL (catalog/image_fetches.py); returns the
    FetchReport. Network failures stay queued for the next run, up to 3 attempts."""
    from ..catalog.image_fetches import fetch_pending, policy

    return fetch_pending(session, config["MEDIA_PATH"], policy(config))


def deliver_sandbox_webhooks(app: Flask, *, retry_now: bool = False, limit: int = 100):
    """Send the sandbox provider's due webhook events (each with its own backoff); returns the DeliveryReport."""
    from ..payments.testgateway.delivery import deliver_pending

    return deliver_pending(app, limit, retry_now=retry_now)


def send_outbox_mail(app: Flask) -> int:
    """Send the mail outbox's due emails; one that runs out of attempts is listed in job_failures."""
    from ..core.mail import deliver_pending

    return deliver_pending(app, on_give_up=lambda row, error: record_failure(
        "mail_outbox", f"email {row.message_id} ({row.template}) to {row.recipient}: {error}"))


def refresh_exchange_rates(session: Session, url: str) -> int:
    """Replace the stored rates with the ECB's and reprice the catalog; returns how many rates were stored.

    :raises RatesUnavailable: the provider failed; nothing changed, the last rates stay.
    """
    from ..currency.services import refresh_rates
    from ..demo.seed import refresh_all_summaries

    try:
        count = refresh_rates(session, url)
        session.commit()
    except Exception:
        session.rollback()
        raise
    refresh_all_summaries(session)
    return count


def _wall_clock() -> datetime:
    """Real UTC time: operations data (heartbeats, failures) never follows the sandbox's clock offset."""
    return datetime.now(timezone.utc)


def record_heartbeat(job: str) -> None:
    """Note that `job` just finished, in its own transaction."""
    with Session(db.engine) as s:
        row = s.get(JobHeartbeat, job)
        if row is None:
            s.add(JobHeartbeat(job=job, beat_at=_wall_clock()))
        else:
            row.beat_at = _wall_clock()
        s.commit()


def record_failure(job: str, error: str) -> None:
    """Keep a job that gave up (after its retries) for the admin, in its own transaction."""
    with Session(db.engine) as s:
        s.add(JobFailure(job=job, error=error[:4000], failed_at=_wall_clock()))
        s.commit()


def recent_failures(session: Session, limit: int = 50) -> list[JobFailure]:
    """The newest jobs that gave up, newest first."""
    return list(session.scalars(select(JobFailure).order_by(JobFailure.failed_at.desc(), JobFailure.id.desc())
                                .limit(limit)))


@dataclass(frozen=True)
class WorkerStatus:
    """What the admin dashboard says about the worker."""

    last_tick: datetime | None
    late: bool
    failures: int
    queue_error: str | None = None  # the queue (Redis) does not answer: triggers wait, rows are kept


def worker_status(session: Session, now: datetime | None = None) -> WorkerStatus:
    """The order timers' last beat, whether it is late (more than TIMERS_LATE ago, or never), how many
    jobs have given up, and whether the queue answers."""
    from sqlalchemy import func

    now = now or _wall_clock()
    beat = session.get(JobHeartbeat, ORDER_TIMERS)
    last = beat.beat_at if beat else None
    if last is not None and last.tzinfo is None:  # SQLite returns naive datetimes
        last = last.replace(tzinfo=timezone.utc)
    failures = session.scalar(select(func.count()).select_from(JobFailure)) or 0
    return WorkerStatus(last, last is None or now - last > TIMERS_LATE, failures, queue_error())


def queue_error() -> str | None:
    """None when the job queue answers; else what went wrong (logged). The shop keeps serving without it."""
    from . import huey

    try:
        huey.pending_count()
    except Exception as exc:  # noqa: BLE001 (Redis down: reported to the admin, work waits in database rows)
        log.error("the job queue (%s) does not answer: %s; jobs are triggered again when it is back",
                  type(huey.storage).__name__, exc)
        return type(exc).__name__
    return None
