"""Pictures at the size they are shown (issue 15, item 3): cards, gallery and cart lines offer the smaller
WebP copies stored at upload through srcset/sizes, keep width and height, and only the first screen loads eagerly;
`flask media sizes` (and init-db) make the copies pictures uploaded earlier lack."""
from __future__ import annotations

import io
import re
from pathlib import Path

from sqlalchemy import select

from storefront.extensions import db
from storefront.sellers.images import SIZES, store_image, variant_path
from storefront.sellers.models import Variant
from tests.builders import photo_jpeg
from tests.factories import add_listing

CARD_BUDGET = 15 * 1024  # a 2x-density card picture


def _listing_with_photo(app) -> tuple[str, object]:
    path = store_image(io.BytesIO(photo_jpeg()), app.config["MEDIA_PATH"], "pics")
    product = add_listing(db.session, seller={"handle": "pics", "name": "Pics", "country": "CN"}, images=[path],
                          variants=[{"sku": "PIC-1", "options": {}, "price": "9.00", "currency": "USD", "stock": 5}])
    return path, product


def _img_tags(html: str) -> list[str]:
    return re.findall(r"<img [^>]+>", html)


def test_an_upload_is_stored_with_webp_copies_and_a_card_sized_one_fits_the_budget(app):
    path, _ = _listing_with_photo(app)
    media = Path(app.config["MEDIA_PATH"])
    assert path.endswith(".webp")
    for width in SIZES:
        assert (media / variant_path(path, width)).is_file()
    assert (media / variant_path(path, 400)).stat().st_size <= CARD_BUDGET
    assert (media / path).stat().st_size > 3 * CARD_BUDGET  # what cards used to load


def test_cards_offer_the_small_copies_with_sizes_and_keep_their_box(app, client):
    path, product = _listing_with_photo(app)
    html = client.get(f"/en/c/{product.category.slug}").data.decode()
    card = next(tag for tag in _img_tags(html) if "uploads/pics" in tag)
    stem = path.rsplit(".", 1)[0]
    assert f'src="/media/{stem}-400.webp"' in card
    assert f"/media/{stem}-200.webp 200w" in card and f"/media/{stem}-400.webp 400w" in card
    assert f"/media/{path}" not in card  # never the 1,200 px original
    assert 'sizes="' in card and 'width="200"' in card and 'height="200"' in card


def test_the_gallery_picture_comes_first_and_eager_at_phone_size(app, client):
    path, product = _listing_with_photo(app)
    html = client.get(f"/en/p/{product.id}-{product.slug}").data.decode()
    gallery = html.split('data-testid="gallery"', 1)[1].split("</div>", 1)[0]
    main = _img_tags(gallery)[0]
    stem = path.rsplit(".", 1)[0]
    assert 'fetchpriority="high"' in main and "loading=" not in main
    assert f"/media/{stem}-800.webp 800w" in main and f"/media/{path} 1200w" in main
    assert 'width="400"' in main and 'height="400"' in main


def test_cart_lines_use_the_smallest_copy(app, client):
    path, _ = _listing_with_photo(app)
    variant_id = db.session.scalar(select(Variant.id).where(Variant.sku == "PIC-1"))
    client.post("/en/cart/add", data={"variant_id": variant_id, "qty": 1})
    html = client.get("/en/cart/").data.decode()
    line = next(tag for tag in _img_tags(html) if 'data-testid="line-thumb"' in tag)
    assert f'src="/media/{path.rsplit(".", 1)[0]}-200.webp"' in line and 'width="64"' in line


def test_only_the_first_screen_of_a_listing_loads_eagerly(app, client):
    for n in range(6):
        product = add_listing(db.session, model=f"Lazy-{n}")
    html = client.get(f"/en/c/{product.category.slug}").data.decode()
    cards = [tag for tag in _img_tags(html.split('data-testid="results"', 1)[-1])]
    assert len(cards) >= 6
    assert ["loading=" in tag for tag in cards[:6]] == [False] * 4 + [True] * 2


def test_media_sizes_makes_the_copies_older_uploads_lack(app, runner):
    path, _ = _listing_with_photo(app)
    media = Path(app.config["MEDIA_PATH"])
    for width in (200, 800):
        (media / variant_path(path, width)).unlink()
    result = runner.invoke(args=["media", "sizes"])
    assert result.exit_code == 0, result.output
    assert "2 smaller copies made" in result.output
    assert all((media / variant_path(path, w)).is_file() for w in SIZES)
    assert "0 smaller copies made" in runner.invoke(args=["media", "sizes"]).output
