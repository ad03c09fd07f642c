"""The SearchBackend protocol every engine implements, the error hierarchy, and the backend registry."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Protocol, Sequence, runtime_checkable

from search.types import IndexSettings, ProductDocument, SearchQuery, SearchResult


class SearchError(Exception):
    """Base class of every error raised by the search package."""


class SearchUnavailable(SearchError):
    """The engine cannot serve right now (down, unreachable, index missing): degrade to the database."""


class SearchConfigError(SearchError):
    """The configuration is wrong: fail start-up with a message naming the setting."""


ProgressCallback = Callable[[int], None]


@runtime_checkable
class SearchBackend(Protocol):
    """What the storefront needs from a product-search engine."""

    def ensure_index(self, settings: IndexSettings) -> None:
        """Create the index if missing and apply settings; safe to call on every start-up."""
        ...

    def upsert(self, docs: Sequence[ProductDocument]) -> None:
        """Insert or replace documents by id; visible to searches when this returns (see wait_writes for Meilisearch)."""
        ...

    def delete(self, ids: Sequence[str]) -> None:
        """Remove documents by id; unknown ids are ignored."""
        ...

    def search(self, query: SearchQuery) -> SearchResult:
        """Run a query and return one page of ranked ids with totals, facets and highlights."""
        ...

    def rebuild(self, docs: Iterable[ProductDocument], on_progress: ProgressCallback | None = None) -> int:
        """Build a fresh index aside from docs, swap it in atomically and return how many were indexed."""
        ...

    def count(self) -> int:
        """Return how many documents the live index holds."""
        ...

    def check(self) -> None:
        """Raise SearchUnavailable unless the backend can serve searches now."""
        ...


BACKEND_NAMES: tuple[str, ...] = ("embedded", "meilisearch")


def _take(options: dict[str, Any], allowed: set[str], backend: str) -> None:
    """Reject option names a backend does not know, so typos in configuration fail loudly."""
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise SearchConfigError(
            f"search backend {backend!r} got unknown option(s) {', '.join(unknown)}; "
            f"valid options: {', '.join(sorted(allowed))}"
        )


def create_backend(name: str, **options: Any) -> SearchBackend:
    """Instantiate a backend by name ("embedded": path; "meilisearch": url, api_key, index, timeout, wait_writes)."""
    key = (name or "").strip().lower()
    if key == "embedded":
        _take(options, {"path"}, key)
        path = options.get("path")
        if not path or not isinstance(path, (str, bytes)) and not hasattr(path, "__fspath__"):
            raise SearchConfigError("search backend 'embedded' needs option 'path' (a folder for the index)")
        # Imported lazily so a deployment using one engine never needs the other's library.
        from search.embedded import EmbeddedBackend

        return EmbeddedBackend(path)
    if key == "meilisearch":
        _take(options, {"url", "api_key", "index", "timeout", "wait_writes"}, key)
        from search.meili import MeiliBackend

        return MeiliBackend(
            url=options.get("url"),
            api_key=options.get("api_key"),
            index=options.get("index") or "products",
            timeout=options.get("timeout", 5),
            wait_writes=bool(options.get("wait_writes", True)),
        )
    raise SearchConfigError(
        f"unknown search backend {name!r}; valid names: {', '.join(BACKEND_NAMES)}"
    )
