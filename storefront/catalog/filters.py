"""Reading listing filters from a query string: bad values are dropped, never an error."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from werkzeug.datastructures import MultiDict

from ..core.i18n import valid_country
from ..core.untrusted import small_int
from ..core.money import Money
from ..currency.services import Rates
from .browse import MAX_PAGE, RATINGS, SORTS

MAX_PRICE = Decimal("100000000")


@dataclass(frozen=True)
class ListingFilters:
    """Cleaned filters as the shopper entered them (prices in their currency)."""

    price_min: Decimal | None = None
    price_max: Decimal | None = None
    min_rating: float | None = None
    ships_from: str | None = None
    free_shipping: bool = False
    sort: str = "popular"
    page: int = 1

    def args(self, **changes) -> dict[str, str]:
        """The filters as query-string arguments (defaults omitted), with `changes` applied."""
        values = {
            "price_min": self.price_min, "price_max": self.price_max, "min_rating": self.min_rating,
            "ships_from": self.ships_from, "free_shipping": "1" if self.free_shipping else None,
            "sort": None if self.sort == "popular" else self.sort, "page": None if self.page == 1 else self.page,
        } | changes
        return {k: str(v) for k, v in values.items() if v not in (None, "", False)}

    @property
    def active(self) -> bool:
        """True when any filter (not sort or page) is set."""
        return any((self.price_min, self.price_max, self.min_rating, self.ships_from, self.free_shipping))


def _amount(text: str | None) -> Decimal | None:
    try:
        value = Decimal((text or "").strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or value < 0 or value > MAX_PRICE:
        return None
    return value


def _int(text: str | None, default: int) -> int:
    number = small_int((text or "").strip())
    return default if number is None else number


def parse_filters(args: MultiDict) -> ListingFilters:
    """Parse listing filters, dropping anything out of range or unknown."""
    price_min, price_max = _amount(args.get("price_min")), _amount(args.get("price_max"))
    if price_min is not None and price_max is not None and price_min > price_max:
        price_min, price_max = price_max, price_min
    try:
        rating = float(args.get("min_rating", ""))
    except ValueError:
        rating = None
    sort = args.get("sort", "popular")
    page = _int(args.get("page"), 1)
    return ListingFilters(
        price_min=price_min,
        price_max=price_max,
        min_rating=rating if rating in RATINGS else None,
        ships_from=valid_country(args.get("ships_from")),
        free_shipping=args.get("free_shipping") in ("1", "on", "true"),
        sort=sort if sort in SORTS else "popular",
        page=page if 1 <= page <= MAX_PAGE else 1,
    )


def to_usd(amount: Decimal | None, currency: str, rates: Rates) -> Decimal | None:
    """A shopper-currency amount in USD (the catalog's summary currency), or None."""
    if amount is None:
        return None
    converted = rates.convert(Money(amount, currency), "USD")
    return converted.amount if converted else None
