"""Meilisearch backend over the official client; request payloads come from search.meili_requests."""

from __future__ import annotations

import re
import time
from typing import Any, Callable, Iterable, Sequence, TypeVar
from urllib.parse import urlparse

import meilisearch
from meilisearch.errors import MeilisearchApiError, MeilisearchCommunicationError, MeilisearchError

from search.backend import ProgressCallback, SearchConfigError, SearchError, SearchUnavailable
from search.meili_requests import (
    BATCH_SIZE,
    batches,
    document_payload,
    ids_filter,
    parse_response,
    search_payload,
    settings_payload,
)
from search.text import query_words, tally_near_words
from search.types import IndexSettings, ProductDocument, SearchFilters, SearchQuery, SearchResult

T = TypeVar("T")
_INDEX_UID = re.compile(r"^[A-Za-z0-9_-]{1,400}$")
_DOC_ID = re.compile(r"^[A-Za-z0-9_-]{1,511}$")
_AUTH_CODES = {"invalid_api_key", "missing_authorization_header"}
TASK_TIMEOUT_MS = 120_000
REBUILD_TASK_TIMEOUT_MS = 30 * 60_000


class MeiliBackend:
    """SearchBackend talking to a Meilisearch server."""

    def __init__(self, url: str | None, api_key: str | None, index: str, timeout: float = 5, wait_writes: bool = True) -> None:
        """Validate configuration eagerly so a bad setting fails start-up, not the first search."""
        if not url:
            raise SearchConfigError("search backend 'meilisearch' needs option 'url' (e.g. http://127.0.0.1:7700)")
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise SearchConfigError(f"meilisearch option 'url' must be an http(s) URL, got {url!r}")
        if not _INDEX_UID.match(index or ""):
            raise SearchConfigError(f"meilisearch option 'index' must match [A-Za-z0-9_-]+, got {index!r}")
        self._url = url
        self._uid = index
        self._wait_writes = wait_writes
        self._client = meilisearch.Client(url, api_key or None, timeout=int(max(1, timeout)))
        self._synonyms: dict[str, list[str]] = IndexSettings().synonyms

    # ----------------------------------------------------------------- plumbing
    def _call(self, what: str, fn: Callable[[], T]) -> T:
        """Run a client call, translating failures into the package's error types."""
        try:
            return fn()
        except MeilisearchApiError as exc:
            if exc.code in _AUTH_CODES:
                raise SearchConfigError(f"Meilisearch at {self._url} rejected option 'api_key' ({exc.code})") from exc
            raise SearchUnavailable(f"Meilisearch {what} failed: {exc}") from exc
        except MeilisearchCommunicationError as exc:
            raise SearchUnavailable(f"Meilisearch at {self._url} is unreachable: {exc}") from exc
        except (MeilisearchError, OSError, ValueError) as exc:
            raise SearchUnavailable(f"Meilisearch {what} failed: {exc}") from exc

    def _wait(self, task_uid: int, what: str, timeout_ms: int = TASK_TIMEOUT_MS) -> None:
        """Block until a task finishes; a failed task becomes SearchUnavailable with its error."""
        task = self._call(what, lambda: self._client.wait_for_task(task_uid, timeout_in_ms=timeout_ms, interval_in_ms=50))
        if task.status != "succeeded":
            raise SearchUnavailable(f"Meilisearch {what} task {task_uid} {task.status}: {task.error}")

    def _index(self, uid: str | None = None) -> Any:
        """Handle on an index (no request is made)."""
        return self._client.index(uid or self._uid)

    def _create_if_missing(self, uid: str) -> None:
        """Create an index with primary key id unless it already exists."""
        try:
            self._client.get_index(uid)
            return
        except MeilisearchApiError as exc:
            if exc.code != "index_not_found":
                raise SearchUnavailable(f"Meilisearch index lookup failed: {exc}") from exc
        except MeilisearchCommunicationError as exc:
            raise SearchUnavailable(f"Meilisearch at {self._url} is unreachable: {exc}") from exc
        task = self._call("create index", lambda: self._client.create_index(uid, {"primaryKey": "id"}))
        self._wait(task.task_uid, "create index")

    def _apply_settings(self, uid: str) -> None:
        """Send settings and wait: searches must not run against half-applied settings."""
        task = self._call("settings update", lambda: self._index(uid).update_settings(settings_payload(IndexSettings(self._synonyms))))
        self._wait(task.task_uid, "settings update")

    # ----------------------------------------------------------------- protocol
    def ensure_index(self, settings: IndexSettings) -> None:
        """Create the index if needed and apply settings, waiting for both."""
        self._synonyms = dict(settings.synonyms)
        self._create_if_missing(self._uid)
        self._apply_settings(self._uid)

    def check(self) -> None:
        """Raise SearchUnavailable unless the server answers and the index exists."""
        self._call("health check", self._client.health)
        self._call("index lookup", lambda: self._client.get_index(self._uid))

    def count(self) -> int:
        """Number of documents in the live index."""
        return int(self._call("stats", lambda: self._index().get_stats()).number_of_documents)

    def _send(self, uid: str, docs: Sequence[ProductDocument]) -> list[int]:
        """Post documents in batches of 1,000 and return the task ids."""
        for doc in docs:
            if not _DOC_ID.match(doc.id):
                raise SearchError(f"Meilisearch document ids must match [A-Za-z0-9_-]+, got {doc.id!r}")
        payload = [document_payload(d) for d in {d.id: d for d in docs}.values()]
        return [
            self._call("document upload", lambda chunk=chunk: self._index(uid).add_documents(chunk, primary_key="id")).task_uid
            for chunk in batches(payload)
        ]

    def upsert(self, docs: Sequence[ProductDocument]) -> None:
        """Replace documents by id; waits for indexing unless created with wait_writes=False."""
        tasks = self._send(self._uid, docs)
        if self._wait_writes and tasks:
            self._wait(tasks[-1], "document upload")  # tasks of one index run in order

    def delete(self, ids: Sequence[str]) -> None:
        """Delete documents by id (a quoted `id IN [...]` filter)."""
        wanted = [i for i in dict.fromkeys(ids) if isinstance(i, str)]
        tasks = [
            self._call("document delete", lambda chunk=chunk: self._index().delete_documents(filter=ids_filter(chunk))).task_uid
            for chunk in batches(wanted)
        ]
        if self._wait_writes and tasks:
            self._wait(tasks[-1], "document delete")

    def rebuild(self, docs: Iterable[ProductDocument], on_progress: ProgressCallback | None = None) -> int:
        """Fill a temporary index, swap it with the live one (atomic on the server), drop the old data."""
        temp = f"{self._uid}__rebuild_{time.time_ns()}"[:400]
        self._create_if_missing(self._uid)
        self._create_if_missing(temp)
        try:
            self._apply_settings(temp)
            count, tasks, chunk = 0, [], []
            for doc in docs:
                chunk.append(doc)
                if len(chunk) >= BATCH_SIZE:
                    tasks += self._send(temp, chunk)
                    count += len(chunk)
                    chunk = []
                    if on_progress is not None:
                        on_progress(count)
            if chunk:
                tasks += self._send(temp, chunk)
                count += len(chunk)
            for task in tasks:
                self._wait(task, "rebuild upload", REBUILD_TASK_TIMEOUT_MS)
            swap = self._call("index swap", lambda: self._client.swap_indexes([{"indexes": [self._uid, temp]}]))
            self._wait(swap.task_uid, "index swap")
        finally:
            # After the swap `temp` holds the old documents; before it, a partial build. Drop either.
            drop = self._call("drop temporary index", lambda: self._client.delete_index(temp))
            self._wait(drop.task_uid, "drop temporary index")
        if on_progress is not None:
            on_progress(count)
        return count

    def search(self, query: SearchQuery) -> SearchResult:
        """Run one search request (plus a few more to build a suggestion when nothing matched)."""
        text, params = search_payload(query)
        response = self._call("search", lambda: self._index().search(text, params))
        result = parse_response(query, response, self._synonyms)
        if result.total == 0 and text.strip():
            suggestion = self._suggest(query)
            if suggestion is not None:
                result = SearchResult(result.ids, 0, result.facets, result.highlights, suggestion)
        return result

    # ----------------------------------------------------------------- did you mean
    def _hits(self, text: str, query: SearchQuery | None = None) -> int:
        """Number of hits for text (under query's filters when given)."""
        probe = SearchQuery(
            text=text,
            locale=query.locale if query else "en",
            filters=query.filters if query else SearchFilters(),
            per_page=1,
        )
        q, params = search_payload(probe)
        params.pop("facets", None)
        return int(self._call("search", lambda: self._index().search(q, params)).get("totalHits", 0) or 0)

    def _suggest(self, query: SearchQuery) -> str | None:
        """Correct each word that matches nothing with the closest title word sharing its first two letters."""
        corrected, changed = [], False
        for word in query_words(query.text):
            if word.cjk or len(word.folded) < 3 or self._hits(word.text) > 0:
                corrected.append(word.folded)
                continue
            limit = 1 if len(word.folded) <= 4 else 2
            response = self._call(
                "search", lambda: self._index().search(word.folded[:2], {"limit": 50, "attributesToRetrieve": ["titles"]})
            )
            best: dict[str, tuple[int, int]] = {}
            for hit in response.get("hits") or []:
                tally_near_words((hit.get("titles") or {}).values(), word.folded, limit, best)
            if not best:
                return None
            corrected.append(min(best.items(), key=lambda item: (item[1][0], -item[1][1], item[0]))[0])
            changed = True
        if not changed:
            return None
        text = " ".join(corrected)
        return text if self._hits(text, query) > 0 else None

