"""Buyer protection and dispute rules without HTTP: the window from the delivery estimate, when a dispute may be
opened, what the order page offers when, and the checks on refund amounts and messages."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from flask_babel import force_locale

from storefront.core.money import Money
from storefront.orders.dispute_mail import dispute_text
from storefront.orders.dispute_rules import (
    SYSTEM_LINES,
    InvalidDispute,
    amount_problem,
    clean_message,
    dispute_problems,
    message_problem,
    money_text,
    parse_refund,
    parse_system_line,
    system_line,
)
from storefront.orders.models import Checkout, DisputeMessage, Order
from storefront.orders.protection import (
    DEFAULT_TRANSIT_DAYS,
    DISPUTE_OPENS_AFTER_DAYS,
    PROTECTION_GRACE_DAYS,
    after_sale,
    dispute_opens_at,
    lane_transit_days,
    protection_end,
)

UTC = timezone.utc
SHIPPED = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def order(**fields) -> Order:
    """A shipped order from China to Spain by economy (15-30 days in transit), not saved anywhere."""
    values = dict(number="SO-TEST", status="shipped", shipping_method="economy", ships_from="CN",
                  checkout=Checkout(country="ES"), shipped_at=SHIPPED, delivery_latest=None, delivered_at=None,
                  protection_extended=False, total=Decimal("20.00"), refunded_total=Decimal(0), currency="EUR")
    return Order(**(values | fields))


# --- the protection window ---------------------------------------------------------------------------

def test_the_window_ends_a_grace_period_after_the_lanes_latest_transit_day():
    assert lane_transit_days(order()) == 30
    assert protection_end(order()) == SHIPPED + timedelta(days=30 + PROTECTION_GRACE_DAYS)
    assert lane_transit_days(order(ships_from="ES")) == 5  # domestic economy: 2-5 days
    assert protection_end(order(ships_from="ES")) == SHIPPED + timedelta(days=5 + PROTECTION_GRACE_DAYS)


def test_a_later_promise_at_checkout_wins_and_an_earlier_one_never_shortens_the_window():
    promised = SHIPPED + timedelta(days=40)
    assert protection_end(order(delivery_latest=promised)) == promised + timedelta(days=PROTECTION_GRACE_DAYS)
    early = SHIPPED + timedelta(days=3)
    assert protection_end(order(delivery_latest=early)) == SHIPPED + timedelta(days=30 + PROTECTION_GRACE_DAYS)


def test_without_a_lane_the_promise_or_else_a_default_is_used():
    unknown = order(shipping_method="pigeon")
    assert lane_transit_days(unknown) is None
    assert protection_end(unknown) == SHIPPED + timedelta(days=DEFAULT_TRANSIT_DAYS + PROTECTION_GRACE_DAYS)
    promised = SHIPPED + timedelta(days=12)
    assert protection_end(order(shipping_method="pigeon", delivery_latest=promised)) == \
        promised + timedelta(days=PROTECTION_GRACE_DAYS)


def test_times_without_a_zone_are_taken_as_utc_like_sqlite_gives_them_back():
    naive = order(shipped_at=SHIPPED.replace(tzinfo=None))
    assert protection_end(naive) == protection_end(order())


def test_an_order_that_has_not_shipped_has_no_window():
    with pytest.raises(ValueError):
        protection_end(order(shipped_at=None))
    assert dispute_opens_at(order(shipped_at=None)) is None


# --- when a dispute opens -------------------------------------------------------------------------------

def test_not_received_opens_some_days_after_shipment():
    assert dispute_opens_at(order(), "not_received") == SHIPPED + timedelta(days=DISPUTE_OPENS_AFTER_DAYS)
    assert dispute_opens_at(order(delivered_at=SHIPPED + timedelta(days=2)), "not_received") == \
        SHIPPED + timedelta(days=DISPUTE_OPENS_AFTER_DAYS)


def test_not_as_described_opens_at_delivery_or_after_the_same_delay_whichever_is_first():
    delivered = SHIPPED + timedelta(days=2)
    assert dispute_opens_at(order(delivered_at=delivered), "not_as_described") == delivered
    late = SHIPPED + timedelta(days=9)
    assert dispute_opens_at(order(delivered_at=late), "not_as_described") == \
        SHIPPED + timedelta(days=DISPUTE_OPENS_AFTER_DAYS)
    assert dispute_opens_at(order(), "not_as_described") == SHIPPED + timedelta(days=DISPUTE_OPENS_AFTER_DAYS)


@pytest.mark.parametrize("fields,days,expected", [
    ({}, 1, {"can_confirm": True, "can_extend": True, "can_dispute": False}),        # too early to dispute
    ({}, 6, {"can_confirm": True, "can_extend": True, "can_dispute": True}),
    ({"protection_extended": True}, 6, {"can_extend": False, "extended": True, "can_dispute": True}),
    ({}, 40, {"can_confirm": True, "can_extend": False, "can_dispute": False}),     # the window has ended
    ({"status": "paid", "shipped_at": None, "protection_ends_at": None}, 6,
     {"can_confirm": False, "can_extend": False, "can_dispute": False, "dispute_opens_at": None}),
    ({"status": "completed"}, 6, {"can_confirm": False, "can_extend": False, "can_dispute": False}),
])
def test_what_the_order_page_offers_when(fields, days, expected):
    shipped = order(**({"protection_ends_at": SHIPPED + timedelta(days=37)} | fields))
    choices = after_sale(shipped, SHIPPED + timedelta(days=days))
    assert {key: getattr(choices, key) for key in expected} == expected


# --- what people enter --------------------------------------------------------------------------------

@pytest.mark.parametrize("text,currency,value", [
    ("5.50", "EUR", Decimal("5.50")), ("5,50", "EUR", Decimal("5.50")), (" 7 ", "USD", Decimal(7)),
    ("1 200", "JPY", Decimal(1200)), (Decimal("0.01"), "USD", Decimal("0.01")),
])
def test_refund_amounts_are_read_in_the_currencys_minor_units(text, currency, value):
    assert parse_refund(text, currency) == value


@pytest.mark.parametrize("text,currency,code", [
    ("", "EUR", "required"), (None, "EUR", "required"), ("abc", "EUR", "format"), ("1.234", "EUR", "format"),
    ("1.5", "JPY", "format"), ("NaN", "EUR", "format"), ("1e40", "EUR", "format"), ("1.000,50", "EUR", "format"),
    ("0", "EUR", "not_positive"), ("-3", "EUR", "not_positive"),
])
def test_bad_refund_amounts_are_refused_with_a_reason(text, currency, code):
    with pytest.raises(InvalidDispute) as refused:
        parse_refund(text, currency)
    assert (refused.value.field, refused.value.code) == ("amount", code)


def test_a_refund_is_never_more_than_what_is_left():
    left = Money(Decimal("12.00"), "EUR")
    assert amount_problem("12.00", left) is None
    assert amount_problem("12.01", left) == ("amount", "too_much")


def test_a_new_dispute_reports_every_broken_rule_at_once():
    left = Money(Decimal("12.00"), "EUR")
    assert dispute_problems("not_received", "full_refund", "", "Nothing came.", left) == []
    assert dispute_problems("lost", "all", "", " \n ", left) == [
        ("reason", "unknown"), ("requested", "unknown"), ("message", "required")]
    assert dispute_problems("not_as_described", "partial_refund", "20", "Broken.", left) == [("amount", "too_much")]
    assert dispute_problems("not_as_described", "partial_refund", "", "x" * 2001, left) == [
        ("amount", "required"), ("message", "too_long")]


def test_messages_are_trimmed_and_keep_their_paragraphs():
    assert clean_message("  Hello\r\n\r\n\r\n\r\nThanks  ") == "Hello\n\nThanks"
    assert message_problem(None) == ("message", "required")
    assert message_problem(None, required=False) is None
    assert message_problem("x" * 2000) is None


# --- the thread's system lines ------------------------------------------------------------------------

@pytest.mark.parametrize("code", sorted(SYSTEM_LINES))
def test_every_system_line_reads_back_as_its_code(code):
    params = {"reason": "not as described", "amount": money_text(Decimal("5.5"), "EUR")}
    line = system_line(code, **params)
    wanted = {k: v for k, v in params.items() if "{" + k + "}" in SYSTEM_LINES[code]}
    assert parse_system_line(line) == (code, wanted)
    assert parse_system_line("Please refund " + line) is None


def test_system_lines_are_shown_in_the_readers_language_and_peoples_words_as_written(app):
    line = DisputeMessage(author="system", body=system_line("opened_partial_refund", reason="not received",
                                                               amount="5.50 EUR"))
    with app.test_request_context(), force_locale("en"):
        assert dispute_text(line) == \
            "Dispute opened (item not received): the buyer asks for a partial refund of 5.50 EUR."
        words = DisputeMessage(author="buyer", body="The seller offered a partial refund of 5.00 EUR.")
        assert dispute_text(words) == words.body  # a buyer's words are never taken for a system line
        assert dispute_text(DisputeMessage(author="system", body="Something else.")) == "Something else."
