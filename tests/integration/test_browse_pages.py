"""Shopper pages through the test client: locales, filters, paging, HTMX fragments, bad input."""
import re

import pytest

from tests.factories import add_listing


@pytest.fixture
def catalog(session):
    """Three products in one category tree, two sellers, different prices and shipping."""
    cheap = add_listing(session, title={"en": "Cheap earbuds", "es": "Auriculares baratos", "ar": "سماعات رخيصة",
                                        "zh": "便宜耳机"},
                        variants=[{"sku": "C1", "price": "5.00", "currency": "USD", "stock": 3}], free_shipping=["*"])
    mid = add_listing(session, title={"en": "Mid earbuds"}, ships_from="DE",
                      seller={"handle": "berlin", "name": "Berlin Elektro", "country": "DE"},
                      variants=[{"sku": "M1", "price": "20.00", "currency": "EUR", "stock": 3}])
    dear = add_listing(session, title={"en": "Dear speaker", "zh": "昂贵音箱"}, category="Electronics > Audio > Speakers", category_i18n={},
                       variants=[{"sku": "D1", "price": "90.00", "currency": "USD", "stock": 3}])
    dear.orders_count = 500
    session.commit()
    return {"cheap": cheap, "mid": mid, "dear": dear}


def titles(html: bytes) -> list[str]:
    """Card titles in page order, highlight marks removed."""
    found = re.findall(r'<span class="title">(.*?)</span>', html.decode())
    return [re.sub(r"<[^>]+>", "", t) for t in found]


@pytest.mark.parametrize("locale,direction,word", [("en", "ltr", "Categories"), ("es", "ltr", "Categorías"),
                                                   ("ar", "rtl", "الفئات"), ("zh", "ltr", "分类")])
def test_home_in_each_language(client, catalog, locale, direction, word):
    html = client.get(f"/{locale}/").data.decode()
    assert f'<html lang="{locale}" dir="{direction}">' in html
    assert word in html
    assert 'hreflang="ar" href="http://localhost/ar/"' in html  # absolute: search engines ignore relative alternates


def test_root_redirects_by_accept_language(client):
    response = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert response.status_code == 302 and response.headers["Location"] == "/zh/"


def test_unknown_locale_redirects_to_the_same_page(client, catalog):
    response = client.get("/fr/c/electronics?sort=newest", headers={"Accept-Language": "es"})
    assert response.headers["Location"] == "/es/c/electronics?sort=newest"


def test_category_lists_whole_subtree_sorted_by_price(client, catalog):
    html = client.get("/en/c/electronics?sort=price_asc").data
    assert titles(html) == ["Cheap earbuds", "Mid earbuds", "Dear speaker"]
    assert titles(client.get("/en/c/electronics-audio-speakers").data) == ["Dear speaker"]


def test_localised_titles_fall_back_to_english(client, catalog):
    assert titles(client.get("/zh/c/electronics?sort=price_asc").data) == ["便宜耳机", "Mid earbuds", "昂贵音箱"]


def test_price_filter_is_in_shopper_currency(client, catalog):
    client.set_cookie("currency", "BRL")
    # 5 USD is about 26.8 BRL and 90 USD about 482 BRL at the bundled rates
    html = client.get("/en/c/electronics?price_min=20&price_max=200").data
    assert "Cheap earbuds" in titles(html) and "Dear speaker" not in titles(html)
    assert "R$" in html.decode()


def test_ships_from_and_free_shipping_filters(client, catalog):
    assert titles(client.get("/en/c/electronics?ships_from=DE").data) == ["Mid earbuds"]
    assert titles(client.get("/en/c/electronics?free_shipping=1").data) == ["Cheap earbuds"]


@pytest.mark.parametrize("query", ["page=99999", "page=-1", "page=abc", "price_min=-5", "price_max=abc",
                                   "sort=drop+table", "min_rating=11", "price_min=1e999"])
def test_bad_query_values_are_ignored(client, catalog, query):
    response = client.get(f"/en/c/electronics?{query}")
    assert response.status_code == 200
    assert len(titles(response.data)) == 3


def test_a_nul_byte_in_the_query_is_a_bad_request_page(client, catalog):
    # No page can use a NUL byte (PostgreSQL refuses it in text): refused before any view runs (issue 14).
    response = client.get("/en/c/electronics?ships_from=%00")
    assert response.status_code == 400 and "characters we cannot read" in response.data.decode()


def test_pagination_links_and_htmx_load_more(app, client, catalog):
    app.config["PER_PAGE"] = 2
    full = client.get("/en/c/electronics?sort=price_asc").data.decode()
    assert 'href="/en/c/electronics?sort=price_asc&amp;page=2"' in full
    more = client.get("/en/c/electronics?sort=price_asc&page=2",
                      headers={"HX-Request": "true", "HX-Target": "load_more"})
    body = more.data.decode()
    assert "<html" not in body and titles(more.data) == ["Dear speaker"] and 'id="load_more"' not in body
    assert "HX-Request" in more.headers["Vary"]


def test_htmx_filter_request_gets_only_the_results_block(client, catalog):
    response = client.get("/en/c/electronics?ships_from=DE", headers={"HX-Request": "true", "HX-Target": "results"})
    body = response.data.decode()
    assert body.strip().startswith('<div id="results"') and titles(response.data) == ["Mid earbuds"]


def test_boosted_request_with_unknown_target_gets_the_full_page(client, catalog):
    response = client.get("/en/c/electronics", headers={"HX-Request": "true", "HX-Target": "main"})
    assert "<html" in response.data.decode()


def test_store_page_shows_seller_and_its_products(client, catalog):
    html = client.get("/es/store/berlin").data.decode()
    assert "Berlin Elektro" in html and "Alemania" in html
    assert titles(html.encode()) == ["Mid earbuds"]


def test_product_page_and_slug_redirect(client, catalog):
    product = catalog["mid"]
    assert client.get(f"/en/p/{product.id}").status_code == 301
    html = client.get(f"/ar/p/{product.id}-{product.slug}").data.decode()
    assert "Mid earbuds" in html and 'lang="en"' in html  # shown in its original language


def test_unknown_pages_are_translated_404s(client):
    response = client.get("/es/p/424242-nothing")
    assert response.status_code == 404 and "Página no encontrada" in response.data.decode()
    assert client.get("/es/c/no-such-category").status_code == 404
    assert client.get("/es/store/nobody").status_code == 404


def test_search_box_finds_titles_in_any_language(client, catalog):
    assert titles(client.get("/zh/search?q=音箱").data) == ["昂贵音箱"]
    assert titles(client.get("/en/search?q=EARBUDS&sort=price_desc").data) == ["Mid earbuds", "Cheap earbuds"]
    assert client.get("/en/search?q=%25_%5C").status_code == 200
