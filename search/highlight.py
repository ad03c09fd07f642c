"""Compute highlight segments of a title in Python, mirroring exact, typo, prefix, synonym and CJK matching."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Callable, Iterable

from search.text import (
    QueryWord,
    edit_distance,
    fold,
    is_cjk,
    normalize_arabic,
    prefix_distance,
    word_spans,
)
from search.types import Segments

Stemmer = Callable[[str], str]


def _identity(word: str) -> str:
    """Stemmer used when the engine does not stem (Meilisearch)."""
    return word


@lru_cache(maxsize=65536)
def _forms(token: str, stemmer: Stemmer) -> tuple[str, str]:
    """(folded, stemmed) forms of a title word; cached because titles repeat words endlessly."""
    folded = fold(normalize_arabic(unicodedata.normalize("NFKC", token)))
    return folded, stemmer(folded)


@lru_cache(maxsize=65536)
def _word_matches(folded: str, stem: str, query: str, query_stem: str, typos: int, prefix: bool) -> bool:
    """True when a title word matches a query word the way the engine's queries would (cached)."""
    if stem == query_stem or folded == query:
        return True
    if typos and (
        edit_distance(folded, query, typos) <= typos or edit_distance(stem, query_stem, typos) <= typos
    ):
        return True
    if prefix:
        if folded.startswith(query) or stem.startswith(query):
            return True
        if typos and prefix_distance(query, folded, typos) <= typos:
            return True
    return False


def _cjk_marks(run: str, start: int, needles: Iterable[str]) -> list[tuple[int, int]]:
    """Return spans inside a CJK run covered by any needle (a query word or synonym)."""
    normalized = unicodedata.normalize("NFKC", run)
    if len(normalized) != len(run):  # compatibility forms changed length: offsets unusable
        normalized = run
    marks: list[tuple[int, int]] = []
    for needle in needles:
        pos = normalized.find(needle)
        while pos != -1:
            marks.append((start + pos, start + pos + len(needle)))
            pos = normalized.find(needle, pos + 1)
    return marks


def highlight_segments(
    title: str,
    words: list[QueryWord],
    synonym_phrases: Iterable[str] = (),
    stemmer: Stemmer | None = None,
) -> Segments | None:
    """Split title into (text, is_match) segments covering it exactly, or None when nothing matched."""
    if not title or not words:
        return None
    stem_of = stemmer or _identity
    plain = [(w.folded, stem_of(w.folded), w.typos, w.prefix) for w in words if not w.cjk]
    cjk_needles = [w.text for w in words if w.cjk]
    synonym_stems: set[str] = set()
    for phrase in synonym_phrases:
        for part in normalize_arabic(unicodedata.normalize("NFKC", phrase)).split():
            if is_cjk(part):
                cjk_needles.append(part)
            else:
                synonym_stems.add(stem_of(fold(part)))

    marks: list[tuple[int, int]] = []
    for start, end in word_spans(title):
        token = title[start:end]
        if is_cjk(token):
            marks.extend(_cjk_marks(token, start, cjk_needles))
            continue
        folded, stem = _forms(token, stem_of)
        if stem in synonym_stems or any(_word_matches(folded, stem, *w) for w in plain):
            marks.append((start, end))
    if not marks:
        return None
    return _segments(title, marks)


def _segments(title: str, marks: list[tuple[int, int]]) -> Segments:
    """Merge overlapping marked spans and emit alternating plain/matched segments."""
    merged: list[list[int]] = []
    for start, end in sorted(marks):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    segments: Segments = []
    cursor = 0
    for start, end in merged:
        if start > cursor:
            segments.append((title[cursor:start], False))
        segments.append((title[start:end], True))
        cursor = end
    if cursor < len(title):
        segments.append((title[cursor:], False))
    return segments
