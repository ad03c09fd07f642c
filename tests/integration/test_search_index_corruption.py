"""A search index overwritten with random bytes (issue 14, item 10): the shop still starts, serving searches
from the database and logging the damage loudly; every CLI command runs; `search reindex` rebuilds it."""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest

from storefront import create_app
from tests.conftest import IsolatedClient
from tests.factories import add_listing, listing

SEARCH = "/en/search?q=earbuds"


@pytest.fixture
def shop(session):
    """Two products, indexed."""
    add_listing(session, title={"en": "Wireless Bluetooth earbuds"}, brand="Sonvoz")
    add_listing(session, title={"en": "Stainless steel chef knife"}, brand="Kaito",
                variants=[{"sku": "KN-1", "price": "30.00", "currency": "USD", "stock": 4}])


def corrupt(index: Path, only_generations: bool) -> int:
    """Overwrite index files in place with random bytes (at least 64); returns how many.

    In place, not truncated first: tantivy memory-maps its segments, and a mapped file that shrinks under a
    running process kills it with SIGBUS, which no code can catch (see the README's Search section)."""
    files = [p for p in index.rglob("*") if p.is_file()
             and (not only_generations or p.relative_to(index).parts[0].startswith("gen-"))]
    for path in files:
        with open(path, "r+b") as fh:
            fh.write(os.urandom(max(path.stat().st_size, 64)))
    return len(files)


def restart(app) -> object:
    """A new app on the same settings, as a restarted gunicorn worker or a `flask` command builds it."""
    keys = ("SQLALCHEMY_DATABASE_URI", "MEDIA_PATH", "SEARCH_INDEX_PATH", "MAIL_OUTBOX")
    fresh = create_app({**{k: app.config[k] for k in keys}, "TESTING": True, "WTF_CSRF_ENABLED": False,
                        "SERVER_NAME": None})
    fresh.test_client_class = IsolatedClient
    return fresh


def results(client) -> tuple[int, str]:
    """Status and HTML of a search for the earbuds."""
    response = client.get(SEARCH)
    return response.status_code, response.data.decode()


@pytest.mark.parametrize("only_generations", [False, True], ids=["every-file", "tantivy-files"])
def test_a_corrupted_index_degrades_search_and_reindex_repairs_it(app, client, shop, tmp_path, caplog,
                                                                   only_generations):
    index = Path(app.config["SEARCH_INDEX_PATH"])
    assert corrupt(index, only_generations) >= 3

    status, html = results(client)  # the running worker copes
    assert status == 200 and 'data-testid="degraded"' in html and "wireless-bluetooth-earbuds" in html

    with caplog.at_level(logging.CRITICAL, logger="storefront.catalog.search_service"):
        restarted = restart(app)  # used to fail: "search index … is incomplete"
    assert any("SEARCH INDEX UNUSABLE" in r.getMessage() and "search reindex" in r.getMessage()
               for r in caplog.records if r.levelno == logging.CRITICAL)
    status, html = results(restarted.test_client())
    assert status == 200 and 'data-testid="degraded"' in html and "wireless-bluetooth-earbuds" in html

    runner = restarted.test_cli_runner()
    for args in (["users", "list"], ["orders", "tick"], ["search", "sync"], ["jobs", "failures"]):
        outcome = runner.invoke(args=args)
        assert outcome.exit_code == 0, (args, outcome.output, outcome.exception)
    feed = tmp_path / "more.jsonl"
    feed.write_text(json.dumps(listing(title={"en": "Noise cancelling earbuds"}, brand="Quietly")) + "\n")
    imported = runner.invoke(args=["catalog", "import", str(feed)])
    assert imported.exit_code == 0, imported.output

    reindexed = runner.invoke(args=["search", "reindex"])
    assert reindexed.exit_code == 0, reindexed.output
    assert "3 products" in reindexed.output
    restarted.extensions["search"].check()
    status, html = results(restarted.test_client())
    assert status == 200 and 'data-testid="degraded"' not in html
    assert "wireless-bluetooth-earbuds" in html and "noise-cancelling-earbuds" in html
    status, html = results(client)  # the worker that was running picks the new index up too
    assert 'data-testid="degraded"' not in html and "noise-cancelling-earbuds" in html
