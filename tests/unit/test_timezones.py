"""The shopper's time zone: the browser's when the time zone database knows it, else the ship-to country's."""
from datetime import datetime, timezone

import pytest

from storefront.core.timezones import country_zone, in_zone, shopper_zone, valid_zone, zone_label


@pytest.mark.parametrize("country,zone", [("ES", "Europe/Madrid"), ("US", "America/New_York"),
                                          ("BR", "America/Sao_Paulo"), ("CN", "Asia/Shanghai"),
                                          ("SA", "Asia/Riyadh"), ("RU", "Europe/Moscow"), ("AU", "Australia/Sydney"),
                                          ("IN", "Asia/Kolkata"), ("XX", "UTC"), (None, "UTC")])
def test_a_country_has_one_main_zone(country, zone):
    assert country_zone(country) == zone


def test_every_country_gets_a_zone_the_database_knows():
    import pycountry

    assert all(valid_zone(country_zone(c.alpha_2)) for c in pycountry.countries)


@pytest.mark.parametrize("cookie", ["", "Mars/Olympus", "../../etc/passwd", "Europe/Madrid\n", "<script>"])
def test_an_unknown_browser_zone_falls_back_to_the_ship_to_country(cookie):
    expected = "Europe/Madrid" if cookie.strip() == "Europe/Madrid" else "America/Sao_Paulo"
    assert shopper_zone(cookie, "BR") == expected


def test_the_browser_zone_wins_over_the_country():
    assert shopper_zone("Asia/Tokyo", "ES") == "Asia/Tokyo"


def test_zone_is_named_in_the_shoppers_language():
    assert zone_label("Europe/Madrid", "en") == "Spain (Madrid) Time"
    assert zone_label("Europe/Madrid", "es") == "hora de España (Madrid)"
    assert zone_label("Asia/Shanghai", "zh") == "中国（上海）时间"
    assert zone_label("UTC", "ar") == "UTC"


def test_stored_moments_are_utc_and_shown_in_the_zone():
    assert in_zone(datetime(2026, 12, 7, 13, 5), "Europe/Madrid").hour == 14
    assert in_zone(datetime(2026, 7, 7, 13, 5, tzinfo=timezone.utc), "Europe/Madrid").hour == 15
