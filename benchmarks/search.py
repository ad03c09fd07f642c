"""Search at scale through the whole shop: catalog import, index build, engine and page latency, memory.

Run: .venv/bin/python benchmarks/search.py --products 100000
Prints figures only. The catalog goes through the real importer (as `seed-demo --products N` does),
the index through `rebuild_index`, and pages through the Flask app with the embedded engine.
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def percentiles(samples: list[float]) -> str:
    """p50 / p95 / p99 of samples in milliseconds."""
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return f"p50 {cuts[49]:.1f} ms, p95 {cuts[94]:.1f} ms, p99 {cuts[98]:.1f} ms"


def typo(word: str, rnd: random.Random) -> str:
    """One edit inside a word of five or more letters."""
    i = rnd.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1:] if rnd.random() < 0.5 else word[:i] + word[i + 1] + word[i] + word[i + 2:]


def page_mix(count: int, seed: int = 3) -> list[str]:
    """Search-page URLs like real traffic: four languages, typos, prefixes, filters, sorts, facets."""
    from storefront.demo.seed import NOUNS, WORDS

    rnd = random.Random(seed)
    urls = []
    for _ in range(count):
        locale = rnd.choices(("en", "es", "ar", "zh"), weights=(50, 25, 10, 15))[0]
        k, w = rnd.randrange(10), rnd.randrange(10)
        noun, adjective = NOUNS[locale][k], WORDS[locale][w]
        roll = rnd.random()
        args: dict[str, str] = {}
        if roll < 0.3:
            args["q"] = noun
        elif roll < 0.5:
            args["q"] = f"{adjective} {noun}"
        elif roll < 0.62 and locale in ("en", "es") and len(noun) >= 5:
            args["q"] = typo(noun, rnd)
        elif roll < 0.74:
            args["q"] = noun[: max(2, len(noun) * 2 // 3)] if locale != "zh" else noun[:1]
        elif roll < 0.86:
            args.update(q=noun, price_min="5", price_max="100", free_shipping="1")
        else:
            args.update(q=noun, sort=rnd.choice(("price_asc", "price_desc", "newest", "rating", "orders")))
        if rnd.random() < 0.1:
            args["page"] = "2"
        urls.append(f"/{locale}/search?{urlencode(args)}")
    return urls


SERVE = """
import resource, sys, time
from storefront import create_app
app = create_app()
client = app.test_client()
urls = sys.stdin.read().split()
for url in urls:
    assert client.get(url).status_code == 200
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def main() -> None:
    """Build a catalog of N products and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--dir", help="instance folder to use (default: a new temporary one)")
    options = parser.parse_args()
    instance = Path(options.dir or tempfile.mkdtemp(prefix="search-bench-"))
    os.environ["STOREFRONT_INSTANCE"] = str(instance)
    os.environ.setdefault("SECRET_KEY", "benchmark")

    from sqlalchemy import func, select

    from storefront import create_app
    from storefront.catalog.indexing import rebuild_index
    from storefront.catalog.models import Product
    from storefront.cli import upgrade_database
    from storefront.demo.seed import seed_synthetic
    from storefront.extensions import db

    app = create_app()
    with app.app_context():
        upgrade_database()
        have = db.session.scalar(select(func.count(Product.id))) or 0
        if have < options.products:
            started = time.perf_counter()
            report = seed_synthetic(db.session, options.products - have)
            took = time.perf_counter() - started
            print(f"catalog import: {report.imported:,} listings in {took:.1f} s "
                  f"({report.imported / took:,.0f} listings/s, {len(report.errors)} rejected)")
        total = db.session.scalar(select(func.count(Product.id)))
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        indexed = rebuild_index(db.session, app.extensions["search"])
        took = time.perf_counter() - started
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        size = sum(f.stat().st_size for f in Path(app.config["SEARCH_INDEX_PATH"]).rglob("*") if f.is_file())
        print(f"products: {total:,}; index build: {indexed:,} docs in {took:.1f} s ({indexed / took:,.0f} docs/s); "
              f"index on disk {size / 2**20:.1f} MiB; peak RSS of the build process {rss_after / 1024:.0f} MiB "
              f"(was {rss_before / 1024:.0f} MiB before the build)")

        from storefront.catalog.browse import ListingQuery
        from storefront.catalog.search_service import engine_query

        backend = app.extensions["search"]
        urls = page_mix(options.queries)
        engine_ms = []
        for url in urls:
            locale, query = url[1:3], dict(arg.split("=", 1) for arg in url.split("?", 1)[1].split("&"))
            from urllib.parse import unquote_plus

            text = unquote_plus(query.get("q", ""))
            q = engine_query(ListingQuery(text=text, locale=locale, sort=query.get("sort", "relevance"),
                                        page=int(query.get("page", 1))))
            started = time.perf_counter()
            backend.search(q)
            engine_ms.append((time.perf_counter() - started) * 1000)
        print(f"engine query latency over {len(urls)} queries: {percentiles(engine_ms)}")

    client = app.test_client()
    for url in urls[:50]:  # warm caches as a running server would be
        client.get(url)
    page_ms = []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url)
        page_ms.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    print(f"search page latency through Flask ({len(urls)} pages): {percentiles(page_ms)}")

    serving = subprocess.run([sys.executable, "-c", SERVE], input="\n".join(urls[:300]), text=True,
                             capture_output=True, env=os.environ.copy(), cwd=ROOT, check=True)
    print(f"peak RSS of one serving process after 300 search pages: {int(serving.stdout.split()[-1]) / 1024:.0f} MiB")
    print(f"(instance folder: {instance})")


if __name__ == "__main__":
    main()
