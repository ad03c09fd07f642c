"""Stand-alone product search for the storefront: one protocol, an embedded tantivy engine and a Meilisearch engine."""

from search.backend import (
    BACKEND_NAMES,
    SearchBackend,
    SearchConfigError,
    SearchError,
    SearchUnavailable,
    create_backend,
)
from search.text import sanitize_query
from search.types import (
    FACET_NAMES,
    LOCALES,
    SORTS,
    IndexSettings,
    ProductDocument,
    SearchFilters,
    SearchQuery,
    SearchResult,
)

__all__ = [
    "BACKEND_NAMES",
    "FACET_NAMES",
    "LOCALES",
    "SORTS",
    "IndexSettings",
    "ProductDocument",
    "SearchBackend",
    "SearchConfigError",
    "SearchError",
    "SearchFilters",
    "SearchQuery",
    "SearchResult",
    "SearchUnavailable",
    "create_backend",
    "sanitize_query",
]
