"""Tests of backend selection, configuration errors and unavailability reporting."""

from __future__ import annotations

from pathlib import Path

import pytest

from search import SearchBackend, SearchConfigError, SearchUnavailable, create_backend


def test_unknown_backend_lists_valid_names() -> None:
    """An unknown backend name lists the valid ones."""
    with pytest.raises(SearchConfigError, match="embedded, meilisearch"):
        create_backend("elastic")


def test_embedded_needs_a_path() -> None:
    """The embedded backend requires a path."""
    with pytest.raises(SearchConfigError, match="'path'"):
        create_backend("embedded")


def test_unknown_option_is_named() -> None:
    """Misspelled options are reported by name."""
    with pytest.raises(SearchConfigError, match="pth"):
        create_backend("embedded", pth="/tmp/x")


def test_meilisearch_needs_a_url() -> None:
    """The Meilisearch backend requires a valid http(s) url and index name."""
    with pytest.raises(SearchConfigError, match="'url'"):
        create_backend("meilisearch", api_key="k")
    with pytest.raises(SearchConfigError, match="'url'"):
        create_backend("meilisearch", url="localhost:7700")
    with pytest.raises(SearchConfigError, match="'index'"):
        create_backend("meilisearch", url="http://127.0.0.1:7700", index="bad name!")


def test_unreachable_meilisearch_is_unavailable() -> None:
    """An unreachable server makes check() raise SearchUnavailable (a refused connection, not a hang)."""
    # Port 9 (discard) on loopback: nothing listens, so the connection is refused at once.
    backend = create_backend("meilisearch", url="http://127.0.0.1:9", api_key="k", index="products", timeout=2)
    assert isinstance(backend, SearchBackend)
    with pytest.raises(SearchUnavailable, match="unreachable"):
        backend.check()


def test_embedded_without_index_is_unavailable(tmp_path: Path) -> None:
    """A missing embedded index is reported as unavailable, not crashed on."""
    backend = create_backend("embedded", path=str(tmp_path / "nothing-here"))
    assert isinstance(backend, SearchBackend)
    with pytest.raises(SearchUnavailable):
        backend.check()


def test_embedded_unwritable_path_is_a_config_error(tmp_path: Path) -> None:
    """An unusable index path is a configuration error naming the path."""
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(SearchConfigError, match="not writable"):
        create_backend("embedded", path=str(blocker / "index")).ensure_index(__import__("search").IndexSettings())
