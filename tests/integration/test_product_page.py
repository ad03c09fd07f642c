"""The product page: landed totals per seller, ship-to changes, variants, quantities, compare list."""
import re
from datetime import date

import pytest

from tests.factories import add_listing

GTIN = "0190199246850"


@pytest.fixture
def product(app, session):
    """One product offered by a Chinese and a German seller, two colours each."""
    app.config["TODAY"] = date(2026, 11, 27)
    add_listing(session, gtin=GTIN, ships_from="CN", handling_days=3, weight_grams=250, free_shipping=["*"],
                variants=[{"sku": "CN-B", "options": {"Color": "Black"}, "price": "20.00", "currency": "USD", "stock": 5},
                          {"sku": "CN-W", "options": {"Color": "White"}, "price": "22.00", "currency": "USD", "stock": 0}])
    return add_listing(session, gtin=GTIN, ships_from="DE", handling_days=1, weight_grams=250,
                       seller={"handle": "berlin", "name": "Berlin Elektro", "country": "DE"},
                       title={"en": "Other words"},
                       variants=[{"sku": "DE-B", "options": {"Color": "Black"}, "price": "19.00", "currency": "EUR",
                                  "stock": 9},
                                 {"sku": "DE-W", "options": {"Color": "White"}, "price": "19.50", "currency": "EUR",
                                  "stock": 2}])


def url(p, query=""):
    return f"/en/p/{p.id}-{p.slug}" + (f"?{query}" if query else "")


def sellers_in_order(html: str) -> list[str]:
    return re.findall(r'data-testid="offer-row" data-seller="([^"]+)"', html)


@pytest.mark.parametrize("locale", ["en", "es", "ar", "zh"])
def test_product_page_renders_in_every_locale(client, product, locale):
    response = client.get(f"/{locale}/p/{product.id}-{product.slug}")
    assert response.status_code == 200
    html = response.data.decode()
    assert 'data-testid="offer-row"' in html and 'data-testid="landed-total"' in html


def test_germany_gets_eu_seller_without_import_tax_and_vat_from_china(client, product):
    client.set_cookie("ship_to", "DE")
    client.set_cookie("currency", "EUR")
    html = client.get(url(product)).data.decode()
    assert sellers_in_order(html) == ["berlin", "sz-audio"]  # same customs union: no VAT on top
    assert "No import taxes" in html
    china = client.get(url(product, "offer=1")).data.decode()
    assert "Import tax: " in china and ", paid at checkout" in china


def test_changing_ship_to_reprices_in_place(client, product):
    client.set_cookie("currency", "USD")
    response = client.post(f"/en/p/{product.id}/ship-to", data={"country": "BR"},
                           headers={"HX-Request": "true", "HX-Target": "purchase"})
    body = response.data.decode()
    assert body.strip().startswith('<div id="purchase"') and "Delivery to Brazil" in body
    assert any(c.startswith("ship_to=BR") for c in response.headers.getlist("Set-Cookie"))
    plain = client.post(f"/en/p/{product.id}/ship-to", data={"country": "DE"})
    assert plain.status_code == 303 and plain.headers["Location"].startswith(f"/en/p/{product.id}-")


def test_unserved_country_says_so_without_a_price(client, product):
    client.set_cookie("ship_to", "AQ")
    html = client.get(url(product)).data.decode()
    assert "does not ship to Antarctica" in html and 'data-testid="landed-total"' not in html


def test_sort_by_fastest_and_badges(client, product):
    client.set_cookie("ship_to", "FR")
    html = client.get(url(product, "sort=fastest")).data.decode()
    assert sellers_in_order(html)[0] == "berlin"
    assert html.count('data-testid="badge-fastest"') == 1 and html.count('data-testid="badge-best"') == 1


def test_variant_choice_updates_price_stock_and_sku(client, product):
    html = client.get(url(product, "offer=2&o_Color=White")).data.decode()
    assert 'data-testid="sku">DE-W<' in html and "2 in stock" in html


def test_unknown_option_and_silly_quantities_fall_back_with_a_message(client, product):
    html = client.get(url(product, "offer=2&o_Color=Purple&qty=1000000000")).data.decode()
    assert "showing the closest one" in html and "Quantity set to 9" in html
    html = client.get(url(product, "offer=2&qty=-1")).data.decode()
    assert 'name="qty" value="1"' in html


def test_quantity_scales_landed_total(client, product):
    one = client.get(url(product, "offer=2&qty=1")).data.decode()
    two = client.get(url(product, "offer=2&qty=2")).data.decode()
    assert "(2 items)" in two and "(2 items)" not in one


def test_missing_rate_shows_original_currency(app, client, product, session):
    from storefront.currency import services
    from storefront.currency.models import ExchangeRate

    session.query(ExchangeRate).filter(ExchangeRate.currency == "IDR").delete()
    session.commit()
    services._cache.clear()
    client.set_cookie("currency", "IDR")
    html = client.get(url(product, "offer=1")).data.decode()
    assert "No exchange rate for IDR" in html and "$20.00" in html


def test_unknown_product_is_404(client):
    assert client.get("/en/p/9999").status_code == 404
    assert client.post("/en/p/9999/ship-to", data={"country": "DE"}).status_code == 404


def test_compare_list_add_remove_and_limit(client, session, product):
    others = [add_listing(session, title={"en": f"Thing {i}"}) for i in range(4)]
    for p in [product, *others[:3]]:
        assert client.post("/en/compare", data={"product_id": p.id}).status_code == 303
    full = client.post("/en/compare", data={"product_id": others[3].id}, follow_redirects=True).data.decode()
    assert "up to 4 products" in full
    page = client.get("/en/compare").data.decode()
    assert page.count('data-testid="compare-landed"') == 4 and "Thing 3" not in page
    fragment = client.post("/en/compare", data={"product_id": product.id, "action": "remove"},
                           headers={"HX-Request": "true", "HX-Target": "compare_button"})
    assert 'id="compare_button"' in fragment.data.decode() and "Add to compare" in fragment.data.decode()
    assert client.get("/en/compare").data.decode().count('data-testid="compare-landed"') == 3
    assert client.post("/en/compare", data={"product_id": "x"}).status_code == 404


def test_product_opened_from_a_store_page_shows_that_stores_offer(client, product):
    client.set_cookie("ship_to", "DE")  # Berlin's offer is the cheapest to Germany, so it is the default
    assert sellers_in_order(client.get(url(product)).data.decode())[0] == "berlin"
    store = client.get("/en/store/sz-audio").data.decode()
    link = re.search(rf'href="(/en/p/{product.id}-[^"]+)"', store).group(1).replace("&amp;", "&")
    assert "offer=" in link
    buybox = client.get(link).data.decode().split('data-testid="seller-card"')[1]
    assert "SZ Audio Store" in buybox.split("</div>")[0]
