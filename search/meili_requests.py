"""Pure builders of Meilisearch payloads (settings, documents, filters, searches) and the response parser."""

from __future__ import annotations

import math
import unicodedata
from typing import Any, Iterable

from search.highlight import highlight_segments
from search.synonyms import match_synonyms, normalized_table
from search.text import normalize_arabic, query_words
from search.types import LOCALES, IndexSettings, ProductDocument, SearchFilters, SearchQuery, SearchResult, title_for

BATCH_SIZE = 1000
# Totals are exact up to this many hits; it matches the deepest page SearchQuery allows.
MAX_TOTAL_HITS = 100_000
# Meilisearch locale codes (ISO 639-3) for localizedAttributes.
LOCALE_CODES: dict[str, str] = {"en": "eng", "es": "spa", "ar": "ara", "zh": "zho"}
FACET_ATTRIBUTES: dict[str, str] = {
    "category": "category_ids",
    "brand": "brand",
    "ships_from": "ships_from",
    "seller": "sellers",
    "rating": "rating_floor",
}
SORT_RULES: dict[str, list[str]] = {
    "price_asc": ["price:asc"],
    "price_desc": ["price:desc"],
    "orders": ["orders:desc"],
    "rating": ["rating:desc"],
    "newest": ["created_at:desc"],
}
# Meilisearch ranks by attribute order, which is fixed per index, not per query: titles in every
# language come first (in LOCALES order), then brand and store names, categories, then descriptions.
SEARCHABLE = [
    *(f"title_{loc}" for loc in LOCALES),
    "brand",
    "store_names",
    "category_names",
    *(f"desc_{loc}" for loc in LOCALES),
]
FILTERABLE = ["id", "category_ids", "price", "rating", "rating_floor", "ships_from", "free_shipping_to", "sellers", "brand"]
SORTABLE = ["price", "orders", "rating", "created_at"]


def quote(value: str) -> str:
    """Quote a filter value as one string literal (backslash and double quote escaped)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _number(value: float) -> str:
    """Render a finite float in plain decimal notation (the filter grammar has no exponents)."""
    text = repr(float(value))
    if "e" in text or "E" in text:
        text = format(float(value), ".12f").rstrip("0").rstrip(".")
    return text


def _in(attribute: str, values: Iterable[str]) -> str:
    """`attribute IN ["a", "b"]` with every value quoted."""
    return f"{attribute} IN [{', '.join(quote(v) for v in values)}]"


def build_filter(filters: SearchFilters) -> str | None:
    """One Meilisearch filter expression for every set filter, joined by AND; None when nothing is set."""
    clauses: list[str] = []
    if filters.category_id is not None:
        clauses.append(f"category_ids = {quote(filters.category_id)}")
    if filters.price_min is not None and math.isfinite(filters.price_min):
        clauses.append(f"price >= {_number(filters.price_min)}")
    if filters.price_max is not None and math.isfinite(filters.price_max):
        clauses.append(f"price <= {_number(filters.price_max)}")
    if filters.min_rating is not None and math.isfinite(filters.min_rating):
        clauses.append(f"rating >= {_number(filters.min_rating)}")
    if filters.ships_from:
        clauses.append(_in("ships_from", filters.ships_from))
    if filters.free_shipping_to is not None:
        clauses.append(_in("free_shipping_to", (filters.free_shipping_to, "*")))
    if filters.seller is not None:
        clauses.append(f"sellers = {quote(filters.seller)}")
    if filters.brands:
        clauses.append(_in("brand", filters.brands))
    return " AND ".join(clauses) if clauses else None


def ids_filter(ids: Iterable[str]) -> str:
    """Filter selecting documents by id (used for deletes)."""
    return _in("id", ids)


def _searchable_text(text: str) -> str:
    """Arabic normalisation the engine lacks ("ال", alef forms), applied identically to queries."""
    return normalize_arabic(unicodedata.normalize("NFKC", text))


def settings_payload(settings: IndexSettings) -> dict[str, Any]:
    """Full index settings; Meilisearch reindexes on change, so apply them before loading documents."""
    synonyms = {
        _searchable_text(key): [_searchable_text(v) for v in values]
        for key, values in settings.synonyms.items()
    }
    return {
        "searchableAttributes": SEARCHABLE,
        "filterableAttributes": FILTERABLE,
        "sortableAttributes": SORTABLE,
        "displayedAttributes": ["id", "titles"],
        # Relevance first, then the most ordered product among equally relevant ones.
        "rankingRules": ["words", "typo", "proximity", "attribute", "sort", "exactness", "orders:desc"],
        "typoTolerance": {"enabled": True, "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9}},
        "faceting": {"maxValuesPerFacet": 200, "sortFacetValuesBy": {"*": "count"}},
        "pagination": {"maxTotalHits": MAX_TOTAL_HITS},
        "synonyms": synonyms,
        "localizedAttributes": [
            {"attributePatterns": [f"title_{loc}", f"desc_{loc}"], "locales": [code]}
            for loc, code in LOCALE_CODES.items()
        ],
    }


def document_payload(doc: ProductDocument) -> dict[str, Any]:
    """The JSON document sent for a product; original titles ride along for highlighting."""
    out: dict[str, Any] = {"id": doc.id, "titles": dict(doc.titles)}
    for loc in LOCALES:
        if doc.titles.get(loc):
            out[f"title_{loc}"] = _searchable_text(doc.titles[loc])
        if doc.descriptions.get(loc):
            out[f"desc_{loc}"] = _searchable_text(doc.descriptions[loc])
    rating = doc.rating if math.isfinite(doc.rating) else 0.0
    rating = min(max(rating, 0.0), 5.0)
    out.update(
        brand=doc.brand,
        category_ids=list(doc.category_ids),
        category_names=[_searchable_text(n) for n in doc.category_names],
        sellers=list(doc.sellers),
        store_names=[_searchable_text(n) for n in doc.store_names],
        ships_from=[c.strip().upper() for c in doc.ships_from if c.strip()],
        free_shipping_to=[c.strip().upper() for c in doc.free_shipping_to if c.strip()],
        price=doc.price if math.isfinite(doc.price) else 0.0,
        rating=rating,
        rating_floor=int(math.floor(rating)),
        orders=int(doc.orders),
        created_at=int(doc.created_at),
    )
    return out


def batches(items: list[Any], size: int = BATCH_SIZE) -> Iterable[list[Any]]:
    """Split items into request-sized chunks."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def search_payload(query: SearchQuery) -> tuple[str, dict[str, Any]]:
    """The (q, params) pair for index.search()."""
    text = _searchable_text(query.text)
    params: dict[str, Any] = {
        # Meilisearch's default ("last") drops trailing words until something matches; the
        # contract is that every word must match.
        "matchingStrategy": "all",
        "page": query.page,
        "hitsPerPage": query.per_page,
        "attributesToRetrieve": ["id", "titles"],
    }
    filter_expr = build_filter(query.filters)
    if filter_expr:
        params["filter"] = filter_expr
    if query.facets:
        params["facets"] = [FACET_ATTRIBUTES[f] for f in query.facets]
    sort = SORT_RULES.get(query.sort)
    if sort is None and not text.strip():
        sort = SORT_RULES["orders"]  # browsing: most ordered first, as in the embedded engine
    if sort:
        params["sort"] = sort
    return text, params


def _facets(query: SearchQuery, distribution: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """Map attribute-level facet counts back to facet names; ratings become cumulative "≥n" buckets."""
    out: dict[str, dict[str, int]] = {}
    for name in query.facets:
        counts = distribution.get(FACET_ATTRIBUTES[name]) or {}
        if name == "rating":
            cumulative: dict[str, int] = {}
            running = 0
            for floor in (5, 4, 3, 2, 1):
                running += int(counts.get(str(floor), 0))
                if floor <= 4 and running:
                    cumulative[str(floor)] = running
            out[name] = cumulative
        else:
            out[name] = {str(k): int(v) for k, v in counts.items() if v}
    return out


def parse_response(query: SearchQuery, response: dict[str, Any], synonyms: dict[str, list[str]]) -> SearchResult:
    """Turn a search response into a SearchResult, computing highlight segments in Python."""
    hits = response.get("hits") or []
    ids = [str(hit.get("id")) for hit in hits]
    total = int(response.get("totalHits", response.get("estimatedTotalHits", len(ids))) or 0)
    highlights: dict[str, list[tuple[str, bool]]] = {}
    if query.highlight:
        words = query_words(query.text)
        table = normalized_table(synonyms)
        used = [alt for _, _, alts in match_synonyms([w.folded for w in words], table) for alt in alts]
        for doc_id, hit in zip(ids, hits):
            segments = highlight_segments(title_for(hit.get("titles") or {}, query.locale), words, used)
            if segments is not None:
                highlights[doc_id] = segments
    return SearchResult(
        ids=ids,
        total=total,
        facets=_facets(query, response.get("facetDistribution") or {}),
        highlights=highlights,
    )
