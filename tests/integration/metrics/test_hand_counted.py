"""Every metric over the hand-counted history (tests/integration/metrics/history.py), counted by hand.

Period: 1-7 November 2026; previous period: 25-31 October. EUR checkouts recorded 1.10 USD per euro.
"""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from storefront.metrics.dashboard import build_dashboard
from tests.integration.metrics.history import PERIOD


@pytest.fixture
def board(shop, session):
    """The dashboard's figures for the period, without breakdown."""
    return build_dashboard(session, PERIOD)


def values(board) -> dict:
    return {metric_id: tile.value for metric_id, tile in board.tiles.items()}


def previous(board) -> dict:
    return {metric_id: tile.previous for metric_id, tile in board.tiles.items()}


def test_every_headline_figure_matches_the_hand_count(board):
    assert values(board) == {
        # Paid in the period: O1 100 USD, O2 40 EUR, O3 60 EUR, O4 30 USD, O6 10 EUR (O5 never paid).
        # GMV = 100 + 40*1.10 + 60*1.10 + 30 + 10*1.10 = 100 + 44 + 66 + 30 + 11 = 251.00
        "gmv_usd": D("251.00"),
        "completed_orders": 1,                      # O1 on 6 Nov (O0 completed in October)
        "paid_orders": 5,                           # O1, O2, O3, O4, O6
        "sessions": 20,                             # s01-s20 (the row without a session id is ignored)
        "conversion_rate": D("0.2000"),             # s01-s04 paid after every step: 4 / 20
        "aov_usd": D("50.20"),                      # 251.00 / 5
        # Buyers paid in the period: ana (O1, O4), ben (O2, O6; "Ben@" = "ben@"), chen (O3) = 3.
        # Repeat: ana (first paid O0 in October), ben (O6 after O2) = 2 -> 2 / 3
        "repeat_purchase_rate": D("0.6667"),
        "search_zero_result_rate": D("0.4000"),     # 5 searches, 2 with no result (s03, s04): 2 / 5
        "search_click_rate": D("0.6667"),           # 3 searches found something, 2 clicked (s01, s02 twice = 1)
        "average_rating": D("3.67"),                # reviews in the period 5, 2, 4: 11 / 3 = 3.666...
        "active_sellers": 2,                        # SZ (O1, O3) and Berlin (O2, O4, O6)
        # Handling deadline in the period: O1 (on time), O2 (shipped late), O3 (on time), O6 (cancelled for
        # missing it); O4 was cancelled by the seller and does not count: 2 / 4
        "on_time_handling_rate": D("0.5000"),
        "cancellation_rate": D("0.4000"),           # O4, O6 cancelled after payment: 2 / 5
        "positive_feedback_rate": D("0.6667"),      # 5 and 4 stars of 3 reviews: 2 / 3
        "delivered_orders": 3,                      # O1 (5 Nov), O3 (6 Nov), O2 (7 Nov)
        # Shipping to delivery: O1 2 Nov 10h -> 5 Nov 10h = 3.0, O2 5 Nov 9h -> 7 Nov 21h = 2.5,
        # O3 4 Nov 12h -> 6 Nov 12h = 2.0 days; sorted 2.0, 2.5, 3.0
        "delivery_days_median": D("2.50"),
        "delivery_days_p90": D("2.90"),             # rank 0.9 * (3 - 1) = 1.8: 2.5 + 0.8 * (3.0 - 2.5)
        "payment_success_rate": D("0.7143"),        # attempts: 5 succeeded, 2 failed (C2's first, C5): 5 / 7
        "refund_rate": D("0.4000"),                 # money returned on O4 and O6: 2 / 5
        "dispute_rate": D("0.2000"),                # O3: 1 / 5
        "late_delivery_rate": D("0.3333"),          # O2 delivered 7 Nov, promised by 6 Nov: 1 / 3
        "payment_failure_rate": D("0.2857"),        # 2 / 7
    }


def test_previous_period_figures_and_changes(board):
    # 25-31 October: O0 (50 USD, paid 26 Oct, delivered in 2.0 days, completed 30 Oct, reviewed 4*), C0's one
    # successful payment, visits p01 (all steps, paid) and p02 (arrives only), one search with a click.
    assert previous(board) == {
        "gmv_usd": D("50.00"), "completed_orders": 1, "paid_orders": 1, "sessions": 2,
        "conversion_rate": D("0.5000"), "aov_usd": D("50.00"),
        "repeat_purchase_rate": D("0.0000"),        # O0 is ana's first paid order
        "search_zero_result_rate": D("0.0000"), "search_click_rate": D("1.0000"), "average_rating": D("4.00"),
        "active_sellers": 1, "on_time_handling_rate": D("1.0000"), "cancellation_rate": D("0.0000"),
        "positive_feedback_rate": D("1.0000"), "delivered_orders": 1, "delivery_days_median": D("2.00"),
        "delivery_days_p90": D("2.00"), "payment_success_rate": D("1.0000"), "refund_rate": D("0.0000"),
        "dispute_rate": D("0.0000"), "late_delivery_rate": D("0.0000"), "payment_failure_rate": D("0.0000"),
    }
    changes = {metric_id: tile.change for metric_id, tile in board.tiles.items()}
    assert changes["gmv_usd"] == D("4.0200")              # (251 - 50) / 50
    assert changes["paid_orders"] == D("4.0000")          # (5 - 1) / 1
    assert changes["completed_orders"] == D("0.0000")     # 1 -> 1
    assert changes["sessions"] == D("9.0000")             # (20 - 2) / 2
    assert changes["conversion_rate"] == D("-0.3000")     # rates move in points: 0.20 - 0.50
    assert changes["delivery_days_median"] == D("0.2500")  # (2.5 - 2.0) / 2.0
    assert board.tiles["gmv_usd"].trend == "good"
    assert board.tiles["refund_rate"].trend == "bad"      # 0 -> 40 %, lower is better


def test_guardrails_crossed_against_their_thresholds(board):
    # refund 40 % > 5 %, dispute 20 % > 2 %, late delivery 33.3 % > 10 %, payment failure 28.6 % > 15 %
    assert {m: board.tiles[m].crossed for m in ("refund_rate", "dispute_rate", "late_delivery_rate",
                                                 "payment_failure_rate")} == dict.fromkeys(
        ("refund_rate", "dispute_rate", "late_delivery_rate", "payment_failure_rate"), True)
    assert not board.tiles["gmv_usd"].crossed  # no threshold


def test_funnel_steps_with_drop_off(board):
    # visits 20; browsed s01-s12 = 12; carted s01-s07 = 7 (s15 carted without browsing);
    # checkout s01-s05 = 5; paid s01-s04 = 4 (C5 unpaid; s11 paid C6 but skipped steps)
    assert board.tables["funnel"].rows == [
        ("sessions", 20, D("1.0000"), None, None),
        ("browsed", 12, D("0.6000"), 8, D("0.4000")),         # lost 20 - 12 = 8, 8 / 20
        ("carted", 7, D("0.3500"), 5, D("0.4167")),           # 12 - 7 = 5, 5 / 12
        ("checked_out", 5, D("0.2500"), 2, D("0.2857")),      # 7 - 5 = 2, 2 / 7
        ("paid", 4, D("0.2000"), 1, D("0.2000")),             # 5 - 4 = 1, 1 / 5
    ]


def test_time_series_by_day(board):
    # paid per day: 1 Nov O1 100; 2 Nov O2 44; 3 Nov O3 66; 4 Nov O4 30; 6 Nov O6 11
    assert board.unit == "day"
    assert board.tables["timeseries"].rows == [
        ("2026-11-01", 1, D("100.00")), ("2026-11-02", 1, D("44.00")), ("2026-11-03", 1, D("66.00")),
        ("2026-11-04", 1, D("30.00")), ("2026-11-05", 0, D("0.00")), ("2026-11-06", 1, D("11.00")),
        ("2026-11-07", 0, D("0.00")),
    ]


def test_sellers_ranked_by_dispute_rate_worst_first(board):
    assert board.tables["sellers"].rows == [
        # SZ: O1, O3 paid; O3 disputed: 1 / 2; no cancellation
        ("SZ Audio Store", "sz-audio", 2, 1, D("0.5000"), 0, D("0.0000")),
        # Berlin: O2, O4, O6 paid; no dispute; O4 and O6 cancelled: 2 / 3
        ("Berlin Mugs", "berlin", 3, 0, D("0.0000"), 2, D("0.6667")),
    ]


def test_delivery_by_country_and_by_method(board):
    assert board.tables["delivery_by_country"].rows == [
        # one delivery each, most deliveries first then by code: DE (O3 2.0), ES (O2 2.5, late), US (O1 3.0)
        ("DE", 1, D("2.00"), D("2.00"), 0, D("0.0000")),
        ("ES", 1, D("2.50"), D("2.50"), 1, D("1.0000")),
        ("US", 1, D("3.00"), D("3.00"), 0, D("0.0000")),
    ]
    assert board.tables["delivery_by_method"].rows == [
        # standard: O1 3.0, O3 2.0 -> median 2.5, p90 2.0 + 0.9 * 1.0 = 2.9; economy: O2 2.5, late
        ("standard", 2, D("2.50"), D("2.90"), 0, D("0.0000")),
        ("economy", 1, D("2.50"), D("2.50"), 1, D("1.0000")),
    ]


def test_payments_by_method_and_failures_by_reason(board):
    assert board.tables["payments_by_method"].rows == [
        ("bank_transfer", 1, 1, 0, D("1.0000")),      # C4
        ("test", 6, 4, 2, D("0.6667")),               # C1, C2 (failed, then succeeded), C3, C5 (failed), C6
    ]
    assert board.tables["payment_failures"].rows == [
        ("declined", 1, D("0.5000")), ("insufficient_funds", 1, D("0.5000")),
    ]


def test_breakdown_by_country(shop, session):
    board = build_dashboard(session, PERIOD, "country")
    north = {row[0]: row[1:] for row in board.tables["north_star_by"].rows}
    # columns: GMV, completed, paid. US: O1 100 + O4 30; ES: O2 44 + O6 11; DE: O3 66 (FR: visits, no order)
    assert north == {"DE": (D("66.00"), 0, 1), "ES": (D("55.00"), 0, 2), "US": (D("130.00"), 1, 2)}
    funnel = {row[0]: row[1:] for row in board.tables["funnel_by"].rows}
    # visits by country of arrival: s01, s04, s05, s06-s10 = US (8); s02 ES; s03 DE; s11-s20 FR (10)
    # US: all 8 browsed; carted s01, s04-s07 = 5; checkout s01, s04, s05 = 3; paid s01, s04 (C5 unpaid) = 2 / 8
    assert funnel["US"] == (8, 8, 5, 3, 2, D("0.2500"))
    assert funnel["FR"] == (10, 2, 0, 0, 0, D("0.0000"))  # s11, s12 browsed; s15 carted without browsing
    guard = {row[0]: row[1:] for row in board.tables["guardrails_by"].rows}
    # refund, dispute, late delivery, payment failure. ES: O6 refunded of O2, O6; O2 late of 1 delivery;
    # C2 failed once of 3 attempts (C2 x2, C6)
    assert guard["ES"] == (D("0.5000"), D("0.0000"), D("1.0000"), D("0.3333"))
    assert "FR" not in guard
    buyers = {row[0]: row[1:] for row in board.tables["buyers_by"].rows}
    # FR: 10 visits, none paid; no order, search, review or dispute there: "—", never a division by zero
    assert buyers["FR"] == (10, D("0.0000"), None, None, None, None, None, None)


def test_breakdown_by_device_uses_the_placing_visit(shop, session):
    board = build_dashboard(session, PERIOD, "device")
    north = {row[0]: row[1:] for row in board.tables["north_star_by"].rows}
    # C1-C4 placed on phones (100 + 44 + 66 + 30), C6 by s11 on a computer (11)
    assert north["mobile"] == (D("240.00"), 1, 4)
    assert north["desktop"] == (D("11.00"), 0, 1)
    buyers = {row[0]: row[1:3] for row in board.tables["buyers_by"].rows}
    assert buyers["mobile"] == (10, D("0.4000"))          # 4 paid of 10 phone visits
    assert buyers["desktop"] == (10, D("0.0000"))


def test_breakdown_by_day_and_week(shop, session):
    by_day = build_dashboard(session, PERIOD, "day")
    visits = {row[0]: row[1] for row in by_day.tables["funnel_by"].rows}
    # s01-s20 start on day 1 + (n - 1) % 7: three a day, two on 7 Nov
    assert visits == {"2026-11-0%d" % d: (2 if d == 7 else 3) for d in range(1, 8)}
    by_week = build_dashboard(session, PERIOD, "week")
    # 1 Nov 2026 is a Sunday: its week starts Monday 26 Oct; 2-7 Nov is the week of 2 Nov
    north = {row[0]: row[1:] for row in by_week.tables["north_star_by"].rows}
    assert north == {"2026-10-26": (D("100.00"), 0, 1), "2026-11-02": (D("151.00"), 1, 4)}
    assert by_week.unit == "week"
