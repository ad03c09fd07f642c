"""Pictures given by URL in bulk uploads and catalog imports (issue 14, item 11): downloaded by the image job
from a real local HTTP server, checked and re-encoded like uploads, never loaded by shoppers' browsers; private
addresses refused after DNS resolution and on every redirect; other stores' pictures refused."""
from __future__ import annotations

import io
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from storefront.catalog.models import ImageFetch, Product
from storefront.extensions import db
from storefront.jobs.work import fetch_listing_images
from tests.factories import account

PORTS = range(7800, 7900)  # this engineer's port range on the shared machine


def png(size=(640, 480)) -> bytes:
    """A real PNG picture, with a text chunk that must not survive re-encoding."""
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "tracking-id-123")
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


class Pictures(BaseHTTPRequestHandler):
    """The outside world's picture server."""

    def do_GET(self):  # noqa: N802 (http.server's naming)
        """Answer by path; the fetcher hanging up on an oversize body is expected, not an error."""
        try:
            self._answer()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _answer(self):
        """Pictures, junk, oversize bodies and redirects."""
        routes = {
            "/photo.png": (200, {"Content-Type": "image/png"}, png()),
            "/not-image.png": (200, {"Content-Type": "image/png"}, b"<html>surprise</html>"),
            "/big.png": (200, {"Content-Type": "image/png"}, b"\0" * (5 * 1024 * 1024 + 10)),
            "/missing.png": (404, {}, b"no"),
            "/busy.png": (503, {}, b"try later"),
            "/to-photo": (302, {"Location": "/photo.png"}, b""),
            "/to-metadata": (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b""),
            "/to-loopback-v6": (302, {"Location": "http://[::1]:1/secret"}, b""),
            "/loop": (302, {"Location": "/loop"}, b""),
        }
        if self.path == "/big-unannounced.png":  # no Content-Length: the reader itself must stop
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            for _ in range(6):
                self.wfile.write(b"\0" * (1024 * 1024))
            return
        status, headers, body = routes.get(self.path, (404, {}, b"no"))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        """Quiet."""


@pytest.fixture(scope="module")
def server():
    """A picture server on 127.0.0.1, on a free port of our range."""
    for port in PORTS:
        try:
            httpd = ThreadingHTTPServer(("127.0.0.1", port), Pictures)
            break
        except OSError:
            continue
    else:
        pytest.fail("no free port in 7800-7899")
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def owner(app):
    """The owner of SZ Audio, logged in."""
    return account(app, "owner@example.com", role="seller", new_store=("sz-audio", "SZ Audio Store", "CN"))


@pytest.fixture
def local_server_allowed(app):
    """The test-only setting that lets the fetcher reach the local picture server (and nothing else private)."""
    app.config["IMAGE_FETCH_ALLOW_NETWORKS"] = "127.0.0.1/32"


def line(model: str, images: list[str]) -> dict:
    """One listing for a bulk upload."""
    return {"seller": {"handle": "x", "name": "x", "country": "CN"}, "brand": "Acme", "model": model,
            "category": "Home & Kitchen > Mugs", "title": {"en": f"Mug {model}"}, "images": images,
            "variants": [{"sku": model, "price": "3.00", "currency": "USD", "stock": 2}]}


def bulk(client, *lines: dict) -> str:
    """Upload listings as a JSONL file; the report page's HTML."""
    body = "".join(json.dumps(x) + "\n" for x in lines).encode()
    response = client.post("/en/seller/listings/bulk", data={"file": (io.BytesIO(body), "listings.jsonl")},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    return response.data.decode()


def product(model: str) -> Product:
    """The product of a listing by model."""
    db.session.rollback()
    return db.session.scalar(select(Product).where(Product.model == model))


def fetches(model: str) -> list[ImageFetch]:
    """The product's picture fetches, by position."""
    return list(db.session.scalars(select(ImageFetch).where(ImageFetch.product_id == product(model).id)
                                   .order_by(ImageFetch.position)))


def test_pictures_by_url_are_fetched_by_the_job_and_stored_like_uploads(app, owner, server, local_server_allowed):
    html = bulk(owner, line("M-1", [f"{server}/photo.png", f"{server}/to-photo"]))
    assert "1 of 1 listings saved." in html
    assert product("M-1").images == []  # nothing external is ever stored as a picture to show
    assert [f.status for f in fetches("M-1")] == ["pending", "pending"]
    page = owner.get("/en/seller/listings/").data.decode()
    assert page.count('data-testid="image-fetch-pending"') == 2 and "127.0.0.1" in page  # as text only
    assert not re.search(r'src="http', page)

    report = fetch_listing_images(db.session, app.config)
    assert (report.stored, report.failed) == (2, 0)
    stored = product("M-1").images
    assert len(stored) == 2 and all(re.fullmatch(r"uploads/sz-audio/[0-9a-f]{32}\.(webp|jpg)", p) for p in stored)
    for path in stored:
        with Image.open(Path(app.config["MEDIA_PATH"]) / path) as picture:
            assert picture.format in ("WEBP", "JPEG") and "Comment" not in picture.info  # re-encoded, no metadata
    shop_page = app.test_client().get(f"/en/p/{product('M-1').id}-{product('M-1').slug}").data.decode()
    # the shop shows the stored picture (as one of its sized copies), never the outside address
    assert f'src="/media/{stored[0].rsplit(".", 1)[0]}' in shop_page and str(server) not in shop_page

    again = bulk(owner, line("M-1", [f"{server}/photo.png", f"{server}/to-photo"]))  # a re-upload: nothing refetched
    assert "1 of 1 listings saved." in again and product("M-1").images == stored
    assert fetch_listing_images(db.session, app.config).stored == 0


def test_private_addresses_are_refused_after_dns_and_the_line_is_not_imported(app, owner, server):
    port = server.rsplit(":", 1)[1]
    html = bulk(owner, line("P-1", [f"{server}/photo.png"]), line("P-2", [f"http://localhost:{port}/photo.png"]),
                line("P-3", ["http://169.254.169.254/latest/meta-data/"]), line("P-4", ["http://[::1]/x.png"]),
                line("P-5", ["ftp://example.com/x.png"]))
    assert "0 of 5 listings saved." in html
    assert html.count("pictures are only fetched from the public internet") == 4  # localhost: after DNS
    assert 'data-testid="problem-line-5"' in html
    assert db.session.scalar(select(ImageFetch.id)) is None


def test_every_redirect_is_checked_and_failures_show_on_the_listing(app, owner, server, local_server_allowed):
    bulk(owner, line("R-1", [f"{server}/to-metadata", f"{server}/to-loopback-v6", f"{server}/loop",
                             f"{server}/big.png", f"{server}/big-unannounced.png", f"{server}/not-image.png",
                             f"{server}/missing.png"]))
    report = fetch_listing_images(db.session, app.config)
    assert (report.stored, report.failed) == (0, 7)
    assert [(f.status, f.reason) for f in fetches("R-1")] == [
        ("failed", "refused_address"), ("failed", "refused_address"), ("failed", "too_many_redirects"),
        ("failed", "too_large"), ("failed", "too_large"), ("failed", "not_an_image"), ("failed", "http_error")]
    assert product("R-1").images == [] and not list((Path(app.config["MEDIA_PATH"])).rglob("*.webp"))
    page = owner.get("/es/seller/listings/").data.decode()
    assert page.count('data-testid="image-fetch-failed"') == 7
    assert "red privada" in page and "ocupa más de 5 MB" in page


def test_a_busy_server_is_retried_by_later_runs_then_given_up(app, owner, server, local_server_allowed):
    bulk(owner, line("B-1", [f"{server}/busy.png"]))
    for attempt in (1, 2):
        assert fetch_listing_images(db.session, app.config).retry_later == 1
        assert [(f.status, f.attempts) for f in fetches("B-1")] == [("pending", attempt)]
    assert fetch_listing_images(db.session, app.config).failed == 1
    assert [(f.status, f.reason, f.attempts) for f in fetches("B-1")] == [("failed", "http_error", 3)]
    bulk(owner, line("B-1", [f"{server}/busy.png"]))  # uploading the listing again is the seller's retry
    assert [(f.status, f.attempts) for f in fetches("B-1")] == [("pending", 0)]


def test_other_stores_pictures_and_other_media_are_refused_in_bulk_upload(app, owner):
    mine, theirs = "uploads/sz-audio/" + "a" * 32 + ".webp", "uploads/berlin/" + "b" * 32 + ".webp"
    html = bulk(owner, line("S-1", [mine]), line("S-2", [theirs]), line("S-3", ["demo/4902741100376.svg"]),
                line("S-4", ["../secret_key"]))
    assert "1 of 4 listings saved." in html and product("S-1").images == [mine]
    assert html.count("other pictures cannot be used") == 2


def test_catalog_import_queues_urls_and_the_fetch_command_stores_them(app, runner, server, local_server_allowed,
                                                                     tmp_path):
    listing = line("C-1", [f"{server}/photo.png"]) | {"seller": {"handle": "sz-audio", "name": "SZ", "country": "CN"}}
    other = line("C-2", ["uploads/berlin/" + "c" * 32 + ".webp"])
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps(listing) + "\n" + json.dumps(other) + "\n")
    imported = runner.invoke(args=["catalog", "import", str(feed)])
    assert imported.exit_code == 1 and "1 pictures given by URL wait for the worker" in imported.output
    assert "not a picture uploaded by this store" in imported.output
    fetched = runner.invoke(args=["catalog", "fetch-images"])
    assert fetched.exit_code == 0 and "1 pictures stored, 0 failed" in fetched.output
    assert re.fullmatch(r"uploads/sz-audio/[0-9a-f]{32}\.(webp|jpg)", product("C-1").images[0])


def test_shoppers_browsers_never_load_an_outside_address(app, owner):
    bulk(owner, line("L-1", []))
    legacy = product("L-1")
    legacy.images = ["https://tracker.example/pixel.jpg"]  # stored before pictures were fetched
    db.session.commit()
    shop = app.test_client()
    for url in (f"/en/p/{legacy.id}-{legacy.slug}", "/en/search?q=mug", "/en/c/home-kitchen"):
        html = shop.get(url).data.decode()
        assert "tracker.example" not in html, url
    assert "tracker.example" not in owner.get("/en/seller/listings/").data.decode()


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "192.168.0.1", "172.16.5.4", "169.254.169.254",
                                     "0.0.0.0", "[::1]", "[fe80::1]", "[::ffff:127.0.0.1]", "100.64.0.1",
                                     "224.0.0.1"])
def test_non_public_addresses_are_refused_before_connecting(address):
    from storefront.core.fetch import REFUSED_ADDRESS, FetchRefused, Policy, resolve_public

    with pytest.raises(FetchRefused) as refused:
        resolve_public(f"http://{address}/x.png", Policy(max_bytes=10))
    assert refused.value.reason == REFUSED_ADDRESS


def test_a_public_address_passes_the_check():
    from storefront.core.fetch import Policy, resolve_public

    assert resolve_public("https://93.184.215.14/x.png", Policy(max_bytes=10))[3] == "93.184.215.14"
