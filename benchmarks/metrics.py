"""The metrics dashboard at scale: a year of demo history at 100,000 orders, its render time and the CLI report's.

Run: .venv/bin/python benchmarks/metrics.py --orders 100000
Prints figures only. A fresh SQLite database in a temporary folder gets the demo catalog (as `seed-demo`
makes it) and a year of history from the same generator, scaled up and written by its bulk writer (the
rows the services write, inserted table by table). Then an admin logged in through the Flask test client
opens /en/admin/metrics for several ranges and breakdowns, a few runs each (each page in its own process,
stopped after --timeout seconds), and `flask metrics report` prints the same figures. --dir reuses a
database built before.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ADMIN = ("bench-admin@example.com", "bench-pass-1234")
SLOW_MS = 60_000  # a page slower than this once is reported from that one render


def summary(samples: list[float]) -> str:
    """p50 and max of samples in milliseconds."""
    return f"p50 {statistics.median(samples):.0f} ms, max {max(samples):.0f} ms"


def build(orders: int, days: int) -> None:
    """The demo catalog and `days` of history with about `orders` orders, committed; prints what it made."""
    from sqlalchemy import func, select
    from tqdm import tqdm

    from storefront.accounts.models import utcnow
    from storefront.demo.history import seed_history, sessions_for
    from storefront.demo.seed import seed_demo_store
    from storefront.extensions import db
    from storefront.orders.models import Order

    end = utcnow()
    started = time.perf_counter()
    seed_demo_store(db.session, history_days=0, now=end)
    already = db.session.scalar(select(func.count(Order.id)))
    with tqdm(total=days, unit="day", desc="History", file=sys.stderr, disable=None) as bar:
        seed_history(db.session, days=days, end=end, sessions_per_day=sessions_for(max(orders - already, 0), days),
                     bulk=True, progress=lambda _day: bar.update())
    db.session.commit()
    print(f"database built in {time.perf_counter() - started:.0f} s (demo catalog, {days} days of history)")


def counts() -> str:
    """Row counts of the tables the dashboard reads."""
    from sqlalchemy import func, select

    from storefront.extensions import db
    from storefront.metrics.models import Event
    from storefront.orders.models import Checkout, Dispute, Order, OrderEvent
    from storefront.payments.models import Payment, Refund
    from storefront.reviews.models import Review

    parts = []
    for label, model in (("events", Event), ("orders", Order), ("checkouts", Checkout), ("order events", OrderEvent),
                         ("payments", Payment), ("refunds", Refund), ("disputes", Dispute), ("reviews", Review)):
        parts.append(f"{db.session.scalar(select(func.count(model.id))):,} {label}")
    return ", ".join(parts)


def add_admin() -> None:
    """The admin the renders log in as (once per database)."""
    from sqlalchemy import select
    from werkzeug.security import generate_password_hash

    from storefront.accounts.models import User
    from storefront.extensions import db

    if db.session.scalar(select(User.id).where(User.email == ADMIN[0])) is None:
        db.session.add(User(email=ADMIN[0], name="Bench Admin", role="admin",
                            password_hash=generate_password_hash(ADMIN[1])))
        db.session.commit()


# One page rendered in a child process, so a page that takes too long can be stopped: it logs in, renders
# once to warm up, then `runs` times, printing each render as it ends (milliseconds, status, bytes).
RENDER = """
import json, re, sys, time
from storefront import create_app
url, headers, runs, slow_ms, email, password = json.loads(sys.argv[1])
client = create_app().test_client()
form = client.get("/en/account/login").data.decode()
token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
login = client.post("/en/account/login", data={"email": email, "password": password, "csrf_token": token})
assert login.status_code == 303, login.status_code
for n in range(runs + 1):
    started = time.perf_counter()
    response = client.get(url, headers=headers)
    took = (time.perf_counter() - started) * 1000
    print(json.dumps([took, response.status_code, len(response.data)]), flush=True)
    if took > slow_ms:
        break
"""


def render(url: str, headers: dict, runs: int, timeout: int) -> str:
    """Time a page in a child process; what it measured, in words."""
    command = [sys.executable, "-c", RENDER, json.dumps([url, headers, runs, SLOW_MS, *ADMIN])]
    try:
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=os.environ.copy(),
                              timeout=timeout)
        output, stopped = done.stdout, False
        if done.returncode:
            return f"failed: {done.stderr.strip().splitlines()[-1]}"
    except subprocess.TimeoutExpired as exc:
        output, stopped = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else exc.stdout or "", True
    renders = [json.loads(line) for line in output.splitlines() if line.startswith("[")]
    if any(status != 200 for _ms, status, _size in renders):
        return f"answered {renders[0][1]}, not 200"
    if not renders:
        return f"more than {timeout} s for one render (stopped)"
    size = f"{renders[-1][2] / 1024:.0f} KiB"
    if len(renders) == 1:
        why = "stopped after it" if stopped else "too slow to repeat"
        return f"{renders[0][0]:.0f} ms for one render ({why}; {size})"
    return f"{summary([ms for ms, _status, _size in renders[1:]])} over {len(renders) - 1} runs ({size})"


def main() -> None:
    """Build the history, then time the dashboard and the report."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=100_000, help="orders in the history (about)")
    parser.add_argument("--days", type=int, default=365, help="days of history")
    parser.add_argument("--runs", type=int, default=5, help="timed renders of each page")
    parser.add_argument("--timeout", type=int, default=900, help="seconds one page may take, all its runs together")
    parser.add_argument("--dir", help="instance folder to use (default: a new temporary one; reused as it is)")
    options = parser.parse_args()
    instance = Path(options.dir or tempfile.mkdtemp(prefix="metrics-bench-"))
    os.environ["STOREFRONT_INSTANCE"] = str(instance)
    os.environ.setdefault("SECRET_KEY", "benchmark")
    os.environ["DATABASE_URL"] = f"sqlite:///{instance / 'metrics-bench.db'}"  # always a fresh SQLite file

    from storefront import create_app
    from storefront.accounts.models import utcnow
    from storefront.cli import upgrade_database
    from storefront.demo.history import history_exists
    from storefront.extensions import db

    app = create_app()
    if "metrics" not in app.blueprints:
        sys.exit("The metrics dashboard (storefront/admin/metrics_views.py) is not registered yet: nothing to time.")
    with app.app_context():
        upgrade_database()
        if not history_exists(db.session):  # a --dir from an earlier run is reused as it is
            build(options.orders, options.days)
        print(counts())
        add_admin()
        db.session.remove()

    today = utcnow().date()
    tomorrow = today + timedelta(days=1)
    quarter = f"from={today - timedelta(days=89)}&to={tomorrow}"
    year = f"from={today - timedelta(days=364)}&to={tomorrow}"
    pages = [("last 30 days (the default)", "/en/admin/metrics", {}),
             ("last 90 days", f"/en/admin/metrics?{quarter}", {}), ("last 365 days", f"/en/admin/metrics?{year}", {})]
    pages += [(f"last 365 days by {b}", f"/en/admin/metrics?{year}&breakdown={b}", {}) for b in ("week", "country")]
    pages.append(("last 365 days by device, HTMX swap", f"/en/admin/metrics?{year}&breakdown=device",
                  {"HX-Request": "true", "HX-Target": "metrics_body"}))
    print(f"dashboard render through Flask, {options.runs} runs each after a warm-up, as a logged-in admin:")
    for label, url, headers in pages:
        print(f"  {label}: {render(url, headers, options.runs, options.timeout)}", flush=True)

    runner = app.test_cli_runner()
    for label, start in (("30 days", today - timedelta(days=29)), ("365 days", today - timedelta(days=364))):
        args = ["metrics", "report", "--from", start.isoformat(), "--to", tomorrow.isoformat()]
        samples = []
        for _ in range(max(options.runs // 2, 1)):
            started = time.perf_counter()
            result = runner.invoke(args=args)
            samples.append((time.perf_counter() - started) * 1000)
            assert result.exit_code == 0, result.output
        print(f"`flask metrics report` for {label}: {summary(samples)} ({len(result.output.splitlines())} lines)")
    print(f"(instance folder: {instance})")


if __name__ == "__main__":
    main()
