"""Background jobs: the order timers, retries and the dead-letter list, the queue's storage, and a real worker."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from huey import signals
from sqlalchemy import func, select

from storefront.cart.services import add_item, new_cart
from storefront.checkout.services import CheckoutDetails, place_order
from storefront.currency.models import ExchangeRate
from storefront.currency.services import current_rates
from storefront.extensions import db
from storefront.jobs import create_huey, huey
from storefront.jobs.models import JobFailure, JobHeartbeat
from storefront.jobs.tasks import order_timers, rates_refresh
from storefront.jobs.work import run_order_timers
from storefront.orders.models import Order, OrderEvent
from storefront.sellers.models import Variant
from tests.factories import add_listing

ROOT = Path(__file__).resolve().parents[3]
REDIS_DB = 5


@pytest.fixture
def immediate():
    """Run jobs in the calling thread (Huey's immediate mode, in-memory storage) for tests that need a body."""
    huey.immediate = True
    yield huey
    huey.immediate = False


@pytest.fixture
def unpaid_order(app, session):
    """An order paid by card that was placed an hour ago: its 30-minute payment deadline has passed."""
    app.config["TODAY"] = date.today()
    add_listing(session, variants=[{"sku": "EB-1", "options": {}, "price": "10.00", "currency": "USD", "stock": 5}])
    variant = session.scalar(select(Variant.id).where(Variant.sku == "EB-1"))
    cart = new_cart(session)
    add_item(session, cart, variant, 2)
    session.commit()
    details = CheckoutDetails(
        email="ana@example.com", payment_method="card", locale="en", currency="USD",
        address={"full_name": "Ana Souza", "line1": "Rua Augusta 100", "line2": "", "city": "São Paulo",
                 "region": "SP", "postal_code": "01310-100", "country": "BR", "phone": ""})
    placed = datetime.now(timezone.utc) - timedelta(hours=1)
    place_order(session, cart, details, "j" * 20, expected_total=None, user_id=None, rates=current_rates(),
                today=placed.date(), now=placed)
    session.commit()
    assert stock(session) == 3
    return session.scalar(select(Order.id))


def stock(session) -> int:
    session.commit()  # see other transactions' commits
    return session.scalar(select(Variant.stock).where(Variant.sku == "EB-1"))


def cancellations(session, order_id: int) -> int:
    return session.scalar(select(func.count()).select_from(OrderEvent)
                          .where(OrderEvent.order_id == order_id, OrderEvent.to_status == "cancelled"))


def run_at_once(app, body, times: int = 2) -> list:
    """Start `times` threads that call body() together, each in its own app context; return their results."""
    barrier = threading.Barrier(times)
    results, errors = [], []

    def run():
        with app.app_context():
            barrier.wait()
            try:
                results.append(body())
            except Exception as exc:  # noqa: BLE001 (surfaced by the assertion below)
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


def test_timer_job_started_twice_at_once_cancels_and_restocks_once(app, session, unpaid_order, immediate):
    run_at_once(app, order_timers)
    session.commit()  # end this test's read, to see the jobs' commits
    order = session.get(Order, unpaid_order)
    assert order.status == "cancelled"
    assert stock(session) == 5 and cancellations(session, unpaid_order) == 1
    assert session.get(JobHeartbeat, "order_timers") is not None


def test_timer_bodies_racing_without_the_queue_lock_still_act_once(app, session, unpaid_order):
    """The second defence: the timers' row locks (a manual `orders tick` racing the worker)."""
    gateway = app.extensions["payment_gateway"]
    reports = run_at_once(app, lambda: run_order_timers(db.session, gateway, datetime.now(timezone.utc)))
    assert sorted(r.unpaid_cancelled for r in reports) == [0, 1]
    assert stock(session) == 5 and cancellations(session, unpaid_order) == 1


def test_failing_job_is_retried_with_backoff_then_recorded_for_the_admin(app, session, runner, immediate):
    app.config["RATES_URL"] = "http://127.0.0.1:9/eurofxref-daily.xml"  # nothing listens on the discard port
    rates_before = session.scalar(select(func.count()).select_from(ExchangeRate))
    retried = []

    def note_retry(signal, task, *args):
        retried.append(task.retry_delay)

    huey.signal(signals.SIGNAL_RETRYING)(note_retry)
    try:
        rates_refresh()  # first try, in this thread
        # What the consumer does: run each retry once its delay has passed (here: as of its due time).
        while due := huey.read_schedule(datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(days=1)):
            for task in due:
                huey.execute(task, timestamp=task.eta)
    finally:
        huey.disconnect_signal(note_retry, signals.SIGNAL_RETRYING)
    assert len(retried) == 3 and retried == sorted(retried) and retried[0] < retried[-1]  # backoff grows
    session.commit()  # end this test's read, to see what the job committed
    failures = session.scalars(select(JobFailure)).all()
    assert [f.job for f in failures] == ["rates_refresh"]
    assert "RatesUnavailable" in failures[0].error and "127.0.0.1:9" in failures[0].error
    assert session.scalar(select(func.count()).select_from(ExchangeRate)) == rates_before  # last rates stay
    assert session.get(JobHeartbeat, "rates_refresh") is None
    listed = runner.invoke(args=["jobs", "failures"])
    assert listed.exit_code == 0 and "rates_refresh" in listed.output and "RatesUnavailable" in listed.output


def test_queue_storage_from_settings():
    assert type(create_huey({"JOBS_DB": "/tmp/h5-jobs-test.db"}).storage).__name__ == "SqliteStorage"
    with pytest.raises(RuntimeError, match="REDIS_URL"):
        create_huey({"REDIS_URL": "http://127.0.0.1:6379/0"})


def test_a_queue_setting_the_queue_cannot_follow_stops_start_up(tmp_path):
    from storefront import create_app

    with pytest.raises(RuntimeError, match="REDIS_URL"):
        create_app({"REDIS_URL": "redis://127.0.0.1:6379/5", "TESTING": True,
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
                    "SEARCH_INDEX_PATH": str(tmp_path / "index")})


def test_redis_storage_shares_one_queue_between_instances():
    """Two processes' queues on one REDIS_URL see the same tasks (what lets workers run on any machine)."""
    url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    web, worker = create_huey({"REDIS_URL": url}), create_huey({"REDIS_URL": url})
    web.flush()

    @web.task(name="ping")
    def ping(n):
        return n * 2

    @worker.task(name="ping")
    def ping_on_worker(n):
        return n * 2

    try:
        result = ping(21)
        assert worker.pending_count() == 1
        task = worker.dequeue()
        assert worker.execute(task) == 42 and result.get() == 42
    finally:
        web.flush()


def test_a_real_worker_cancels_an_unpaid_order_past_its_deadline(app, session, unpaid_order, tmp_path):
    """No CLI call: the worker process's periodic order timers do it, as under `make run`."""
    env = os.environ | {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "STOREFRONT_INSTANCE": str(tmp_path / "instance"),
        "JOBS_DB": str(tmp_path / "jobs.db"),
        "JOBS_PERIODIC": "1",
        "SEARCH_INDEX_PATH": app.config["SEARCH_INDEX_PATH"],
        "MAIL_OUTBOX": app.config["MAIL_OUTBOX"],
        "MEDIA_PATH": app.config["MEDIA_PATH"],
        "REDIS_URL": "",
    }
    env.pop("TEST_DATABASE_URL", None)
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "storefront", "jobs", "worker"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for _ in range(240):  # the scheduler enqueues the minute's jobs as it starts
            if worker.poll() is not None or session.get(JobHeartbeat, "order_timers") is not None:
                break
            session.commit()
            time.sleep(0.5)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=60)[0]
    session.commit()  # end this test's read, to see the jobs' commits
    order = session.get(Order, unpaid_order)
    assert order.status == "cancelled", output
    assert stock(session) == 5 and cancellations(session, unpaid_order) == 1


def test_admin_dashboard_warns_when_the_order_timers_are_late(app, session):
    from storefront.jobs.work import record_failure
    from tests.factories import account

    admin = account(app, "admin@example.com", role="admin")
    assert "never run" in admin.get("/en/admin/metrics").data.decode()
    session.add(JobHeartbeat(job="order_timers", beat_at=datetime.now(timezone.utc) - timedelta(minutes=6)))
    session.commit()
    html = admin.get("/ar/admin/metrics").data.decode()
    assert 'data-testid="worker-status"' in html and 'class="flash warn"' in html
    session.get(JobHeartbeat, "order_timers").beat_at = datetime.now(timezone.utc)
    session.commit()
    html = admin.get("/en/admin/metrics").data.decode()
    assert "The order timers last ran" in html and 'class="flash"' in html
    record_failure("rates_refresh", "RatesUnavailable: down")
    assert "1 background job gave up" in admin.get("/en/admin/metrics").data.decode()


def test_changes_a_request_could_not_index_trigger_the_search_sync_job(app, session):
    """The engine is down after a product edit: the rows stay queued and the worker is asked to retry now."""
    import socket

    from search.meili import MeiliBackend
    from storefront.catalog.models import Product, SearchOutbox, queue_reindex

    add_listing(session, variants=[{"sku": "EB-1", "options": {}, "price": "10.00", "currency": "USD", "stock": 5}])
    queue_reindex(session, [session.scalar(select(Product.id))])  # what a seller's edit queues
    session.commit()
    assert session.scalar(select(func.count()).select_from(SearchOutbox)) > 0
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    app.extensions["search"] = MeiliBackend(f"http://127.0.0.1:{closed}", None, "products", timeout=1)
    huey.flush()
    try:
        with app.test_request_context("/en/"):
            db.session.info["search_dirty"] = True  # what a product or offer change leaves on the session
            app.do_teardown_request()
        assert session.scalar(select(func.count()).select_from(SearchOutbox)) > 0  # nothing lost
        queued = [huey.dequeue() for _ in range(huey.pending_count())]
        assert [task.name for task in queued] == ["search_sync"]
    finally:
        huey.flush()
