"""Regional formats and bidi isolation: the CLDR locale for a language and ship-to country, dates and date
ranges from CLDR skeletons, locale list separators, and isolating prices, dates and codes inside
right-to-left text (`<bdi>` in pages, Unicode FSI…PDI in plain-text emails and Python-made messages)."""
from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import format_interval, format_skeleton
from markupsafe import Markup, escape

FSI, PDI = "\u2068", "\u2069"  # first-strong isolate … pop directional isolate


@lru_cache(maxsize=512)
def format_locale(language: str, country: str | None) -> str:
    """The CLDR locale that formats numbers, money and dates for `language` shipped to `country`:
    es + MX -> 'es_MX', pt + BR -> 'pt_BR', zh + CN -> 'zh_Hans_CN'; the language alone when CLDR has
    no such regional variant (zh + US) or the variant would switch script (zh + TW is Traditional)."""
    if not country:
        return language
    base = Locale.parse(language)
    script = base.script or _likely_script(language)
    candidates = [f"{language}_{script}_{country}", f"{language}_{country}"] if script else [f"{language}_{country}"]
    for candidate in candidates:
        try:
            regional = Locale.parse(candidate)
        except (UnknownLocaleError, ValueError):
            continue
        if script and regional.script and regional.script != script:
            continue  # e.g. zh_TW resolves to Traditional Chinese: the page is Simplified
        return str(regional)
    return language


def _likely_script(tag: str) -> str | None:
    """The script CLDR's likely-subtags table gives a locale ('zh' -> 'Hans'), if any."""
    likely = get_global("likely_subtags").get(tag)
    if not likely:
        return None
    parts = likely.split("_")
    return parts[1] if len(parts) > 2 else None


@lru_cache(maxsize=64)
def is_rtl(locale: str) -> bool:
    """True for locales written right to left (ar, ar_EG...)."""
    try:
        return Locale.parse(locale).character_order == "right-to-left"
    except (UnknownLocaleError, ValueError):
        return False


def isolate_text(text: str, locale: str) -> str:
    """Plain text direction-isolated for a right-to-left `locale` (FSI…PDI), unchanged otherwise: used in
    plain-text emails and in messages built in Python (a flash), where no tag can be used."""
    if not text or not is_rtl(locale):
        return text
    return f"{FSI}{text}{PDI}"


def bdi(value) -> Markup:
    """`value` escaped (Markup kept) inside a `<bdi>`, so its direction never mixes with the text around it."""
    if value is None or value == "":
        return Markup("")
    return Markup("<bdi>%s</bdi>") % (value if hasattr(value, "__html__") else escape(str(value)))


LIST_STYLES = ("standard", "unit", "standard-short", "unit-short", "standard-narrow", "unit-narrow")


@lru_cache(maxsize=64)
def list_separator(locale: str) -> str:
    """The locale's list separator without a conjunction, from CLDR's list patterns: the first style whose
    middle pattern has no letters (", " in English, "、" in Chinese); else a pattern with its conjunction
    taken out (Arabic's "{0}، و{1}" gives "، ")."""
    try:
        patterns = Locale.parse(locale).list_patterns
    except (UnknownLocaleError, ValueError):
        return ", "
    middles = [patterns[style]["middle"] for style in LIST_STYLES
               if style in patterns and "middle" in patterns[style]]
    for middle in middles:
        between = middle.replace("{0}", "").replace("{1}", "")
        if between.strip() and not any(ch.isalpha() for ch in between):
            return between
    for middle in middles:
        between = "".join(ch for ch in middle.replace("{0}", "").replace("{1}", "") if not ch.isalpha())
        if between.strip():
            return between
    return ", "


def list_join(parts: list[str], locale: str) -> str:
    """Join the non-empty parts with the locale's list separator ("a, b"; Arabic "a، b"; Chinese "a、b")."""
    parts = [p for p in parts if p]
    if not parts:
        return ""
    return list_separator(locale).join(parts)


def as_date(value: date | datetime) -> date:
    """The calendar day of a date or a datetime (as stored)."""
    return value.date() if isinstance(value, datetime) else value


def format_day(value: date | datetime, locale: str, skeleton: str = "yMMMd") -> str:
    """A day from a CLDR skeleton ('yMMMd' -> "Dec 7, 2026", "7 dic 2026", "2026年12月7日")."""
    return format_skeleton(skeleton, as_date(value), locale=locale)


def format_days(start: date | datetime, end: date | datetime, locale: str, skeleton: str = "MMMd") -> str:
    """A range of days with CLDR's interval formats ("Dec 11 – 14", "11–14 dic", "12月11日至14日")."""
    first, last = as_date(start), as_date(end)
    if first == last:
        return format_day(first, locale, skeleton)
    return format_interval(first, last, skeleton, locale=locale)
