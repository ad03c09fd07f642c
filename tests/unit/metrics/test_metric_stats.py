"""The arithmetic behind the metrics: ratios, percentiles, change versus the previous period, thresholds."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from storefront.metrics.stats import as_decimal, change, crossed, percentile, ratio, rounded, seconds_to_days, trend


def test_ratio_rounds_half_up_and_is_none_without_a_whole():
    assert ratio(1, 6) == D("0.1667")
    assert ratio(1, 8) == D("0.1250")
    assert ratio(2, 3, D("0.01")) == D("0.67")
    assert ratio(0, 5) == D("0.0000")
    assert ratio(3, 0) is None          # no data: "—", never ZeroDivisionError
    assert ratio(None, 4) is None
    assert ratio(3, None) is None


def test_database_numbers_become_exact_decimals():
    assert as_decimal(0.1) == D("0.1")  # SQLite sums come back as floats
    assert as_decimal(7) == D(7)
    assert as_decimal(None) is None
    assert rounded(251.00000000001, D("0.01")) == D("251.00")


@pytest.mark.parametrize(("values", "q", "expected"), [
    ([3, 1, 2], 0.5, D(2)),
    ([1, 2, 3, 4], 0.5, D("2.5")),
    ([2.0, 2.5, 3.0], 0.9, D("2.9")),          # rank 1.8: 2.5 + 0.8 * 0.5
    ([10], 0.9, D(10)),
    ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9, D("9.1")),
    ([5, 1], 0.0, D(1)),
    ([5, 1], 1.0, D(5)),
])
def test_percentile_interpolates_between_closest_ranks(values, q, expected):
    assert percentile(values, q) == expected


def test_percentile_of_nothing_is_none_and_q_is_checked():
    assert percentile([], 0.5) is None
    assert percentile([None], 0.5) is None
    with pytest.raises(ValueError):
        percentile([1], 1.5)


def test_seconds_to_days():
    assert seconds_to_days(216000) == D("2.50")   # 60 h
    assert seconds_to_days(D(86400) * D("2.9")) == D("2.90")
    assert seconds_to_days(None) is None


def test_change_is_relative_for_figures_and_in_points_for_rates():
    assert change(251, 50) == D("4.0200")
    assert change(D("40"), D("50")) == D("-0.2000")
    assert change(5, 0) is None                       # no base to compare with
    assert change(None, 5) is None and change(5, None) is None
    assert change(D("0.2000"), D("0.5000"), in_points=True) == D("-0.3000")
    assert change(D("0.1"), D("0"), in_points=True) == D("0.1000")  # points work from zero


def test_thresholds_are_crossed_on_the_wrong_side_only():
    assert crossed(D("0.06"), D("0.05"))
    assert not crossed(D("0.05"), D("0.05"))          # at the threshold is still fine
    assert not crossed(None, D("0.05"))               # no data never raises an alarm
    assert not crossed(D("0.9"), None)
    assert crossed(D("0.80"), D("0.90"), lower_is_better=False)
    assert not crossed(D("0.95"), D("0.90"), lower_is_better=False)


def test_trend_depends_on_which_direction_is_better():
    assert trend(D("0.1"), higher_is_better=True) == "good"
    assert trend(D("0.1"), higher_is_better=False) == "bad"
    assert trend(D("-0.1"), higher_is_better=False) == "good"
    assert trend(D(0), higher_is_better=True) == "flat"
    assert trend(None, higher_is_better=True) == "flat"
