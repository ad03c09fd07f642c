"""Unit and property tests of the pure Meilisearch request builders and the shared query sanitiser."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from search import IndexSettings, ProductDocument, SearchFilters, SearchQuery, sanitize_query
from search.meili_requests import (
    build_filter,
    document_payload,
    ids_filter,
    parse_response,
    quote,
    search_payload,
    settings_payload,
)


def tokenize_filter(expr: str) -> list[tuple[str, str]]:
    """Minimal lexer of Meilisearch's filter grammar: quoted strings (with \\ escapes), words, punctuation."""
    tokens: list[tuple[str, str]] = []
    i = 0
    while i < len(expr):
        ch = expr[i]
        if ch == " ":
            i += 1
        elif ch == '"':
            i += 1
            value: list[str] = []
            while True:
                assert i < len(expr), f"unterminated string in {expr!r}"
                if expr[i] == "\\":
                    value.append(expr[i + 1])
                    i += 2
                elif expr[i] == '"':
                    i += 1
                    break
                else:
                    value.append(expr[i])
                    i += 1
            tokens.append(("str", "".join(value)))
        elif ch in "[],":
            tokens.append(("punct", ch))
            i += 1
        elif ch in "<>=!":
            j = i
            while j < len(expr) and expr[j] in "<>=!":
                j += 1
            tokens.append(("op", expr[i:j]))
            i = j
        else:
            j = i
            while j < len(expr) and expr[j] not in ' "[],<>=!':
                j += 1
            tokens.append(("word", expr[i:j]))
            i = j
    return tokens


# ---------------------------------------------------------------------------- filters
def test_filter_with_every_field() -> None:
    """Every filter field renders to the expected expression."""
    filters = SearchFilters(
        category_id="audio", price_min=10, price_max=99.5, min_rating=4, ships_from=("cn", "US"),
        free_shipping_to="es", seller="acme", brands=("Sonic",),
    )
    assert build_filter(filters) == (
        'category_ids = "audio" AND price >= 10.0 AND price <= 99.5 AND rating >= 4.0 AND '
        'ships_from IN ["CN", "US"] AND free_shipping_to IN ["ES", "*"] AND sellers = "acme" AND '
        'brand IN ["Sonic"]'
    )
    assert build_filter(SearchFilters()) is None


def test_filter_values_are_escaped() -> None:
    """Quotes and backslashes in values are escaped."""
    assert quote('a"b\\c') == '"a\\"b\\\\c"'
    expr = build_filter(SearchFilters(seller='x" OR sellers = "y'))
    assert tokenize_filter(expr or "") == [("word", "sellers"), ("op", "="), ("str", 'x" OR sellers = "y')]


def test_tiny_and_huge_numbers_stay_decimal() -> None:
    """Numbers never use exponent notation; NaN filters are dropped."""
    expr = build_filter(SearchFilters(price_min=1e-7, price_max=1e20)) or ""
    assert "e" not in expr.replace("price", "")
    assert build_filter(SearchFilters(price_min=float("nan"))) is None


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1))
def test_any_value_is_one_quoted_literal(value: str) -> None:
    """Any string used as a filter value parses back as one quoted literal."""
    tokens = tokenize_filter(build_filter(SearchFilters(seller=value)) or "")
    assert tokens == [("word", "sellers"), ("op", "="), ("str", value)]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=1).filter(str.strip), min_size=1, max_size=4))
def test_any_list_value_is_quoted(values: list[str]) -> None:
    """Any list of values parses back as quoted literals inside IN [...]."""
    filters = SearchFilters(brands=tuple(values))
    tokens = tokenize_filter(build_filter(filters) or "")
    strings = [v for kind, v in tokens if kind == "str"]
    assert strings == list(filters.brands)
    assert tokens[:3] == [("word", "brand"), ("word", "IN"), ("punct", "[")]
    assert [v for kind, v in tokens if kind == "word"] == ["brand", "IN"]


def test_ids_filter() -> None:
    """Delete filters quote ids."""
    assert ids_filter(["a", 'b"']) == 'id IN ["a", "b\\""]'


# ---------------------------------------------------------------------------- sanitiser
@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF), max_size=600))
def test_sanitiser_never_raises_nor_returns_control_chars(text: str) -> None:
    """The sanitiser never raises, never returns control characters or surrogates, and caps length."""
    out = sanitize_query(text)
    assert len(out) <= 200
    assert not any(unicodedata.category(ch) in ("Cc", "Cs") for ch in out)


def test_sanitiser_edge_cases() -> None:
    """Surrogates vanish, control characters become spaces, non-strings become empty."""
    assert sanitize_query("\ud800abc") == "abc"
    assert sanitize_query("a\x00b\tc") == "a b c"
    assert sanitize_query(None) == ""
    assert sanitize_query(12) == ""
    assert len(sanitize_query("y" * 10_000)) == 200


# ---------------------------------------------------------------------------- settings, documents, search
def test_settings_payload() -> None:
    """Settings order titles before descriptions and carry typo, filter, sort, synonym and locale settings."""
    payload = settings_payload(IndexSettings())
    searchable = payload["searchableAttributes"]
    assert searchable.index("title_en") < searchable.index("desc_en")
    assert all(searchable.index(f"title_{l}") < searchable.index("desc_en") for l in ("en", "es", "ar", "zh"))
    assert payload["typoTolerance"]["minWordSizeForTypos"] == {"oneTypo": 5, "twoTypos": 9}
    assert {"category_ids", "price", "rating", "ships_from", "free_shipping_to", "sellers", "brand", "id"} <= set(
        payload["filterableAttributes"]
    )
    assert set(payload["sortableAttributes"]) == {"price", "orders", "rating", "created_at"}
    assert payload["rankingRules"][-1] == "orders:desc"
    assert "smartphone" in payload["synonyms"]["cellphone"]
    assert "手机" in payload["synonyms"]["cellphone"]
    assert {"attributePatterns": ["title_zh", "desc_zh"], "locales": ["zho"]} in payload["localizedAttributes"]


def test_document_payload_normalises_arabic_and_countries() -> None:
    """Documents carry normalised searchable text, original titles and upper-case countries."""
    doc = ProductDocument(id="a1", titles={"ar": "الحقيبة", "en": "Bag"}, ships_from=["cn "], rating=4.7,
                          free_shipping_to=["*"])
    payload = document_payload(doc)
    assert payload["title_ar"] == "حقيبه"
    assert payload["titles"] == {"ar": "الحقيبة", "en": "Bag"}
    assert payload["ships_from"] == ["CN"] and payload["rating_floor"] == 4


def test_search_payload() -> None:
    """Search payloads clamp paging, map facets and sorts, and browse by orders."""
    query = SearchQuery(text="  الحقيبة", locale="ar", facets=("brand", "rating", "bogus"), sort="price_asc",
                        page=-3, per_page=500, filters=SearchFilters(seller="s"))
    text, params = search_payload(query)
    assert text == "  حقيبه"
    assert params["page"] == 1 and params["hitsPerPage"] == 100
    assert params["matchingStrategy"] == "all"
    assert params["facets"] == ["brand", "rating_floor"]
    assert params["sort"] == ["price:asc"]
    assert params["filter"] == 'sellers = "s"'
    _, browse = search_payload(SearchQuery())
    assert browse["sort"] == ["orders:desc"] and "filter" not in browse
    _, relevance = search_payload(SearchQuery(text="phone"))
    assert "sort" not in relevance


def test_parse_response() -> None:
    """Responses map to ids, totals, cumulative rating facets and highlight segments."""
    query = SearchQuery(text="wireless headph", facets=("rating", "category"), highlight=True)
    response = {
        "hits": [{"id": "h1", "titles": {"en": "Wireless Headphones"}}, {"id": "x", "titles": {"en": "Other"}}],
        "totalHits": 7,
        "facetDistribution": {"rating_floor": {"5": 1, "4": 2, "2": 1, "0": 3}, "category_ids": {"audio": 3}},
    }
    result = parse_response(query, response, IndexSettings().synonyms)
    assert result.ids == ["h1", "x"] and result.total == 7
    assert result.facets == {"rating": {"4": 3, "3": 3, "2": 4, "1": 4}, "category": {"audio": 3}}
    assert result.highlights == {"h1": [("Wireless", True), (" ", False), ("Headphones", True)]}
