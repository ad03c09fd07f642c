"""Page render cost against a bare Flask "hello" under the same gunicorn, in one run.

Run: .venv/bin/python benchmarks/render.py [--requests 60] [--port 8101]
A throwaway SQLite demo store (the demo catalog, no history) is served by three gunicorns started here with
the same settings (one sync worker each): the storefront with its render cache (RENDER_CACHE=1), the
storefront without it (RENDER_CACHE=0, today's behaviour: the baseline), and benchmarks/hello_app.py. Home,
a category and a product page are requested in rounds that interleave the three servers; each figure is the
median over 3 rounds of that round's p50. The ratio is hello's p50 over the page's (100 % = as cheap as hello).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
GUNICORN = str(Path(sys.executable).parent / "gunicorn")


def build(instance: Path) -> tuple[str, str]:
    """The demo catalog in `instance`; returns a category slug and a product path to request."""
    os.environ["STOREFRONT_INSTANCE"] = str(instance)
    os.environ.setdefault("SECRET_KEY", "benchmark")
    from sqlalchemy import func, select

    from storefront import create_app
    from storefront.catalog.models import Category, Product
    from storefront.cli import upgrade_database
    from storefront.demo.seed import seed_demo_store
    from storefront.extensions import db

    app = create_app()
    with app.app_context():
        upgrade_database()
        seed_demo_store(db.session, history_days=0)
        biggest = db.session.execute(select(Category.slug).join(Product, Product.category_id == Category.id)
                                     .group_by(Category.slug).order_by(func.count().desc())).first()[0]
        product = db.session.scalar(select(Product).order_by(Product.offer_count.desc()))
        return biggest, f"/en/p/{product.id}-{product.slug}"


def serve(port: int, target: str, env: dict) -> subprocess.Popen:
    """One gunicorn with one sync worker on 127.0.0.1:port."""
    return subprocess.Popen([GUNICORN, "--bind", f"127.0.0.1:{port}", "--workers", "1", "--log-level", "warning",
                             "--chdir", str(ROOT / "benchmarks") if "hello" in target else str(ROOT), target],
                            env=env, stdout=subprocess.DEVNULL)


def wait_ready(url: str) -> None:
    """Poll until the server answers (30 s at most)."""
    for _ in range(300):
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer")


def timed(url: str) -> float:
    """Milliseconds for one whole response."""
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:
        response.read()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    """Build the store, start the three servers, measure in interleaved rounds, print p50s and ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=60, help="requests per page per server per round")
    parser.add_argument("--port", type=int, default=8101, help="first of three ports")
    options = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="render-bench-"))
    category, product = build(instance)
    base_env = dict(os.environ, STOREFRONT_INSTANCE=str(instance), SECRET_KEY="benchmark")
    servers = {
        "cached": serve(options.port, "storefront:create_app()", base_env | {"RENDER_CACHE": "1"}),
        "uncached": serve(options.port + 1, "storefront:create_app()", base_env | {"RENDER_CACHE": "0"}),
        "hello": serve(options.port + 2, "hello_app:create_app()", base_env),
    }
    ports = {"cached": options.port, "uncached": options.port + 1, "hello": options.port + 2}
    pages = {"home": "/en/", "category": f"/en/c/{category}", "product": product}
    try:
        for name, port in ports.items():
            wait_ready(f"http://127.0.0.1:{port}/" if name == "hello" else f"http://127.0.0.1:{port}/en/")
        for name in ("cached", "uncached"):  # warm both as a running shop would be
            for path in pages.values():
                for _ in range(3):
                    timed(f"http://127.0.0.1:{ports[name]}{path}")
        rounds: dict[tuple[str, str], list[float]] = {}
        for _ in range(3):
            for page, path in pages.items():
                for name in ("hello", "cached", "uncached"):
                    url = f"http://127.0.0.1:{ports[name]}{'/' if name == 'hello' else path}"
                    samples = [timed(url) for _ in range(options.requests)]
                    rounds.setdefault((page, name), []).append(statistics.median(samples))
    finally:
        for process in servers.values():
            process.terminate()
        for process in servers.values():
            process.wait(timeout=30)
    print(f"gunicorn, 1 sync worker each, {options.requests} requests per page per server, median of 3 rounds' p50")
    print(f"{'page':<10} {'hello':>9} {'cached':>10} {'ratio':>7} {'uncached':>10} {'ratio':>7}")
    for page in pages:
        hello = statistics.median(rounds[(page, "hello")])
        cached = statistics.median(rounds[(page, "cached")])
        uncached = statistics.median(rounds[(page, "uncached")])
        print(f"{page:<10} {hello:>7.2f}ms {cached:>8.2f}ms {hello / cached:>6.1%} {uncached:>8.2f}ms "
              f"{hello / uncached:>6.1%}")


if __name__ == "__main__":
    main()
