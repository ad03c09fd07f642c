"""Shared by cart_statements.py and compare_statements.py: a throwaway SQLite store with N sellers, a logged-in
shopper, and the SQL statements one page costs, counted with an SQLAlchemy event listener on the real engine.

Not a benchmark itself.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("STOREFRONT_INSTANCE", tempfile.mkdtemp(prefix="statements-"))
os.environ.setdefault("SECRET_KEY", "bench-secret")

from sqlalchemy import event, select  # noqa: E402

from storefront import create_app  # noqa: E402
from storefront.cli import upgrade_database  # noqa: E402
from storefront.core import clock_setting  # noqa: E402
from storefront.currency import services as currency_services  # noqa: E402
from storefront.extensions import db  # noqa: E402
from storefront.sellers.models import Variant  # noqa: E402
from tests.factories import account, listing, run_import  # noqa: E402

ROUNDS = 3


def build_app():
    """The app on a fresh SQLite database with the bundled rates."""
    app = create_app({"WTF_CSRF_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tempfile.mkdtemp(prefix='statements-db-')}/s.db"})
    with app.app_context():
        upgrade_database()
        currency_services.load_snapshot(db.session)
        db.session.commit()
    return app


def shopper_with_items(app, size: int, tag: str):
    """A logged-in shopper client, and `size` products from `size` sellers (one each)."""
    items = [listing(seller={"handle": f"{tag}-{n}", "name": f"Seller {tag} {n}", "country": "CN"},
                     model=f"{tag}-{n}", variants=[{"sku": f"{tag}-SKU-{n}", "options": {}, "price": "5.00",
                                                    "currency": "USD", "stock": 50}]) for n in range(size)]
    report = run_import(db.session, *items)
    db.session.commit()
    assert not report.errors, report.errors
    variants = db.session.scalars(select(Variant).where(Variant.sku.like(f"{tag}-SKU-%")).order_by(Variant.id)).all()
    return account(app, f"{tag}@example.com"), variants


def statements(client, path: str) -> int:
    """Statements the database receives while `client` gets `path` (caches of the clock offset and rates held
    steady, so a timed re-read never lands in one measurement only)."""
    db.session.commit()
    offset = clock_setting.stored_offset(client.application)
    client.application.extensions[clock_setting.CACHE_KEY] = (float("inf"), offset)
    currency_services._cache[str(db.engine.url)] = (time.monotonic() + 3600, currency_services.current_rates())
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200, (path, response.status_code)
    return len(seen)


def median(values: list[int]) -> int:
    """The middle value."""
    return sorted(values)[len(values) // 2]
