"""Shared by the "as served" benchmarks: a throwaway demo store, gunicorn serving it on a local port, and raw HTTP
requests that count the bytes on the wire (http.client never decompresses).

Not a benchmark itself: first_visit.py and static_headers.py use it.
"""
from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PORT", "8010"))
BROWSER_ENCODING = "br, gzip, deflate"


def seed_store(instance: str) -> None:
    """Seed the demo catalog (no history: the pages do not need it) into `instance`, in a child process."""
    code = (
        "from storefront import create_app\n"
        "from storefront.cli import upgrade_database\n"
        "from storefront.catalog.indexing import rebuild_index\n"
        "from storefront.demo.seed import seed_demo_store\n"
        "from storefront.extensions import db\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    upgrade_database()\n"
        "    seed_demo_store(db.session, if_empty=True, history_days=0)\n"
        "    rebuild_index(db.session, app.extensions['search'])\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=_env(instance))


def _env(instance: str) -> dict:
    return os.environ | {"STOREFRONT_INSTANCE": instance, "SECRET_KEY": "bench-secret", "PAYMENT_GATEWAY": "test"}


@contextmanager
def gunicorn(instance: str, workers: int = 2):
    """gunicorn serving the app from `instance` on PORT, stopped on exit."""
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{PORT}", "--log-level", "warning",
         "storefront:create_app()"], cwd=ROOT, env=_env(instance))
    try:
        for _ in range(200):
            try:
                get("/healthz")
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start")
        yield process
    finally:
        process.terminate()
        process.wait(timeout=20)


@dataclass
class Reply:
    """One response as it came over the wire."""

    status: int
    headers: dict[str, str]
    body: bytes
    set_cookies: list[str]

    @property
    def wire_bytes(self) -> int:
        """Body bytes as sent (compressed when it was)."""
        return len(self.body)


def get(path: str, *, encoding: str = BROWSER_ENCODING, cookies: dict[str, str] | None = None,
        method: str = "GET", form: str | None = None) -> Reply:
    """One request to the local gunicorn."""
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    headers = {"Accept-Encoding": encoding, "Accept-Language": "en-US,en;q=0.9", "User-Agent": "Mozilla/5.0 bench"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if form is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=form, headers=headers)
    response = connection.getresponse()
    body = response.read()
    reply = Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, body,
                  response.headers.get_all("Set-Cookie") or [])
    connection.close()
    return reply


def decoded(reply: Reply) -> str:
    """The body as text, decompressed if it was sent compressed."""
    encoding = reply.headers.get("content-encoding")
    if encoding == "br":
        import brotli

        return brotli.decompress(reply.body).decode()
    if encoding == "gzip":
        import gzip

        return gzip.decompress(reply.body).decode()
    return reply.body.decode()


def first_screen_assets(html: str) -> list[str]:
    """What a browser fetches before it can show the first screen: stylesheets, scripts and the images that are
    not lazy-loaded (the picture a phone at 2x picks from srcset is approximated by `src`)."""
    urls = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    urls += re.findall(r'<script src="([^"]+)"', html)
    for tag in re.findall(r"<img [^>]+>", html):
        if 'loading="lazy"' not in tag:
            urls.append(re.search(r'src="([^"]+)"', tag).group(1))
    return [u.replace("&amp;", "&") for u in urls if u.startswith("/")]


def cookies_from(reply: Reply, jar: dict[str, str]) -> dict[str, str]:
    """`jar` updated with the cookies `reply` sets."""
    for header in reply.set_cookies:
        name, _, rest = header.partition("=")
        jar[name] = rest.split(";", 1)[0]
    return jar


def median(values: list[float]) -> float:
    """The middle value."""
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def instance_dir(prefix: str) -> str:
    """A throwaway instance folder."""
    return tempfile.mkdtemp(prefix=prefix)
