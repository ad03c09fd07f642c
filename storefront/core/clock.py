"""The shop's clock: the time every page, service default and timer reads.

It is the real UTC time, moved by the app's CLOCK_OFFSET (a timedelta, default none). A sandbox or a
demo can set the offset to show what happens days later (a parcel's scans, a protection window ending),
and the pages, the payment sandbox and `orders tick` all agree on what "now" is. Services never call
this themselves: they take `now` as an argument, so tests can move time without any offset at all.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from flask import current_app, has_app_context


def utcnow() -> datetime:
    """Now, timezone-aware UTC, plus the running app's CLOCK_OFFSET if it has one."""
    moment = datetime.now(timezone.utc)
    if has_app_context():
        offset = current_app.config.get("CLOCK_OFFSET")
        if offset:
            moment += offset if isinstance(offset, timedelta) else timedelta(days=float(offset))
    return moment


def today() -> date:
    """Today on the shop's clock (delivery estimates, date ranges); tests may pin it with the TODAY setting."""
    return current_app.config.get("TODAY") or utcnow().date()
