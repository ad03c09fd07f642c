"""The tantivy schema, text analysers and ProductDocument -> tantivy.Document conversion of the embedded engine."""

from __future__ import annotations

import json
import math
from functools import lru_cache
from typing import Callable

import tantivy
from tantivy import Filter, TextAnalyzer, TextAnalyzerBuilder, Tokenizer

from search.text import prepare_for_index
from search.types import LOCALES, ProductDocument

# Bump whenever fields or analysers change: an index built by older code then reports
# "rebuild needed" instead of silently mis-matching.
SCHEMA_VERSION = 1

# Analyser name per locale. Folding comes before stemming so "cafe" and "café" reach the
# stemmer as the same string and cannot stem differently.
LOCALE_ANALYZER: dict[str, str] = {"en": "t_en", "es": "t_es", "ar": "t_gen", "zh": "t_gen"}
GENERIC = "t_gen"
TITLE_FIELDS: dict[str, str] = {loc: f"title_{loc}" for loc in LOCALES}
DESC_FIELDS: dict[str, str] = {loc: f"desc_{loc}" for loc in LOCALES}
# Unstemmed copies of the stemmed titles: typo and prefix matching must compare what the user
# typed with real words ("runnin" is 1 edit from "running" but 3 from its stem "run").
RAW_TITLE_FIELDS: dict[str, str] = {f"title_{loc}": f"title_{loc}_raw" for loc in ("en", "es")}
BRAND_TEXT = "brand_t"  # the brand and the stores selling it: the names a shopper looks a maker or seller up by
CATEGORY_TEXT = "cat_t"
# Every full-text field and the analyser its terms went through.
TEXT_FIELDS: dict[str, str] = {
    **{TITLE_FIELDS[loc]: LOCALE_ANALYZER[loc] for loc in LOCALES},
    **{DESC_FIELDS[loc]: LOCALE_ANALYZER[loc] for loc in LOCALES},
    BRAND_TEXT: GENERIC,
    CATEGORY_TEXT: GENERIC,
}

# Keyword (raw, exact) fields used by filters and facet aggregations.
KW_BRAND = "brand"
KW_CATEGORY = "cat"
KW_SELLER = "seller"
KW_SHIPS_FROM = "ships_from"
KW_FREE_SHIP = "free_ship"

# Tie-break by orders: tantivy-py's weight_by_field multiplies a hit's score by log2(2 + w).
# Storing w = 2**(1 + d) - 2 makes that factor exactly 1 + d, with d in [0, TIE_BREAK_MAX]
# growing with log(orders). Relevance scores are sums of integer tiers (at most 10 words x 20),
# so distinct scores differ by more than 1/200 and a factor below 1.004 can only reorder ties.
TIE_BREAK_FIELD = "tb"
TIE_BREAK_MAX = 0.004
_ORDERS_CAP = math.log1p(1e9)


def _analyzer(stemmer: str | None) -> TextAnalyzer:
    """Simple tokenizer, long-token removal, lowercase, ASCII folding and an optional stemmer."""
    builder = (
        TextAnalyzerBuilder(Tokenizer.simple())
        .filter(Filter.remove_long(40))
        .filter(Filter.lowercase())
        .filter(Filter.ascii_fold())
    )
    if stemmer:
        builder = builder.filter(Filter.stemmer(stemmer))
    return builder.build()


ANALYZERS: dict[str, TextAnalyzer] = {
    "t_en": _analyzer("english"),
    "t_es": _analyzer("spanish"),
    GENERIC: _analyzer(None),
}


@lru_cache(maxsize=65536)
def analyze(analyzer: str, text: str) -> tuple[str, ...]:
    """Run one of our analysers on text (cached: query words repeat a lot)."""
    return tuple(ANALYZERS[analyzer].analyze(text))


@lru_cache(maxsize=None)
def stemmer_for(locale: str) -> Callable[[str], str]:
    """Return a word -> term function matching how titles in locale were indexed (one per locale, cached)."""
    name = LOCALE_ANALYZER.get(locale, GENERIC)

    def stem(word: str) -> str:
        """First term the analyser produces for word, or word itself."""
        terms = analyze(name, word)
        return terms[0] if terms else word

    return stem


def build_schema() -> tantivy.Schema:
    """Declare every field of the product index."""
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    for field, analyzer in TEXT_FIELDS.items():
        # Positions are kept so multi-word synonyms can be matched as phrases.
        sb.add_text_field(field, tokenizer_name=analyzer, index_option="position")
    for field in RAW_TITLE_FIELDS.values():
        # Only the term dictionary is needed for fuzzy/prefix lookups.
        sb.add_text_field(field, tokenizer_name=GENERIC, index_option="basic")
    for field in (KW_BRAND, KW_CATEGORY, KW_SELLER, KW_SHIPS_FROM):
        sb.add_text_field(field, tokenizer_name="raw", fast=True, index_option="basic")
    sb.add_text_field(KW_FREE_SHIP, tokenizer_name="raw", index_option="basic")
    for field in ("price", "rating"):
        sb.add_float_field(field, indexed=True, fast=True)
    for field in ("orders", "created_at"):
        sb.add_integer_field(field, indexed=True, fast=True)
    sb.add_float_field(TIE_BREAK_FIELD, fast=True)
    # Original titles, kept verbatim for highlighting and "did you mean".
    sb.add_bytes_field("titles", stored=True)
    return sb.build()


SCHEMA = build_schema()


def register_analyzers(index: tantivy.Index) -> None:
    """Register our analysers on an opened index (tantivy does not persist custom analysers)."""
    for name, analyzer in ANALYZERS.items():
        index.register_tokenizer(name, analyzer)


def tie_break_weight(orders: int) -> float:
    """Return the weight_by_field value encoding orders as a score factor of 1 + d."""
    share = min(math.log1p(max(orders, 0)) / _ORDERS_CAP, 1.0)
    return 2.0 ** (1.0 + TIE_BREAK_MAX * share) - 2.0


def _finite(value: float, low: float, high: float) -> float:
    """Clamp value into [low, high], mapping NaN and garbage to low."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return low
    if not math.isfinite(number):
        return low if number != math.inf else high
    return min(max(number, low), high)


def to_tantivy(doc: ProductDocument) -> tantivy.Document:
    """Convert a product into the tantivy document indexed for it."""
    out = tantivy.Document()
    out.add_text("id", doc.id)
    for loc in LOCALES:
        title = doc.titles.get(loc)
        if title:
            prepared = prepare_for_index(title)
            out.add_text(TITLE_FIELDS[loc], prepared)
            if TITLE_FIELDS[loc] in RAW_TITLE_FIELDS:
                out.add_text(RAW_TITLE_FIELDS[TITLE_FIELDS[loc]], prepared)
        desc = doc.descriptions.get(loc)
        if desc:
            out.add_text(DESC_FIELDS[loc], prepare_for_index(desc))
    if doc.brand:
        out.add_text(BRAND_TEXT, prepare_for_index(doc.brand))
        out.add_text(KW_BRAND, doc.brand)
    for name in filter(None, doc.store_names):
        out.add_text(BRAND_TEXT, prepare_for_index(name))
    for name in doc.category_names:
        out.add_text(CATEGORY_TEXT, prepare_for_index(name))
    for cat in filter(None, doc.category_ids):
        out.add_text(KW_CATEGORY, cat)
    for seller in filter(None, doc.sellers):
        out.add_text(KW_SELLER, seller)
    for country in filter(None, (c.strip().upper() for c in doc.ships_from)):
        out.add_text(KW_SHIPS_FROM, country)
    for country in filter(None, (c.strip().upper() for c in doc.free_shipping_to)):
        out.add_text(KW_FREE_SHIP, country)
    out.add_float("price", _finite(doc.price, 0.0, 1e15))
    out.add_float("rating", _finite(doc.rating, 0.0, 5.0))
    out.add_integer("orders", int(_finite(doc.orders, 0, 2**62)))
    out.add_integer("created_at", int(_finite(doc.created_at, 0, 2**62)))
    out.add_float(TIE_BREAK_FIELD, tie_break_weight(int(_finite(doc.orders, 0, 2**62))))
    out.add_bytes("titles", json.dumps(doc.titles, ensure_ascii=False).encode("utf-8"))
    return out
