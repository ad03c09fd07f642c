"""A 100,000-product store for listing benchmarks, written fast with bulk inserts (SQLite and PostgreSQL).

Used by benchmarks/listings.py; run alone to build one:
    .venv/bin/python benchmarks/listing_store.py --products 100000 [--database-url postgresql+psycopg://...]
The demo catalog is imported as `seed-demo` does (without history), then synthetic products, one offer and
1-3 variants each, are inserted table by table. BIG_SHARE of them go to the Electronics subtree (the biggest
category, as in the issue's 30,050) and exactly SMALL_COUNT to one small category, so the two can be compared.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BIG = ("Electronics > Audio", "Electronics > Computer Accessories", "Electronics > Chargers")
OTHERS = ("Home & Kitchen > Lighting", "Bags & Luggage > Backpacks", "Jewelry & Watches > Watches",
          "Home & Kitchen > Appliances", "Men's Clothing > Jackets", "Sports & Fitness > Bottles",
          "Home & Kitchen > Storage")
SMALL = "Sports & Fitness > Yoga Mats"
BIG_SHARE = 0.30
SMALL_COUNT = 30
CHUNK = 5_000
SHIPS_FROM = ("CN",) * 6 + ("DE", "US", "GB", "ES")


def _category_ids(session) -> dict[str, int]:
    """Create the synthetic categories (as the importer would) and return their ids by path."""
    from storefront.catalog.services import CatalogCache, ensure_category

    cache = CatalogCache()
    ids = {}
    for path in (*BIG, *OTHERS, SMALL):
        parts = tuple(p.strip() for p in path.split(">"))
        ids[path] = ensure_category(session, parts, {}, cache)
    session.commit()
    return {path: category.id for path, category in ids.items()}


def _sellers(session) -> list[tuple[int, str]]:
    """Thirty bulk sellers: (id, country)."""
    from storefront.sellers.models import Seller

    sellers = []
    for i in range(30):
        country = SHIPS_FROM[i % len(SHIPS_FROM)]
        seller = Seller(handle=f"bulk-{i}", name=f"Bulk Store {i}", country=country)
        session.add(seller)
        sellers.append(seller)
    session.commit()
    return [(s.id, s.country) for s in sellers]


def _insert(session, table, rows: list[dict]) -> None:
    """One executemany per chunk (SQLAlchemy's insertmanyvalues batches them on PostgreSQL)."""
    from sqlalchemy import insert

    for start in range(0, len(rows), CHUNK):
        session.execute(insert(table), rows[start:start + CHUNK])


def _next_id(session, model) -> int:
    from sqlalchemy import func, select

    return (session.scalar(select(func.max(model.id))) or 0) + 1


def add_products(session, count: int, seed: int = 11) -> None:
    """Insert `count` synthetic buyable products with their offers and variants, committed."""
    from sqlalchemy import inspect, text

    from storefront.catalog.models import Product
    from storefront.core.clock import utcnow
    from storefront.demo.seed import NOUNS, WORDS
    from storefront.sellers.models import Offer, Variant

    rnd = random.Random(seed)
    categories = _category_ids(session)
    sellers = _sellers(session)
    images = [["/media/demo/earbuds-1.svg"]]
    zones_table = Offer.metadata.tables.get("offer_free_shipping")
    if zones_table is not None and not inspect(session.connection()).has_table("offer_free_shipping"):
        zones_table = None  # an older schema (measuring "before")
    product_id, offer_id, variant_id = _next_id(session, Product), _next_id(session, Offer), _next_id(session, Variant)
    now = utcnow()
    big_count = int(count * BIG_SHARE)
    for start in range(0, count, CHUNK):
        products, offers, variants, zones = [], [], [], []
        for n in range(start, min(count, start + CHUNK)):
            if n < SMALL_COUNT:
                path = SMALL
            elif n < SMALL_COUNT + big_count:
                path = BIG[n % len(BIG)]
            else:
                path = OTHERS[n % len(OTHERS)]
            w, k = rnd.randrange(10), rnd.randrange(10)
            titles = {loc: f"{WORDS[loc][w]} {NOUNS[loc][k]} {n}" for loc in WORDS}
            seller_id, country = sellers[n % len(sellers)]
            price = Decimal(rnd.randint(100, 30000)) / 100
            free = ["*"] if rnd.random() < 0.3 else (["US", "GB"] if rnd.random() < 0.2 else [])
            products.append({
                "id": product_id, "slug": f"{WORDS['en'][w]}-{NOUNS['en'][k]}-{n}", "brand": f"Brand{n % 500}",
                "model": f"SYN-{n}", "category_id": categories[path], "titles": titles,
                "descriptions": {"en": titles["en"]}, "images": images[0],
                "created_at": now - timedelta(minutes=n), "updated_at": now,
                "min_price_usd": price, "offer_count": 1,
                "rating_avg": Decimal(rnd.randint(30, 50)) / 10, "rating_count": rnd.randint(0, 400),
                "orders_count": int(rnd.paretovariate(1.2)) - 1,
            })
            offers.append({
                "id": offer_id, "seller_id": seller_id, "product_id": product_id, "ships_from": country,
                "handling_days": rnd.randint(1, 7), "weight_grams": rnd.randint(50, 3000), "free_shipping": free,
                "free_shipping_over": None, "is_published": True, "created_at": now, "updated_at": now,
            })
            zones.extend({"offer_id": offer_id, "country": c} for c in free)
            for v, colour in enumerate(rnd.sample(["Black", "White", "Red"], rnd.randint(1, 3))):
                variants.append({
                    "id": variant_id, "offer_id": offer_id, "seller_id": seller_id, "sku": f"SYN-{n}-{v}",
                    "options": {"Color": colour}, "price": price + v, "currency": "USD", "stock": rnd.randint(1, 500),
                })
                variant_id += 1
            product_id += 1
            offer_id += 1
        _insert(session, Product.__table__, products)
        _insert(session, Offer.__table__, offers)
        _insert(session, Variant.__table__, variants)
        if zones_table is not None and zones:
            _insert(session, zones_table, zones)
        session.commit()
    if session.get_bind().dialect.name == "postgresql":  # explicit ids: move the sequences past them
        for table in ("products", "offers", "variants"):
            session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
        session.execute(text("ANALYZE"))
    else:
        session.execute(text("ANALYZE"))
    session.commit()


def build(app, products: int) -> None:
    """Fresh schema, the demo catalog, then `products` synthetic products; prints how long it took."""
    from sqlalchemy import text

    from storefront.cli import upgrade_database
    from storefront.demo.seed import seed_demo_store
    from storefront.extensions import db

    with app.app_context():
        started = time.perf_counter()
        with db.engine.begin() as conn:  # start from nothing, whatever an earlier run left
            if db.engine.dialect.name == "postgresql":
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            else:
                for (name,) in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'")).all():
                    conn.execute(text(f'DROP TABLE IF EXISTS "{name}"'))
        upgrade_database()
        seed_demo_store(db.session, history_days=0)
        add_products(db.session, products)
        print(f"built {products:,} products on {db.engine.dialect.name} in {time.perf_counter() - started:.0f} s")


def make_app(database_url: str | None, instance: Path):
    """The storefront app on `database_url` (default: SQLite in `instance`)."""
    os.environ["STOREFRONT_INSTANCE"] = str(instance)
    os.environ.setdefault("SECRET_KEY", "benchmark")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    from storefront import create_app

    return create_app()


def main() -> None:
    """Build one store and print how long it took."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--database-url", default=None, help="default: SQLite in --dir")
    parser.add_argument("--dir", help="instance folder (default: a new temporary one)")
    options = parser.parse_args()
    instance = Path(options.dir or tempfile.mkdtemp(prefix="listing-store-"))
    build(make_app(options.database_url, instance), options.products)
    print(f"instance: {instance}")


if __name__ == "__main__":
    main()
