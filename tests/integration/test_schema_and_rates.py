"""Migrations match the models; `flask rates refresh` reads the ECB format and survives failures."""
import http.server
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from storefront.currency.models import ExchangeRate
from storefront.extensions import db
from storefront.models import metadata

FIXTURES = Path(__file__).parent.parent / "fixtures"


def test_migrations_match_the_models(app):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), metadata)
    assert diff == []


@pytest.fixture
def rates_server():
    """A local HTTP server serving the saved ECB file (and a 500 for /broken)."""
    body = (FIXTURES / "eurofxref-daily.xml").read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/broken":
                self.send_response(500)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_refresh_replaces_rates_from_the_ecb_document(runner, session, rates_server):
    result = runner.invoke(args=["rates", "refresh", "--url", f"{rates_server}/eurofxref-daily.xml"])
    assert result.exit_code == 0, result.output
    usd = session.scalar(select(ExchangeRate).where(ExchangeRate.currency == "USD"))
    assert usd.per_eur == Decimal("1.0823") and str(usd.as_of) == "2024-03-01"
    rub = session.scalar(select(ExchangeRate).where(ExchangeRate.currency == "RUB"))
    assert rub.source.startswith("Bank of Russia")  # not published by the ECB: the snapshot's stays


@pytest.mark.parametrize("path", ["/broken", "/nothing-listens-here"])
def test_failed_refresh_keeps_last_rates_and_their_date(runner, session, rates_server, path, client):
    url = f"{rates_server}{path}" if path == "/broken" else "http://127.0.0.1:9/"
    result = runner.invoke(args=["rates", "refresh", "--url", url])
    assert result.exit_code == 1 and "keeping the last ones" in result.output
    usd = session.scalar(select(ExchangeRate).where(ExchangeRate.currency == "USD"))
    assert str(usd.as_of) == "2026-11-20"
    assert "Nov 20, 2026" in client.get("/en/").data.decode()
