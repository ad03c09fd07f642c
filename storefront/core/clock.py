"""The shop's clock: the time every page, service default and timer reads.

It is the real UTC time, moved by the sandbox clock offset: the one stored in the database by
`flask clock set` (core/clock_setting.py, sandbox gateway only; every web and worker process reads it),
else the app's CLOCK_OFFSET setting (a timedelta, default none). A sandbox or a demo moves time to show
what happens days later (a parcel's scans, a protection window ending), and the pages, the payment
sandbox and the worker's order timers all agree on what "now" is. Services never call
this themselves: they take `now` as an argument, so tests can move time without any offset at all.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from flask import current_app, has_app_context


def utcnow() -> datetime:
    """Now, timezone-aware UTC, plus the sandbox clock offset (stored, else the app's CLOCK_OFFSET)."""
    moment = datetime.now(timezone.utc)
    if has_app_context():
        from .clock_setting import stored_offset

        offset = stored_offset(current_app._get_current_object())
        if offset is None:
            offset = current_app.config.get("CLOCK_OFFSET")
        if offset:
            moment += offset if isinstance(offset, timedelta) else timedelta(days=float(offset))
    return moment


def today() -> date:
    """Today on the shop's clock (delivery estimates, date ranges); tests may pin it with the TODAY setting."""
    return current_app.config.get("TODAY") or utcnow().date()
