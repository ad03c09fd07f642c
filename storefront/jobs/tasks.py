"""The jobs on the queue: the periodic ones (run only where JOBS_PERIODIC=1 schedules them) and their triggers.

Every job is idempotent: it only processes rows that still need it, under the same row locks the manual
commands use. A Huey lock per periodic job also keeps two runs from overlapping (a slow run and the next
minute's, or a run the periodic node enqueued and one triggered by hand). A job that raises is retried with
backoff; after its last retry it is recorded in job_failures for the admin (`flask jobs failures`).
"""
from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from contextlib import nullcontext
from functools import wraps

from flask import Flask
from huey import crontab, signals
from huey.exceptions import TaskLockedException

from ..core.clock import utcnow
from ..extensions import db
from . import huey, job_app
from .work import (ORDER_TIMERS, deliver_sandbox_webhooks, fetch_listing_images, record_failure, record_heartbeat,
                   refresh_exchange_rates, run_order_timers, send_outbox_mail, sync_search_index)

log = logging.getLogger(__name__)

RETRIES = 3
RETRY_DELAY = 30      # seconds before the first retry; doubled for each next one (30 s, 1 min, 2 min)
RETRY_BACKOFF = 2


def periodic_job(name: str, schedule, *, locked: bool = True) -> Callable:
    """Declare a periodic job named `name`: locked against itself (unless its rows carry their own claims),
    run in the app, its success recorded."""

    def decorate(body: Callable[[Flask], object]) -> Callable:
        @huey.periodic_task(schedule, name=name, retries=RETRIES, retry_delay=RETRY_DELAY,
                            retry_backoff=RETRY_BACKOFF)
        @wraps(body)
        def run() -> object:
            app = job_app()
            try:
                with huey.lock_task(name) if locked else nullcontext():
                    with app.app_context():
                        try:
                            result = body(app)
                        finally:
                            db.session.remove()
                        record_heartbeat(name)
                        return result
            except TaskLockedException:
                log.info("job %s is already running elsewhere; this run is skipped", name)
                return None

        return run

    return decorate


@periodic_job(ORDER_TIMERS, crontab(minute="*"))
def order_timers(app: Flask):
    """The order timers (what `flask orders tick` runs), as of the shop's clock."""
    report = run_order_timers(db.session, app.extensions["payment_gateway"], utcnow())
    log.info("order timers: %s", report)
    return report


@periodic_job("search_sync", crontab(minute="*"))
def search_sync(app: Flask) -> int:
    """Drain the search outbox (the web app also drains it after each request that queued changes)."""
    return sync_search_index(db.session)


@periodic_job("image_fetches", crontab(minute="*"))
def image_fetches(app: Flask) -> int:
    """Download the pictures listings give by URL (queued rows in image_fetches); triggered after an import too."""
    report = fetch_listing_images(db.session, app.config)
    log.info("image fetches: %s", report)
    return report.stored


@periodic_job("sandbox_webhooks", crontab(minute="*"))
def sandbox_webhooks(app: Flask) -> int:
    """Send the sandbox provider's due webhooks (each event keeps its own backoff); none without the sandbox."""
    if app.config["PAYMENT_GATEWAY"] != "test":
        return 0
    report = deliver_sandbox_webhooks(app)
    return report.delivered


# No queue lock: each email is claimed in its row, so a killed worker's lock can never stall the mail.
@periodic_job("mail_outbox", crontab(minute="*"), locked=False)
def mail_outbox(app: Flask) -> int:
    """Send the mail outbox's due emails (also triggered after each commit that wrote one)."""
    return send_outbox_mail(app)


@periodic_job("rates_refresh", crontab(minute="30", hour="15"))  # the ECB publishes around 16:00 CET
def rates_refresh(app: Flask) -> int:
    """Refresh the exchange rates daily; a failure keeps the last rates and is retried, then recorded."""
    return refresh_exchange_rates(db.session, app.config["RATES_URL"])


def trigger(name: str) -> bool:
    """Queue the job `name` now (the web app after a request whose work is left over); False, logged, when
    the queue is unreachable: the rows wait, and the periodic run picks them up."""
    try:
        TRIGGERS[name]()
    except Exception:
        log.exception("job %s not queued (is the queue reachable? REDIS_URL); its rows wait for the next run", name)
        return False
    return True


TRIGGERS = {"search_sync": search_sync, "order_timers": order_timers, "sandbox_webhooks": sandbox_webhooks,
            "image_fetches": image_fetches, "mail_outbox": mail_outbox}


@huey.signal(signals.SIGNAL_ERROR)
def _record_final_failure(signal, task, exc=None) -> None:
    """A job out of retries goes to job_failures (with its traceback) so an admin sees it."""
    if task.retries:
        log.warning("job %s failed, %d retries left: %s", task.name, task.retries, exc)
        return
    error = "".join(traceback.format_exception(exc)) if exc is not None else "unknown error"
    try:
        with job_app().app_context():
            record_failure(task.name, error)
    except Exception:
        log.exception("job %s gave up and could not be recorded in job_failures: %s", task.name, exc)
