"""Sorting what shoppers read by their language's rules (ICU collation with CLDR's per-language tailorings):
Spanish puts "Bélgica" before "Bután", Turkish sorts "ç" after "c", Chinese sorts by pinyin."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import TypeVar

import icu

T = TypeVar("T")

_local = threading.local()  # ICU collators are not shared between threads: one per thread and locale


def collator(locale: str) -> icu.Collator:
    """The ICU collator for `locale` ('es', 'es_MX', 'zh_Hans_CN'), made once per thread."""
    cache = getattr(_local, "collators", None)
    if cache is None:
        cache = _local.collators = {}
    found = cache.get(locale)
    if found is None:
        found = cache[locale] = icu.Collator.createInstance(icu.Locale(locale))
    return found


def sort_key(locale: str) -> Callable[[str], bytes]:
    """A key function ordering strings as a reader of `locale` expects."""
    return collator(locale).getSortKey


def collate(items: Iterable[T], locale: str, key: Callable[[T], str] = str) -> list[T]:
    """`items` sorted by the text `key` gives, in `locale`'s alphabetical order."""
    by = sort_key(locale)
    return sorted(items, key=lambda item: by(key(item)))
