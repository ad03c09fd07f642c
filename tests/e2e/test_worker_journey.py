"""The shop runs itself: an order left unpaid is cancelled by the jobs worker, with nobody typing a command.

A real worker process (`flask jobs worker`, periodic jobs on) runs against the live server's database; the
sandbox clock is moved with `flask clock set`, which every process reads from the database.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.shop import all_rows, in_stock_product_of, query

ROOT = Path(__file__).resolve().parents[2]


def test_unpaid_bank_transfer_order_is_cancelled_by_the_worker_once_the_deadline_passes(
        page: Page, live_app, live_server, live_server_db, tmp_path):
    product = in_stock_product_of(live_server_db, "seller@demo.test")
    page.goto(f"{live_server}/ar/p/{product}")
    page.get_by_test_id("add-to-cart").click()
    expect(page.get_by_test_id("cart-count")).to_have_text("1")
    (variant, stock_before), = [query(live_server_db, """
        SELECT v.id, v.stock FROM cart_lines l JOIN variants v ON v.id = l.variant_id ORDER BY l.id DESC LIMIT 1""")]
    page.goto(f"{live_server}/ar/checkout/")
    page.get_by_test_id("email").fill("omar.unpaid@example.com")
    page.get_by_test_id("full_name").fill("Omar Haddad")
    page.get_by_test_id("line1").fill("1 Main Street")
    page.get_by_test_id("city").fill("Springfield")
    page.get_by_test_id("region").fill("IL") if page.get_by_test_id("region").count() else None
    page.get_by_test_id("postal_code").fill("62701")
    page.get_by_test_id("pay-bank_transfer").check()
    page.get_by_test_id("to-review").click()
    page.get_by_test_id("place-order").click()
    expect(page.get_by_test_id("order-number")).to_have_count(1)
    number = page.get_by_test_id("order-number").inner_text().strip()
    assert query(live_server_db, "SELECT status FROM orders WHERE number = :n", n=number)[0] == "awaiting_payment"
    assert query(live_server_db, "SELECT stock FROM variants WHERE id = :v", v=variant)[0] == stock_before - 1

    runner = live_app.test_cli_runner()
    assert runner.invoke(args=["clock", "set", "--days", "4"]).exit_code == 0  # past the 3 days to pay
    env = os.environ | {"DATABASE_URL": live_server_db, "JOBS_PERIODIC": "1", "JOBS_DB": str(tmp_path / "jobs.db"),
                        "STOREFRONT_INSTANCE": str(tmp_path), "REDIS_URL": "",
                        "SEARCH_INDEX_PATH": live_app.config["SEARCH_INDEX_PATH"],
                        "MAIL_OUTBOX": live_app.config["MAIL_OUTBOX"], "MEDIA_PATH": live_app.config["MEDIA_PATH"]}
    # Other journeys on this live server left orders of the same item that the moved clock also ends (paid
    # but never shipped): their units come back too, so count them to know exactly what the stock must be.
    others = [row[0] for row in all_rows(live_server_db, """
        SELECT DISTINCT o.id FROM orders o JOIN order_lines l ON l.order_id = o.id
        WHERE l.variant_id = :v AND o.number != :n AND o.status IN ('awaiting_payment', 'paid')""", v=variant, n=number)]
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "storefront", "jobs", "worker"], cwd=ROOT,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        page.get_by_test_id("order-number").click()
        expect(page.get_by_test_id("order-status")).to_be_visible()
        for _ in range(60):  # the worker's scheduler runs the minute's timers as it starts
            if query(live_server_db, "SELECT status FROM orders WHERE number = :n", n=number)[0] == "cancelled":
                break
            page.wait_for_timeout(1000)
        page.reload()
        expect(page.get_by_test_id("order-status")).to_have_text(re.compile("ملغ"))
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.screenshot(path="/tmp/h5-shots/worker-cancelled-order-ar.png", full_page=True)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=60)[0]
        runner.invoke(args=["clock", "reset"])
    returned_by_others = sum(row[0] for row in all_rows(live_server_db, """
        SELECT l.quantity FROM order_lines l JOIN orders o ON o.id = l.order_id
        WHERE l.variant_id = :v AND o.status = 'cancelled' AND o.id IN (SELECT value FROM json_each(:ids))""",
        v=variant, ids=json.dumps(others)))
    stock_now = query(live_server_db, "SELECT stock FROM variants WHERE id = :v", v=variant)[0]
    assert stock_now == stock_before + returned_by_others, output  # ours came back, exactly once
