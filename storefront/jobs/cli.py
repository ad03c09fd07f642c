"""`flask jobs worker` (the consumer, periodic jobs on where JOBS_PERIODIC=1), `flask jobs send-mail` and
`flask jobs failures`."""
from __future__ import annotations

import logging

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from ..extensions import db

jobs = AppGroup("jobs", help="Background jobs: the worker and what it reports.")


@jobs.command("worker")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker threads (default: JOBS_WORKERS, 2).")
def worker(workers: int | None) -> None:
    """Run a Huey consumer in this app; it schedules the periodic jobs only when JOBS_PERIODIC=1."""
    from huey.consumer import Consumer

    from . import bind_app, huey
    from . import tasks  # noqa: F401  (registers the jobs)

    app = current_app._get_current_object()
    bind_app(app)
    periodic = app.config["JOBS_PERIODIC"]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    click.echo(f"Jobs worker on {type(huey.storage).__name__} ({'with' if periodic else 'without'} periodic jobs)")
    # The scheduling node starts by freeing locks a killed worker left behind: they have no expiry on
    # SQLite storage, and the row locks keep a run that really is still going from acting twice.
    Consumer(huey, workers=workers or app.config["JOBS_WORKERS"], periodic=periodic,
             flush_locks=periodic, max_delay=5.0).run()


@jobs.command("send-mail")
def send_mail_now() -> None:
    """Send the mail outbox's due emails now (what the mail job does every minute)."""
    from .work import send_outbox_mail

    click.echo(f"{send_outbox_mail(current_app._get_current_object())} email(s) sent.")


@jobs.command("failures")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
def failures(limit: int) -> None:
    """List the jobs that gave up after their retries, newest first, with their errors."""
    from .work import recent_failures, worker_status

    status = worker_status(db.session)
    click.echo(f"Order timers last ran: {status.last_tick.isoformat() if status.last_tick else 'never'}"
               f"{' (LATE)' if status.late else ''}")
    rows = recent_failures(db.session, limit)
    if not rows:
        click.echo("No failed jobs.")
    for row in rows:
        click.echo(f"{row.failed_at.isoformat()}  {row.job}")
        click.echo("    " + row.error.strip().replace("\n", "\n    "))


def register_cli(app: Flask) -> None:
    """Add the `jobs` command group."""
    app.cli.add_command(jobs)
