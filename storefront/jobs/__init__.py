"""Background jobs: the Huey queue the web app and the CLI trigger, and the worker consumes.

Durable work lives in database rows (orders and their deadlines, the search outbox, the sandbox's queued
webhooks, exchange rates); a job only triggers processing of those rows. A worker killed mid-job therefore
loses nothing: the next run picks the rows up. The queue is SQLite storage in the instance folder by default
(one machine, nothing to install) and Redis when REDIS_URL is set (any number of workers on any number of
machines share it). Only the node started with JOBS_PERIODIC=1 schedules the periodic jobs.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from flask import Flask, current_app, has_app_context
from huey import Huey, RedisHuey, SqliteHuey

from ..config import INSTANCE

QUEUE_NAME = "storefront"


def create_huey(env: Mapping[str, str]) -> Huey:
    """The queue named by the settings: RedisHuey when REDIS_URL is set, else SqliteHuey at JOBS_DB.

    :raises RuntimeError: naming REDIS_URL or JOBS_DB when the setting cannot work (checked at start-up,
        never at the first enqueue).
    """
    redis_url = (env.get("REDIS_URL") or "").strip()
    if redis_url:
        if not redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise RuntimeError(f"REDIS_URL must be a redis://, rediss:// or unix:// URL, not {redis_url!r}")
        # Short socket timeouts: with Redis unreachable a web request's trigger fails fast (and is logged)
        # instead of hanging on the operating system's connect timeout.
        return RedisHuey(QUEUE_NAME, utc=True, connection_pool=redis_pool(redis_url))
    path = Path(env.get("JOBS_DB") or INSTANCE / "jobs.db")
    if not path.parent.is_dir():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RuntimeError(f"JOBS_DB={str(path)!r}: cannot create its folder: {exc}") from exc
    return SqliteHuey(QUEUE_NAME, filename=str(path), utc=True)


def redis_pool(url: str):
    """A Redis connection pool for the queue, with short connect and read timeouts."""
    from redis import ConnectionPool

    return ConnectionPool.from_url(url, socket_connect_timeout=2, socket_timeout=10)


# One queue per process, from the environment (the worker imports it by name, like huey_consumer does).
huey = create_huey(os.environ)
_REDIS_URL = (os.environ.get("REDIS_URL") or "").strip()


def check_settings(config: Mapping) -> None:
    """The app's REDIS_URL must be the one the queue was built from (the environment, at import).

    :raises RuntimeError: they differ: set REDIS_URL in the environment, not in the app's config.
    """
    wanted = (config.get("REDIS_URL") or "").strip()
    if wanted != _REDIS_URL:
        raise RuntimeError(f"REDIS_URL={wanted!r} in the app's config, but the job queue was built from the "
                           f"environment's {_REDIS_URL!r}: set REDIS_URL in the environment")

_worker_app: Flask | None = None


def bind_app(app: Flask) -> None:
    """Make `app` the one jobs run in when no app context is active (the worker's threads)."""
    global _worker_app
    _worker_app = app


def job_app() -> Flask:
    """The app a job runs in: the active one (CLI, tests, immediate mode), else the worker's.

    :raises RuntimeError: in a consumer that no app was bound to (start workers with `flask jobs worker`).
    """
    if has_app_context():
        return current_app._get_current_object()
    if _worker_app is None:
        raise RuntimeError("no app for this job: start workers with `flask --app storefront jobs worker`")
    return _worker_app
