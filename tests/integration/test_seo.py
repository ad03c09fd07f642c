"""What search engines and link previews read: Product and BreadcrumbList JSON-LD, Open Graph tags,
robots.txt and the per-language sitemaps."""
from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest
from sqlalchemy import select

from storefront.catalog import seo_views
from storefront.catalog.models import Category, Product
from storefront.config import LOCALES
from storefront.sellers.models import Seller, Variant
from tests.factories import add_listing

SCHEMA = json.loads((Path(__file__).parents[1] / "fixtures" / "product_rich_result.schema.json").read_text())
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def json_ld(html: str) -> dict[str, dict]:
    """Every JSON-LD block of a page, by its @type."""
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return {data["@type"]: data for data in map(json.loads, blocks)}


def meta(html: str, name: str) -> str | None:
    found = re.search(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)">', html)
    return found.group(1) if found else None


def test_every_product_page_has_product_json_ld_search_engines_accept(client, session, stores):
    products = session.scalars(select(Product)).all()
    assert len(products) == 2
    for product in products:
        html = client.get(f"/en/p/{product.id}-{product.slug}").data.decode()
        data = json_ld(html)
        jsonschema.validate(data["Product"], SCHEMA)
        variant = session.scalar(select(Variant).join(Variant.offer).where(Variant.offer.has(product_id=product.id)))
        offer = data["Product"]["offers"][0]
        assert (Decimal(offer["price"]), offer["priceCurrency"]) == (variant.price, variant.currency)
        assert offer["availability"] == "https://schema.org/InStock"
        assert offer["shippingDetails"]["shippingDestination"]["addressCountry"]  # the shopper's country
        assert data["Product"]["url"] == f"http://localhost/en/p/{product.id}-{product.slug}"
        assert [c["position"] for c in data["BreadcrumbList"]["itemListElement"]][-1] >= 2
        assert data["BreadcrumbList"]["itemListElement"][-1]["item"] == data["Product"]["url"]
        assert "aggregateRating" not in data["Product"]  # no reviews: no rating promised


def test_rating_and_stock_follow_the_product(client, session, stores):
    product = session.scalars(select(Product)).first()
    product.rating_avg, product.rating_count = Decimal("4.50"), 12
    for variant in session.scalars(select(Variant)):
        variant.stock = 0
    session.commit()
    data = json_ld(client.get(f"/es/p/{product.id}-{product.slug}").data.decode())["Product"]
    jsonschema.validate(data, SCHEMA)
    assert data["aggregateRating"]["ratingValue"] == "4.50" and data["aggregateRating"]["reviewCount"] == 12
    assert {o["availability"] for o in data["offers"]} == {"https://schema.org/OutOfStock"}


def test_a_hostile_title_cannot_leave_the_json_ld_block(client, session):
    add_listing(session, title={"en": '</script><script>alert(1)</script> "Earbuds"'},
                variants=[{"sku": "X-1", "price": "5.00", "currency": "USD", "stock": 1}])
    product = session.scalars(select(Product)).first()
    html = client.get(f"/en/p/{product.id}-{product.slug}").data.decode()
    assert "<script>alert(1)" not in html
    assert json_ld(html)["Product"]["name"] == '</script><script>alert(1)</script> "Earbuds"'


def test_link_previews_and_no_markup_in_htmx_fragments(client, session, stores):
    product = session.scalars(select(Product)).first()
    url = f"/en/p/{product.id}-{product.slug}"
    html = client.get(url).data.decode()
    assert meta(html, "og:type") == "product" and meta(html, "og:url") == f"http://localhost{url}"
    assert meta(html, "og:title") and meta(html, "og:image").startswith("http://localhost/")
    assert meta(html, "twitter:card") == "summary_large_image"
    fragment = client.get(url, headers={"HX-Request": "true", "HX-Target": "purchase"}).data.decode()
    assert "application/ld+json" not in fragment and "og:title" not in fragment


def test_category_pages_have_a_breadcrumb_list(client, session, stores):
    category = session.scalars(select(Category)).first()
    data = json_ld(client.get(f"/ar/c/{category.slug}").data.decode())["BreadcrumbList"]
    items = data["itemListElement"]
    assert [i["position"] for i in items] == list(range(1, len(items) + 1))
    assert items[-1]["item"] == f"http://localhost/ar/c/{category.slug}"
    assert items[0]["item"] == "http://localhost/ar/"


def test_robots_keeps_crawlers_out_of_personal_and_search_pages(client):
    robots = client.get("/robots.txt")
    assert robots.status_code == 200 and robots.mimetype == "text/plain"
    body = robots.data.decode()
    for locale in LOCALES:
        for path in ("cart", "checkout", "account", "seller", "admin", "search"):
            assert f"Disallow: /{locale}/{path}\n" in body
    assert "Sitemap: http://localhost/sitemap.xml" in body
    assert "Disallow: /en/p/" not in body and "Disallow: /\n" not in body


def sitemap_urls(client, index_url: str = "/sitemap.xml") -> dict[str, list[ElementTree.Element]]:
    """Each sitemap file named by the index, with its <url> elements."""
    index = ElementTree.fromstring(client.get(index_url).data)
    files = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    out = {}
    for file in files:
        response = client.get(file.removeprefix("http://localhost"))
        assert response.status_code == 200 and response.mimetype == "application/xml"
        out[file] = list(ElementTree.fromstring(response.data).iter(f"{SITEMAP}url"))
    return out


def test_sitemaps_list_every_page_in_every_language_with_alternates(client, session, stores):
    files = sitemap_urls(client)
    assert sorted(files) == sorted(f"http://localhost/sitemaps/{locale}-1.xml" for locale in LOCALES)
    products = session.scalars(select(Product)).all()
    handles = session.scalars(select(Seller.handle)).all()
    for file, urls in files.items():
        locale = file.rsplit("/", 1)[1].split("-")[0]
        locs = [u.find(f"{SITEMAP}loc").text for u in urls]
        assert f"http://localhost/{locale}/" in locs
        for product in products:
            assert f"http://localhost/{locale}/p/{product.id}-{product.slug}" in locs
        for handle in handles:
            assert f"http://localhost/{locale}/store/{handle}" in locs
        for url in urls:
            links = {link.get("hreflang"): link.get("href") for link in url.iter(f"{XHTML}link")}
            assert set(links) == {*LOCALES, "x-default"}
            assert links[locale] == url.find(f"{SITEMAP}loc").text


def test_sitemaps_split_at_the_limit_without_losing_or_repeating_a_url(client, session, stores, monkeypatch):
    for n in range(5):
        add_listing(session, seller={"handle": f"s{n}", "name": f"S{n}", "country": "CN"},
                    variants=[{"sku": f"P-{n}", "price": "3.00", "currency": "USD", "stock": 1}])
    everything = [u.find(f"{SITEMAP}loc").text for urls in sitemap_urls(client).values() for u in urls]
    monkeypatch.setattr(seo_views, "SITEMAP_LIMIT", 4)
    files = sitemap_urls(client)
    assert len(files) > len(LOCALES) and all(len(urls) <= 4 for urls in files.values())
    split = [u.find(f"{SITEMAP}loc").text for urls in files.values() for u in urls]
    assert sorted(split) == sorted(everything) and len(set(split)) == len(split)
    assert client.get("/sitemaps/en-99.xml").status_code == 404
    assert client.get("/sitemaps/xx-1.xml").status_code == 404


@pytest.mark.parametrize("path", ["/sitemap.xml", "/robots.txt"])
def test_crawler_files_need_no_session(client, path):
    assert "Set-Cookie" not in client.get(path).headers
