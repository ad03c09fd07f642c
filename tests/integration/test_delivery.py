"""How pages and files travel (issue 15, items 1 and 2): compressed in the app itself, static files under
fingerprinted URLs cached for a year, and no session, cookie or database work for any file request."""
from __future__ import annotations

import gzip
import os
import re

import brotli
from sqlalchemy import event

from storefront.extensions import db

BROWSER = {"Accept-Encoding": "gzip, deflate, br", "Accept-Language": "en-US,en;q=0.9"}


def _static_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_pages_are_brotli_compressed_for_browsers_and_gzip_for_the_rest(app, stores, client):
    page = client.get("/en/", headers=BROWSER)
    assert page.headers["Content-Encoding"] == "br"
    html = brotli.decompress(page.data).decode()
    assert "</html>" in html
    assert "Accept-Encoding" in page.headers["Vary"]
    old = client.get("/en/", headers={"Accept-Encoding": "gzip"})
    assert old.headers["Content-Encoding"] == "gzip"
    assert "</html>" in gzip.decompress(old.data).decode()
    plain = client.get("/en/", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and b"</html>" in plain.data


def test_htmx_fragments_are_compressed_too(app, stores, client):
    fragment = client.get("/en/search?q=earbuds", headers=BROWSER | {"HX-Request": "true", "HX-Target": "results"})
    assert fragment.status_code == 200
    body = brotli.decompress(fragment.data).decode() if fragment.headers.get("Content-Encoding") == "br" \
        else fragment.data.decode()
    assert "<html" not in body  # the block alone
    vary = fragment.headers["Vary"]
    assert "HX-Request" in vary and "Accept-Encoding" in vary


def test_every_static_url_carries_the_files_fingerprint_and_is_immutable(app, stores, client):
    html = brotli.decompress(client.get("/en/", headers=BROWSER).data).decode()
    urls = _static_urls(html)
    assert any("site.css" in u for u in urls) and any("htmx.min.js" in u for u in urls)
    for url in urls:
        assert re.search(r"\?v=[0-9a-f]{12}$", url.replace("&amp;", "&")), url
        response = client.get(url, headers=BROWSER)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        if url.split("?")[0].endswith((".css", ".js", ".svg")):  # text travels compressed; PNG icons are already
            assert response.headers["Content-Encoding"] == "br", url
        assert "Cookie" not in response.headers.get("Vary", "")
        assert "Set-Cookie" not in response.headers


def test_a_static_url_without_the_current_fingerprint_is_not_kept_for_a_year(app, client):
    response = client.get("/static/css/site.css?v=000000000000", headers=BROWSER)
    assert response.status_code == 200
    assert "immutable" not in response.headers["Cache-Control"]
    assert client.get("/static/css/nothing-here.css").status_code == 404


def test_static_files_answer_not_modified_to_a_revalidation(app, client):
    first = client.get("/static/js/site.js", headers=BROWSER)
    again = client.get("/static/js/site.js", headers=BROWSER | {"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_file_requests_touch_no_database_session_or_cookie(app, stores, shopper):
    # A logged-in shopper's browser sends its session cookie with every file request.
    client = shopper
    assert client.get("/en/cart/").status_code == 200
    media = app.config["MEDIA_PATH"]
    os.makedirs(f"{media}/uploads/pics", exist_ok=True)
    name = "uploads/pics/" + "a" * 32 + ".webp"
    with open(f"{media}/{name}", "wb") as out:
        out.write(b"RIFF....WEBPVP8 ")
    statements = []

    def count(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        responses = [client.get("/static/css/site.css", headers=BROWSER), client.get(f"/media/{name}")]
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert statements == []
    for response in responses:
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
        assert "Cookie" not in response.headers.get("Vary", "")
    assert responses[1].headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_pages_vary_on_what_picks_their_language_currency_and_country(app, stores, client):
    vary = client.get("/en/", headers=BROWSER).headers["Vary"]
    for name in ("Cookie", "Accept-Language", "Accept-Encoding"):
        assert name in vary
