"""Webhook delivery for the test gateway: signed POSTs to the merchant, in-process, at least once.

The sandbox provider and the shop are the same application, so an event is POSTed straight through
the app's WSGI stack (no socket, no second server): the shop's webhook view sees an ordinary request
with the raw body and the Testgw-Signature header. An event counts as delivered on a 2xx answer;
otherwise it is retried later with exponential backoff, up to MAX_ATTEMPTS.

Delivery runs (1) right after the hosted-page response that created an event has been sent
(`deliver_after`), and (2) from `flask --app storefront payments deliver-webhooks` (`register_cli`).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

import click
from flask import Flask, Response, after_this_request, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session
from werkzeug.test import EnvironBuilder, run_wsgi_app

from ...core.clock import utcnow
from ...extensions import db
from .models import SandboxSession, SandboxWebhookEvent
from .signing import SIGNATURE_HEADER, secret_from_config, sign_webhook

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12          # with the backoff below: about two days of retries, like real providers
LEASE = timedelta(seconds=60)  # how long a deliverer owns an event it is sending
USER_AGENT = "TestGateway-Webhooks/1.0"


def retry_delay(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failures: 30 s, 1 min, 2 min ... capped at 6 h."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 6 * 3600))


@dataclass(frozen=True)
class DeliveryReport:
    """How one delivery run went."""

    delivered: int = 0
    failed: int = 0


def deliver_pending(app: Flask, limit: int = 100, *, event_ids: Iterable[str] | None = None,
                    retry_now: bool = False, now: datetime | None = None) -> DeliveryReport:
    """POST up to `limit` due, undelivered events to their webhook URLs; returns the counts.

    `event_ids` restricts the run to those events (the hosted page delivers only what it created);
    `retry_now` ignores the backoff schedule and the attempt limit (after fixing an endpoint).
    Safe to run concurrently: each event is leased before it is sent, so it goes out once per run.
    """
    with app.app_context():
        secret = secret_from_config(app.config)
        now = now or utcnow()
        event = SandboxWebhookEvent
        query = (
            select(event.id)
            .where(event.delivered_at.is_(None), or_(event.locked_until.is_(None), event.locked_until < now))
            .order_by(event.id)
            .limit(limit)
        )
        if event_ids is not None:
            query = query.where(event.event_id.in_(list(event_ids)))
        if not retry_now:
            query = query.where(event.attempts < MAX_ATTEMPTS,
                                or_(event.next_attempt_at.is_(None), event.next_attempt_at <= now))
        delivered = failed = 0
        with Session(db.engine) as s:
            ids = list(s.scalars(query))
            s.commit()  # end the read so each claim below starts a fresh (SQLite: writable) transaction
            for row_id in ids:
                claimed = _claim(s, row_id, now)
                if claimed is None:
                    continue  # another deliverer has it, or delivered it meanwhile
                event_id, url, body, attempts = claimed
                error = _post(app, url, body.encode(), sign_webhook(secret, body.encode(), int(time.time())))
                done = utcnow()
                values = {"attempts": attempts + 1, "locked_until": None}
                if error is None:
                    values |= {"delivered_at": done, "last_error": None}
                    delivered += 1
                else:
                    values |= {"last_error": error[:2000], "next_attempt_at": done + retry_delay(attempts + 1)}
                    failed += 1
                    log.warning("webhook %s to %s failed: %s", event_id, url, error)
                s.execute(update(event).where(event.id == row_id).values(**values))
                s.commit()
        return DeliveryReport(delivered, failed)


def _claim(s: Session, row_id: int, now: datetime) -> tuple[str, str, str, int] | None:
    """Lease one event (write first, then read, then commit) and return what sending it needs."""
    event = SandboxWebhookEvent
    result = s.execute(
        update(event)
        .where(event.id == row_id, event.delivered_at.is_(None),
               or_(event.locked_until.is_(None), event.locked_until < now))
        .values(locked_until=now + LEASE)
    )
    if result.rowcount != 1:
        s.rollback()
        return None
    row = s.execute(
        select(event.event_id, SandboxSession.webhook_url, event.body, event.attempts)
        .join(SandboxSession, SandboxSession.id == event.session_id)
        .where(event.id == row_id)
    ).one()
    s.commit()  # the POST below must not run inside our transaction: the shop writes meanwhile
    return tuple(row)


def _post(app: Flask, url: str, body: bytes, signature: str) -> str | None:
    """POST the body through the app's own WSGI stack; None on a 2xx answer, else what went wrong."""
    builder = EnvironBuilder(
        url, method="POST", data=body,
        headers={"Content-Type": "application/json", SIGNATURE_HEADER: signature, "User-Agent": USER_AGENT},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    try:
        app_iter, status, _headers = run_wsgi_app(app, environ, buffered=True)
    except Exception as exc:  # the shop's view raised (TESTING/PROPAGATE_EXCEPTIONS): a failed attempt
        return f"{type(exc).__name__}: {exc}"
    if status.startswith("2"):
        return None
    answer = b"".join(app_iter)[:300].decode("utf-8", "replace")
    return f"HTTP {status}: {answer}"


def deliver_after(response: Response, event_ids: Iterable[str], app: Flask | None = None) -> Response:
    """Deliver these events once `response` has been sent and closed (the request context is gone by then).

    WSGI servers call close() after the last byte, so the shopper is never kept waiting. Werkzeug's
    test client closes a response only when asked: call response.close(), pass buffered=True, or
    follow the redirect (follow_redirects=True closes each intermediate response).
    """
    app = app or current_app._get_current_object()
    response.call_on_close(partial(_deliver_quietly, app, list(event_ids)))
    return response


def deliver_after_this_request(event_ids: Iterable[str]) -> None:
    """From inside any request: deliver these events after its response has been sent."""
    app = current_app._get_current_object()
    ids = list(event_ids)

    @after_this_request
    def schedule(response: Response) -> Response:
        return deliver_after(response, ids, app)


def _deliver_quietly(app: Flask, event_ids: list[str]) -> None:
    """A failed delivery must never break the shopper's response; the CLI retries it."""
    try:
        deliver_pending(app, event_ids=event_ids)
    except Exception:
        log.exception("webhook delivery after response failed; `flask payments deliver-webhooks` will retry")


@click.command("deliver-webhooks")
@click.option("--limit", type=int, default=100, show_default=True, help="Send at most this many events.")
@click.option("--retry-now", is_flag=True, help="Ignore the backoff schedule and the attempt limit.")
@with_appcontext
def deliver_webhooks_command(limit: int, retry_now: bool) -> None:
    """Send the test gateway's due webhook events to the shop (run it from a scheduler)."""
    report = deliver_pending(current_app._get_current_object(), limit, retry_now=retry_now)
    click.echo(f"{report.delivered} webhook events delivered, {report.failed} failed (will be retried).")


def register_cli(app: Flask) -> None:
    """Add `flask payments deliver-webhooks`, joining an existing `payments` group if there is one."""
    group = app.cli.commands.get("payments")
    if group is None:
        group = AppGroup("payments", help="Payments.")
        app.cli.add_command(group)
    group.add_command(deliver_webhooks_command)
