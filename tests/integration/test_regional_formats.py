"""Issue 16: pages and emails in the shopper's own formats. Prices, dates and codes are direction-isolated
in Arabic; money and dates follow the language *and* the ship-to country (CLDR); lists are sorted by the
shopper's language (ICU); the Arabic review page's address uses Arabic list separators."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from storefront.sellers.models import Variant
from tests.outbox import outbox_mails
from tests.builders import BUYER, review_keys
from tests.factories import add_listing

FSI, PDI = "\u2068", "\u2069"


@pytest.fixture
def earbuds(app, session):
    """A USD listing from China, and the day the shop thinks it is (delivery dates depend on it)."""
    app.config["TODAY"] = date(2026, 11, 27)
    return add_listing(session, title={"en": "Earbuds"},
                       variants=[{"sku": "EB-1", "options": {"Color": "Black"}, "price": "10.00", "currency": "USD",
                                  "stock": 5}])


def cart_page(client, session, locale, country, currency):
    """The cart holding one pair of earbuds, seen in `locale` shipping to `country`, paying in `currency`."""
    client.set_cookie("ship_to", country)
    client.set_cookie("currency", currency)
    variant_id = session.scalar(select(Variant.id).where(Variant.sku == "EB-1"))
    client.post(f"/{locale}/cart/add", data={"variant_id": variant_id, "qty": 1})
    return client.get(f"/{locale}/cart/").data.decode()


def cart_total(html: str) -> str:
    """The cart summary's total as shown (inside its <bdi>, if any)."""
    return re.search(r'data-testid="cart-total">(?:<bdi>)?([^<]+)<', html).group(1)


def outside_bdi(html: str) -> str:
    """The page with every <bdi>…</bdi> taken out."""
    return re.sub(r"<bdi>.*?</bdi>", "", html, flags=re.S)


def test_every_price_on_the_arabic_cart_is_isolated(client, session, earbuds):
    html = cart_page(client, session, "ar", "SA", "USD")
    assert html.count("US$") >= 4  # line, shipping choices, summary
    assert "US$" not in outside_bdi(html)


def test_arabic_shipping_choices_isolate_price_and_dates_apart(client, session, earbuds):
    html = cart_page(client, session, "ar", "SA", "USD")
    label = re.search(r'data-testid="ship-standard">(.*?)</label>', html, re.S).group(1)
    isolated = re.findall(r"<bdi>(.*?)</bdi>", label, re.S)
    assert len(isolated) == 2, label
    price, dates = isolated
    assert "US$" in price and not re.search(r"[\u0600-\u06ff]", price.replace("\u200f", ""))
    assert re.search(r"\d+–\d+ ديسمبر|\d+ (نوفمبر|ديسمبر) – \d+ ديسمبر", dates), dates
    assert "US$" not in dates


def test_arabic_price_keeps_us_dollar_together(client, session, earbuds):
    html = cart_page(client, session, "ar", "SA", "USD")
    total = cart_total(html)
    # the number first (right to left), then "US$" closed by a left-to-right mark: never "$US"
    assert re.fullmatch("\u200f[\\d.]+\xa0US\\$\u200e", total), repr(total)


def test_a_mexican_shopper_reads_pesos_as_mexicans_write_them(client, session, earbuds):
    html = cart_page(client, session, "es", "MX", "MXN")
    total = cart_total(html)
    assert re.fullmatch(r"\$\d{1,3}(,\d{3})*\.\d\d", total), total
    summary = re.search(r'data-testid="cart-summary">(.*?)</section>', html, re.S).group(1)
    assert "MXN" not in summary  # was "552,15 MXN"


def test_a_mexican_shopper_paying_in_dollars_sees_which_dollar(client, session, earbuds):
    html = cart_page(client, session, "es", "MX", "USD")
    total = cart_total(html)
    assert total.startswith("USD\xa0") and "." in total  # es_MX: "USD 12.34", never a bare "$"


def test_a_brazilian_reading_spanish_sees_reais_with_the_brazilian_symbol(client, session, earbuds):
    html = cart_page(client, session, "es", "BR", "BRL")
    total = cart_total(html)
    assert total.startswith("R$") and "BRL" not in total


def test_chinese_delivery_dates_use_chinese_interval_format(client, session, earbuds):
    html = cart_page(client, session, "zh", "CN", "CNY")
    label = re.search(r'data-testid="ship-standard">(.*?)</label>', html, re.S).group(1)
    assert re.search(r"\d+月\d+日至(\d+月)?\d+日", label), label
    assert not re.search(r"\d+ \d+月", label)  # the old hard-coded "d MMM": "11 12月 – 14 12月"


def test_order_email_amounts_are_isolated_and_regional(app, client, session, earbuds):
    client.set_cookie("currency", "USD")
    variant_id = session.scalar(select(Variant.id).where(Variant.sku == "EB-1"))
    client.post("/ar/cart/add", data={"variant_id": variant_id, "qty": 1})
    address = BUYER | {"country": "EG", "postal_code": "11511", "region": "Cairo", "city": "Cairo"}
    assert client.post("/ar/checkout/", data=address).status_code == 303
    key, total = review_keys(client.get("/ar/checkout/review").data.decode())
    assert client.post("/ar/checkout/place", data={"idempotency_key": key, "expected_total": total}).status_code == 303
    [message] = outbox_mails("order_received")
    body = message.get_body().get_content()
    amounts = re.findall(r"[^\s:—]*US\$[^\s]*", body)
    assert amounts and all(FSI in a or a.endswith(PDI) for a in amounts), amounts
    assert f"{FSI}\u200f" in body and f"US$\u200e{PDI}" in body
    reference = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", message["Subject"]).group(0)
    assert f"{FSI}{reference}{PDI}" in message["Subject"]  # the checkout reference inside Arabic words


def test_spanish_email_to_mexico_formats_money_as_mexicans_do(app, client, session, earbuds):
    client.set_cookie("currency", "MXN")
    variant_id = session.scalar(select(Variant.id).where(Variant.sku == "EB-1"))
    client.post("/es/cart/add", data={"variant_id": variant_id, "qty": 1})
    address = BUYER | {"country": "MX", "postal_code": "06600", "region": "CDMX", "city": "Ciudad de México"}
    assert client.post("/es/checkout/", data=address).status_code == 303
    key, total = review_keys(client.get("/es/checkout/review").data.decode())
    assert client.post("/es/checkout/place", data={"idempotency_key": key, "expected_total": total}).status_code == 303
    [message] = outbox_mails("order_received")
    body = message.get_body().get_content()
    assert re.search(r"Total: \$\d{1,3}(,\d{3})*\.\d\d\r?\n", body), body
    assert "MXN" not in body and FSI not in body  # left-to-right email: no isolates needed


def test_arabic_review_page_address_uses_arabic_separators(client, session, earbuds):
    variant_id = session.scalar(select(Variant.id).where(Variant.sku == "EB-1"))
    client.post("/ar/cart/add", data={"variant_id": variant_id, "qty": 1})
    address = BUYER | {"line2": "Piso 2", "country": "EG", "postal_code": "11511", "region": "Giza", "city": "Dokki"}
    client.post("/ar/checkout/", data=address)
    html = client.get("/ar/checkout/review").data.decode()
    shown = re.search(r'data-testid="review-address">(.*?)</address>', html, re.S).group(1)
    # each line isolated: a Latin address line keeps its own direction inside the Arabic page
    assert "<bdi>Calle Mayor 1، Piso 2</bdi>" in shown and "<bdi>11511 Dokki، Giza</bdi>" in shown
    assert ", " not in shown


def test_country_choices_follow_spanish_alphabetical_order(client, app):
    html = client.get("/es/preferences").data.decode()
    select_html = re.search(r'data-testid="pref-country".*?</select>', html, re.S).group(0)
    names = re.findall(r"<option[^>]*>([^<]+)</option>", select_html)
    assert names.index("Bélgica") < names.index("Bután")
    assert names.index("México") < names.index("Myanmar (Birmania)")


@pytest.fixture
def three_categories(app, session):
    """Audio, Books, Clothing: an order that changes in Spanish and in Chinese."""
    for n, (en, es, zh) in enumerate([("Audio", "Sonido", "音频"), ("Books", "Libros", "图书"),
                                      ("Clothing", "Ropa", "服装")]):
        add_listing(session, category=en, category_i18n={"es": es, "zh": zh}, title={"en": f"Thing {n}"})


def home_categories(client, locale):
    html = client.get(f"/{locale}/").data.decode()
    block = re.search(r'data-testid="categories">(.*?)</ul>', html, re.S).group(1)
    return re.findall(r"<a [^>]*>([^<]+)</a>", block)


def test_categories_are_sorted_in_the_shoppers_language(client, three_categories):
    assert home_categories(client, "en") == ["Audio", "Books", "Clothing"]
    assert home_categories(client, "es") == ["Libros", "Ropa", "Sonido"]
    assert home_categories(client, "zh") == ["服装", "图书", "音频"]  # pinyin: fu, tu, yin
