"""Shopper context pieces: language negotiation, countries, currencies, text fallback, filters."""
from werkzeug.datastructures import MultiDict

from storefront.catalog.filters import parse_filters
from storefront.core.i18n import country_choices, currency_for_country, localized, negotiate, valid_currency


def test_negotiate_picks_first_served_language_and_first_region():
    assert negotiate([("pt-BR", 1), ("es-MX", 0.8)], "en") == ("es", "BR")
    assert negotiate([("fr", 1)], "en") == ("en", None)
    assert negotiate([("zh-CN", 1)], "en") == ("zh", "CN")


def test_country_names_are_localised_and_complete():
    ar = dict(country_choices("ar"))
    assert len(ar) >= 249
    assert ar["DE"] == "ألمانيا"
    assert dict(country_choices("es"))["DE"] == "Alemania"


def test_currency_for_country_and_validation():
    assert currency_for_country("BR") == "BRL"
    assert currency_for_country("DE") == "EUR"
    assert currency_for_country("AE") is None  # AED is not offered
    assert valid_currency("brl") == "BRL"
    assert valid_currency("XXX") is None


def test_localized_falls_back_and_says_from_which_language():
    assert localized({"en": "Hi", "es": "Hola"}, "es") == ("Hola", None)
    assert localized({"en": "Hi"}, "ar") == ("Hi", "en")
    assert localized({"zh": "你好"}, "es") == ("你好", "zh")
    assert localized({}, "es") == ("", None)


def test_bad_filter_values_are_ignored():
    f = parse_filters(MultiDict({"price_min": "-3", "price_max": "abc", "min_rating": "9", "sort": "evil",
                                 "page": "-4", "ships_from": "ZZ"}))
    assert (f.price_min, f.price_max, f.min_rating, f.sort, f.page, f.ships_from) == (
        None, None, None, "popular", 1, None)


def test_swapped_price_range_is_put_right():
    f = parse_filters(MultiDict({"price_min": "50", "price_max": "10", "page": "2", "sort": "price_asc"}))
    assert (f.price_min, f.price_max, f.page, f.sort) == (10, 50, 2, "price_asc")
    assert f.args(page=3) == {"price_min": "10", "price_max": "50", "sort": "price_asc", "page": "3"}
