"""Product search for the shop: the configured engine, its results re-loaded from the database,
and a database fallback when the engine fails at run time."""
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from flask import Flask, current_app
from search import (
    IndexSettings,
    SearchBackend,
    SearchConfigError,
    SearchError,
    SearchFilters,
    SearchQuery,
    SearchUnavailable,
    create_backend,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.registry import Registry
from . import browse
from .services import category_subtree_ids
from .models import Category, Product

log = logging.getLogger(__name__)
FACETS = ("category", "brand", "ships_from", "rating")
SEARCH_SORTS = ("relevance", "orders", "price_asc", "price_desc", "rating", "newest")


SEARCH_BACKENDS: Registry[SearchBackend] = Registry("SEARCH_BACKEND")


@SEARCH_BACKENDS.register("embedded")
def _embedded(cfg: Mapping) -> SearchBackend:
    """The tantivy index in SEARCH_INDEX_PATH."""
    return create_backend("embedded", path=cfg["SEARCH_INDEX_PATH"])


@SEARCH_BACKENDS.register("meilisearch")
def _meilisearch(cfg: Mapping) -> SearchBackend:
    """A Meilisearch server; it must answer at start-up."""
    if not cfg["MEILI_URL"]:
        raise SearchConfigError("MEILI_URL is empty")
    backend = create_backend("meilisearch", url=cfg["MEILI_URL"], api_key=cfg["MEILI_API_KEY"] or None,
                             index=cfg["MEILI_INDEX"])
    backend.check()
    return backend


def init_search(app: Flask) -> None:
    """Create the configured search backend; a bad or unreachable configuration stops start-up.

    :raises RuntimeError: naming SEARCH_BACKEND / MEILI_URL and what is wrong.
    """
    cfg = app.config
    name = cfg["SEARCH_BACKEND"]
    try:
        backend = SEARCH_BACKENDS.create(name, cfg)  # an unknown engine or an unreachable server stops start-up
    except SearchError as exc:
        raise RuntimeError(f"Search is misconfigured (SEARCH_BACKEND={name!r}): {exc}") from exc
    try:
        backend.ensure_index(IndexSettings())
    except SearchUnavailable as exc:
        # The configuration is right but the index cannot be read (files damaged on disk): refusing to start
        # would take every web worker down and block the repair command itself. Serve from the database
        # (search_products' fallback) and say so loudly until `flask search reindex` rebuilds the index.
        log.critical("SEARCH INDEX UNUSABLE (SEARCH_BACKEND=%s): %s. Searches are answered from the database "
                     "until `flask --app storefront search reindex` rebuilds the index.", name, exc)
    except SearchError as exc:  # SearchConfigError: e.g. an index folder that cannot be written
        raise RuntimeError(f"Search is misconfigured (SEARCH_BACKEND={name!r}): {exc}") from exc
    app.extensions["search"] = backend

    @app.teardown_request
    def sync_search_index(_exc):
        """In-process sync: a request that changed products has its edits searchable right after. What could
        not be applied (engine down, database busy) triggers the worker's search sync job, which retries."""
        from sqlalchemy import func

        from ..extensions import db
        from .indexing import drain_outbox
        from .models import SearchOutbox

        if _exc is None and db.session.info.pop("search_dirty", False):
            try:
                drain_outbox(db.session, app.extensions["search"])
                left = db.session.scalar(select(func.count()).select_from(SearchOutbox))
                db.session.commit()
            except Exception as exc:  # the page is done; its queued changes wait for the next sync
                db.session.rollback()
                log.warning("search outbox not drained after the request: %s", exc)
                left = None
            if left != 0:
                trigger = app.extensions.get("trigger_job")  # set by the app when jobs are wired (jobs/tasks.py)
                if trigger is not None:
                    trigger("search_sync")


def search_backend() -> SearchBackend:
    """The app's search backend."""
    return current_app.extensions["search"]


@dataclass
class SearchPage:
    """One page of search results, ready to render."""

    items: list[Product]
    total: int
    page: int
    per_page: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    highlights: dict[int, list[tuple[str, bool]]] = field(default_factory=dict)
    suggestion: str | None = None
    degraded: bool = False
    free_shipping_ids: set[int] = field(default_factory=set)
    ignored: list[str] = field(default_factory=list)  # words dropped from the end so that something matched

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        """True when another page follows."""
        return self.page < self.pages


def engine_query(q: browse.ListingQuery) -> SearchQuery:
    """Translate to the search package's query type."""
    return SearchQuery(
        text=q.text,
        locale=q.locale,
        filters=SearchFilters(
            category_id=str(q.category_id) if q.category_id else None,
            price_min=float(q.price_min_usd) if q.price_min_usd is not None else None,
            price_max=float(q.price_max_usd) if q.price_max_usd is not None else None,
            min_rating=q.min_rating,
            ships_from=(q.ships_from,) if q.ships_from else (),
            free_shipping_to=q.free_shipping_to,
            brands=(q.brand,) if q.brand else (),
        ),
        facets=FACETS,
        sort=q.sort if q.sort in SEARCH_SORTS else "relevance",
        page=q.page,
        per_page=q.per_page,
        highlight=True,
    )


def products_in_order(session: Session, ids: list[int]) -> list[Product]:
    """Products by id, in the given (ranked) order; ids no longer in the database are skipped."""
    if not ids:
        return []
    found = {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


RELAX_LIMIT = 6  # at most this many words are dropped: a sentence pasted into the box ends in "no results"


def search_products(session: Session, backend: SearchBackend, q: browse.ListingQuery) -> SearchPage:
    """Search with the engine (the database when it fails, the page marked degraded). When every word must
    match and nothing does, words are dropped from the end until something matches, as Meilisearch's
    `matchingStrategy: last` does; the page names the words it ignored."""
    page = _search_once(session, backend, q)
    words = q.text.split()
    if page.total or len(words) < 2:
        return page
    for keep in range(len(words) - 1, max(0, len(words) - 1 - RELAX_LIMIT), -1):
        relaxed = _search_once(session, backend, replace(q, text=" ".join(words[:keep])))
        if relaxed.total:
            relaxed.ignored = words[keep:]
            relaxed.suggestion = page.suggestion
            return relaxed
    return page


def _search_once(session: Session, backend: SearchBackend, q: browse.ListingQuery) -> SearchPage:
    """One search with exactly these words: the engine, or the database when the engine fails."""
    try:
        result = backend.search(engine_query(q))
    except Exception as exc:  # any engine failure degrades; the shop never answers 500 for search
        log.error("search engine failed, answering from the database: %s", exc)
        return _database_search(session, q)
    ids = [int(i) for i in result.ids if i.isdigit()]
    query = engine_query(q)
    return SearchPage(
        items=products_in_order(session, ids),
        total=result.total,
        page=query.page,
        per_page=query.per_page,
        facets=result.facets,
        highlights={int(k): v for k, v in result.highlights.items() if k.isdigit()},
        suggestion=result.suggestion,
    )


def _database_search(session: Session, q: browse.ListingQuery) -> SearchPage:
    sort = {"relevance": "popular", "orders": "popular"}.get(q.sort, q.sort)
    category = session.get(Category, q.category_id) if q.category_id and not q.category_ids else None
    subtree = tuple(category_subtree_ids(session, category)) if category else q.category_ids
    page = browse.browse_products(session, replace(q, sort=sort, category_ids=subtree))
    return SearchPage(items=page.items, total=page.total, page=page.page, per_page=page.per_page, degraded=True)


def suggest_products(session: Session, backend: SearchBackend, text: str, locale: str,
                     limit: int = 8) -> tuple[list[Product], dict[int, list[tuple[str, bool]]]]:
    """Up to `limit` products for the autocomplete list, with their title highlights."""
    if not text.strip():
        return [], {}
    try:
        result = backend.search(SearchQuery(text=text, locale=locale, per_page=limit, highlight=True))
    except Exception as exc:  # autocomplete is a nicety: no list is better than an error
        log.warning("autocomplete unavailable: %s", exc)
        return [], {}
    ids = [int(i) for i in result.ids[:limit] if i.isdigit()]
    return products_in_order(session, ids), {int(k): v for k, v in result.highlights.items() if k.isdigit()}
