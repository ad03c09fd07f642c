"""Tests specific to the embedded (tantivy) backend: processes, generations, journal, settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from search import IndexSettings, ProductDocument, SearchError, SearchQuery, SearchUnavailable, create_backend
from search.embedded import EmbeddedBackend
from search.embedded_schema import TIE_BREAK_MAX, tie_break_weight
from search_catalog import CATALOG

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def loaded(tmp_path: Path) -> EmbeddedBackend:
    """An embedded backend holding the fixture catalog."""
    backend = create_backend("embedded", path=str(tmp_path / "idx"))
    backend.ensure_index(IndexSettings())
    backend.upsert(CATALOG)
    assert isinstance(backend, EmbeddedBackend)
    return backend


def ids(backend: EmbeddedBackend, text: str) -> list[str]:
    """Ids matching text."""
    return backend.search(SearchQuery(text=text, per_page=100)).ids


def test_other_process_writes_are_visible_at_once(loaded: EmbeddedBackend, tmp_path: Path) -> None:
    """A write committed by another process shows up in this process's next search."""
    assert ids(loaded, "teapot ") == []
    script = (
        "import sys; from search import *; "
        f"b = create_backend('embedded', path={str(tmp_path / 'idx')!r}); "
        "b.upsert([ProductDocument(id='n1', titles={'en': 'Ceramic Teapot'})]); b.delete(['k2'])"
    )
    subprocess.run([sys.executable, "-c", script], cwd=REPO, check=True, timeout=60)
    assert ids(loaded, "teapot ") == ["n1"]
    assert ids(loaded, "kettle ") == []


def test_writes_during_rebuild_are_replayed(loaded: EmbeddedBackend) -> None:
    """Upserts and deletes made while a rebuild runs survive the swap."""

    def docs() -> Iterator[ProductDocument]:
        """Yield the catalog, doing extra work mid-build."""
        for i, doc in enumerate(CATALOG):
            if i == 3:
                loaded.upsert([ProductDocument(id="late", titles={"en": "Late Arrival Teapot"})])
                loaded.delete(["s2"])
            yield doc

    assert loaded.rebuild(docs()) == len(CATALOG)
    assert ids(loaded, "teapot ") == ["late"]
    assert "s2" not in ids(loaded, "trainers ")
    assert loaded.count() == len(CATALOG)
    assert not (loaded._store.root / "REBUILDING").exists()


def test_failed_rebuild_keeps_the_old_index(loaded: EmbeddedBackend) -> None:
    """An exception from the caller's iterator propagates and leaves the live index untouched."""

    def broken() -> Iterator[ProductDocument]:
        """Yield one document, then fail like a lost database connection."""
        yield CATALOG[0]
        raise RuntimeError("database went away")

    def listing() -> list[str]:
        """Folder entries other than lock files."""
        return sorted(p.name for p in loaded._store.root.iterdir() if not p.name.endswith(".lock"))

    before = listing()
    with pytest.raises(RuntimeError, match="database went away"):
        loaded.rebuild(broken())
    assert listing() == before
    assert loaded.count() == len(CATALOG)


def test_concurrent_rebuild_is_refused(loaded: EmbeddedBackend) -> None:
    """Only one rebuild may run at a time."""

    def docs() -> Iterator[ProductDocument]:
        """Yield the catalog, doing extra work mid-build."""
        with pytest.raises(SearchError, match="already running"):
            loaded.rebuild([])
        yield from CATALOG

    assert loaded.rebuild(docs()) == len(CATALOG)


def test_old_generations_are_collected(loaded: EmbeddedBackend) -> None:
    """Only the live generation and the previous one stay on disk."""
    for _ in range(3):
        loaded.rebuild(CATALOG)
    generations = [p for p in loaded._store.root.iterdir() if p.name.startswith("gen-")]
    assert len(generations) == 2


def test_outdated_schema_needs_a_rebuild(loaded: EmbeddedBackend, tmp_path: Path) -> None:
    """An index written by another schema version is unavailable until rebuilt."""
    root = loaded._store.root
    live = root / (root / "CURRENT").read_text().strip()
    (live / "search_meta.json").write_text(json.dumps({"schema_version": -1}))
    fresh = create_backend("embedded", path=str(root))
    with pytest.raises(SearchUnavailable, match="run rebuild"):
        fresh.check()
    assert fresh.rebuild(CATALOG) == len(CATALOG)
    fresh.check()


def test_repeated_id_in_a_batch_keeps_the_last(loaded: EmbeddedBackend) -> None:
    """Within one upsert batch the last document for an id wins."""
    loaded.upsert([ProductDocument(id="x", titles={"en": "First Teapot"}),
                   ProductDocument(id="x", titles={"en": "Second Teapot"})])
    assert ids(loaded, "second ") == ["x"] and ids(loaded, "first ") == []


def test_custom_synonyms_are_shared_through_settings(loaded: EmbeddedBackend) -> None:
    """Settings written by ensure_index reach other backend instances on the same folder."""
    loaded.ensure_index(IndexSettings(synonyms={"brew pot": ["kettle"]}))
    other = create_backend("embedded", path=str(loaded._store.root))
    assert ids(other, "brew pot ") == ["k2"]
    assert ids(other, "cellphone ") == ["p2"]  # defaults were replaced, only the literal word matches


def test_tie_break_weight_never_outweighs_a_tier() -> None:
    """The orders factor grows with orders but stays below 1 + TIE_BREAK_MAX."""
    import math

    factors = [math.log2(2 + tie_break_weight(o)) for o in (0, 1, 10, 1000, 10**6, 10**12)]
    assert factors == sorted(factors) and factors[0] == 1.0
    assert factors[-1] <= 1 + TIE_BREAK_MAX + 1e-12


def test_forked_worker_reopens_the_index(loaded: EmbeddedBackend) -> None:
    """A process forked after the index was opened (gunicorn --preload) still searches correctly."""
    assert ids(loaded, "kettle ") == ["k2"]
    pid = os.fork()
    if pid == 0:  # child: report through the exit status only
        try:
            os._exit(0 if ids(loaded, "kettle ") == ["k2"] else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
