"""Date ranges: [start, end) in whole UTC days, the previous period, the time series' buckets."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import column
from sqlalchemy.dialects import postgresql, sqlite

from storefront.metrics.periods import Period, range_problem
from storefront.metrics.sql import seconds_between, utc_day, utc_week


def test_last_days_include_today_and_the_previous_period_is_as_long():
    period = Period.last(7, date(2026, 11, 27))
    assert (period.start, period.end, period.days, period.last_day) == (
        date(2026, 11, 21), date(2026, 11, 28), 7, date(2026, 11, 27))
    assert period.previous() == Period(date(2026, 11, 14), date(2026, 11, 21))
    assert period.bounds() == (datetime(2026, 11, 21, tzinfo=timezone.utc), datetime(2026, 11, 28, tzinfo=timezone.utc))


def test_a_period_must_end_after_it_starts():
    with pytest.raises(ValueError):
        Period(date(2026, 11, 2), date(2026, 11, 2))


def test_buckets_are_days_or_the_mondays_of_weeks():
    period = Period(date(2026, 11, 1), date(2026, 11, 10))   # 1 Nov 2026 is a Sunday
    assert period.buckets("day")[:2] == ["2026-11-01", "2026-11-02"] and len(period.buckets("day")) == 9
    assert period.buckets("week") == ["2026-10-26", "2026-11-02", "2026-11-09"]


def test_long_periods_chart_by_week_unless_a_step_is_chosen():
    assert Period.last(30, date(2026, 11, 27)).series_unit(None) == "day"
    assert Period.last(365, date(2026, 11, 27)).series_unit("country") == "week"
    assert Period.last(365, date(2026, 11, 27)).series_unit("day") == "day"


def test_day_week_and_duration_sql_per_database():
    at, shipped = column("delivered_at"), column("shipped_at")

    def sql(expression, dialect) -> str:
        return str(expression.compile(dialect=dialect))

    assert sql(utc_day(at), sqlite.dialect()) == "date(delivered_at)"
    assert sql(utc_week(at), sqlite.dialect()) == "date(delivered_at, '-6 days', 'weekday 1')"
    assert sql(utc_day(at), postgresql.dialect()) == "to_char(timezone('UTC', delivered_at), 'YYYY-MM-DD')"
    assert "date_trunc('week', timezone('UTC', delivered_at))" in sql(utc_week(at), postgresql.dialect())
    assert sql(seconds_between(shipped, at), sqlite.dialect()) == \
        "((julianday(delivered_at) - julianday(shipped_at)) * 86400.0)"
    assert sql(seconds_between(shipped, at), postgresql.dialect()) == "EXTRACT(EPOCH FROM (delivered_at - shipped_at))"


def test_range_problems():
    assert range_problem(date(2026, 11, 1), date(2026, 11, 8)) is None
    assert range_problem(date(2026, 11, 8), date(2026, 11, 1)) == "order"
    assert range_problem(date(2026, 11, 1), date(2026, 11, 1)) == "order"
    assert range_problem(date(2020, 1, 1), date(2026, 1, 1)) == "too_long"
    assert range_problem(date(2000, 1, 2), date(2000, 1, 8)) == "bounds"   # the previous period starts in 1999
    assert range_problem(date(2000, 1, 7), date(2000, 1, 13)) is None     # the previous one starts on 1 January
    assert range_problem(date(2099, 12, 25), date(2100, 1, 2)) == "bounds"
