"""Shopper context: language from the URL, currency and ship-to country from cookie or profile."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pycountry
from babel import Locale

from ..config import CURRENCIES, LOCALES, RTL_LOCALES
from .collation import collate
from .l10n import format_locale

COOKIE_CURRENCY = "currency"
COOKIE_COUNTRY = "ship_to"
COOKIE_MAX_AGE = 60 * 60 * 24 * 365


@dataclass(frozen=True, slots=True)
class ShopperContext:
    """Who we are rendering for: language, display currency and ship-to country."""

    locale: str
    currency: str
    country: str

    @property
    def direction(self) -> str:
        """'rtl' for right-to-left scripts, else 'ltr'."""
        return "rtl" if self.locale in RTL_LOCALES else "ltr"

    @property
    def format_locale(self) -> str:
        """The CLDR locale for numbers, money and dates: language + ship-to country ('es_MX', 'pt_BR')."""
        return format_locale(self.locale, self.country)


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code."""
    return frozenset(c.alpha_2 for c in pycountry.countries)


def valid_locale(value: str | None) -> str | None:
    """The locale if we serve it, else None."""
    return value if value in LOCALES else None


def valid_currency(value: str | None) -> str | None:
    """The ISO currency code (upper-cased) if we offer it, else None."""
    value = (value or "").strip().upper()
    return value if value in CURRENCIES else None


def valid_country(value: str | None) -> str | None:
    """The ISO country code (upper-cased) if it exists, else None."""
    value = (value or "").strip().upper()
    return value if value in country_codes() else None


def currency_for_country(country: str) -> str | None:
    """The country's own currency when we offer it (BR -> BRL, DE -> EUR)."""
    from babel.numbers import get_territory_currencies

    try:
        for code in get_territory_currencies(country):
            if code in CURRENCIES:
                return code
    except Exception:  # Babel raises for territories it does not know; any answer is optional.
        return None
    return None


def negotiate(accept_languages: list[tuple[str, float]], default: str) -> tuple[str, str | None]:
    """Pick (locale, region) from an Accept-Language list; region is the first one named, if any."""
    locale, region = None, None
    for tag, _quality in accept_languages:
        parts = tag.replace("_", "-").split("-")
        lang = parts[0].lower()
        if region is None and len(parts) > 1 and len(parts[-1]) == 2:
            region = valid_country(parts[-1])
        if locale is None and lang in LOCALES:
            locale = lang
        if locale and region:
            break
    return locale or default, region


@lru_cache(maxsize=16)
def country_choices(locale: str) -> list[tuple[str, str]]:
    """All ISO countries as (code, localised name), in that language's alphabetical order (ICU)."""
    names = Locale.parse(locale).territories
    out = [(code, names.get(code) or pycountry.countries.get(alpha_2=code).name) for code in country_codes()]
    return collate(out, locale, key=lambda pair: pair[1])


def countries_by_name(codes, locale: str) -> list[str]:
    """Country codes ordered by their names in `locale`'s alphabetical order (a filter's choices)."""
    return collate(codes, locale, key=lambda code: country_name(code, locale))


@lru_cache(maxsize=16)
def currency_choices(locale: str) -> list[tuple[str, str]]:
    """Offered currencies as (code, 'CODE – localised name'), ordered as the shopper reads them (ICU)."""
    names = Locale.parse(locale).currencies
    return collate([(code, f"{code} – {names.get(code, code)}") for code in CURRENCIES], locale,
                   key=lambda pair: pair[1])


def country_name(code: str, locale: str) -> str:
    """A country's name in the locale's language."""
    return Locale.parse(locale).territories.get(code, code)


def language_name(code: str) -> str:
    """A language's own name, e.g. 'español', 'العربية', '中文'."""
    return Locale.parse(code).get_display_name(code) or code


@lru_cache(maxsize=256)
def language_label(code: str, locale: str) -> str:
    """A language's name in `locale`'s language ('Spanish' for an English page)."""
    try:
        return Locale.parse(code).get_display_name(locale) or code
    except (ValueError, TypeError):
        return code


def localized(values: dict[str, str] | None, locale: str, fallback: str = "en") -> tuple[str, str | None]:
    """Pick the text for `locale` from a {locale: text} dict.

    Returns (text, source_locale) where source_locale is set when another language was used.
    """
    values = values or {}
    if values.get(locale):
        return values[locale], None
    for other in (fallback, *LOCALES, *values.keys()):
        if values.get(other):
            return values[other], other
    return "", None
