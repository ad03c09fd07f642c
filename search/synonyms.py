"""Default multilingual synonym table and helpers to expand and normalise synonym groups."""

from __future__ import annotations

import unicodedata
from typing import Iterable

from search.text import fold, normalize_arabic, split_words

# Each group lists mutually equivalent phrases; translations are included on purpose so a
# query in one language also finds products only titled in another.
DEFAULT_GROUPS: tuple[tuple[str, ...], ...] = (
    (
        "cellphone", "cell phone", "mobile phone", "smartphone",
        "móvil", "celular", "teléfono móvil", "teléfono celular",
        "هاتف", "جوال", "هاتف ذكي", "手机", "智能手机",
    ),
    (
        "earbuds", "earphones", "headphones", "headset",
        "auriculares", "audífonos",
        "سماعات", "سماعة", "耳机",
    ),
    ("sneakers", "trainers", "zapatillas", "deportivas", "حذاء رياضي", "运动鞋"),
    ("tv", "television", "televisor", "televisión", "تلفزيون", "电视"),
    ("smartwatch", "smart watch", "reloj inteligente", "ساعة ذكية", "智能手表"),
    ("charger", "cargador", "شاحن", "充电器"),
    ("laptop", "notebook computer", "portátil", "لابتوب", "笔记本电脑"),
)


def normalize_phrase(phrase: str) -> str:
    """Return the canonical key of a phrase: words folded and joined by single spaces."""
    text = normalize_arabic(unicodedata.normalize("NFKC", phrase))
    return " ".join(fold(word) for word in split_words(text))


def expand_groups(groups: Iterable[Iterable[str]]) -> dict[str, list[str]]:
    """Turn groups of equivalent phrases into Meilisearch's one-way mapping (each phrase -> the others)."""
    table: dict[str, list[str]] = {}
    for group in groups:
        members = list(dict.fromkeys(p.strip() for p in group if p and p.strip()))
        for phrase in members:
            others = [p for p in members if p != phrase]
            existing = table.setdefault(phrase, [])
            existing.extend(p for p in others if p not in existing)
    return table


def normalized_table(synonyms: dict[str, list[str]]) -> dict[str, list[str]]:
    """Key the table by normalised phrase so lookups ignore case, accents and Arabic variants."""
    table: dict[str, list[str]] = {}
    for key, values in synonyms.items():
        norm = normalize_phrase(key)
        if not norm:
            continue
        bucket = table.setdefault(norm, [])
        for value in values:
            if normalize_phrase(value) and value not in bucket:
                bucket.append(value)
    return table


DEFAULT_SYNONYMS: dict[str, list[str]] = expand_groups(DEFAULT_GROUPS)


MAX_SYNONYM_WORDS = 4


def match_synonyms(folded_words: list[str], table: dict[str, list[str]]) -> list[tuple[int, int, list[str]]]:
    """Greedy longest match of query word runs against a normalised table: (start, width, alternatives)."""
    matches: list[tuple[int, int, list[str]]] = []
    i = 0
    while i < len(folded_words):
        for n in range(min(MAX_SYNONYM_WORDS, len(folded_words) - i), 0, -1):
            found = table.get(" ".join(folded_words[i : i + n]))
            if found:
                matches.append((i, n, found))
                i += n
                break
        else:
            i += 1
    return matches
