"""Listing validation: the one set of rules for imports, the seed and seller forms."""
from decimal import Decimal

import pytest

from storefront.catalog.listings import gtin_is_valid, parse_listing
from storefront.core.errors import InvalidInput
from tests.factories import listing


def test_valid_listing_parses_with_decimal_prices():
    parsed = parse_listing(listing(gtin="0190199246850"))
    assert parsed.variants[0].price == Decimal("12.99")
    assert parsed.category == ("Electronics", "Audio", "Headphones")
    assert parsed.category_i18n["zh"][-1] == "耳机"
    assert parsed.titles["ar"] == "سماعات لاسلكية"


@pytest.mark.parametrize("code,ok", [("0190199246850", True), ("0190199246851", False), ("4006381333931", True),
                                     ("96385074", True), ("12345", False), ("abcdefghijklm", False)])
def test_gtin_check_digit(code, ok):
    assert gtin_is_valid(code) is ok


@pytest.mark.parametrize(
    "change,field",
    [
        ({"seller": None}, "seller"),
        ({"seller": {"handle": "Bad Handle", "name": "x", "country": "CN"}}, "seller.handle"),
        ({"seller": {"handle": "ok", "name": "x", "country": "XX"}}, "seller.country"),
        ({"title": {}}, "title"),
        ({"title": {"fr": "Écouteurs"}}, "title"),
        ({"category": ""}, "category"),
        ({"category": "A >  > B"}, "category"),
        ({"category_i18n": {"es": "Solo uno"}}, "category_i18n.es"),
        ({"gtin": "0190199246851"}, "gtin"),
        ({"ships_from": "ZZ"}, "ships_from"),
        ({"handling_days": -1}, "handling_days"),
        ({"handling_days": "3"}, "handling_days"),
        ({"weight_grams": 0}, "weight_grams"),
        ({"free_shipping": ["US", "Mars"]}, "free_shipping"),
        ({"free_shipping_over": "1e20"}, "free_shipping_over"),  # more than an amount column holds
        ({"images": ["javascript:alert(1)"]}, "images"),
        ({"variants": []}, "variants"),
        ({"variants": [{"sku": "A", "price": "-1", "currency": "USD"}]}, "variants[0].price"),
        ({"variants": [{"sku": "A", "price": "0", "currency": "USD"}]}, "variants[0].price"),
        ({"variants": [{"sku": "A", "price": "abc", "currency": "USD"}]}, "variants[0].price"),
        ({"variants": [{"sku": "A", "price": "10.5", "currency": "JPY"}]}, "variants[0].price"),
        ({"variants": [{"sku": "A", "price": "10", "currency": "XYZ"}]}, "variants[0].currency"),
        ({"variants": [{"sku": "A", "price": "1", "currency": "USD"}, {"sku": "A", "price": "1", "currency": "USD"}]},
         "variants[1].sku"),
        ({"variants": [{"sku": "has space", "price": "1", "currency": "USD"}]}, "variants[0].sku"),
        ({"variants": [{"sku": "A", "price": "1", "currency": "USD", "stock": -5}]}, "variants[0].stock"),
    ],
)
def test_bad_fields_are_named_in_the_error(change, field):
    with pytest.raises(InvalidInput) as info:
        parse_listing(listing(**change))
    assert str(info.value).startswith(field)


def test_non_object_is_rejected():
    with pytest.raises(InvalidInput):
        parse_listing(["not", "an", "object"])


def test_single_string_title_counts_as_english_and_unknown_languages_are_dropped():
    parsed = parse_listing(listing(title="Plain title", description={"fr": "Bonjour", "es": "Hola"}))
    assert parsed.titles == {"en": "Plain title"}
    assert parsed.descriptions == {"es": "Hola"}
