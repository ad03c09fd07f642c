"""Country groups for shipping: each country's region, and how far a parcel travels between two."""
from __future__ import annotations

from collections import Counter
from functools import lru_cache

from babel.core import get_global

# Regions from each territory's time zones (CLDR via Babel), corrected where a continent is not
# how parcels travel: North America apart from Latin America, the Middle East and North Africa
# together, Russia with Europe.
NORTH_AMERICA = {"US", "CA", "PM", "BM"}
MENA = {"EG", "MA", "DZ", "TN", "LY", "SA", "AE", "QA", "KW", "BH", "OM", "YE", "JO", "IL", "PS", "LB", "SY", "IQ",
        "IR"}
OVERRIDES = {"RU": "europe", "GL": "europe", "IS": "europe", "TR": "europe", "CY": "europe", "NZ": "oceania",
             "AU": "oceania", "HM": "oceania", "BV": "remote"}
PREFIX_REGION = {"Europe": "europe", "America": "latam", "Asia": "asia", "Africa": "africa", "Australia": "oceania",
                 "Pacific": "remote", "Atlantic": "remote", "Indian": "remote", "Antarctica": "remote",
                 "Arctic": "europe"}


@lru_cache(maxsize=512)
def region_of(country: str) -> str:
    """The shipping region of an ISO country code."""
    if country in OVERRIDES:
        return OVERRIDES[country]
    if country in NORTH_AMERICA:
        return "north_america"
    if country in MENA:
        return "mena"
    zones = get_global("territory_zones").get(country, [])
    prefixes = Counter(z.split("/")[0] for z in zones)
    if not prefixes:
        return "remote"
    return PREFIX_REGION.get(prefixes.most_common(1)[0][0], "remote")


def distance_class(origin: str, destination: str) -> str:
    """'domestic', 'regional', 'intercontinental' or 'remote' for a parcel from origin to destination."""
    if origin == destination:
        return "domestic"
    to_region = region_of(destination)
    if to_region == "remote":
        return "remote"
    return "regional" if region_of(origin) == to_region else "intercontinental"
