"""The main pages read the database in a fixed number of statements, whatever the number of items on them
(issue 15, item 5): one product, offer, cart line, compared product and order against twenty.

Counted with an SQLAlchemy event listener on the real engine, for every statement a request sends, on SQLite
and PostgreSQL.
"""
from __future__ import annotations

import time

from sqlalchemy import event, func, select

from storefront.catalog.indexing import rebuild_index
from storefront.catalog.models import Category, Product
from storefront.currency.services import load_snapshot
from storefront.extensions import db
from storefront.orders.models import Order
from storefront.sellers.models import Variant
from tests.builders import BUYER, review_keys
from tests.conftest import _clean
from tests.factories import account, listing, run_import

COMPARE_LIMIT = 4


def _world(app, size: int) -> dict:
    """`size` sellers, each with a product of its own and an offer of one shared product (GTIN), and a
    logged-in shopper with one cart line per seller, `size` orders placed and up to four products compared."""
    _clean(db.session)
    load_snapshot(db.session)
    db.session.commit()
    from storefront.currency import services as currency_services

    currency_services._cache.clear()
    items = []
    for n in range(size):
        seller = {"handle": f"seller-{n}", "name": f"Seller {n}", "country": "CN"}
        items.append(listing(seller=seller, gtin="4006381333931", model="Shared",
                             variants=[{"sku": f"SH-{n}", "options": {"Color": "Black"}, "price": f"{10 + n}.00",
                                        "currency": "USD", "stock": 50}]))
        items.append(listing(seller=seller, model=f"Own-{n}", free_shipping=["*"],
                             variants=[{"sku": f"OWN-{n}", "options": {}, "price": "5.00", "currency": "USD",
                                        "stock": 50}]))
    report = run_import(db.session, *items)
    db.session.commit()
    assert not report.errors, report.errors
    rebuild_index(db.session, app.extensions["search"])
    shared = db.session.scalar(select(Product).where(Product.model == "Shared"))
    own = db.session.scalars(select(Variant).where(Variant.sku.like("OWN-%")).order_by(Variant.id)).all()
    shopper = account(app, f"buyer{size}@example.com")
    for variant in own:
        shopper.post("/en/cart/add", data={"variant_id": variant.id, "qty": 1})
    for variant in own[:COMPARE_LIMIT]:
        shopper.post("/en/compare", data={"product_id": variant.offer.product_id})
    category = db.session.get(Category, shared.category_id)
    return {"shopper": shopper, "shared": shared, "category": category}


def _steady_caches(app) -> None:
    """Keep the sandbox clock offset (re-read every 3 s) and the exchange rates (every minute) cached through the
    measurement, so a timed re-read never lands in one request and not in another."""
    from flask import current_app

    from storefront.core import clock_setting
    from storefront.currency import services as currency_services

    offset = clock_setting.stored_offset(current_app)
    current_app.extensions[clock_setting.CACHE_KEY] = (float("inf"), offset)
    rates = currency_services.current_rates()
    currency_services._cache[str(db.engine.url)] = (time.monotonic() + 3600, rates)


def _count(client, path: str) -> int:
    """Statements the database receives while `client` gets `path` (which must answer 200)."""
    db.session.commit()
    _steady_caches(client.application)
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200, (path, response.status_code)
    return len(statements)


def _measure(app, size: int) -> dict[str, int]:
    """Statements per main page in a world of `size` items."""
    world = _world(app, size)
    shopper, shared, category = world["shopper"], world["shared"], world["category"]
    counts = {
        "home": _count(shopper, "/en/"),
        "category": _count(shopper, f"/en/c/{category.slug}"),
        "product": _count(shopper, f"/en/p/{shared.id}-{shared.slug}"),
        "cart": _count(shopper, "/en/cart/"),
        "compare": _count(shopper, "/en/compare"),
    }
    shopper.post("/en/checkout/", data=BUYER | {"payment_method": "bank_transfer"})
    counts["checkout review"] = _count(shopper, "/en/checkout/review")
    key, total = review_keys(shopper.get("/en/checkout/review").data.decode())
    placed = shopper.post("/en/checkout/place", data={"idempotency_key": key, "expected_total": total})
    assert placed.status_code in (302, 303)
    assert db.session.scalar(select(func.count(Order.id))) == size  # one order per seller
    counts["orders"] = _count(shopper, "/en/orders/")
    return counts


def test_main_pages_cost_the_same_statements_for_one_item_as_for_twenty(app):
    one = _measure(app, 1)
    twenty = _measure(app, 20)
    assert twenty == one, {page: (one[page], twenty[page]) for page in one}
    assert one["cart"] <= 15, one
