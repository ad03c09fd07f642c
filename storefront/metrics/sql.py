"""SQL expressions the metrics need that SQLite and PostgreSQL spell differently: UTC day and week of a
timestamp (as 'YYYY-MM-DD' text on both) and the seconds between two timestamps.

SQLite stores our timestamps as UTC text without a zone, so its date functions already work in UTC;
PostgreSQL converts timestamptz to UTC explicitly, whatever the connection's time zone.
"""
from __future__ import annotations

from sqlalchemy import Float, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class utc_day(FunctionElement):
    """The UTC calendar day of a timestamp as ISO text ('2026-11-27')."""

    type = String()
    inherit_cache = True


class utc_week(FunctionElement):
    """The Monday starting the ISO week of a timestamp, as ISO text."""

    type = String()
    inherit_cache = True


class seconds_between(FunctionElement):
    """seconds_between(a, b): b - a in seconds (a float)."""

    type = Float()
    inherit_cache = True


@compiles(utc_day, "sqlite")
def _day_sqlite(element, compiler, **kw) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(utc_day, "postgresql")
def _day_postgresql(element, compiler, **kw) -> str:
    return f"to_char(timezone('UTC', {compiler.process(element.clauses, **kw)}), 'YYYY-MM-DD')"


@compiles(utc_week, "sqlite")
def _week_sqlite(element, compiler, **kw) -> str:
    # back six days, then forward to the next Monday: the Monday on or before the day
    return f"date({compiler.process(element.clauses, **kw)}, '-6 days', 'weekday 1')"


@compiles(utc_week, "postgresql")
def _week_postgresql(element, compiler, **kw) -> str:
    return f"to_char(date_trunc('week', timezone('UTC', {compiler.process(element.clauses, **kw)})), 'YYYY-MM-DD')"


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element, compiler, **kw) -> str:
    start, end = list(element.clauses)
    return (f"((julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}))"
            f" * 86400.0)")


@compiles(seconds_between, "postgresql")
def _seconds_postgresql(element, compiler, **kw) -> str:
    start, end = list(element.clauses)
    return f"EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - {compiler.process(start, **kw)}))"
