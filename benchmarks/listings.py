"""Category pages at 100,000 products: the biggest category against a 30-product one, in the same run.

Run: .venv/bin/python benchmarks/listings.py [--products 100000] [--database-url postgresql+psycopg://...]
     [--dir DIR --reuse]
Builds the store with benchmarks/listing_store.py (SQLite in a temporary folder unless --database-url),
then renders category pages through the Flask test client: the biggest category (the Electronics subtree)
page 1, page 50, by price, with the free-shipping filter and with a ships-from filter, each next to the
same page of the 30-product category (the baseline). Rounds interleave every page; each figure is the
median over 3 rounds of that round's p50 / p99.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from listing_store import build, make_app  # noqa: E402

PAGES = {
    "page 1 (popular)": "",
    "page 50": "?page=50",
    "by price": "?sort=price_asc",
    "free shipping to US": "?free_shipping=1",
    "ships from DE": "?ships_from=DE",
}


def percentile(samples: list[float], share: float) -> float:
    """The value below which `share` of the samples fall (nearest rank)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    """Build (or reuse) the store, render the pages interleaved and print p50 / p99 per page."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--dir", help="instance folder (default: a new temporary one)")
    parser.add_argument("--reuse", action="store_true", help="use the store already in --dir / the database")
    parser.add_argument("--requests", type=int, default=40, help="requests per page per round")
    options = parser.parse_args()
    instance = Path(options.dir or tempfile.mkdtemp(prefix="listings-bench-"))
    app = make_app(options.database_url, instance)
    if not options.reuse:
        build(app, options.products)

    from storefront.catalog.services import category_slug
    from listing_store import SMALL

    big = category_slug(("Electronics",))
    small = category_slug(tuple(p.strip() for p in SMALL.split(">")))
    client = app.test_client()
    urls = {(label, which): f"/en/c/{slug}{args}" for label, args in PAGES.items()
            for which, slug in (("biggest", big), ("small", small))}
    for url in urls.values():  # warm caches as a running server would be
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    rounds: dict[tuple[str, str], list[tuple[float, float]]] = {key: [] for key in urls}
    for _ in range(3):
        for key, url in urls.items():
            samples = []
            for _ in range(options.requests):
                started = time.perf_counter()
                client.get(url)
                samples.append((time.perf_counter() - started) * 1000)
            rounds[key].append((percentile(samples, 0.5), percentile(samples, 0.99)))
    with app.app_context():
        from storefront.extensions import db

        engine = db.engine.dialect.name
    print(f"category pages through Flask on {engine}, {options.products:,} products; median of 3 rounds, "
          f"{options.requests} requests each")
    print(f"{'page':<22} {'biggest p50 / p99':>20} {'30-product p50 / p99':>22}")
    for label in PAGES:
        cells = []
        for which in ("biggest", "small"):
            p50 = statistics.median(r[0] for r in rounds[(label, which)])
            p99 = statistics.median(r[1] for r in rounds[(label, which)])
            cells.append(f"{p50:.1f} / {p99:.1f} ms")
        print(f"{label:<22} {cells[0]:>20} {cells[1]:>22}")


if __name__ == "__main__":
    main()
