"""What search engines read on every shopper page (issue 15, item 8): an absolute canonical address, the page in
every language as absolute hreflang links plus x-default, and a meta description (the product's own text on its
page, a translated sentence elsewhere)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from storefront import create_app
from storefront.config import LOCALES
from storefront.extensions import db
from storefront.sellers.models import Seller, Variant


def _head(html: str) -> str:
    return html.split("</head>", 1)[0]


def _links(head: str) -> dict:
    canonical = re.findall(r'<link rel="canonical" href="([^"]+)">', head)
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', head))
    description = re.findall(r'<meta name="description" content="([^"]*)">', head)
    return {"canonical": canonical, "alternates": alternates, "description": description}


def _pages(session) -> dict[str, str]:
    variant = session.scalar(select(Variant).where(Variant.sku == "EB-1"))
    product = variant.offer.product
    seller = session.scalar(select(Seller).where(Seller.handle == "sz-audio"))
    return {"home": "/{l}/", "category": f"/{{l}}/c/{product.category.slug}",
            "product": f"/{{l}}/p/{product.id}-{product.slug}", "search": "/{l}/search?q=earbuds",
            "store": f"/{{l}}/store/{seller.handle}", "cart": "/{l}/cart/", "compare": "/{l}/compare"}


def test_every_shopper_page_has_absolute_canonical_hreflang_and_a_description(app, stores, client):
    for name, pattern in _pages(db.session).items():
        for locale in LOCALES:
            path = pattern.format(l=locale)
            response = client.get(path)
            assert response.status_code == 200, path
            links = _links(_head(response.data.decode()))
            bare = path.split("?")[0]
            assert links["canonical"] and links["canonical"][0].startswith("http://localhost/"), (path, links)
            assert links["canonical"][0].split("?")[0] == "http://localhost" + bare, (path, links)
            assert set(links["alternates"]) == set(LOCALES) | {"x-default"}, (path, links)
            assert all(href.startswith("http://localhost/") for href in links["alternates"].values())
            assert links["alternates"][locale] == links["canonical"][0]
            assert links["alternates"]["x-default"] == links["alternates"]["en"]
            assert links["description"] and len(links["description"][0]) > 10, (path, links)


def test_canonical_keeps_the_search_and_page_but_not_sorts_or_choices(app, stores, client):
    head = _head(client.get("/en/search?q=earbuds&sort=price_asc&page=1&utm_source=x").data.decode())
    canonical = _links(head)["canonical"][0]
    assert "q=earbuds" in canonical and "page=1" in canonical
    assert "sort=" not in canonical and "utm_source" not in canonical


def test_the_product_page_describes_the_product_in_the_shoppers_language(app, stores, client):
    pages = _pages(db.session)
    english = _links(_head(client.get(pages["product"].format(l="en")).data.decode()))["description"][0]
    spanish = _links(_head(client.get(pages["product"].format(l="es")).data.decode()))["description"][0]
    assert english == "Good sound." and spanish == "Buen sonido."


def test_the_description_is_translated(app, stores, client):
    english = _links(_head(client.get("/en/").data.decode()))["description"][0]
    spanish = _links(_head(client.get("/es/").data.decode()))["description"][0]
    assert english != spanish


def test_site_url_sets_the_origin_of_every_address(database_url, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True, "SITE_URL": "https://shop.example",
                      "SEARCH_INDEX_PATH": str(tmp_path / "index"), "MEDIA_PATH": str(tmp_path / "media")})
    with app.app_context():
        head = _head(app.test_client().get("/es/compare").data.decode())
        db.session.remove()
        db.engine.dispose()
    links = _links(head)
    assert links["canonical"] == ["https://shop.example/es/compare"]
    assert links["alternates"]["zh"] == "https://shop.example/zh/compare"


@pytest.mark.parametrize("value", ["shop.example", "ftp://shop.example", "https://shop.example/shop"])
def test_a_site_url_that_is_not_an_origin_stops_start_up(value, tmp_path):
    with pytest.raises(RuntimeError, match="SITE_URL"):
        create_app({"SITE_URL": value, "TESTING": True, "SEARCH_INDEX_PATH": str(tmp_path / "index")})
