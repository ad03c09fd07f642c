"""Embedded search backend: a tantivy index in a local folder, safe for several gunicorn processes."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path
from typing import Callable, Iterable, Sequence, TypeVar

import tantivy
from tantivy import Order

from search.backend import ProgressCallback, SearchError, SearchUnavailable
from search.embedded_query import combine, facet_aggregations, filter_queries, parse_facets, suggest, text_query
from search.embedded_schema import TIE_BREAK_FIELD, stemmer_for, to_tantivy
from search.embedded_store import REBUILD_LOCK, IndexStore, open_index
from search.highlight import highlight_segments
from search.text import query_words
from search.types import LOCALES, IndexSettings, ProductDocument, SearchQuery, SearchResult, title_for

T = TypeVar("T")
WRITER_HEAP = 64_000_000
REBUILD_HEAP = 256_000_000
PROGRESS_EVERY = 1000
_SORTS: dict[str, tuple[str, Order]] = {
    "price_asc": ("price", Order.Asc),
    "price_desc": ("price", Order.Desc),
    "orders": ("orders", Order.Desc),
    "rating": ("rating", Order.Desc),
    "newest": ("created_at", Order.Desc),
}


def _guard(fn: Callable[[], T]) -> T:
    """Run fn, converting engine failures (including Rust panics) into SearchUnavailable."""
    try:
        return fn()
    except SearchError:
        raise
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # pyo3 panics derive from BaseException
        raise SearchUnavailable(f"embedded search failed: {type(exc).__name__}: {exc}") from exc


def _apply(index: tantivy.Index, upserts: Sequence[ProductDocument], deletes: Sequence[str]) -> None:
    """Apply one batch in a single commit, then drop the writer so its lock is released."""
    writer = index.writer(heap_size=WRITER_HEAP, num_threads=1)
    try:
        for doc_id in deletes:
            writer.delete_documents_by_term("id", doc_id)
        for doc in upserts:
            # Deleting first makes add an upsert; the add's later opstamp survives the delete.
            writer.delete_documents_by_term("id", doc.id)
            writer.add_document(to_tantivy(doc))
        writer.commit()
    except BaseException:
        with contextlib.suppress(Exception):
            writer.rollback()
        raise
    finally:
        # Waits for background merges (keeps the segment count low) and frees tantivy's lock.
        with contextlib.suppress(Exception):
            writer.wait_merging_threads()
    index.reload()


class EmbeddedBackend:
    """SearchBackend over a local tantivy index; readers are lock-free, writers hold a short file lock."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        """Remember the folder; nothing is opened until first use so start-up stays cheap."""
        self._store = IndexStore(Path(path))

    # ----------------------------------------------------------------- protocol: admin
    def ensure_index(self, settings: IndexSettings) -> None:
        """Create the folder and an empty index if none exists, and store the settings for all processes."""
        self._store.ensure(settings)
        self.check()

    def check(self) -> None:
        """Raise SearchUnavailable unless the live index opens and answers."""
        _guard(lambda: self._store.current().index.searcher().num_docs)

    def count(self) -> int:
        """Number of live documents."""
        return int(_guard(lambda: self._store.current().index.searcher().num_docs))

    # ----------------------------------------------------------------- protocol: writes
    def _write(self, upserts: Sequence[ProductDocument], deletes: Sequence[str]) -> None:
        """Apply a batch to the live generation under the write lock, journalling it during a rebuild."""
        if not upserts and not deletes:
            return

        def run() -> None:
            """Commit the batch to the live generation."""
            with self._store.writing():
                gen = self._store.current()
                _apply(gen.index, upserts, deletes)
                self._store.note_commit(gen)
                self._store.journal(upserts, deletes)

        _guard(run)

    def upsert(self, docs: Sequence[ProductDocument]) -> None:
        """Insert or replace documents (the last one wins when an id repeats in the batch)."""
        latest = {doc.id: doc for doc in docs}
        self._write(list(latest.values()), [])

    def delete(self, ids: Sequence[str]) -> None:
        """Delete documents by id."""
        self._write([], [i for i in dict.fromkeys(ids) if isinstance(i, str)])

    # ----------------------------------------------------------------- protocol: rebuild
    def rebuild(self, docs: Iterable[ProductDocument], on_progress: ProgressCallback | None = None) -> int:
        """Index docs into a new generation while searches use the old one, then swap the pointer."""
        store = self._store
        store.make_root()
        with store.flock(REBUILD_LOCK, blocking=False) as free:
            if not free:
                raise SearchError(f"a rebuild of {store.root} is already running")
            with store.writing():
                name = _guard(store.create_generation)
                store.begin_rebuild(name)
            folder = store.root / name
            try:
                count = self._fill(folder, docs, on_progress)
                with store.writing():
                    upserts, deletes = store.journalled()
                    if upserts or deletes:
                        _guard(lambda: _apply(open_index(folder), upserts, deletes))
                    store.swap(name)
                    store.end_rebuild()
            except BaseException:
                store.end_rebuild()
                shutil.rmtree(folder, ignore_errors=True)
                raise
        self.check()
        store.collect_garbage(keep=name)
        if on_progress is not None:
            on_progress(count)
        return count

    @staticmethod
    def _fill(folder: Path, docs: Iterable[ProductDocument], on_progress: ProgressCallback | None) -> int:
        """Stream docs into the new generation with one large writer and a single commit."""
        index = _guard(lambda: open_index(folder))
        writer = _guard(lambda: index.writer(heap_size=REBUILD_HEAP, num_threads=2))
        count = 0
        try:
            for doc in docs:  # errors raised by the caller's iterator propagate unchanged
                _guard(lambda d=doc: writer.add_document(to_tantivy(d)))  # type: ignore[misc]
                count += 1
                if on_progress is not None and count % PROGRESS_EVERY == 0:
                    on_progress(count)
            _guard(writer.commit)
        finally:
            with contextlib.suppress(Exception):
                writer.wait_merging_threads()
        return count

    # ----------------------------------------------------------------- protocol: search
    def search(self, query: SearchQuery) -> SearchResult:
        """Run query against the live generation."""
        return _guard(lambda: self._search(query))

    def _search(self, query: SearchQuery, with_suggestion: bool = True) -> SearchResult:
        """Build the tantivy query, collect the page, facets, highlights and a suggestion."""
        gen = self._store.current()
        searcher = gen.index.searcher()
        words = query_words(query.text)
        text, synonyms_used = (None, []) if not words else text_query(words, query.locale, self._store.synonyms)
        final = combine(text, filter_queries(query.filters))
        sort = _SORTS.get(query.sort)
        if sort is None and text is None:
            sort = _SORTS["orders"]  # browsing: most ordered first, like a storefront's default
        if sort is None:
            result = searcher.search(
                final, query.per_page, count=True, offset=query.offset, weight_by_field=TIE_BREAK_FIELD
            )
        else:
            field, order = sort
            result = searcher.search(
                final, query.per_page, count=True, offset=query.offset, order_by_field=field, order=order
            )
        total = int(result.count or 0)
        docs = [searcher.doc(address) for _, address in result.hits]
        ids = [str(doc.get_first("id")) for doc in docs]
        facets: dict[str, dict[str, int]] = {}
        if query.facets:
            raw = searcher.aggregate(final, facet_aggregations(query.facets)) if total else {}
            facets = parse_facets(query.facets, raw)
        highlights: dict[str, list[tuple[str, bool]]] = {}
        if query.highlight and words:
            for doc_id, doc in zip(ids, docs):
                titles = _titles(doc)
                locale = query.locale if titles.get(query.locale) else _title_locale(titles)
                segments = highlight_segments(
                    title_for(titles, query.locale), words, synonyms_used, stemmer_for(locale)
                )
                if segments is not None:
                    highlights[doc_id] = segments
        suggestion = None
        if total == 0 and words and with_suggestion:
            suggestion = suggest(searcher, words, query.locale, lambda t: self._has_hits(query, t))
        return SearchResult(ids=ids, total=total, facets=facets, highlights=highlights, suggestion=suggestion)

    def _has_hits(self, query: SearchQuery, text: str) -> bool:
        """Whether text (a candidate correction) finds anything under the same filters."""
        probe = SearchQuery(text=text, locale=query.locale, filters=query.filters, per_page=1)
        return self._search(probe, with_suggestion=False).total > 0


def _titles(doc: tantivy.Document) -> dict[str, str]:
    """Decode the stored original titles of a hit."""
    raw = doc.get_first("titles")
    if not raw:
        return {}
    return json.loads(bytes(raw).decode("utf-8"))


def _title_locale(titles: dict[str, str]) -> str:
    """Locale of the title title_for() falls back to, so highlights use the matching stemmer."""
    for loc in ("en", *LOCALES, *titles.keys()):
        if titles.get(loc):
            return loc
    return "en"
