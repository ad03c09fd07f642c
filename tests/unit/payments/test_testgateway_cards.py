"""The hosted page's card rules: Luhn, brands, expiry, CVC, amounts, and the test-card outcome table."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from storefront.payments.testgateway.provider import (
    TEST_CARDS,
    Outcome,
    Refused,
    card_brand,
    check_amount,
    cvc_valid,
    expiry_valid,
    luhn_valid,
    normalise_number,
    outcome_for,
    parse_expiry,
)


@pytest.mark.parametrize("number", [card.number for card in TEST_CARDS]
                         + ["5555555555554444", "378282246310005", "6011111111111117", "3566002020360505"])
def test_documented_test_numbers_pass_luhn(number):
    assert luhn_valid(number)


@pytest.mark.parametrize("number", ["4242424242424241", "4242", "42424242424242424242", "4242x24242424242",
                                    "", "０４２４２４２４２４２４２４２４２"])
def test_bad_numbers_fail_luhn(number):
    assert not luhn_valid(number)


def test_spaces_and_dashes_are_ignored():
    assert normalise_number(" 4242 4242-4242 4242 ") == "4242424242424242"


@pytest.mark.parametrize("number, brand", [("4242424242424242", "visa"), ("5555555555554444", "mastercard"),
                                           ("2223003122003222", "mastercard"), ("378282246310005", "amex"),
                                           ("6011111111111117", "discover"), ("3566002020360505", "jcb"),
                                           ("6200000000000005", "unionpay"), ("9999999999999995", "unknown")])
def test_brand_comes_from_the_first_digits(number, brand):
    assert card_brand(number) == brand


@pytest.mark.parametrize("number, outcome", [
    ("4242424242424242", Outcome("succeeded")),
    ("4000000000000002", Outcome("failed", "declined")),
    ("4000000000009995", Outcome("failed", "insufficient_funds")),
    ("4000002500003155", Outcome("requires_action")),
    ("4000000000000119", Outcome("failed", "processing_error")),
    ("5555555555554444", Outcome("succeeded")),  # any other valid number approves
])
def test_outcome_table_follows_stripe_test_cards(number, outcome):
    assert outcome_for(number) == outcome


TODAY = date(2030, 6, 15)


@pytest.mark.parametrize("text, valid", [("06/30", True), ("6/30", True), ("12/2030", True), (" 07 / 31 ", True),
                                         ("05/30", False), ("12/29", False), ("13/31", False), ("00/31", False),
                                         ("0630", False), ("ab/cd", False), ("", False)])
def test_a_card_is_valid_to_the_end_of_its_expiry_month(text, valid):
    assert expiry_valid(text, TODAY) is valid


def test_expiry_parses_two_and_four_digit_years():
    assert parse_expiry("1/34") == (1, 2034) and parse_expiry("01/2034") == (1, 2034)


@pytest.mark.parametrize("text, valid", [("123", True), ("1234", True), ("12", False), ("12345", False),
                                         ("12a", False), ("", False), ("١٢٣", False)])
def test_cvc_is_three_or_four_digits(text, valid):
    assert cvc_valid(text) is valid


@pytest.mark.parametrize("amount, currency", [("0", "USD"), ("-1", "USD"), ("NaN", "USD"), ("Infinity", "USD"),
                                              ("1.005", "USD"), ("100.5", "JPY"), ("10", "usd"), ("10", "XYZ"),
                                              ("10", "US")])
def test_bad_amounts_and_currencies_are_refused(amount, currency):
    with pytest.raises(Refused):
        check_amount(Decimal(amount), currency)


@pytest.mark.parametrize("amount, currency", [("0.01", "USD"), ("1200", "JPY"), ("12.5000", "EUR"), ("1.234", "KWD")])
def test_good_amounts_are_accepted(amount, currency):
    check_amount(Decimal(amount), currency)
