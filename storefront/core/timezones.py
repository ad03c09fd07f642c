"""The shopper's time zone: the browser's (a `tz` cookie set by static/js/timezone.js), else the ship-to
country's main zone; and datetimes shown in it with the zone named ("7 Dec 2026, 14:05, Spain (Madrid) Time")."""
from __future__ import annotations

import zoneinfo
from datetime import datetime, timezone
from functools import lru_cache

from babel.core import get_global
from babel.dates import get_timezone_location

COOKIE_TZ = "tz"
FALLBACK_ZONE = "UTC"

# Countries spanning several zones: the zone most of their people (or their capital) live by.
# Every other country has one zone in CLDR's territory table, or its first one is used.
MAIN_ZONES = {
    "AR": "America/Argentina/Buenos_Aires", "AU": "Australia/Sydney", "BR": "America/Sao_Paulo",
    "CA": "America/Toronto", "CD": "Africa/Kinshasa", "CL": "America/Santiago", "CN": "Asia/Shanghai",
    "CY": "Asia/Nicosia", "DE": "Europe/Berlin", "EC": "America/Guayaquil", "ES": "Europe/Madrid",
    "FM": "Pacific/Pohnpei", "GL": "America/Nuuk", "ID": "Asia/Jakarta", "KI": "Pacific/Tarawa",
    "KZ": "Asia/Almaty", "MH": "Pacific/Majuro", "MN": "Asia/Ulaanbaatar", "MX": "America/Mexico_City",
    "MY": "Asia/Kuala_Lumpur", "NZ": "Pacific/Auckland", "PF": "Pacific/Tahiti", "PG": "Pacific/Port_Moresby",
    "PS": "Asia/Gaza", "PT": "Europe/Lisbon", "RU": "Europe/Moscow", "UA": "Europe/Kyiv", "UM": "Pacific/Wake",
    "US": "America/New_York", "UZ": "Asia/Tashkent", "VN": "Asia/Ho_Chi_Minh",
}


@lru_cache(maxsize=1)
def known_zones() -> frozenset[str]:
    """Every IANA zone name this machine's time zone database knows."""
    return frozenset(zoneinfo.available_timezones())


def valid_zone(name: str | None) -> str | None:
    """The zone name if the time zone database knows it (a cookie is user input), else None."""
    name = (name or "").strip()
    return name if name in known_zones() else None


def country_zone(country: str | None) -> str:
    """The main time zone of a country (ISO code), UTC when unknown."""
    main = valid_zone(MAIN_ZONES.get(country or ""))
    if main:
        return main
    for name in get_global("territory_zones").get(country or "", []):
        if valid_zone(name):
            return name
    return FALLBACK_ZONE


def shopper_zone(browser_zone: str | None, country: str | None) -> str:
    """The zone to show times in: the browser's when valid, else the ship-to country's main zone."""
    return valid_zone(browser_zone) or country_zone(country)


def zone_label(zone: str, locale: str) -> str:
    """A zone's name in the shopper's language ("Spain (Madrid) Time", "hora de España (Madrid)")."""
    if zone in ("UTC", "Etc/UTC"):
        return "UTC"
    return get_timezone_location(zone, locale=locale)


def in_zone(moment: datetime, zone: str) -> datetime:
    """A stored moment (naive means UTC, as the database keeps them) in `zone`."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(zoneinfo.ZoneInfo(zone))
