"""One behavioural suite every search backend must pass, run on the multilingual fixture catalog."""

from __future__ import annotations

from collections import Counter
from typing import Any, Callable, Iterator

import pytest

from search import ProductDocument, SearchBackend, SearchFilters, SearchQuery, SearchResult
from search_catalog import BY_ID, CATALOG


def find(backend: SearchBackend, text: str = "", locale: str = "en", **kw: Any) -> SearchResult:
    """Run one query."""
    return backend.search(SearchQuery(text=text, locale=locale, **kw))


def ids(backend: SearchBackend, text: str = "", locale: str = "en", **kw: Any) -> list[str]:
    """Every matching id, in ranked order (the fixture fits in one 100-hit page)."""
    kw.setdefault("per_page", 100)
    return find(backend, text, locale, **kw).ids


def expected(predicate: Callable[[ProductDocument], bool]) -> set[str]:
    """Ids of fixture documents satisfying predicate."""
    return {doc.id for doc in CATALOG if predicate(doc)}


# ---------------------------------------------------------------------------- matching
def test_last_word_is_a_prefix(backend: SearchBackend) -> None:
    """Only the last, unfinished word matches as a prefix."""
    assert {"h1", "h2"} <= set(ids(backend, "headph"))
    assert ids(backend, "wireless headph") == ["h1"]
    # Only the last word is a prefix: a leading fragment must be a whole (or typo'd) word.
    assert ids(backend, "headph wireless") == []
    # A trailing space closes the word, like Meilisearch.
    assert ids(backend, "kett ") == []
    assert ids(backend, "kett") == ["k2"]


def test_one_typo_from_five_letters(backend: SearchBackend) -> None:
    """Words of 5-8 letters tolerate exactly one typo."""
    assert ids(backend, "kettel ") == ["k2"]  # 6 letters, one transposition
    assert ids(backend, "ketle ") == ["k2"]  # 5 letters, one deletion
    assert ids(backend, "exprezso ") == []  # 8 letters, two typos: only one allowed


def test_two_typos_from_nine_letters(backend: SearchBackend) -> None:
    """Words of 9+ letters tolerate two typos."""
    assert ids(backend, "stainlezz ") == ["k2"]  # 9 letters, two substitutions
    assert ids(backend, "lighweigt ") == ["s1"]  # 9 letters, two deletions


def test_no_typo_below_five_letters(backend: SearchBackend) -> None:
    """Words shorter than 5 letters must be spelled exactly."""
    assert ids(backend, "dezk ") == []
    assert ids(backend, "desk ") == ["d1"]


def test_found_by_title_in_any_language(backend: SearchBackend) -> None:
    """A product is found by its title in any language, whatever the query locale."""
    assert "h1" in ids(backend, "蓝牙", locale="en")
    assert "h1" in ids(backend, "inalámbricos", locale="en")
    assert "h1" in ids(backend, "سماعات", locale="en")
    assert ids(backend, "altavoz", locale="zh") == ["l1"]


def test_query_locale_title_ranks_first(backend: SearchBackend, backend_name: str) -> None:
    """A match in the query locale's title outranks a match only in another language."""
    if backend_name == "meilisearch":
        pytest.xfail("Meilisearch ranks attributes in one fixed order per index, not per query locale")
    # l1 has the word only in its Spanish title (10 orders); l2 only in English (5000 orders).
    es = ids(backend, "bluetooth", locale="es")
    en = ids(backend, "bluetooth", locale="en")
    assert es.index("l1") < es.index("l2")
    assert en.index("l2") < en.index("l1")


def test_title_ranks_above_description_and_ties_break_by_orders(backend: SearchBackend) -> None:
    """Title matches beat description matches; equal matches are ordered by orders."""
    ranked = ids(backend, "headphones ")
    assert ranked.index("h1") < ranked.index("h2")  # same tier: 900 orders beat 300
    assert ranked.index("h2") < ranked.index("d1")  # d1 mentions headphones only in its description


def test_synonyms(backend: SearchBackend) -> None:
    """Synonyms expand at query time, across languages and for multi-word phrases."""
    assert {"p1", "p2", "z1"} <= set(ids(backend, "cellphone "))
    assert {"p1", "p2", "z1"} <= set(ids(backend, "mobile phone "))
    assert {"h1", "h2", "e1"} <= set(ids(backend, "earbuds "))
    assert {"s1", "s2"} <= set(ids(backend, "trainers "))
    assert {"p1", "p2"} <= set(ids(backend, "móvil ", locale="es"))
    assert "p1" in ids(backend, "جوال ", locale="ar")
    assert {"p1", "p2", "z1"} <= set(ids(backend, "手机", locale="zh"))


def test_ascii_folding(backend: SearchBackend) -> None:
    """Accents and case are ignored (cafe finds café)."""
    assert ids(backend, "cafe ") == ["k1"]
    assert ids(backend, "maquina ", locale="es") == ["k1"]
    assert ids(backend, "CAFÉ ") == ["k1"]


def test_arabic_normalisation_and_article(backend: SearchBackend) -> None:
    """Arabic matches ignore diacritics, letter variants and the definite article."""
    bag = set(ids(backend, "حقيبة ", locale="ar"))
    assert {"a1", "b1"} <= bag
    assert set(ids(backend, "الحقيبة ", locale="ar")) == bag  # article on the query
    assert set(ids(backend, "حقيبه ", locale="ar")) == bag  # ta marbuta written as ha
    assert set(ids(backend, "حَقِيبَة ", locale="ar")) == bag  # vowel marks
    assert "a1" in ids(backend, "ظهر ", locale="ar")  # article on the indexed word "الظهر"
    assert "p1" in ids(backend, "الهاتف ", locale="ar")


def test_chinese_word_inside_longer_run(backend: SearchBackend) -> None:
    """A Chinese two-character word is found inside a longer unsegmented run."""
    assert ids(backend, "蓝牙", locale="zh") == ["h1"]
    assert ids(backend, "耳机", locale="zh")[:1] == ["h1"]
    assert ids(backend, "咖啡", locale="zh") == ["c1"]
    assert ids(backend, "蓝机", locale="zh") == []


# ---------------------------------------------------------------------------- filters
FILTER_CASES: list[tuple[SearchFilters, Callable[[ProductDocument], bool]]] = [
    (SearchFilters(category_id="audio"), lambda d: "audio" in d.category_ids),
    (SearchFilters(category_id="electronics"), lambda d: "electronics" in d.category_ids),
    (SearchFilters(price_min=20, price_max=100), lambda d: 20 <= d.price <= 100),
    (SearchFilters(price_min=200), lambda d: d.price >= 200),
    (SearchFilters(price_max=9), lambda d: d.price <= 9),
    (SearchFilters(min_rating=4.5), lambda d: d.rating >= 4.5),
    (SearchFilters(ships_from=("IT", "vn")), lambda d: bool({"IT", "VN"} & set(d.ships_from))),
    (SearchFilters(free_shipping_to="es"), lambda d: "ES" in d.free_shipping_to or "*" in d.free_shipping_to),
    (SearchFilters(seller="tienda"), lambda d: "tienda" in d.sellers),
    (SearchFilters(brands=("Sonic", "Stride")), lambda d: d.brand in ("Sonic", "Stride")),
    (SearchFilters(category_id="audio", price_max=30, ships_from=("CN",)),
     lambda d: "audio" in d.category_ids and d.price <= 30 and "CN" in d.ships_from),
]


@pytest.mark.parametrize("filters,predicate", FILTER_CASES)
def test_every_filter(backend: SearchBackend, filters: SearchFilters, predicate: Callable[[ProductDocument], bool]) -> None:
    """Each filter returns exactly the fixture documents satisfying it."""
    result = find(backend, "", filters=filters, per_page=100)
    assert set(result.ids) == expected(predicate)
    assert result.total == len(result.ids)


def test_filters_combine_with_text(backend: SearchBackend) -> None:
    """Filters narrow text matches."""
    # e1 ("Earbuds") matches through the earbuds/headphones synonym group.
    assert set(ids(backend, "headphones ", filters=SearchFilters(price_max=50))) == {"h1", "d1", "e1"}
    assert set(ids(backend, "bluetooth", filters=SearchFilters(seller="tienda"))) == {"l1"}


def _reference_facets(matched: set[str]) -> dict[str, dict[str, int]]:
    """Facet counts computed directly from the fixture for a set of matching ids."""
    docs = [BY_ID[i] for i in matched]
    ratings = {str(n): sum(1 for d in docs if d.rating >= n) for n in (4, 3, 2, 1)}
    return {
        "category": dict(Counter(c for d in docs for c in d.category_ids)),
        "brand": dict(Counter(d.brand for d in docs)),
        "ships_from": dict(Counter(c for d in docs for c in d.ships_from)),
        "seller": dict(Counter(s for d in docs for s in d.sellers)),
        "rating": {k: v for k, v in ratings.items() if v},
    }


@pytest.mark.parametrize(
    "text,filters",
    [("", SearchFilters()), ("headphones ", SearchFilters()), ("", SearchFilters(category_id="electronics", price_max=150)),
     ("bluetooth", SearchFilters(brands=("Pulse", "Boom")))],
)
def test_facet_counts_reflect_query_and_filters(backend: SearchBackend, text: str, filters: SearchFilters) -> None:
    """Facet counts are computed over the full matching set (query and filters)."""
    facets = ("category", "brand", "ships_from", "seller", "rating")
    result = find(backend, text, filters=filters, facets=facets, per_page=100)
    assert result.facets == _reference_facets(set(result.ids))
    assert result.total == len(result.ids) > 0


# ---------------------------------------------------------------------------- sorting, paging
@pytest.mark.parametrize(
    "sort,key",
    [("price_asc", lambda d: d.price), ("price_desc", lambda d: -d.price), ("orders", lambda d: -d.orders),
     ("rating", lambda d: -d.rating), ("newest", lambda d: -d.created_at), ("relevance", lambda d: -d.orders)],
)
def test_sorts_when_browsing(backend: SearchBackend, sort: str, key: Callable[[ProductDocument], float]) -> None:
    """Every sort orders the whole catalog correctly; relevance browsing is by orders."""
    ranked = ids(backend, "", sort=sort)
    assert [key(BY_ID[i]) for i in ranked] == sorted(key(d) for d in CATALOG)


def test_sorts_apply_to_text_matches(backend: SearchBackend) -> None:
    """Explicit sorts reorder text matches."""
    ranked = ids(backend, "bluetooth", sort="price_desc")
    assert ranked == sorted(ranked, key=lambda i: -BY_ID[i].price)
    assert set(ranked) == {"h1", "l1", "l2"}


def test_pagination_and_totals(backend: SearchBackend) -> None:
    """Pages partition the result set and totals stay constant."""
    seen: list[str] = []
    for page in range(1, 6):
        result = find(backend, "", page=page, per_page=6)
        assert result.total == len(CATALOG)
        seen += result.ids
    assert sorted(seen) == sorted(d.id for d in CATALOG)
    assert find(backend, "", page=50, per_page=6).ids == []


def test_empty_query_browses_everything(backend: SearchBackend) -> None:
    """Blank text returns the whole catalog."""
    result = find(backend, "   ", per_page=100)
    assert result.total == len(CATALOG)
    assert result.suggestion is None and result.highlights == {}


# ---------------------------------------------------------------------------- highlights, suggestions
def _check_segments(result: SearchResult, doc_id: str, locale: str) -> list[str]:
    """Assert segments rebuild the title exactly and return the matched parts."""
    segments = result.highlights[doc_id]
    assert "".join(text for text, _ in segments) == BY_ID[doc_id].title_for(locale)
    return [text for text, matched in segments if matched]


def test_highlights(backend: SearchBackend) -> None:
    """Highlight segments rebuild the query-locale title and mark exact, prefix, typo, CJK, Arabic and synonym matches."""
    result = find(backend, "wireless headph", highlight=True)
    assert _check_segments(result, "h1", "en") == ["Wireless", "Headphones"]
    assert _check_segments(find(backend, "kettel ", highlight=True), "k2", "en") == ["Kettle"]
    assert _check_segments(find(backend, "蓝牙", locale="zh", highlight=True), "h1", "zh") == ["蓝牙"]
    assert _check_segments(find(backend, "الحقيبة ", locale="ar", highlight=True), "a1", "ar") == ["حقيبة"]
    assert _check_segments(find(backend, "cellphone ", highlight=True), "p1", "en") == ["Smartphone"]
    no_highlight = find(backend, "wireless headph")
    assert no_highlight.highlights == {}
    desc_only = find(backend, "keyboard ", highlight=True)
    assert desc_only.ids == ["d1"] and "d1" not in desc_only.highlights


def test_zero_results_suggest_a_correction(backend: SearchBackend) -> None:
    """A zero-hit query gets a corrected query only when the correction has hits."""
    result = find(backend, "sneekerz ")
    assert result.total == 0 and result.suggestion == "sneakers"
    assert find(backend, "dezk ").suggestion == "desk"
    assert find(backend, "qqqqzzzz").suggestion is None
    assert find(backend, "kettel ").suggestion is None  # had hits


def test_store_names_are_searchable(backend: SearchBackend) -> None:
    """A shopper who remembers the store, not the product, finds the store's products by its name."""
    backend.upsert([ProductDocument(**{**BY_ID["k2"].to_json(), "store_names": ["Qorvana Home Goods"]})])
    assert ids(backend, "qorvana ") == ["k2"]
    assert ids(backend, "qorvana home goods ") == ["k2"]
    assert ids(backend, "qorvana", locale="es") == ["k2"]


# ---------------------------------------------------------------------------- writes
def test_upsert_replaces(backend: SearchBackend) -> None:
    """Upserting an existing id replaces the document."""
    old = BY_ID["k2"]
    new = ProductDocument(**{**old.to_json(), "titles": {"en": "Electric Kettle Deluxe"}})
    backend.upsert([new])
    assert ids(backend, "deluxe ") == ["k2"]
    assert ids(backend, "stainless ") == []
    assert backend.count() == len(CATALOG)


def test_delete_removes(backend: SearchBackend) -> None:
    """Deleted documents stop matching and unknown ids are ignored."""
    backend.delete(["k2", "no-such-id"])
    assert ids(backend, "kettle ") == []
    assert backend.count() == len(CATALOG) - 1


def test_rebuild_swaps_and_keeps_searching(backend: SearchBackend) -> None:
    """rebuild swaps in the new catalog while the old one keeps answering during the build."""
    during: list[list[str]] = []
    progress: list[int] = []

    def docs() -> Iterator[ProductDocument]:
        """Yield the catalog, doing extra work mid-build."""
        for i, doc in enumerate(CATALOG):
            if i == 5:
                during.append(ids(backend, "kettle "))  # the old index still answers mid-build
            if doc.id != "k2":
                yield doc
        yield ProductDocument(id="n1", titles={"en": "Ceramic Teapot"}, price=20.0)

    count = backend.rebuild(docs(), on_progress=progress.append)
    assert count == len(CATALOG)
    assert during == [["k2"]]
    assert progress and progress[-1] == count
    assert ids(backend, "teapot ") == ["n1"]
    assert ids(backend, "kettle ") == []
    assert backend.count() == count
    backend.check()


# ---------------------------------------------------------------------------- hostile input
HOSTILE_TEXTS = ["x" * 10_000, "head\x00phones\x1f\x7f", "\ud800", 'he said "hi"', "AND OR NOT", "= TO [",
                 "(((", "*", "\\", "title_en:foo", "~~~"]


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_hostile_text_returns_normally(backend: SearchBackend, text: str) -> None:
    """Hostile query text never raises."""
    result = find(backend, text, highlight=True, facets=("brand", "bogus"))
    assert isinstance(result.total, int)
    assert set(result.facets) <= {"brand"}


def test_hostile_filters_and_paging(backend: SearchBackend) -> None:
    """Operators and quotes in filter values are literals; absurd paging is clamped."""
    weird = SearchFilters(
        category_id='x" OR category_ids = "audio',
        seller="odd seller = TO",
        brands=('Weird "Brand" AND = TO', "a\\"),
        ships_from=("CN", 'US" OR 1=1'),
    )
    result = find(backend, "", filters=weird, page=-3, per_page=10**9, sort="bogus", locale="xx",
                  facets=("nope", "rating"))
    assert result.ids == [] and result.total == 0
    literal = find(backend, "", filters=SearchFilters(seller="odd seller = TO", brands=('Weird "Brand" AND = TO',)))
    assert literal.ids == ["q1"]
    assert find(backend, "", page=-3).ids == find(backend, "", page=1).ids
