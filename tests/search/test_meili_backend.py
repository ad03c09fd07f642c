"""Plumbing tests of MeiliBackend against an in-memory stand-in for the Meilisearch client (no server here)."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace
from typing import Any

import pytest
import requests
from meilisearch.errors import MeilisearchApiError

from search import IndexSettings, ProductDocument, SearchConfigError, SearchQuery
from search.meili import MeiliBackend


def api_error(code: str, status: int = 400) -> MeilisearchApiError:
    """Build the client's API error the way it builds it from an HTTP response."""
    response = requests.models.Response()
    response.status_code = status
    response._content = json.dumps({"code": code, "message": code}).encode()
    return MeilisearchApiError(code, response)


class FakeIndex:
    """Keeps documents and settings; search matches every query word as a substring of a title."""

    def __init__(self, client: FakeClient, uid: str) -> None:
        """Attach to the fake server state."""
        self.client, self.uid = client, uid

    @property
    def docs(self) -> dict[str, dict[str, Any]]:
        """Documents of this index."""
        return self.client.indexes[self.uid]["docs"]

    def update_settings(self, payload: dict[str, Any]) -> SimpleNamespace:
        """Store settings."""
        self.client.indexes[self.uid]["settings"] = payload
        return self.client.task("settings", self.uid)

    def add_documents(self, docs: list[dict[str, Any]], primary_key: str) -> SimpleNamespace:
        """Upsert documents."""
        assert primary_key == "id" and len(docs) <= 1000
        self.docs.update({d["id"]: d for d in docs})
        return self.client.task("add", self.uid, len(docs))

    def delete_documents(self, filter: str) -> SimpleNamespace:  # noqa: A002 - client's name
        """Delete by an `id IN [...]` filter."""
        for doc_id in re.findall(r'"((?:[^"\\]|\\.)*)"', filter):
            self.docs.pop(doc_id.replace('\\"', '"').replace("\\\\", "\\"), None)
        return self.client.task("delete", self.uid)

    def search(self, q: str, params: dict[str, Any]) -> dict[str, Any]:
        """Substring search with page/hitsPerPage paging and facet counts."""
        self.client.searches.append((q, params))
        words = q.lower().split()
        hits = [d for d in self.docs.values()
                if all(any(w in str(v).lower() for k, v in d.items() if k.startswith("title_")) for w in words)]
        hits.sort(key=lambda d: -d["orders"])
        per_page = params.get("hitsPerPage", params.get("limit", 20))
        start = (params.get("page", 1) - 1) * per_page
        facets = {name: {} for name in params.get("facets", [])}
        for doc in hits:
            for name in facets:
                values = doc[name] if isinstance(doc[name], list) else [doc[name]]
                for value in values:
                    facets[name][str(value)] = facets[name].get(str(value), 0) + 1
        page = [{"id": d["id"], "titles": d["titles"]} for d in hits[start : start + per_page]]
        return {"hits": page, "totalHits": len(hits), "facetDistribution": facets}

    def get_stats(self) -> SimpleNamespace:
        """Document count."""
        return SimpleNamespace(number_of_documents=len(self.docs))


class FakeClient:
    """The subset of meilisearch.Client that MeiliBackend uses."""

    def __init__(self) -> None:
        """Start with no indexes."""
        self.indexes: dict[str, dict[str, Any]] = {}
        self.tasks: list[tuple[str, str, int]] = []
        self.searches: list[tuple[str, dict[str, Any]]] = []
        self.auth_fails = False

    def task(self, kind: str, uid: str, size: int = 0) -> SimpleNamespace:
        """Record a task and return its info."""
        self.tasks.append((kind, uid, size))
        return SimpleNamespace(task_uid=len(self.tasks))

    def wait_for_task(self, uid: int, timeout_in_ms: int, interval_in_ms: int) -> SimpleNamespace:
        """Every task has already succeeded."""
        return SimpleNamespace(status="succeeded", error=None)

    def health(self) -> dict[str, str]:
        """Healthy, unless the api key is wrong."""
        if self.auth_fails:
            raise api_error("invalid_api_key", 403)
        return {"status": "available"}

    def get_index(self, uid: str) -> FakeIndex:
        """Existing index or index_not_found."""
        if uid not in self.indexes:
            raise api_error("index_not_found", 404)
        return FakeIndex(self, uid)

    def create_index(self, uid: str, options: dict[str, Any]) -> SimpleNamespace:
        """Create an empty index."""
        self.indexes[uid] = {"docs": {}, "settings": None}
        return self.task("create", uid)

    def delete_index(self, uid: str) -> SimpleNamespace:
        """Drop an index."""
        self.indexes.pop(uid, None)
        return self.task("drop", uid)

    def index(self, uid: str) -> FakeIndex:
        """Handle on an index."""
        return FakeIndex(self, uid)

    def swap_indexes(self, pairs: list[dict[str, list[str]]]) -> SimpleNamespace:
        """Swap index contents."""
        a, b = pairs[0]["indexes"]
        self.indexes[a], self.indexes[b] = self.indexes[b], self.indexes[a]
        return self.task("swap", a)


@pytest.fixture
def meili() -> tuple[MeiliBackend, FakeClient]:
    """A MeiliBackend wired to the fake client."""
    backend = MeiliBackend(url="http://127.0.0.1:7700", api_key="k", index="products")
    fake = FakeClient()
    backend._client = fake  # type: ignore[assignment]
    backend.ensure_index(IndexSettings())
    return backend, fake


def product(i: int, title: str = "Blue Kettle") -> ProductDocument:
    """A minimal product."""
    return ProductDocument(id=f"p{i}", titles={"en": f"{title} {i}"}, orders=i, rating=4.5, brand="B")


def test_ensure_index_creates_and_configures(meili: tuple[MeiliBackend, FakeClient]) -> None:
    """ensure_index creates the index and applies the full settings payload."""
    _, fake = meili
    assert fake.indexes["products"]["settings"]["typoTolerance"]["minWordSizeForTypos"]["oneTypo"] == 5


def test_upserts_are_batched_and_deletes_use_a_filter(meili: tuple[MeiliBackend, FakeClient]) -> None:
    """2,500 documents go out as three requests; deletes remove by quoted id filter."""
    backend, fake = meili
    backend.upsert([product(i) for i in range(2500)])
    assert [size for kind, _, size in fake.tasks if kind == "add"] == [1000, 1000, 500]
    backend.delete(["p1", "p2", "nope"])
    assert backend.count() == 2498


def test_search_maps_hits_facets_and_highlights(meili: tuple[MeiliBackend, FakeClient]) -> None:
    """A search returns ids, totals, cumulative rating facets and highlight segments."""
    backend, fake = meili
    backend.upsert([product(i) for i in range(30)])
    result = backend.search(SearchQuery(text="kettle", facets=("rating", "brand"), per_page=10, highlight=True))
    assert result.total == 30 and len(result.ids) == 10 and result.ids[0] == "p29"
    assert result.facets == {"rating": {"4": 30, "3": 30, "2": 30, "1": 30}, "brand": {"B": 30}}
    assert result.highlights["p29"] == [("Blue ", False), ("Kettle", True), (" 29", False)]
    assert fake.searches[-1][1]["facets"] == ["rating_floor", "brand"]


def test_zero_hits_get_a_suggestion(meili: tuple[MeiliBackend, FakeClient]) -> None:
    """A word with no hits is replaced by a close title word, checked to have hits."""
    backend, _ = meili
    backend.upsert([product(i) for i in range(5)])
    result = backend.search(SearchQuery(text="bluu kettle"))
    assert result.total == 0 and result.suggestion == "blue kettle"


def test_rebuild_swaps_a_temporary_index(meili: tuple[MeiliBackend, FakeClient]) -> None:
    """rebuild fills a temporary index, swaps it in and drops the old data."""
    backend, fake = meili
    backend.upsert([product(i, "Old Item") for i in range(3)])
    progress: list[int] = []
    assert backend.rebuild((product(i) for i in range(1500)), on_progress=progress.append) == 1500
    assert progress == [1000, 1500]
    assert set(fake.indexes) == {"products"} and backend.count() == 1500
    assert fake.indexes["products"]["settings"] is not None


def test_bad_api_key_is_a_configuration_error(meili: tuple[MeiliBackend, FakeClient]) -> None:
    """A rejected key names the api_key setting."""
    backend, fake = meili
    fake.auth_fails = True
    with pytest.raises(SearchConfigError, match="api_key"):
        backend.check()
