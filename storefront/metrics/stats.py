"""Pure arithmetic behind the metrics: ratios, percentiles, change against the previous period, thresholds.

Every function answers None when there is nothing to measure, so "no data" is shown as "—" and never
becomes a division by zero.
"""
from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

RATE_PLACES = Decimal("0.0001")    # 12.34 %
MONEY_PLACES = Decimal("0.01")     # US cents
FIGURE_PLACES = Decimal("0.01")    # days, stars
SECONDS_PER_DAY = Decimal(86400)


def as_decimal(value) -> Decimal | None:
    """A database number (int, float from SQLite, Decimal from PostgreSQL) as a Decimal; None stays None."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def rounded(value, places: Decimal) -> Decimal | None:
    """`value` rounded half up to `places` (None stays None)."""
    number = as_decimal(value)
    return None if number is None else number.quantize(places, rounding=ROUND_HALF_UP)


def ratio(part, whole, places: Decimal = RATE_PLACES) -> Decimal | None:
    """part / whole rounded to `places`; None when the whole is zero or unknown."""
    part, whole = as_decimal(part), as_decimal(whole)
    if part is None or not whole:
        return None
    return (part / whole).quantize(places, rounding=ROUND_HALF_UP)


def percentile(values: Sequence, q: float) -> Decimal | None:
    """The q-quantile (0..1) with linear interpolation between the closest ranks (PostgreSQL's
    percentile_cont, NumPy's default); None for no values."""
    if not 0 <= q <= 1:
        raise ValueError("q must be between 0 and 1")
    ordered = sorted(as_decimal(v) for v in values if v is not None)
    if not ordered:
        return None
    position = Decimal(len(ordered) - 1) * Decimal(str(q))
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def seconds_to_days(seconds) -> Decimal | None:
    """A duration in seconds as days, to two decimals."""
    seconds = as_decimal(seconds)
    return None if seconds is None else rounded(seconds / SECONDS_PER_DAY, FIGURE_PLACES)


def change(current, previous, *, in_points: bool = False) -> Decimal | None:
    """How `current` moved from `previous`.

    For rates (in_points) the difference itself (0.05 = 5 percentage points); for anything else the
    relative change (0.25 = +25 %), None when the previous value was zero or either is unknown.
    """
    current, previous = as_decimal(current), as_decimal(previous)
    if current is None or previous is None:
        return None
    if in_points:
        return (current - previous).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
    if previous == 0:
        return None
    return ((current - previous) / abs(previous)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def crossed(value, threshold, *, lower_is_better: bool = True) -> bool:
    """True when a guardrail's value is on the wrong side of its threshold (unknown values never are)."""
    value = as_decimal(value)
    if value is None or threshold is None:
        return False
    return value > threshold if lower_is_better else value < threshold


def trend(change_value, *, higher_is_better: bool) -> str:
    """'good', 'bad' or 'flat' for a change, given which direction is better."""
    if change_value is None or change_value == 0:
        return "flat"
    return "good" if (change_value > 0) == higher_is_better else "bad"
