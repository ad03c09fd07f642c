"""A seller bulk-uploads a listing whose picture is an address; the worker fetches it, and the shopper's phone
shows the stored copy without ever calling the seller's server (issue 14, item 11)."""
import json
import threading
from http.server import ThreadingHTTPServer

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.shop import log_in, query
from tests.integration.test_image_fetches import PORTS, Pictures


@pytest.fixture
def picture_server(live_app):
    """The seller's picture server on 127.0.0.1 (a port of this engineer's range), reachable by the fetcher
    through the test-only setting."""
    for port in PORTS:
        try:
            httpd = ThreadingHTTPServer(("127.0.0.1", port), Pictures)
            break
        except OSError:
            continue
    else:
        pytest.fail("no free port in 7800-7899")
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    live_app.config["IMAGE_FETCH_ALLOW_NETWORKS"] = "127.0.0.1/32"
    yield f"http://127.0.0.1:{httpd.server_port}"
    live_app.config["IMAGE_FETCH_ALLOW_NETWORKS"] = ""
    httpd.shutdown()
    httpd.server_close()


def test_a_picture_given_by_address_is_shown_from_the_shop_only(page: Page, live_server, live_app, live_server_db,
                                                                picture_server, tmp_path):
    from storefront.extensions import db
    from storefront.jobs.work import fetch_listing_images

    listing = {"seller": {"handle": "x", "name": "x", "country": "CN"}, "brand": "Picto", "model": "E2E-PIC-1",
               "category": "Home & Kitchen > Mugs", "title": {"en": "Red enamel mug", "es": "Taza esmaltada roja"},
               "images": [f"{picture_server}/photo.png", f"{picture_server}/not-image.png"],
               "variants": [{"sku": "E2E-PIC-1", "price": "7.00", "currency": "USD", "stock": 5}]}
    feed = tmp_path / "mugs.jsonl"
    feed.write_text(json.dumps(listing) + "\n")
    log_in(page, live_server, "seller@demo.test")
    page.goto(f"{live_server}/es/seller/listings/bulk")
    page.set_input_files("input[type=file]", str(feed))
    page.get_by_test_id("upload").click()
    expect(page.get_by_test_id("bulk-summary")).to_contain_text("1")

    with live_app.app_context():
        report = fetch_listing_images(db.session, live_app.config)
        db.session.remove()
    assert (report.stored, report.failed) == (1, 1)
    page.goto(f"{live_server}/es/seller/listings/")
    expect(page.get_by_test_id("image-fetch-failed")).to_contain_text("no es una imagen JPEG, PNG o WebP")

    product_id, slug = query(live_server_db, "SELECT id, slug FROM products WHERE model = 'E2E-PIC-1'")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server}/es/p/{product_id}-{slug}")
    src = page.get_by_test_id("gallery").locator("img").first.get_attribute("src")
    assert src.startswith("/media/uploads/")
    assert page.evaluate("document.querySelector('[data-testid=gallery] img').naturalWidth") > 0  # it loaded
    assert not [url for url in requested if url.startswith(picture_server)]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
