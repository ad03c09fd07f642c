"""First visit, as served: bytes a phone downloads for the home, a product and the cart page (HTML + CSS + JS +
the first screen's images), from gunicorn alone (2 workers, no proxy), with an empty browser cache.

Figure: a browser sending `Accept-Encoding: br, gzip, deflate`. Baseline, same run, interleaved: the same
requests with `Accept-Encoding: identity`, i.e. what the app sent before it compressed anything. Median of 3
rounds. Goal (issue 15): at most 40 KB each.

Run: .venv/bin/python benchmarks/first_visit.py   (seeds a throwaway demo store; gunicorn on BENCH_PORT, 8010)
"""
from __future__ import annotations

import re
import sqlite3
import sys
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.served import (  # noqa: E402
    BROWSER_ENCODING, cookies_from, decoded, first_screen_assets, get, gunicorn, instance_dir, median, seed_store,
)

GOAL = 40 * 1024
ROUNDS = 3


def visit(path: str, encoding: str, setup=None) -> tuple[int, int]:
    """(page bytes, page + first-screen asset bytes) for a fresh browser opening `path`."""
    jar: dict[str, str] = {}
    if setup is not None:
        setup(jar)
    page = get(path, encoding=encoding, cookies=jar)
    assert page.status == 200, (path, page.status)
    html = decoded(page)
    assert setup is None or 'data-testid="line-item"' in html, "the cart should hold the item added"
    total = page.wire_bytes
    for url in first_screen_assets(html):
        asset = get(url, encoding=encoding)
        assert asset.status == 200, url
        total += asset.wire_bytes
    return page.wire_bytes, total


def cart_with_one_item(instance: str, product_path: str):
    """A setup that puts one item in the fresh browser's cart (through the product page's form, CSRF included)."""
    with sqlite3.connect(Path(instance) / "storefront.db") as db:
        variant_id = db.execute("SELECT id FROM variants WHERE stock > 0 ORDER BY id LIMIT 1").fetchone()[0]

    def setup(jar: dict[str, str]) -> None:
        page = get(product_path, cookies=jar)
        cookies_from(page, jar)
        token = re.search(r'name="csrf_token" value="([^"]+)"', decoded(page)).group(1)
        added = get("/en/cart/add", method="POST", cookies=jar,
                    form=urlencode({"csrf_token": token, "variant_id": variant_id, "qty": 1}))
        assert added.status in (302, 303), added.status
        cookies_from(added, jar)

    return setup


def main() -> None:
    """Seed, serve, measure, print."""
    instance = instance_dir("first-visit-")
    seed_store(instance)
    with gunicorn(instance):
        home = decoded(get("/en/"))
        product = re.search(r'<a href="(/en/p/[^"]+)"', home).group(1).replace("&amp;", "&")
        pages = {"home": ("/en/", None), "product": (product, None),
                 "cart (1 item)": ("/en/cart/", cart_with_one_item(instance, product))}
        print(f"first visit as served by gunicorn, median of {ROUNDS} (KB = 1,024 bytes); goal <= {GOAL // 1024} KB")
        print(f"{'page':16} {'HTML':>8} {'all':>8} | {'baseline HTML':>13} {'baseline all':>12} | goal")
        for name, (path, setup) in pages.items():
            figure, baseline = [], []
            for _ in range(ROUNDS):  # interleaved: baseline and figure alternate
                baseline.append(visit(path, "identity", setup))
                figure.append(visit(path, BROWSER_ENCODING, setup))
            html, total = median([f[0] for f in figure]), median([f[1] for f in figure])
            b_html, b_total = median([b[0] for b in baseline]), median([b[1] for b in baseline])
            print(f"{name:16} {html / 1024:7.1f}K {total / 1024:7.1f}K | {b_html / 1024:12.1f}K {b_total / 1024:11.1f}K"
                  f" | {'met' if total <= GOAL else f'missed by {(total - GOAL) / 1024:.1f} KB'}")


if __name__ == "__main__":
    main()
