"""Shipping quotes: which methods reach a country, what they cost, and when the parcel arrives."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from ..core.money import Money
from ..currency.services import Rates
from .zones import distance_class

DATA = Path(__file__).parent / "data" / "rates.json"
METHODS = ("economy", "standard", "express")


@dataclass(frozen=True)
class ShippingQuote:
    """One way to ship a parcel: its cost (zero when free) and delivery date range."""

    method: str
    cost: Money
    free: bool
    transit_days: tuple[int, int]
    earliest: date
    latest: date

    @property
    def delivery_days(self) -> int:
        """Calendar days until the latest delivery date counted from the quote's ship date (for sorting)."""
        return (self.latest - self.earliest).days


@lru_cache(maxsize=1)
def rate_table() -> dict:
    """The built-in rate tables."""
    return json.loads(DATA.read_text())


def add_business_days(start: date, days: int) -> date:
    """`start` plus `days` working days (Saturday and Sunday skipped); 0 days from a weekend is Monday."""
    current = start
    while current.weekday() >= 5:
        current += timedelta(days=1)
    added = 0
    while added < days:
        current += timedelta(days=1)
        if current.weekday() < 5:
            added += 1
    return current


def delivery_window(today: date, handling_days: int, transit: tuple[int, int]) -> tuple[date, date]:
    """Earliest and latest delivery dates: handling in business days, then transit in calendar days."""
    shipped = add_business_days(today, handling_days)
    return shipped + timedelta(days=transit[0]), shipped + timedelta(days=transit[1])


def ships_to(destination: str) -> bool:
    """False for places the built-in carriers do not serve."""
    return destination not in rate_table()["unserved_destinations"]


def _band_price(bands: list, weight_grams: int) -> Decimal | None:
    for max_grams, price in bands:
        if weight_grams <= max_grams:
            return Decimal(price)
    return None


def is_free(
    destination: str, free_countries: list[str] | tuple[str, ...], free_over: Money | None, items_total: Money | None
) -> bool:
    """Free shipping: the offer ships free to this country, or the order passes its free-shipping amount."""
    if "*" in free_countries or destination in free_countries:
        return True
    return bool(free_over and items_total and items_total.currency == free_over.currency
                and items_total.amount >= free_over.amount)


def quote(
    *,
    origin: str,
    destination: str,
    weight_grams: int,
    handling_days: int,
    today: date,
    free_countries: list[str] | tuple[str, ...] = (),
    free_over: Money | None = None,
    items_total: Money | None = None,
) -> list[ShippingQuote]:
    """Every method that carries this parcel from origin to destination, cheapest first.

    Free shipping (by country or order amount) applies to the cheapest method only, as marketplaces
    do; faster methods keep their price. An empty list means the destination is not served.
    """
    if not ships_to(destination):
        return []
    table = rate_table()
    distance = distance_class(origin, destination)
    out: list[ShippingQuote] = []
    for method in METHODS:
        row = table["methods"][method].get(distance)
        if row is None:
            continue
        price = _band_price(row["bands"], weight_grams)
        if price is None:
            continue
        transit = (row["transit"][0], row["transit"][1])
        earliest, latest = delivery_window(today, handling_days, transit)
        out.append(ShippingQuote(method, Money(price, table["currency"]), False, transit, earliest, latest))
    out.sort(key=lambda q: (q.cost.amount, q.transit_days))
    if out and is_free(destination, free_countries, free_over, items_total):
        first = out[0]
        out[0] = ShippingQuote(first.method, Money.zero(first.cost.currency), True, first.transit_days,
                               first.earliest, first.latest)
    return out


def convert_quote(q: ShippingQuote, currency: str, rates: Rates) -> ShippingQuote | None:
    """The quote with its cost in `currency`, or None when there is no rate."""
    cost = rates.convert(q.cost, currency)
    if cost is None:
        return None
    return ShippingQuote(q.method, cost.quantize(), q.free, q.transit_days, q.earliest, q.latest)
