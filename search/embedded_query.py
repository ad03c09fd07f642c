"""Translate a SearchQuery into tantivy queries (tiered text matching, synonyms, filters), facet aggregations and suggestions."""

from __future__ import annotations

import json
import unicodedata
from typing import Any, Callable

import tantivy
from tantivy import FieldType, Occur, Query

from search.embedded_schema import (
    BRAND_TEXT,
    CATEGORY_TEXT,
    DESC_FIELDS,
    GENERIC,
    KW_BRAND,
    KW_CATEGORY,
    KW_FREE_SHIP,
    KW_SELLER,
    KW_SHIPS_FROM,
    RAW_TITLE_FIELDS,
    SCHEMA,
    TEXT_FIELDS,
    TITLE_FIELDS,
    analyze,
)
from search.synonyms import match_synonyms
from search.text import (
    QueryWord,
    is_cjk,
    normalize_arabic,
    query_grams,
    split_words,
    tally_near_words,
)
from search.types import LOCALES, SearchFilters

# (exact, prefix, typo) score of one query word matched in a field. Integers on purpose: the
# orders tie-break (see embedded_schema.TIE_BREAK_MAX) relies on distinct totals differing by
# at least 1. The query-locale title beats every other field; titles beat descriptions; an
# exact word beats a prefix, which beats a typo, within the same field.
Tiers = tuple[int, int, int]
QUERY_TITLE: Tiers = (20, 18, 14)
OTHER_TITLE: Tiers = (12, 11, 8)
BRAND: Tiers = (12, 11, 8)
CATEGORY: Tiers = (6, 5, 4)
QUERY_DESC: Tiers = (5, 4, 3)
OTHER_DESC: Tiers = (3, 2, 1)
# Typo-tolerant *prefix* automata are the costliest clauses (a Levenshtein DFA per field); in
# descriptions, which rank last anyway, the last word gets exact-prefix and whole-word typo only.
_NO_TYPO_PREFIX = frozenset(DESC_FIELDS.values())


def field_tiers(locale: str) -> dict[str, Tiers]:
    """Score tiers per text field for a query written in locale."""
    tiers: dict[str, Tiers] = {}
    for loc in LOCALES:
        tiers[TITLE_FIELDS[loc]] = QUERY_TITLE if loc == locale else OTHER_TITLE
    tiers[BRAND_TEXT] = BRAND
    tiers[CATEGORY_TEXT] = CATEGORY
    for loc in LOCALES:
        tiers[DESC_FIELDS[loc]] = QUERY_DESC if loc == locale else OTHER_DESC
    return tiers


def _const(query: Query, score: float) -> Query:
    """Give a sub-query a fixed score, so ranking is by tier rather than BM25 noise."""
    return Query.const_score_query(query, score)


def _all_of(queries: list[Query]) -> Query:
    """Conjunction of queries (a single query is returned as is)."""
    if len(queries) == 1:
        return queries[0]
    return Query.boolean_query([(Occur.Must, q) for q in queries])


def _terms_query(field: str, terms: list[str]) -> Query:
    """Require every term in field (CJK n-grams of a word, or a word the analyser split)."""
    return _all_of([Query.term_query(SCHEMA, field, t) for t in terms])


def word_clause(word: QueryWord, tiers: dict[str, Tiers]) -> Query:
    """Match one query word in any field: exact, typo-tolerant, and as a prefix if it is the last word."""
    subs: list[Query] = []
    plain = analyze(GENERIC, word.text)  # folded but unstemmed
    for field, (exact, prefix, typo) in tiers.items():
        if word.cjk:
            subs.append(_const(_terms_query(field, query_grams(word.text)), exact))
            continue
        terms = analyze(TEXT_FIELDS[field], word.text)
        if not terms:
            continue
        if len(terms) > 1:
            subs.append(_const(_terms_query(field, list(terms)), exact))
            continue
        subs.append(_const(Query.term_query(SCHEMA, field, terms[0]), exact))
        if len(plain) != 1:
            continue
        # Typos and prefixes are matched against unstemmed words where an unstemmed copy exists.
        loose_field = RAW_TITLE_FIELDS.get(field, field)
        loose_term = plain[0] if loose_field != field else terms[0]
        if word.prefix:
            # "headpho" is a prefix of the word "headphones" and of its stem "headphon".
            subs.append(_const(Query.fuzzy_term_query(SCHEMA, loose_field, plain[0], distance=0, prefix=True), prefix))
        if not word.typos:
            continue
        if word.prefix and field not in _NO_TYPO_PREFIX:
            # A typo'd prefix also covers a typo'd whole word, so one automaton serves both.
            subs.append(
                _const(Query.fuzzy_term_query(SCHEMA, loose_field, plain[0], distance=word.typos, prefix=True), typo)
            )
        else:
            subs.append(_const(Query.fuzzy_term_query(SCHEMA, loose_field, loose_term, distance=word.typos), typo))
    if not subs:
        # A word no analyser keeps (e.g. a 200-letter run) must not silently widen the query.
        return Query.empty_query()
    return Query.disjunction_max_query(subs)


def _phrase_clause(phrase: str, tiers: dict[str, Tiers], width: int) -> Query | None:
    """Match a synonym phrase exactly in any field, scored like `width` exact words."""
    parts = split_words(normalize_arabic(unicodedata.normalize("NFKC", phrase)))
    if not parts:
        return None
    subs: list[Query] = []
    for field, (exact, _, _) in tiers.items():
        analyzer = TEXT_FIELDS[field]
        score = max(exact - 1, 1) * width
        if len(parts) > 1 and not any(is_cjk(p) for p in parts):
            terms = [analyze(analyzer, p) for p in parts]
            if all(len(t) == 1 for t in terms):
                # tantivy panics on single-term phrases, hence len(parts) > 1 above.
                subs.append(_const(Query.phrase_query(SCHEMA, field, [t[0] for t in terms]), score))
            continue
        pieces: list[str] = []
        for part in parts:
            pieces.extend(query_grams(part) if is_cjk(part) else analyze(analyzer, part))
        if pieces:
            subs.append(_const(_terms_query(field, pieces), score))
    return Query.disjunction_max_query(subs) if subs else None


def text_query(
    words: list[QueryWord], locale: str, synonyms: dict[str, list[str]]
) -> tuple[Query, list[str]]:
    """AND of all words (each in any field); synonym phrases are alternatives to the words they replace."""
    tiers = field_tiers(locale)
    groups = {start: (width, alts) for start, width, alts in match_synonyms([w.folded for w in words], synonyms)}
    clauses: list[Query] = []
    used_synonyms: list[str] = []
    i = 0
    while i < len(words):
        width, alternatives = groups.get(i, (1, None))
        original = _all_of([word_clause(w, tiers) for w in words[i : i + width]])
        if alternatives:
            alts = [q for q in (_phrase_clause(a, tiers, width) for a in alternatives) if q is not None]
            clauses.append(Query.disjunction_max_query([original, *alts]))
            used_synonyms.extend(alternatives)
        else:
            clauses.append(original)
        i += width
    return _all_of(clauses), used_synonyms


def _filter(query: Query) -> Query:
    """Wrap a filter so it restricts the match set without adding to the score."""
    return _const(query, 0.0)


def filter_queries(filters: SearchFilters) -> list[Query]:
    """One term/range query per set filter field."""
    out: list[Query] = []
    if filters.category_id is not None:
        out.append(Query.term_query(SCHEMA, KW_CATEGORY, filters.category_id))
    if filters.price_min is not None or filters.price_max is not None:
        out.append(
            Query.range_query(SCHEMA, "price", FieldType.Float, filters.price_min, filters.price_max)
        )
    if filters.min_rating is not None:
        out.append(Query.range_query(SCHEMA, "rating", FieldType.Float, filters.min_rating, None))
    if filters.ships_from:
        out.append(Query.term_set_query(SCHEMA, KW_SHIPS_FROM, list(filters.ships_from)))
    if filters.free_shipping_to is not None:
        out.append(Query.term_set_query(SCHEMA, KW_FREE_SHIP, [filters.free_shipping_to, "*"]))
    if filters.seller is not None:
        out.append(Query.term_query(SCHEMA, KW_SELLER, filters.seller))
    if filters.brands:
        out.append(Query.term_set_query(SCHEMA, KW_BRAND, list(filters.brands)))
    return [_filter(q) for q in out]


def combine(text: Query | None, filters: list[Query]) -> Query:
    """The final query: text (or everything) restricted by every filter."""
    parts = ([text] if text is not None else []) + filters
    return _all_of(parts) if parts else Query.all_query()


_TERMS_FACETS = {"category": (KW_CATEGORY, 200), "brand": (KW_BRAND, 100), "ships_from": (KW_SHIPS_FROM, 100), "seller": (KW_SELLER, 100)}
# Rating buckets are cumulative ("4" means >= 4) but tantivy ranges may not overlap, so count
# disjoint bands and sum them afterwards.
_RATING_BANDS = [{"key": "1", "from": 1.0, "to": 2.0}, {"key": "2", "from": 2.0, "to": 3.0},
                 {"key": "3", "from": 3.0, "to": 4.0}, {"key": "4", "from": 4.0}]


def facet_aggregations(names: tuple[str, ...]) -> dict[str, Any]:
    """Aggregation request for the requested facets."""
    aggs: dict[str, Any] = {}
    for name in names:
        if name in _TERMS_FACETS:
            field, size = _TERMS_FACETS[name]
            aggs[name] = {"terms": {"field": field, "size": size}}
        elif name == "rating":
            aggs[name] = {"range": {"field": "rating", "ranges": _RATING_BANDS}}
    return aggs


def parse_facets(names: tuple[str, ...], raw: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Turn tantivy's aggregation response into facet -> value -> count."""
    out: dict[str, dict[str, int]] = {}
    for name in names:
        buckets = (raw.get(name) or {}).get("buckets") or []
        if name == "rating":
            bands = {str(b.get("key")): int(b.get("doc_count", 0)) for b in buckets}
            counts: dict[str, int] = {}
            running = 0
            for key in ("4", "3", "2", "1"):
                running += bands.get(key, 0)
                if running:
                    counts[key] = running
            out[name] = counts
        else:
            out[name] = {str(b["key"]): int(b["doc_count"]) for b in buckets if b.get("doc_count")}
    return out


def _correction(searcher: tantivy.Searcher, word: QueryWord) -> str | None:
    """Closest real title word within 2 edits (1 for short words), preferring popular products."""
    limit = 1 if len(word.folded) <= 4 else 2
    subs = []
    terms = analyze(GENERIC, word.text)
    if len(terms) == 1:
        for loc in LOCALES:
            field = RAW_TITLE_FIELDS.get(TITLE_FIELDS[loc], TITLE_FIELDS[loc])
            subs.append((Occur.Should, Query.fuzzy_term_query(SCHEMA, field, terms[0], distance=limit)))
    if not subs:
        return None
    hits = searcher.search(Query.boolean_query(subs), 30, order_by_field="orders").hits
    best: dict[str, tuple[int, int]] = {}
    for _, address in hits:
        raw = searcher.doc(address).get_first("titles")
        titles = json.loads(bytes(raw).decode("utf-8")) if raw else {}
        tally_near_words(titles.values(), word.folded, limit, best)
    if not best:
        return None
    return min(best.items(), key=lambda item: (item[1][0], -item[1][1], item[0]))[0]


def suggest(
    searcher: tantivy.Searcher,
    words: list[QueryWord],
    locale: str,
    has_hits: Callable[[str], bool],
) -> str | None:
    """Propose a corrected query for a zero-hit query, only if the correction itself has hits."""
    tiers = field_tiers(locale)
    corrected: list[str] = []
    changed = False
    for word in words:
        if word.cjk or len(word.folded) < 3 or searcher.search(word_clause(word, tiers), 1).count:
            corrected.append(word.folded)
            continue
        replacement = _correction(searcher, word)
        if replacement is None:
            return None
        corrected.append(replacement)
        changed = True
    if not changed:
        return None
    text = " ".join(corrected)
    return text if has_hits(text) else None
