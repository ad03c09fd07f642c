"""Money: Decimal arithmetic that refuses to mix currencies, and locale formatting."""
from decimal import Decimal

import pytest

from storefront.core.errors import InvalidInput
from storefront.core.money import CurrencyMismatch, Money, format_money, parse_amount
from storefront.currency.services import Rates


def test_adding_two_currencies_raises():
    with pytest.raises(CurrencyMismatch):
        Money(Decimal("1"), "USD") + Money(Decimal("1"), "EUR")


def test_multiplying_by_float_is_refused():
    with pytest.raises(TypeError):
        Money(Decimal("1.10"), "USD") * 1.5


def test_quantize_uses_currency_minor_units():
    assert Money(Decimal("1234.5"), "JPY").quantize().amount == Decimal("1235")
    assert Money(Decimal("1.005"), "USD").quantize().amount == Decimal("1.01")


def test_format_follows_locale():
    assert format_money(Money(Decimal("1234.5"), "BRL"), "es") == "1.234,50\xa0BRL"
    assert format_money(Money(Decimal("12.5"), "USD"), "en") == "$12.50"
    assert "¥" in format_money(Money(Decimal("3980"), "JPY"), "zh")


@pytest.mark.parametrize("text", ["abc", "-1", "NaN", "Infinity", ""])
def test_parse_amount_rejects_bad_text(text):
    with pytest.raises(InvalidInput):
        parse_amount(text)


def test_convert_goes_through_euro_and_missing_rate_gives_none():
    rates = Rates({"EUR": Decimal(1), "USD": Decimal("1.25"), "BRL": Decimal("6.25")})
    assert rates.convert(Money(Decimal("10"), "USD"), "BRL") == Money(Decimal("50"), "BRL")
    assert rates.convert(Money(Decimal("10"), "USD"), "JPY") is None
    assert rates.convert(Money(Decimal("10"), "XXX"), "USD") is None
