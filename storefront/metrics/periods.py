"""Date ranges and breakdowns the metrics are computed over: [start, end) in whole UTC days."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

BREAKDOWNS = ("day", "week", "country", "locale", "currency", "device")
TIME_BREAKDOWNS = ("day", "week")
PRESETS = (7, 30, 90, 365)
DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366
WEEKLY_AFTER_DAYS = 92  # longer ranges chart by week, shorter ones by day
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 1, 1)  # what a range (and the one before it) may cover


def range_problem(start: date, end: date) -> str | None:
    """Why [start, end) cannot be shown: 'order' (ends before it starts), 'too_long' (over MAX_DAYS)
    or 'bounds' (outside EARLIEST..LATEST, previous period included); None when it can."""
    if end <= start:
        return "order"
    if (end - start).days > MAX_DAYS:
        return "too_long"
    if start < EARLIEST + (end - start) or end > LATEST:
        return "bounds"
    return None


@dataclass(frozen=True)
class Period:
    """Whole days from `start` (included) to `end` (excluded), in UTC."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("a period ends after it starts")

    @classmethod
    def last(cls, days: int, today: date) -> "Period":
        """The last `days` days, today included."""
        return cls(today - timedelta(days=days - 1), today + timedelta(days=1))

    @property
    def days(self) -> int:
        """How many days the period covers."""
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        """The last day included."""
        return self.end - timedelta(days=1)

    def previous(self) -> "Period":
        """The period of the same length just before this one (what changes are measured against)."""
        return Period(self.start - timedelta(days=self.days), self.start)

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as UTC datetimes [start, end)."""
        return (datetime.combine(self.start, time.min, timezone.utc),
                datetime.combine(self.end, time.min, timezone.utc))

    def series_unit(self, breakdown: str | None) -> str:
        """'day' or 'week': the step of the time series charts for this period and breakdown."""
        if breakdown in TIME_BREAKDOWNS:
            return breakdown
        return "week" if self.days > WEEKLY_AFTER_DAYS else "day"

    def buckets(self, unit: str) -> list[str]:
        """Every day (or Monday of every week) in the period as ISO dates, the keys of a time series."""
        first = self.start if unit == "day" else self.start - timedelta(days=self.start.weekday())
        step = timedelta(days=1 if unit == "day" else 7)
        out, day = [], first
        while day < self.end:
            out.append(day.isoformat())
            day += step
        return out
