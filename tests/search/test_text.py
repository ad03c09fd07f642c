"""Unit and property tests of text normalisation, query parsing, edit distance, highlighting and query clamping."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from search import SearchFilters, SearchQuery
from search.embedded_schema import stemmer_for
from search.highlight import highlight_segments
from search.synonyms import DEFAULT_SYNONYMS, match_synonyms, normalize_phrase, normalized_table
from search.synthetic import synthetic_documents
from search.text import edit_distance, normalize_arabic, prepare_for_index, query_words, typo_budget


def test_arabic_normalisation() -> None:
    """Diacritics, tatweel, alef forms, ta marbuta, alef maqsura and the article are normalised."""
    assert normalize_arabic("الحَقِيبَة") == "حقيبه"
    assert normalize_arabic("أحمد إلى آخر") == "احمد الي اخر"
    assert normalize_arabic("كـــتاب") == "كتاب"
    assert normalize_arabic("ال") == "ال"  # too short to be an article
    assert normalize_arabic("plain text") == "plain text"


def test_cjk_runs_become_grams() -> None:
    """A CJK run is indexed as unigrams and bigrams, separated from Latin neighbours."""
    assert prepare_for_index("蓝牙5.0耳机").split() == ["蓝", "蓝牙", "牙", "5.0", "耳", "耳机", "机"]


def test_query_words_typos_and_prefix() -> None:
    """Typo budgets follow Meilisearch; only an unfinished last word is a prefix."""
    words = query_words("Café headphones ketl")
    assert [(w.folded, w.typos, w.prefix) for w in words] == [("cafe", 0, False), ("headphones", 2, False), ("ketl", 0, True)]
    assert query_words("kettle ")[-1].prefix is False
    assert [typo_budget("x" * n) for n in (4, 5, 8, 9)] == [0, 1, 1, 2]
    assert len(query_words("a " * 50)) == 10


def test_edit_distance() -> None:
    """Optimal string alignment distance with early exit above the limit."""
    assert edit_distance("kettle", "kettel", 2) == 1
    assert edit_distance("stainless", "stainlezz", 2) == 2
    assert edit_distance("abc", "xyz", 1) == 2  # capped at limit + 1


def test_synonym_matching_is_greedy_and_normalised() -> None:
    """Multi-word keys win over single words, and keys ignore accents and case."""
    table = normalized_table(DEFAULT_SYNONYMS)
    words = [w.folded for w in query_words("Mobile Phone case Móvil")]
    matches = match_synonyms(words, table)
    assert [(start, width) for start, width, _ in matches] == [(0, 2), (3, 1)]
    assert normalize_phrase("Teléfono  MÓVIL") == "telefono movil"


def test_highlight_handles_stems_typos_and_arabic() -> None:
    """Segments mark stemmed, typo'd and article-prefixed words."""
    en = stemmer_for("en")
    assert highlight_segments("Running Shoes", query_words("runnin"), stemmer=en) == [("Running", True), (" Shoes", False)]
    assert highlight_segments("حقيبة الظهر", query_words("ظهر "), stemmer=stemmer_for("ar")) == [
        ("حقيبة ", False), ("الظهر", True)]
    assert highlight_segments("Blue Mug", query_words("kettle")) is None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80), st.text(max_size=30))
def test_highlight_segments_always_rebuild_the_title(title: str, text: str) -> None:
    """Whatever the title and query, segments concatenate back to the exact title."""
    segments = highlight_segments(title, query_words(SearchQuery(text=text).text), stemmer=stemmer_for("en"))
    if segments is not None:
        assert "".join(part for part, _ in segments) == title
        assert any(matched for _, matched in segments)


def test_query_is_clamped_on_construction() -> None:
    """Out-of-range paging, unknown sorts/facets/locales and odd filter values are normalised."""
    query = SearchQuery(text="\x00hi", locale="fr", facets=("brand", "nope", "brand"), sort="cheapest",
                        page=-3, per_page=0, filters=SearchFilters(ships_from=("cn", ""), price_min=float("nan")))
    assert (query.text, query.locale, query.facets, query.sort, query.page, query.per_page) == (
        " hi", "en", ("brand",), "relevance", 1, 1)
    assert query.filters.ships_from == ("CN",) and query.filters.price_min is None
    assert SearchQuery(per_page=10**9).per_page == 100


def test_synthetic_catalog_is_deterministic() -> None:
    """The same (n, seed) always yields the same documents."""
    first = [d.to_json() for d in synthetic_documents(50, 7)]
    assert first == [d.to_json() for d in synthetic_documents(50, 7)]
    assert first != [d.to_json() for d in synthetic_documents(50, 8)]
    assert all(d["titles"] for d in first)
