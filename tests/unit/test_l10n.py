"""Issue 16: money and dates in the formats of the shopper's language *and* ship-to country, direction-isolated
for right-to-left text, list separators, and sorting by each language's collation."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pycountry
import pytest
from babel import localedata

from storefront.config import CURRENCIES, LOCALES
from storefront.core.collation import collate
from storefront.core.i18n import country_choices
from storefront.core.l10n import FSI, PDI, format_day, format_days, format_locale, isolate_text, list_join
from storefront.core.money import Money, format_money


@pytest.mark.parametrize("language, country, expected", [
    ("es", "MX", "es_MX"), ("es", "BR", "es_BR"), ("pt", "BR", "pt_BR"), ("zh", "CN", "zh_Hans_CN"),
    ("ar", "EG", "ar_EG"), ("en", "US", "en_US"),
    ("zh", "TW", "zh"),  # Taiwan's CLDR locale is Traditional Chinese: the page is Simplified
    ("zh", "US", "zh"), ("en", "MX", "en"), ("es", None, "es"),
])
def test_format_locale_is_language_plus_ship_to_country_when_cldr_has_it(language, country, expected):
    assert format_locale(language, country) == expected


@pytest.mark.parametrize("language, country, amount, currency, expected", [
    ("es", "MX", "552.15", "MXN", "$552.15"),
    ("pt", "BR", "139.34", "BRL", "R$\xa0139,34"),
    ("es", "BR", "139.34", "BRL", "R$139.34"),
    ("es", "ES", "29.99", "EUR", "29,99\xa0€"),
    ("en", "US", "552.15", "MXN", "MX$552.15"),
])
def test_money_uses_the_regional_cldr_pattern(language, country, amount, currency, expected):
    assert format_money(Money(Decimal(amount), currency), format_locale(language, country)) == expected


def test_a_letter_symbol_is_kept_off_the_digits():
    # CLDR currency spacing: Babel alone writes "USD29.99" for a Mexican reader
    assert format_money(Money(Decimal("29.99"), "USD"), "es_MX") == "USD\xa029.99"


def test_arabic_keeps_the_latin_symbol_together_so_it_reads_us_dollar_not_dollar_us():
    text = format_money(Money(Decimal("29.99"), "USD"), "ar")
    # right-to-left mark first (the number reads first, right to left), then the symbol closed by a
    # left-to-right mark so the bidi algorithm cannot move "$" before "US"
    assert text == "\u200f29.99\xa0US$\u200e"


def test_no_two_offered_currencies_share_a_symbol_in_any_regional_locale():
    for language in LOCALES:
        for country in (c.alpha_2 for c in pycountry.countries):
            locale = format_locale(language, country)
            shown = {}
            for currency in CURRENCIES:
                text = format_money(Money(Decimal("1"), currency), locale)
                symbol = "".join(ch for ch in text if not ch.isdigit() and ch not in ".,\xa0 \u200e\u200f-")
                assert shown.setdefault(symbol, currency) == currency, (locale, symbol, shown[symbol], currency)


def test_chinese_delivery_range_uses_cldr_interval_format_not_a_fixed_pattern():
    text = format_days(date(2026, 12, 11), date(2026, 12, 14), "zh_Hans_CN")
    assert text == "12月11日至14日"
    assert format_days(date(2026, 12, 11), date(2026, 12, 14), "en_US") == "Dec 11\u2009–\u200914"


def test_a_range_across_months_names_both_months():
    assert format_days(date(2026, 12, 28), date(2027, 1, 3), "es_MX") == "28 de dic\u2009–\u20093 de ene"


def test_single_days_come_from_skeletons():
    assert format_day(datetime(2026, 12, 7, 10), "zh_Hans_CN") == "2026年12月7日"
    assert format_day(date(2026, 12, 7), "es", "yMMM") == "dic 2026"


def test_plain_text_is_isolated_only_for_right_to_left_readers():
    assert isolate_text("SO-123", "ar") == f"{FSI}SO-123{PDI}"
    assert isolate_text("SO-123", "ar_EG") == f"{FSI}SO-123{PDI}"
    assert isolate_text("SO-123", "es") == "SO-123"


def test_address_parts_join_with_the_locales_list_separator():
    assert list_join(["Calle 1", "Piso 2"], "ar") == "Calle 1، Piso 2"
    assert list_join(["Calle 1", "", "Piso 2"], "es") == "Calle 1, Piso 2"
    assert list_join(["a", "b"], "zh") == "a、b"


def test_spanish_countries_sort_by_spanish_rules():
    names = [name for _code, name in country_choices("es")]
    assert names.index("Bélgica") < names.index("Bután")
    assert names.index("México") < names.index("Myanmar (Birmania)")


def test_collation_follows_each_language():
    assert collate(["çay", "dere", "cam"], "tr") == ["cam", "çay", "dere"]
    assert collate(["Myanmar", "México"], "es") == ["México", "Myanmar"]
    # Chinese sorts by pinyin: dian (电) < fu (服) < jia (家) < yin (音)
    assert collate(["音频", "家居", "服装", "电子产品"], "zh") == ["电子产品", "服装", "家居", "音频"]


def test_every_served_language_has_cldr_data():
    assert all(localedata.exists(code) for code in LOCALES)
