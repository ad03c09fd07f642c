"""Shipping quotes, delivery windows (weekends, handling days), import tax rules, landed totals."""
from datetime import date
from decimal import Decimal

import pytest

from storefront.core.money import Money
from storefront.currency.services import Rates
from storefront.shipping.services import add_business_days, delivery_window, quote
from storefront.shipping.taxes import estimate_import_tax, rule_for
from storefront.shipping.zones import distance_class, region_of

RATES = Rates({"EUR": Decimal(1), "USD": Decimal("1.25"), "GBP": Decimal("0.8"), "AUD": Decimal("2"),
               "BRL": Decimal("6.25")})
FRIDAY = date(2026, 11, 27)


def usd(x):
    return Money(Decimal(x), "USD")


def test_business_days_skip_weekends():
    assert add_business_days(FRIDAY, 1) == date(2026, 11, 30)  # Monday
    assert add_business_days(date(2026, 11, 28), 0) == date(2026, 11, 30)  # Saturday -> Monday
    assert add_business_days(FRIDAY, 5) == date(2026, 12, 4)
    assert delivery_window(FRIDAY, 3, (7, 15)) == (date(2026, 12, 9), date(2026, 12, 17))


def test_regions_and_distance():
    assert (region_of("DE"), region_of("BR"), region_of("US"), region_of("SA"), region_of("CN")) == (
        "europe", "latam", "north_america", "mena", "asia")
    assert distance_class("CN", "CN") == "domestic"
    assert distance_class("DE", "FR") == "regional"
    assert distance_class("CN", "BR") == "intercontinental"
    assert distance_class("CN", "FJ") == "remote"


def test_quote_lists_methods_cheapest_first_with_dates():
    quotes = quote(origin="CN", destination="DE", weight_grams=250, handling_days=3, today=FRIDAY)
    assert [q.method for q in quotes] == ["economy", "standard", "express"]
    assert quotes[0].cost == usd("1.49") and quotes[0].transit_days == (15, 30)
    assert quotes[2].earliest == date(2026, 12, 5)


def test_heavy_parcels_drop_methods_and_remote_places_have_no_express():
    heavy = quote(origin="CN", destination="DE", weight_grams=4000, handling_days=1, today=FRIDAY)
    assert [q.method for q in heavy] == ["standard", "express"]
    remote = quote(origin="CN", destination="FJ", weight_grams=100, handling_days=1, today=FRIDAY)
    assert "express" not in [q.method for q in remote]


def test_unserved_destination_gets_no_quote():
    assert quote(origin="CN", destination="AQ", weight_grams=100, handling_days=1, today=FRIDAY) == []


def test_free_shipping_by_country_or_threshold_makes_cheapest_method_free():
    free = quote(origin="CN", destination="BR", weight_grams=200, handling_days=1, today=FRIDAY, free_countries=["*"])
    assert free[0].free and free[0].cost.amount == 0 and not free[1].free
    below = quote(origin="CN", destination="BR", weight_grams=200, handling_days=1, today=FRIDAY,
                  free_over=usd("25"), items_total=usd("24.99"))
    at = quote(origin="CN", destination="BR", weight_grams=200, handling_days=1, today=FRIDAY,
               free_over=usd("25"), items_total=usd("25.00"))
    assert not below[0].free and at[0].free


@pytest.mark.parametrize("goods_eur,collected", [("150.00", "checkout"), ("150.01", "delivery")])
def test_eu_vat_threshold_both_sides(goods_eur, collected):
    goods = Money(Decimal(goods_eur), "EUR")
    est = estimate_import_tax("CN", "DE", goods, Money(Decimal("10"), "EUR"), RATES)
    assert est.collected == collected and est.rule_id == "eu-ioss"
    assert est.amount == Money((Decimal(goods_eur) + 10) * Decimal("0.19"), "EUR").quantize()


@pytest.mark.parametrize("goods_gbp,collected", [("135.00", "checkout"), ("135.01", "delivery")])
def test_uk_vat_threshold_both_sides(goods_gbp, collected):
    est = estimate_import_tax("CN", "GB", Money(Decimal(goods_gbp), "GBP"), Money(Decimal("0"), "GBP"), RATES)
    assert est.collected == collected and est.amount.amount == (Decimal(goods_gbp) * Decimal("0.2")).quantize(
        Decimal("0.01"))


@pytest.mark.parametrize("goods_aud,collected", [("1000.00", "checkout"), ("1000.01", "delivery")])
def test_australia_gst_threshold_both_sides(goods_aud, collected):
    est = estimate_import_tax("US", "AU", Money(Decimal(goods_aud), "AUD"), Money(Decimal("0"), "AUD"), RATES)
    assert est.collected == collected and est.rate == Decimal("10")


def test_brazil_bands_both_sides_of_usd_50():
    # 50 USD = 250 BRL at these rates. Up to it: 20% duty; then ICMS 17% "por dentro".
    low = estimate_import_tax("CN", "BR", Money(Decimal("250"), "BRL"), Money(Decimal("0"), "BRL"), RATES)
    duty = Decimal("50")
    icms = (Decimal("300") / Decimal("0.83")) - Decimal("300")
    assert low.amount == Money(duty + icms, "BRL").quantize()
    # Above: 60% minus USD 20 (= 100 BRL).
    high = estimate_import_tax("CN", "BR", Money(Decimal("250.05"), "BRL"), Money(Decimal("0"), "BRL"), RATES)
    duty_high = Decimal("250.05") * Decimal("0.6") - 100
    taxed = Decimal("250.05") + duty_high
    assert high.amount == Money(duty_high + taxed / Decimal("0.83") - taxed, "BRL").quantize()


def test_no_rule_means_unknown_duties_and_same_union_means_none():
    assert rule_for("US") is None
    us = estimate_import_tax("CN", "US", usd("20"), usd("2"), RATES)
    assert us.amount is None and us.collected == "delivery"
    intra = estimate_import_tax("FR", "DE", Money(Decimal("20"), "EUR"), Money(Decimal("2"), "EUR"), RATES)
    assert intra.collected == "none" and intra.amount.amount == 0


def test_missing_rate_gives_no_estimate_rather_than_a_wrong_one():
    est = estimate_import_tax("CN", "DE", Money(Decimal("20"), "JPY"), Money(Decimal("2"), "JPY"), RATES)
    assert est.amount is None
