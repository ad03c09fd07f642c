"""The sandbox clock offset, stored in the database so every web and worker process runs on the same "now".

A demo or an end-to-end test moves time once (`flask clock set --days N`, sandbox gateway only) and the pages,
the payment sandbox and the worker's order timers all follow within a few seconds. Each process caches the
value for CACHE_SECONDS, so reading the clock stays cheap.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta, timezone

from flask import Flask
from sqlalchemy import BigInteger, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..extensions import db
from .errors import Forbidden

log = logging.getLogger(__name__)

CACHE_SECONDS = 3.0
CACHE_KEY = "clock_offset_cache"
SANDBOX_GATEWAY = "test"


class ClockSetting(db.Model):
    """The one row (id 1) holding the sandbox clock's offset from real time; no row: the CLOCK_OFFSET setting."""

    __tablename__ = "clock_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    offset_seconds: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime]


class ClockLocked(Forbidden):
    """The clock can only be moved while the sandbox payment gateway is configured."""


def stored_offset(app: Flask) -> timedelta | None:
    """The offset saved in the database (None when none is), read at most once per CACHE_SECONDS per app.

    Only a sandbox (PAYMENT_GATEWAY=test) honours it: a shop taking real payments never runs on moved time.
    """
    if app.config.get("PAYMENT_GATEWAY") != SANDBOX_GATEWAY:
        return None
    cached = app.extensions.get(CACHE_KEY)
    now = time.monotonic()
    if cached is not None and cached[0] > now:
        return cached[1]
    try:
        with db.engine.connect() as connection:  # its own connection: never touches a request's transaction
            seconds = connection.scalar(select(ClockSetting.offset_seconds).where(ClockSetting.id == 1))
    except SQLAlchemyError as exc:
        log.warning("sandbox clock offset not readable (database not migrated?), using CLOCK_OFFSET: %s", exc)
        seconds = None
    value = None if seconds is None else timedelta(seconds=seconds)
    app.extensions[CACHE_KEY] = (now + CACHE_SECONDS, value)
    return value


def clear_offset(session: Session, app: Flask) -> None:
    """Forget the stored offset: the clock is real time again, moved only by the CLOCK_OFFSET setting. Commits."""
    row = session.get(ClockSetting, 1)
    if row is not None:
        session.delete(row)
    session.commit()
    app.extensions.pop(CACHE_KEY, None)


def set_offset(session: Session, app: Flask, offset: timedelta) -> None:
    """Move the shop's clock to real time + `offset` for every process (within CACHE_SECONDS). Commits.

    :raises ClockLocked: the payment gateway is not the sandbox.
    """
    if app.config.get("PAYMENT_GATEWAY") != SANDBOX_GATEWAY:
        raise ClockLocked(f"the clock can only be moved with PAYMENT_GATEWAY={SANDBOX_GATEWAY} "
                          f"(it is {app.config.get('PAYMENT_GATEWAY')!r})")
    row = session.get(ClockSetting, 1)
    seconds = int(offset.total_seconds())
    stamp = datetime.now(timezone.utc)
    if row is None:
        session.add(ClockSetting(id=1, offset_seconds=seconds, updated_at=stamp))
    else:
        row.offset_seconds, row.updated_at = seconds, stamp
    session.commit()
    app.extensions.pop(CACHE_KEY, None)
