"""The production set-up, tested as it runs: nginx + 2 gunicorn nodes + 2 workers + PostgreSQL + Redis on
loopback ports (tests/cluster/cluster.py), driven through nginx with plain HTTP requests and CSRF tokens."""
from __future__ import annotations

import re
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from email import message_from_bytes

import pytest
import requests
from sqlalchemy import func, select

from tests.cluster.cluster import (PORT_BASE, REDIS_URL, ROOT, WEB_WORKERS, Cluster, database_url,
                                   nginx_main_config, production_env, recreate_database, site_config)

pytestmark = pytest.mark.cluster

PURCHASES = 50
STOCK = 80
BUYER = {"full_name": "Lucía Gómez", "line1": "Calle Mayor 1", "city": "Madrid", "postal_code": "28013",
         "country": "ES", "saved_address": "new", "payment_method": "card"}
CARD = {"number": "4242424242424242", "expiry": "12/34", "cvc": "123", "name": "Lucía Gómez"}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """The whole set-up, on a fresh database and Redis database, with one listing of STOCK units."""
    import redis

    base = tmp_path_factory.mktemp("cluster")
    url = database_url()
    recreate_database(url)
    redis.Redis.from_url(REDIS_URL).flushdb()
    instance = base / "instance"
    env = {k: v for k, v in __import__("os").environ.items() if k != "TEST_DATABASE_URL"} | production_env() | {
        "DATABASE_URL": url, "REDIS_URL": REDIS_URL, "STOREFRONT_INSTANCE": str(instance),
        "MEDIA_PATH": str(instance / "media"), "SEARCH_INDEX_PATH": str(instance / "search-index"),
        "MAIL_OUTBOX": str(instance / "mail"), "SECRET_KEY": secrets.token_hex(32),
        "TEST_GATEWAY_SECRET": secrets.token_hex(16),
        "SESSION_COOKIE_SECURE": "0",  # plain HTTP on loopback: production sets 1 behind TLS
    }
    subprocess.run([sys.executable, "-m", "flask", "--app", "storefront", "init-db"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    seed = ("from storefront import create_app; from storefront.extensions import db; "
            "from tests.factories import add_listing\n"
            "with create_app().app_context():\n"
            f"    print(add_listing(db.session, variants=[{{'sku': 'CL-1', 'options': {{}}, 'price': '12.00', "
            f"'currency': 'USD', 'stock': {STOCK}}}]).id)")
    product = int(subprocess.run([sys.executable, "-c", seed], cwd=ROOT, env=env, check=True, capture_output=True,
                                 text=True).stdout.split()[-1])
    web_ports = [PORT_BASE + 1, PORT_BASE + 2]
    (base / "site.conf").write_text(site_config(PORT_BASE, web_ports, instance / "media"))
    (base / "nginx.conf").write_text(nginx_main_config(base, base / "site.conf"))
    c = Cluster(base, env, PORT_BASE, web_ports)
    c.product = product
    try:
        for name in ("web0", "web1", "worker0", "worker1", "nginx"):
            c.start(name)
        for port in (*web_ports, PORT_BASE):
            c.wait_ready(port)
        yield c
    finally:
        c.stop()


def engine_for(cluster):
    from sqlalchemy import create_engine

    return create_engine(cluster.env["DATABASE_URL"])


class Shopper:
    """One buyer's browser, as plain HTTP: a cookie jar, CSRF tokens read from forms, and a retry on a
    gateway error (what a person does: press the button again; the checkout's idempotency key makes it safe)."""

    def __init__(self, base: str, email: str, statuses: Counter, lock: threading.Lock):
        self.base, self.email, self.statuses, self.lock = base, email, statuses, lock
        self.http = requests.Session()

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        for _ in range(5):
            try:
                response = self.http.request(method, path if path.startswith("http") else self.base + path,
                                             timeout=30, **kwargs)
            except requests.ConnectionError:
                status = "connection error"
            else:
                status = response.status_code
            with self.lock:
                self.statuses[status] += 1
            if status not in (502, 503, 504, "connection error"):
                return response
            time.sleep(0.5)
        raise AssertionError(f"{method} {path}: still {status}")

    def token(self, html: str, name: str = "csrf_token") -> str:
        """A hidden field's value in a page (the CSRF token also rides in <body hx-headers> on every page)."""
        if name == "csrf_token" and (header := re.search(r'"X-CSRFToken": "([^"]+)"', html)):
            return header.group(1)
        return re.search(rf'name="{name}"[^>]*? value="([^"]*)"', html).group(1)

    def buy(self, product: int, variant: int, pay: bool) -> str:
        """Add to cart, check out by card, place the order; pay on the sandbox's page when `pay`."""
        page = self.call("GET", f"/en/p/{product}").text
        self.call("POST", "/en/cart/add", data={"csrf_token": self.token(page), "variant_id": variant, "qty": 1})
        form = self.call("GET", "/en/checkout/").text
        self.call("POST", "/en/checkout/", data=BUYER | {"email": self.email, "csrf_token": self.token(form)})
        review = self.call("GET", "/en/checkout/review").text
        placed = self.call("POST", "/en/checkout/place", allow_redirects=False, data={
            "csrf_token": self.token(review), "idempotency_key": self.token(review, "idempotency_key"),
            "expected_total": self.token(review, "expected_total")})
        assert placed.status_code == 303, placed.text[:500]
        location = placed.headers["Location"]
        if pay:
            pay_page = self.call("GET", location)
            done = self.call("POST", pay_page.url, data=CARD | {"csrf_token": self.token(pay_page.text)})
            assert done.status_code == 200, done.url
        return location


def killed_in_flight(cluster, port: int) -> set[str]:
    """nginx's ids of the requests whose answer a killed node never sent (reset or closed mid-read)."""
    log = (cluster.base / "nginx-error.log").read_text(encoding="utf-8", errors="replace")
    return set(re.findall(rf"\*(\d+) (?:recv\(\) failed|upstream prematurely closed)[^\n]*"
                          rf"while reading response header[^\n]*upstream: \"http://127\.0\.0\.1:{port}/", log))


def wait_for(what: str, check, timeout: float, cluster) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}\n{cluster.logs()}")


def test_fifty_purchases_through_nginx_survive_a_killed_web_node_and_worker(cluster):
    from huey import RedisHuey

    from storefront.catalog.models import SearchOutbox
    from storefront.core.mail_outbox import OutboxMail
    from storefront.orders.models import Checkout, Order, OrderEvent
    from storefront.payments.models import Refund
    from storefront.payments.testgateway.models import SandboxWebhookEvent
    from storefront.sellers.models import Variant

    engine = engine_for(cluster)
    with engine.connect() as conn:
        variant = conn.scalar(select(Variant.id).where(Variant.sku == "CL-1"))
    statuses, lock, done = Counter(), threading.Lock(), threading.Semaphore(0)
    paying = {f"buyer{i}@example.com": i % 3 != 0 for i in range(PURCHASES)}  # a third never pay

    def purchase(email: str) -> str:
        try:
            return Shopper(cluster.url, email, statuses, lock).buy(cluster.product, variant, paying[email])
        finally:
            done.release()

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(purchase, email) for email in paying]
        for _ in range(PURCHASES // 3):
            done.acquire()
        # Mid-run: a web node and the scheduling worker die without warning, then come back.
        cluster.kill("web0")
        cluster.kill("worker0")
        time.sleep(1)
        cluster.start("web0")
        cluster.start("worker0")
        results = [f.result() for f in futures]
    cluster.wait_ready(cluster.web_ports[0])
    assert len(results) == PURCHASES
    print(f"\ncluster: {PURCHASES} purchases, responses through nginx by status: {dict(statuses)}")
    # The only requests nginx may fail are those in flight on the killed node: the ones its sync workers were
    # running and the ones already sent and waiting in its listen backlog. nginx logs each (its connection was
    # reset while reading the answer); a POST already sent is never re-sent elsewhere, so those may be 502s.
    in_flight = killed_in_flight(cluster, cluster.web_ports[0])
    assert statuses[502] <= len(in_flight) <= 8, (statuses, in_flight)  # 8: the shoppers buying at once
    assert statuses["connection error"] == 0, statuses

    def orders():
        with engine.connect() as conn:
            return {row.email: row for row in conn.execute(select(Order.email, Order.status, Order.id,
                                                                  Order.refunded_total, Order.total))}

    wait_for("every card payment to be applied",
             lambda: all(orders()[e].status == "paid" for e, pays in paying.items() if pays), 90, cluster)
    assert len(orders()) == PURCHASES  # one order per buyer, none doubled by a retried click

    subprocess.run([sys.executable, "-m", "flask", "--app", "storefront", "clock", "set", "--days", "1"],
                   cwd=ROOT, env=cluster.env, check=True, capture_output=True)  # past the card payment deadline
    wait_for("the worker's timers to cancel every unpaid order",
             lambda: all(orders()[e].status == "cancelled" for e, pays in paying.items() if not pays), 150, cluster)

    queue = RedisHuey("storefront", url=REDIS_URL)

    def drained() -> bool:
        with engine.connect() as conn:
            waiting_mail = conn.scalar(select(func.count()).select_from(OutboxMail)
                                       .where(OutboxMail.status != "sent"))
            waiting_search = conn.scalar(select(func.count()).select_from(SearchOutbox))
            waiting_hooks = conn.scalar(select(func.count()).select_from(SandboxWebhookEvent)
                                        .where(SandboxWebhookEvent.delivered_at.is_(None)))
        return waiting_mail == 0 and waiting_search == 0 and waiting_hooks == 0 and queue.pending_count() == 0

    wait_for("the queue and the outboxes to drain", drained, 120, cluster)

    final = orders()
    assert {e: o.status for e, o in final.items()} == {e: "paid" if pays else "cancelled" for e, pays in paying.items()}
    paid = sum(paying.values())
    with engine.connect() as conn:
        assert conn.scalar(select(Variant.stock).where(Variant.id == variant)) == STOCK - paid  # stock exact
        cancellations = Counter(conn.scalars(select(OrderEvent.order_id).where(OrderEvent.to_status == "cancelled")))
        assert sorted(cancellations.values()) == [1] * (PURCHASES - paid)  # each timer effect once
        assert conn.scalar(select(func.count()).select_from(Refund)) == 0  # nothing paid was refunded, twice or once
        assert conn.scalar(select(func.count()).select_from(Checkout)) == PURCHASES
        mails = conn.execute(select(OutboxMail.message_id, OutboxMail.recipient, OutboxMail.template)).all()
    per_buyer = Counter((m.recipient, m.template) for m in mails)
    assert per_buyer and max(per_buyer.values()) == 1, per_buyer  # every email once
    assert sum(1 for m in mails if m.template == "order_received") == PURCHASES
    assert sum(1 for m in mails if m.template == "payment_received") == paid
    sent = Counter(message_from_bytes(p.read_bytes())["Message-ID"]
                   for p in (cluster.base / "instance" / "mail").glob("*.eml"))
    assert sent == Counter(m.message_id for m in mails)  # each Message-ID sent (written) once
    assert all(o.refunded_total == 0 for o in final.values())


def test_slow_clients_trickling_headers_leave_pages_answering_behind_nginx(cluster):
    """#14 item 12: more slow connections than a node has sync workers stall gunicorn when it faces clients
    itself; through nginx, which reads whole requests first, pages keep answering."""

    def trickle(port: int, stop: threading.Event) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(b"GET /en/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")

        def drip():
            while not stop.is_set():
                try:
                    sock.sendall(b"X-Slow: a\r\n")
                except OSError:
                    return
                stop.wait(1)

        threading.Thread(target=drip, daemon=True).start()
        return sock

    node = cluster.web_ports[1]
    stop = threading.Event()
    slow = [trickle(node, stop) for _ in range(WEB_WORKERS + 2)]  # every sync worker of the node is held
    try:
        time.sleep(1)
        with pytest.raises(requests.Timeout):  # what nginx protects the nodes from
            requests.get(f"http://127.0.0.1:{node}/healthz", timeout=3)
    finally:
        stop.set()
        for sock in slow:
            sock.close()

    stop = threading.Event()
    slow = [trickle(cluster.nginx_port, stop) for _ in range(8)]
    try:
        time.sleep(1)
        for _ in range(6):  # nginx spreads these over both nodes; none waits behind the slow clients
            page = requests.get(f"{cluster.url}/en/", timeout=5)
            assert page.status_code == 200 and page.headers.get("Content-Encoding") in ("gzip", "br")
        static = requests.get(f"{cluster.url}/static/css/site.css?v=0123abcd", timeout=5)
        assert static.status_code == 200 and static.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        unversioned = requests.get(f"{cluster.url}/static/css/site.css", timeout=5)
        assert unversioned.headers["Cache-Control"] == "public, max-age=300"
        assert "gunicorn" not in static.headers.get("Server", "")  # served by nginx itself
    finally:
        stop.set()
        for sock in slow:
            sock.close()
