"""Plain, immutable value types exchanged between the storefront and every search backend."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable

from search.text import sanitize_query

LOCALES: tuple[str, ...] = ("en", "es", "ar", "zh")
DEFAULT_LOCALE = "en"
FACET_NAMES: frozenset[str] = frozenset({"category", "brand", "ships_from", "seller", "rating"})
SORTS: frozenset[str] = frozenset({"relevance", "price_asc", "price_desc", "orders", "rating", "newest"})
MAX_PER_PAGE = 100
# Deep pages cost the engine a heap of offset+limit entries; nobody browses past this.
MAX_PAGE = 1000


def _country(code: str) -> str:
    """Normalise an ISO country code (or the "*" wildcard) so filters and documents compare equal."""
    return code.strip().upper()


def _tuple_of_str(values: Any) -> tuple[str, ...]:
    """Coerce a str or an iterable of str into a tuple, dropping blanks and non-strings."""
    if values is None:
        return ()
    if isinstance(values, str):
        values = (values,)
    return tuple(v for v in values if isinstance(v, str) and v.strip())


def _finite_or_none(value: Any) -> float | None:
    """Return value as a float, or None when it is missing or not a finite number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class ProductDocument:
    """One searchable product, denormalised by the storefront from its database rows."""

    id: str
    titles: dict[str, str]
    descriptions: dict[str, str] = field(default_factory=dict)
    brand: str = ""
    category_ids: list[str] = field(default_factory=list)
    category_names: list[str] = field(default_factory=list)
    sellers: list[str] = field(default_factory=list)
    store_names: list[str] = field(default_factory=list)  # the sellers' store names, searchable like a brand
    ships_from: list[str] = field(default_factory=list)
    free_shipping_to: list[str] = field(default_factory=list)
    price: float = 0.0
    rating: float = 0.0
    orders: int = 0
    created_at: int = 0

    def title_for(self, locale: str) -> str:
        """Return the title in locale, falling back to English and then to any title."""
        return title_for(self.titles, locale)

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict (used by the rebuild journal)."""
        return {
            "id": self.id,
            "titles": dict(self.titles),
            "descriptions": dict(self.descriptions),
            "brand": self.brand,
            "category_ids": list(self.category_ids),
            "category_names": list(self.category_names),
            "sellers": list(self.sellers),
            "store_names": list(self.store_names),
            "ships_from": list(self.ships_from),
            "free_shipping_to": list(self.free_shipping_to),
            "price": self.price,
            "rating": self.rating,
            "orders": self.orders,
            "created_at": self.created_at,
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> ProductDocument:
        """Inverse of to_json."""
        return ProductDocument(**data)


def title_for(titles: dict[str, str], locale: str) -> str:
    """Pick the display title for locale: that locale, else English, else the first non-empty one."""
    for key in (locale, DEFAULT_LOCALE, *LOCALES, *titles.keys()):
        value = titles.get(key)
        if value:
            return value
    return ""


@dataclass(frozen=True)
class SearchFilters:
    """Structured filters; every set field narrows the result (AND), multi-value fields match any of."""

    category_id: str | None = None
    price_min: float | None = None
    price_max: float | None = None
    min_rating: float | None = None
    ships_from: tuple[str, ...] = ()
    free_shipping_to: str | None = None
    seller: str | None = None
    brands: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Normalise here once so both backends see identical, well-typed values.
        set_ = object.__setattr__
        set_(self, "price_min", _finite_or_none(self.price_min))
        set_(self, "price_max", _finite_or_none(self.price_max))
        set_(self, "min_rating", _finite_or_none(self.min_rating))
        set_(self, "ships_from", tuple(_country(c) for c in _tuple_of_str(self.ships_from)))
        set_(self, "brands", _tuple_of_str(self.brands))
        for name in ("category_id", "seller"):
            value = getattr(self, name)
            set_(self, name, value if isinstance(value, str) and value != "" else None)
        country = self.free_shipping_to
        set_(self, "free_shipping_to", _country(country) if isinstance(country, str) and country.strip() else None)


@dataclass(frozen=True)
class SearchQuery:
    """A search request; construction clamps every field to a valid value instead of raising."""

    text: str = ""
    locale: str = DEFAULT_LOCALE
    filters: SearchFilters = field(default_factory=SearchFilters)
    facets: tuple[str, ...] = ()
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    highlight: bool = False

    def __post_init__(self) -> None:
        # Hostile or sloppy input must never reach an engine: clamp rather than raise.
        set_ = object.__setattr__
        set_(self, "text", sanitize_query(self.text))
        set_(self, "locale", self.locale if self.locale in LOCALES else DEFAULT_LOCALE)
        if not isinstance(self.filters, SearchFilters):
            set_(self, "filters", SearchFilters())
        facets = _tuple_of_str(self.facets)
        set_(self, "facets", tuple(dict.fromkeys(f for f in facets if f in FACET_NAMES)))
        set_(self, "sort", self.sort if self.sort in SORTS else "relevance")
        set_(self, "page", min(max(_int_or(self.page, 1), 1), MAX_PAGE))
        set_(self, "per_page", min(max(_int_or(self.per_page, 20), 1), MAX_PER_PAGE))
        set_(self, "highlight", bool(self.highlight))

    @property
    def offset(self) -> int:
        """Zero-based index of the first hit on the requested page."""
        return (self.page - 1) * self.per_page


def _int_or(value: Any, default: int) -> int:
    """Return value as an int, or default when it cannot be read as one."""
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return default


Segments = list[tuple[str, bool]]


@dataclass(frozen=True)
class SearchResult:
    """Ranked ids for one page plus totals, facet counts, highlight segments and a spelling hint."""

    ids: list[str]
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    highlights: dict[str, Segments] = field(default_factory=dict)
    suggestion: str | None = None


@dataclass(frozen=True)
class IndexSettings:
    """Index-wide settings that both backends honour (synonyms are applied at query time)."""

    synonyms: dict[str, list[str]] = field(default_factory=lambda: default_synonyms())

    @staticmethod
    def from_groups(groups: Iterable[Iterable[str]]) -> IndexSettings:
        """Build settings whose synonyms make every word of each group equivalent to the others."""
        from search.synonyms import expand_groups

        return IndexSettings(synonyms=expand_groups(groups))


def default_synonyms() -> dict[str, list[str]]:
    """Return a fresh copy of the built-in multilingual synonym table."""
    from search.synonyms import DEFAULT_SYNONYMS

    return {key: list(values) for key, values in DEFAULT_SYNONYMS.items()}
