"""The seller center's listings: create, edit, publish, rows added in place, photos, bulk upload, who may do what."""
from __future__ import annotations

import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from storefront.catalog.models import Category, Product, SearchOutbox
from storefront.extensions import db
from storefront.seller_center import listings_views as center
from storefront.sellers.models import Offer, Seller, Variant
from tests.factories import account, add_listing

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def listings_blueprint(app):
    """The seller-center listing pages on the app (a no-op once create_app registers them)."""
    if "seller_listings" not in app.blueprints:
        app.register_blueprint(center.bp)
    return app


def login(app, email: str, *, role: str = "shopper", store: tuple[str, str, str] | None = None):
    """A logged-in client for a new account; a seller account gets its own store (handle, name, country)."""
    return account(app, email, role=role, new_store=store)


@pytest.fixture
def owner(app):
    """The owner of SZ Audio (China), logged in."""
    return login(app, "owner@example.com", role="seller", store=("sz-audio", "SZ Audio Store", "CN"))


@pytest.fixture
def rival(app):
    """The owner of another store, logged in."""
    return login(app, "rival@example.com", role="seller", store=("berlin-mugs", "Berlin Mugs", "DE"))


@pytest.fixture
def shopper(app):
    """A shopper account, logged in."""
    return login(app, "shopper@example.com")


def form(**overrides) -> dict:
    """A complete listing form: two languages, two variants, typed as a seller would."""
    data = {
        "gtin": "", "brand": "Sonvoz", "model": "SV-100",
        "category_id": "", "category_path": "Electronics > Audio > Headphones",
        "languages-0-locale": "en", "languages-0-title": "Sonvoz folding travel headphones",
        "languages-0-description": "Folds flat.",
        "languages-1-locale": "es", "languages-1-title": "Auriculares de viaje plegables Sonvoz",
        "languages-1-description": "Se pliegan.",
        "variants-0-sku": "SV-100-BLK", "variants-0-options-0-name": "Color", "variants-0-options-0-value": "Black",
        "variants-0-price": "25.00", "variants-0-currency": "USD", "variants-0-stock": "10",
        "variants-1-sku": "SV-100-WHT", "variants-1-options-0-name": "Color", "variants-1-options-0-value": "White",
        "variants-1-price": "27.50", "variants-1-currency": "USD", "variants-1-stock": "4",
        "ships_from": "CN", "handling_days": "2", "weight_grams": "300", "free_shipping": "es, mx",
        "free_shipping_over": "",
    }
    data.update(overrides)
    return data


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def only_offer() -> Offer:
    db.session.rollback()
    return db.session.scalar(select(Offer))


def result_ids(html: str) -> list[str]:
    """Product ids in a search or category page's results."""
    grid = html.split('data-testid="results"', 1)[1] if 'data-testid="results"' in html else ""
    grid = grid.split('data-testid="popular-alternatives"', 1)[0]
    return re.findall(r'href="/\w\w/p/(\d+)-', grid)


def png_bytes(size=(640, 480), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def jpeg_with_exif(size=(2000, 1500)) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc."  # Make
    exif[0x0131] = "secret-firmware"  # Software
    out = io.BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def uploads(app) -> list[Path]:
    folder = Path(app.config["MEDIA_PATH"]) / "uploads"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# -- create, find, edit ---------------------------------------------------------------------------


def test_new_listing_with_two_variants_and_two_languages_is_searchable_right_after(owner):
    response = owner.post("/en/seller/listings/new", data=form())
    assert response.status_code == 303 and response.headers["Location"] == "/en/seller/listings/"

    offer = only_offer()
    product = offer.product
    assert offer.seller.handle == "sz-audio" and offer.is_published
    assert product.titles == {"en": "Sonvoz folding travel headphones", "es": "Auriculares de viaje plegables Sonvoz"}
    assert [(v.sku, v.options, v.price, v.stock) for v in offer.variants] == [
        ("SV-100-BLK", {"Color": "Black"}, Decimal("25.00"), 10),
        ("SV-100-WHT", {"Color": "White"}, Decimal("27.50"), 4),
    ]
    assert (offer.ships_from, offer.handling_days, offer.weight_grams) == ("CN", 2, 300)
    assert sorted(offer.free_shipping) == ["ES", "MX"]
    assert product.category.slug == "electronics-audio-headphones"
    # The request's teardown synced the index: nothing is left queued and search finds it in both languages.
    assert count(SearchOutbox) == 0
    assert result_ids(owner.get("/en/search?q=folding+travel+headphones").data.decode()) == [str(product.id)]
    assert result_ids(owner.get("/es/search?q=auriculares+plegables").data.decode()) == [str(product.id)]

    overview = owner.get("/en/seller/listings/").data.decode()
    assert "Sonvoz folding travel headphones" in overview and "<bdi>$25.00</bdi> – <bdi>$27.50</bdi>" in overview
    assert f'data-testid="state-{offer.id}">Published' in overview
    spanish = owner.get("/es/seller/listings/").data.decode()
    assert "Auriculares de viaje plegables Sonvoz" in spanish  # the title in the seller's language


def test_category_can_be_picked_from_the_list_of_leaf_categories(owner, session):
    # Another store's listing creates Electronics > Audio > Headphones, with Spanish names.
    add_listing(session, seller={"handle": "other", "name": "Other", "country": "US"})
    leaf = session.scalar(select(Category).where(Category.slug == "electronics-audio-headphones"))
    page = owner.get("/es/seller/listings/new").data.decode()
    assert f'<option value="{leaf.id}">Electrónica › Audio › Auriculares</option>' in page
    response = owner.post("/en/seller/listings/new", data=form(category_id=str(leaf.id), category_path=""))
    assert response.status_code == 303
    assert only_offer_of("sz-audio").product.category_id == leaf.id
    assert count(Category) == 3  # no new categories


def only_offer_of(handle: str) -> Offer:
    db.session.rollback()
    return db.session.scalar(select(Offer).join(Seller).where(Seller.handle == handle))


def test_edit_changes_texts_variants_and_shipping_of_the_same_offer(owner):
    owner.post("/en/seller/listings/new", data=form())
    offer = only_offer()
    page = owner.get(f"/en/seller/listings/{offer.id}/edit").data.decode()
    assert 'value="SV-100-WHT"' in page and 'value="27.50"' in page and "Auriculares de viaje plegables" in page

    changed = form(**{"languages-0-title": "Sonvoz noise cancelling headphones", "variants-0-price": "23.00",
                      "variants-1-sku": "", "variants-1-price": "", "variants-1-options-0-name": "",
                      "variants-1-options-0-value": "", "variants-1-stock": "", "handling_days": "1"})
    response = owner.post(f"/en/seller/listings/{offer.id}/edit", data=changed)
    assert response.status_code == 303
    offer = only_offer()
    assert count(Offer) == 1 and count(Product) == 1
    assert offer.product.titles["en"] == "Sonvoz noise cancelling headphones"
    assert [(v.sku, v.price) for v in offer.variants] == [("SV-100-BLK", Decimal("23.00"))]
    assert offer.handling_days == 1
    assert result_ids(owner.get("/en/search?q=noise+cancelling").data.decode()) == [str(offer.product_id)]
    assert result_ids(owner.get("/en/search?q=travel").data.decode()) == []


def test_edit_with_every_sku_renamed_still_updates_the_listing(owner):
    owner.post("/en/seller/listings/new", data=form(brand="", model=""))
    offer = only_offer()
    renamed = form(brand="", model="", **{"variants-0-sku": "NEW-1", "variants-1-sku": "NEW-2"})
    assert owner.post(f"/en/seller/listings/{offer.id}/edit", data=renamed).status_code == 303
    assert count(Offer) == 1 and count(Product) == 1
    assert sorted(v.sku for v in only_offer().variants) == ["NEW-1", "NEW-2"]


def test_sku_of_another_of_my_listings_is_refused_on_that_field(owner):
    owner.post("/en/seller/listings/new", data=form())
    second = form(model="SV-200", **{"languages-0-title": "Other", "variants-0-sku": "X-1",
                                     "variants-1-sku": "SV-100-WHT"})
    response = owner.post("/en/seller/listings/new", data=second)
    html = response.data.decode()
    assert response.status_code == 400
    assert re.search(r'id="variants-1-sku-err" role="alert">You already use this SKU in another listing', html)
    assert count(Offer) == 1 and count(Variant) == 2


# -- failed submits keep everything ----------------------------------------------------------------


def test_failed_submit_keeps_every_value_and_writes_nothing(owner, app):
    data = form(**{"variants-1-price": "27.555", "languages-1-title": "Auriculares <b>plegables</b>"})
    response = owner.post("/en/seller/listings/new",
                          data=data | {"images": (io.BytesIO(png_bytes()), "front.png")},
                          content_type="multipart/form-data")
    html = response.data.decode()
    assert response.status_code == 400
    assert re.search(r'id="variants-1-price-err" role="alert">Enter a price above 0', html)
    assert 'aria-describedby="variants-1-price-err" aria-invalid="true"' in html
    for value in ("SV-100-BLK", "SV-100-WHT", "27.555", "Sonvoz folding travel headphones", "Black", "White",
                  "Electronics &gt; Audio &gt; Headphones", "es, mx"):
        assert f'value="{value}"' in html, value
    assert "Auriculares &lt;b&gt;plegables&lt;/b&gt;" in html
    assert "Folds flat." in html and "Se pliegan." in html
    assert count(Product) == count(Offer) == count(Variant) == count(Category) == 0
    # The photo was stored once and travels in a hidden field: fixing the price saves it without re-uploading.
    kept = re.search(r'name="image_paths-0" type="hidden" value="(uploads/sz-audio/[0-9a-f]{32}\.webp)"', html)
    assert kept
    fixed = form(**{"image_paths-0": kept.group(1)})
    assert owner.post("/en/seller/listings/new", data=fixed).status_code == 303
    assert only_offer().product.images == [kept.group(1)]


@pytest.mark.parametrize("change,field,message", [
    ({"languages-0-title": "", "languages-1-title": ""}, "languages-0-title",
     "Enter a title in at least one language."),
    ({"gtin": "0190199246851"}, "gtin", "Enter a valid GTIN"),
    ({"variants-0-sku": "bad sku!"}, "variants-0-sku", "Use 1 to 64 letters"),
    ({"variants-1-sku": "SV-100-BLK"}, "variants-1-sku", "Each SKU can be used only once"),
    ({"variants-0-currency": "XYZ"}, "variants-0-currency", "Choose a currency."),
    ({"variants-0-stock": "lots"}, "variants-0-stock", "Enter the stock as a whole number"),
    ({"variants-0-options-0-value": ""}, "variants-0-options-0-name", "Give every option both a name"),
    ({"handling_days": "99"}, "handling_days", "Enter a whole number of days from 0 to 30."),
    ({"weight_grams": "1.5"}, "weight_grams", "Enter the weight in grams"),
    ({"free_shipping": "ES, Mars"}, "free_shipping", "Enter ISO country codes"),
    ({"free_shipping_over": "lots"}, "free_shipping_over", "Enter an amount of zero or more"),
    ({"category_path": "A >  > B"}, "category_path", "Choose a category, or type one"),
    ({"languages-1-locale": "en"}, "languages-1-locale", "This language is already used above."),
])
def test_each_rule_shows_its_translated_message_on_its_field(owner, change, field, message):
    response = owner.post("/en/seller/listings/new", data=form(**change))
    html = response.data.decode()
    assert response.status_code == 400
    assert re.search(rf'id="{field}-err" role="alert">{re.escape(message)}', html)
    assert count(Product) == 0


def test_messages_are_in_the_sellers_language(owner):
    html = owner.post("/es/seller/listings/new", data=form(**{"variants-0-price": "-1"})).data.decode()
    assert 'id="variants-0-price-err"' in html and '<html lang="es"' in html


# -- variant and language rows, with and without HTMX ---------------------------------------------


def test_add_and_remove_variant_rows_in_place_with_htmx(owner):
    headers = HTMX | {"HX-Target": "variants"}
    added = owner.post("/en/seller/listings/new", data=form(add_variant="1"), headers=headers)
    body = added.data.decode().strip()
    assert added.status_code == 200 and body.startswith('<div id="variants"') and "<html" not in body
    assert body.count('data-testid="variant-row"') == 3
    assert 'value="SV-100-BLK"' in body and 'value="SV-100-WHT"' in body and 'name="variants-2-sku"' in body

    removed = owner.post("/en/seller/listings/new", data=form(remove_variant="0"), headers=headers)
    body = removed.data.decode()
    assert body.count('data-testid="variant-row"') == 1
    assert 'value="SV-100-WHT"' in body and "SV-100-BLK" not in body
    assert removed.headers["Vary"].count("HX-Target") == 1
    assert count(Product) == 0


def test_add_and_remove_variant_rows_without_javascript(owner):
    added = owner.post("/en/seller/listings/new", data=form(add_variant="1"))
    html = added.data.decode()
    assert added.status_code == 200 and "<html" in html and 'data-testid="listing-form"' in html
    assert html.count('data-testid="variant-row"') == 3
    assert 'value="Sonvoz folding travel headphones"' in html and 'value="es, mx"' in html  # the rest kept too
    removed = owner.post("/en/seller/listings/new", data=form(remove_variant="1"))
    html = removed.data.decode()
    assert html.count('data-testid="variant-row"') == 1 and "SV-100-WHT" not in html
    assert count(Product) == 0


def test_add_and_remove_languages_in_place(owner):
    headers = HTMX | {"HX-Target": "languages"}
    body = owner.post("/en/seller/listings/new", data=form(add_language="1"), headers=headers).data.decode()
    assert body.strip().startswith('<div id="languages"') and body.count('data-testid="language-row"') == 3
    assert '<option selected value="ar">' in body  # the first language not used yet
    body = owner.post("/en/seller/listings/new", data=form(remove_language="0"), headers=headers).data.decode()
    assert body.count('data-testid="language-row"') == 1 and "Auriculares de viaje" in body
    assert "Sonvoz folding travel headphones" not in body


# -- publishing -----------------------------------------------------------------------------------


def test_unpublish_hides_the_product_from_category_and_search_and_publish_shows_it_again(owner):
    owner.post("/en/seller/listings/new", data=form())
    offer = only_offer()
    product_id = str(offer.product_id)
    assert result_ids(owner.get("/en/c/electronics").data.decode()) == [product_id]

    response = owner.post(f"/en/seller/listings/{offer.id}/unpublish")
    assert response.status_code == 303
    assert only_offer().is_published is False
    assert result_ids(owner.get("/en/c/electronics").data.decode()) == []
    assert result_ids(owner.get("/en/search?q=travel+headphones").data.decode()) == []
    assert f'data-testid="state-{offer.id}">Hidden' in owner.get("/en/seller/listings/").data.decode()

    swapped = owner.post(f"/en/seller/listings/{offer.id}/publish", headers=HTMX | {"HX-Target": "listings"})
    body = swapped.data.decode().strip()
    assert body.startswith('<div id="listings"') and "Listing published." in body
    assert result_ids(owner.get("/en/c/electronics").data.decode()) == [product_id]
    assert result_ids(owner.get("/en/search?q=travel+headphones").data.decode()) == [product_id]


# -- who may do what -------------------------------------------------------------------------------

ENDPOINTS = [
    ("get", "/en/seller/listings/", 200),
    ("get", "/en/seller/listings/new", 200),
    ("post", "/en/seller/listings/new", 400),  # the owner's empty form: refused, but the page answered
    ("get", "/en/seller/listings/{id}/edit", 200),
    ("post", "/en/seller/listings/{id}/edit", 303),
    ("post", "/en/seller/listings/{id}/unpublish", 303),
    ("post", "/en/seller/listings/{id}/publish", 303),
    ("get", "/en/seller/listings/bulk", 200),
    ("post", "/en/seller/listings/bulk", 400),
]


@pytest.fixture
def listed(owner) -> int:
    owner.post("/en/seller/listings/new", data=form())
    return only_offer().id


def _request(client, method, path, offer_id):
    path = path.format(id=offer_id)
    data = form(**{"languages-0-title": "Changed by someone"}) if path.endswith("/edit") else {}
    return getattr(client, method)(path, data=data) if method == "post" else client.get(path)


@pytest.mark.parametrize("method,path,owner_status", ENDPOINTS)
def test_owner_may_use_every_listing_page(owner, listed, method, path, owner_status):
    assert _request(owner, method, path, listed).status_code == owner_status


@pytest.mark.parametrize("method,path,_status", ENDPOINTS)
def test_another_seller_gets_404_for_my_listing_and_only_their_own_pages(rival, listed, method, path, _status):
    response = _request(rival, method, path, listed)
    if "{id}" in path:
        assert response.status_code == 404
    else:
        assert response.status_code in (200, 400)
        assert "Sonvoz folding travel headphones" not in response.data.decode()
    offer = only_offer()
    assert offer.is_published and offer.product.titles["en"] == "Sonvoz folding travel headphones"


@pytest.mark.parametrize("method,path,_status", ENDPOINTS)
def test_shopper_gets_404_everywhere(shopper, listed, method, path, _status):
    assert _request(shopper, method, path, listed).status_code == 404


@pytest.mark.parametrize("method,path,_status", ENDPOINTS)
def test_anonymous_visitor_is_sent_to_log_in(client, listed, method, path, _status):
    response = _request(client, method, path, listed)
    assert response.status_code == 302 and response.headers["Location"].startswith("/en/account/login?next=")
    assert only_offer().is_published


def test_seller_account_without_a_store_gets_404(app):
    client = login(app, "storeless@example.com", role="seller")
    assert client.get("/en/seller/listings/").status_code == 404


def test_photo_path_of_another_store_in_the_form_is_404(owner, rival, app):
    rival_upload = rival.post("/en/seller/listings/new", data=form(**{"variants-0-price": "x"}) | {
        "images": (io.BytesIO(png_bytes()), "a.png")}, content_type="multipart/form-data").data.decode()
    path = re.search(r'value="(uploads/berlin-mugs/[^"]+)"', rival_upload).group(1)
    assert owner.post("/en/seller/listings/new", data=form(**{"image_paths-0": path})).status_code == 404
    assert owner.post("/en/seller/listings/new", data=form(**{"image_paths-0": "../../etc/passwd"})).status_code == 404
    assert count(Product) == 0


def test_html_in_titles_is_escaped_on_the_product_page_and_in_the_seller_center(owner):
    title = '<script>alert(1)</script> <img src=x onerror=alert(2)> earbuds'
    assert owner.post("/en/seller/listings/new", data=form(**{"languages-0-title": title})).status_code == 303
    offer = only_offer()
    for html in (owner.get(f"/en/p/{offer.product_id}-{offer.product.slug}").data.decode(),
                 owner.get("/en/seller/listings/").data.decode(),
                 owner.get(f"/en/seller/listings/{offer.id}/edit").data.decode()):
        assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# -- offers on products already in the catalog --------------------------------------------------------


def test_gtin_of_a_catalog_product_adds_my_offer_to_it_without_rewriting_it(owner, session):
    theirs = add_listing(session, gtin="0190199246850", seller={"handle": "other", "name": "Other", "country": "US"})
    data = form(gtin="0190199246850", **{"languages-0-title": "My own wording"})
    found = owner.post("/en/seller/listings/new", data=data | {"find_product": "1"})
    html = found.data.decode()
    assert found.status_code == 200 and 'data-testid="locked-product"' in html and "Wireless earbuds" in html
    assert f'name="product_id" type="hidden" value="{theirs.id}"' in html

    saved = owner.post("/en/seller/listings/new", data=data | {"product_id": str(theirs.id)})
    assert saved.status_code == 303
    mine = only_offer_of("sz-audio")
    assert mine.product_id == theirs.id and count(Product) == 1
    db.session.rollback()
    product = db.session.get(Product, theirs.id)
    assert product.titles["en"] == "Wireless earbuds" and product.offer_count == 2


def test_saving_a_known_product_as_new_shows_the_match_first(owner, session):
    theirs = add_listing(session, brand="Sonvoz", model="SV-100",
                         seller={"handle": "other", "name": "Other", "country": "US"})
    first = owner.post("/en/seller/listings/new", data=form())
    html = first.data.decode()
    assert first.status_code == 400 and "already in the catalog" in html
    assert f'name="product_id" type="hidden" value="{theirs.id}"' in html and count(Offer) == 1
    again = owner.post("/en/seller/listings/new", data=form(product_id=str(theirs.id)))
    assert again.status_code == 303 and only_offer_of("sz-audio").product_id == theirs.id
    # Shared now: my edit page keeps the product's texts as they are, and saving does not change them.
    offer = only_offer_of("sz-audio")
    page = owner.get(f"/en/seller/listings/{offer.id}/edit").data.decode()
    assert "Other stores sell this product too" in page
    edited = form(**{"languages-0-title": "Hijacked title", "variants-0-price": "19.00"})
    assert owner.post(f"/en/seller/listings/{offer.id}/edit", data=edited).status_code == 303
    db.session.rollback()
    assert db.session.get(Product, theirs.id).titles["en"] == "Wireless earbuds"
    assert only_offer_of("sz-audio").variants[0].price == Decimal("19.00")


def test_a_product_i_already_sell_cannot_be_listed_twice(owner):
    owner.post("/en/seller/listings/new", data=form(gtin="4006381333931"))
    again = owner.post("/en/seller/listings/new", data=form(gtin="4006381333931", **{
        "variants-0-sku": "B-1", "variants-1-sku": "B-2", "product_id": str(only_offer().product_id)}))
    assert again.status_code == 400 and "You already sell this product" in again.data.decode()
    assert count(Offer) == 1


# -- photos ---------------------------------------------------------------------------------------------


def test_png_and_jpeg_are_accepted_resized_and_stored_without_exif(owner, app):
    files = [(io.BytesIO(png_bytes()), "front.png"), (io.BytesIO(jpeg_with_exif()), "side.JPG")]
    response = owner.post("/en/seller/listings/new", data=form() | {"images": files},
                          content_type="multipart/form-data")
    assert response.status_code == 303
    images = only_offer().product.images
    assert len(images) == 2 and all(re.fullmatch(r"uploads/sz-audio/[0-9a-f]{32}\.webp", p) for p in images)
    media = Path(app.config["MEDIA_PATH"])
    for path in images:
        raw = (media / path).read_bytes()
        assert b"SpyCam" not in raw and b"secret-firmware" not in raw
        with Image.open(media / path) as picture:
            assert picture.format == "WEBP" and max(picture.size) <= 1200
            assert "exif" not in picture.info and not picture.getexif()
        with Image.open(media / path.replace(".webp", "-400.webp")) as thumb:
            assert max(thumb.size) <= 400
    with Image.open(media / images[1]) as side:
        assert side.size == (1200, 900)
    served = owner.get(f"/media/{images[0]}")
    assert served.status_code == 200 and served.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("content,name,message", [
    (b"<?php system($_GET['c']); ?>", "shell.jpg", "is not a JPEG, PNG or WebP picture"),
    (b"just some text\n" * 10, "notes.png", "is not a JPEG, PNG or WebP picture"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * (5 * 1024 * 1024), "huge.png", "is larger than 5 MB"),
])
def test_bad_uploads_are_refused_on_the_field_and_nothing_is_saved(owner, app, content, name, message):
    response = owner.post("/en/seller/listings/new", data=form() | {"images": (io.BytesIO(content), name)},
                          content_type="multipart/form-data")
    html = response.data.decode()
    assert response.status_code == 400
    assert re.search(rf'id="images-err" role="alert">“{re.escape(name)}” {message}', html)
    assert uploads(app) == [] and count(Product) == 0
    assert 'value="SV-100-BLK"' in html  # the rest of the form is kept


def test_decompression_bomb_is_refused(owner, app):
    bomb = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(bomb, "PNG")  # 144 megapixels in a few kilobytes
    assert len(bomb.getvalue()) < 100_000
    response = owner.post("/en/seller/listings/new", data=form() | {"images": (io.BytesIO(bomb.getvalue()), "b.png")},
                          content_type="multipart/form-data")
    assert response.status_code == 400 and "has too many pixels" in response.data.decode()
    assert uploads(app) == []


def test_at_most_eight_photos(owner, app):
    files = [(io.BytesIO(png_bytes((50, 50), (i * 20, 0, 0))), f"p{i}.png") for i in range(9)]
    response = owner.post("/en/seller/listings/new", data=form() | {"images": files},
                          content_type="multipart/form-data")
    html = response.data.decode()
    assert response.status_code == 400 and "at most 8 photos; “p8.png” was not added" in html
    assert html.count('name="image_paths-') == 8 and count(Product) == 0


def test_removing_a_photo_keeps_the_others(owner):
    files = [(io.BytesIO(png_bytes((60, 60))), "a.png"), (io.BytesIO(png_bytes((70, 70))), "b.png")]
    html = owner.post("/en/seller/listings/new", data=form(add_variant="1") | {"images": files},
                      content_type="multipart/form-data").data.decode()
    paths = re.findall(r'name="image_paths-\d" type="hidden" value="([^"]+)"', html)
    assert len(paths) == 2
    after = owner.post("/en/seller/listings/new", data=form(**{"image_paths-0": paths[0], "image_paths-1": paths[1],
                                                                "remove_image": "0"})).data.decode()
    assert re.findall(r'name="image_paths-\d" type="hidden" value="([^"]+)"', after) == [paths[1]]


# -- bulk upload ----------------------------------------------------------------------------------------

CSV_HEADER = ("listing,brand,model,category,title_en,title_es,ships_from,handling_days,weight_grams,free_shipping,"
              "sku,option1_name,option1_value,price,currency,stock\n")


def test_bulk_csv_imports_good_listings_and_reports_bad_ones_by_line(owner):
    csv_text = CSV_HEADER + (
        "tee,Acme,T-100,Men's Clothing > T-Shirts,Cotton T-shirt,Camiseta,CN,3,180,*,T-BLK,Color,Black,9.99,USD,40\n"
        "tee,,,,,,,,,,T-WHT,Color,White,9.99,USD,25\n"
        "mug,Acme,M-1,Home & Kitchen > Mugs,Big mug,Taza,CN,3,400,,M-1,,,4.50,USD,5\n"
        "mug,Acme,M-1,Home & Kitchen > Mugs,Big mug,Taza,CN,3,400,,M-2,,,-1,USD,5\n"
        "lamp,Acme,L-1,Home & Kitchen > Lighting,,,CN,3,400,,L-1,,,5.00,USD,5\n"
        ",Acme,X,Home,Row without key,,CN,3,400,,X-1,,,5.00,USD,5\n"
    )
    response = owner.post("/en/seller/listings/bulk", data={"file": (io.BytesIO(csv_text.encode()), "listings.csv")},
                          content_type="multipart/form-data")
    html = response.data.decode()
    assert response.status_code == 200
    assert "1 of 3 listings saved." in html
    assert re.search(r'data-testid="problem-line-5">\s*<td>5</td>\s*<td><code>variants\[1\]\.price</code></td>\s*'
                     r'<td>Enter a price above 0', html)
    assert re.search(r'data-testid="problem-line-6">\s*<td>6</td>\s*<td><code>title</code></td>\s*'
                     r'<td>Enter a title in at least one language', html)
    assert re.search(r'data-testid="problem-line-7">\s*<td>7</td>.*?no value in the listing column', html, re.S)
    offer = only_offer()
    assert offer.seller.handle == "sz-audio" and offer.product.titles == {"en": "Cotton T-shirt", "es": "Camiseta"}
    assert [(v.sku, v.options, v.stock) for v in offer.variants] == [("T-BLK", {"Color": "Black"}, 40),
                                                                      ("T-WHT", {"Color": "White"}, 25)]
    assert offer.free_shipping == ["*"]
    assert count(Offer) == 1
    assert result_ids(owner.get("/en/search?q=cotton+t-shirt").data.decode()) == [str(offer.product_id)]


def test_bulk_jsonl_is_saved_as_my_store_whatever_the_file_says(owner, rival):
    good = {"seller": {"handle": "berlin-mugs", "name": "Impostor", "country": "DE"}, "brand": "Acme", "model": "Q-1",
            "category": "Home & Kitchen > Mugs", "title": {"en": "Quiet mug"},
            "variants": [{"sku": "Q-1", "price": "3.00", "currency": "USD", "stock": 2}]}
    bad = dict(good, model="Q-2", variants=[{"sku": "Q-2", "price": "3.00", "currency": "ABC", "stock": 2}])
    body = (json.dumps(good) + "\n{not json\n" + json.dumps(bad) + "\n").encode()
    html = owner.post("/en/seller/listings/bulk", data={"file": (io.BytesIO(body), "listings.jsonl")},
                      content_type="multipart/form-data").data.decode()
    assert "1 of 3 listings saved." in html
    assert 'data-testid="problem-line-2"' in html and "This line is not valid JSON." in html
    assert re.search(r'data-testid="problem-line-3">.*?variants\[0\]\.currency.*?Choose a currency', html, re.S)
    db.session.rollback()
    seller = db.session.scalar(select(Seller).where(Seller.handle == "berlin-mugs"))
    assert seller.name == "Berlin Mugs" and seller.offers == []
    assert only_offer_of("sz-audio").product.titles == {"en": "Quiet mug"}


def test_bulk_upload_needs_a_csv_or_jsonl_file(owner):
    missing = owner.post("/en/seller/listings/bulk", data={}, content_type="multipart/form-data")
    assert missing.status_code == 400 and "Choose a CSV or JSONL file." in missing.data.decode()
    wrong = owner.post("/en/seller/listings/bulk", data={"file": (io.BytesIO(b"x"), "listings.xlsx")},
                       content_type="multipart/form-data")
    assert wrong.status_code == 400 and "Upload a .csv or .jsonl file." in wrong.data.decode()
    columns = owner.post("/en/seller/listings/bulk", data={"file": (io.BytesIO(b"name,price\nx,1\n"), "a.csv")},
                         content_type="multipart/form-data")
    assert 'data-testid="problem-line-1"' in columns.data.decode() and count(Product) == 0


# -- protection of the forms themselves ------------------------------------------------------------


@pytest.mark.parametrize("path", ["/en/seller/listings/new", "/en/seller/listings/1/edit",
                                  "/en/seller/listings/1/unpublish", "/en/seller/listings/1/publish",
                                  "/en/seller/listings/bulk"])
def test_posts_without_csrf_token_are_refused(app, owner, listed, path):
    app.config["WTF_CSRF_ENABLED"] = True
    response = owner.post(path, data=form())
    assert response.status_code == 400 and "Please try again" in response.data.decode()
    assert only_offer().is_published and count(Offer) == 1


def test_upload_over_the_page_limit_is_stopped_before_it_is_read(app, owner, monkeypatch):
    app.config["WTF_CSRF_ENABLED"] = True  # CSRF protection is the first to read a body: the limit must come first
    monkeypatch.setitem(center.BODY_LIMITS, "seller_listings.bulk", 10_000)
    response = owner.post("/en/seller/listings/bulk", data={"file": (io.BytesIO(b"x" * 20_000), "big.csv")},
                          content_type="multipart/form-data")
    assert response.status_code == 303 and response.headers["Location"] == "/en/seller/listings/bulk"
    assert "That upload is too large" in owner.get("/en/seller/listings/bulk").data.decode()
