"""Fixtures running the search contract against every available backend ("meilisearch" needs MEILI_URL)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Iterator

import pytest

from search import IndexSettings, SearchBackend, create_backend
from search_catalog import CATALOG

# Meilisearch joins the matrix only when a server is configured, so local runs stay quiet.
BACKENDS = ["embedded"] + (["meilisearch"] if os.environ.get("MEILI_URL") else [])


def make_backend(name: str, tmp_path: Path) -> tuple[SearchBackend, object]:
    """Create a fresh, empty backend and return it with a cleanup token."""
    if name == "embedded":
        return create_backend("embedded", path=str(tmp_path / "index")), None
    url = os.environ["MEILI_URL"]
    uid = f"test_{uuid.uuid4().hex[:12]}"
    return create_backend("meilisearch", url=url, api_key=os.environ.get("MEILI_API_KEY"), index=uid), uid


def _drop_meili_index(uid: str) -> None:
    """Delete a test index from the Meilisearch server."""
    import meilisearch

    client = meilisearch.Client(os.environ["MEILI_URL"], os.environ.get("MEILI_API_KEY"))
    task = client.delete_index(uid)
    client.wait_for_task(task.task_uid, timeout_in_ms=30_000)


@pytest.fixture(params=BACKENDS)
def empty_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchBackend]:
    """A backend with an empty index and default settings."""
    backend, uid = make_backend(request.param, tmp_path)
    backend.ensure_index(IndexSettings())
    yield backend
    if uid is not None:
        _drop_meili_index(str(uid))


@pytest.fixture
def backend(empty_backend: SearchBackend) -> SearchBackend:
    """A backend loaded with the fixture catalog."""
    empty_backend.upsert(CATALOG)
    return empty_backend


@pytest.fixture
def backend_name(request: pytest.FixtureRequest) -> str:
    """Name of the backend the current parametrised test runs against."""
    return str(request.node.callspec.params.get("empty_backend", "embedded"))
