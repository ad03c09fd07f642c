"""Issue 16 (4): common option names and values ("Color: Black") read in the shopper's language; words the
glossary does not know stay exactly as the seller wrote them."""
import re
from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from storefront.catalog.option_glossary import option_name, option_value, option_values
from storefront.sellers.models import Variant
from tests.factories import add_listing


@pytest.fixture
def shirt(app, session):
    """A shirt in black and in white/red, and a colour the glossary cannot know."""
    app.config["TODAY"] = date(2026, 11, 27)
    return add_listing(session, title={"en": "Shirt"}, variants=[
        {"sku": "SH-B", "options": {"Color": "Black", "Size": "XL"}, "price": "9.00", "currency": "USD", "stock": 5},
        {"sku": "SH-W", "options": {"Color": "White/Red", "Size": "XL"}, "price": "9.00", "currency": "USD",
         "stock": 5},
        {"sku": "SH-F", "options": {"Color": "Midnight Fog", "Size": "XL"}, "price": "9.00", "currency": "USD",
         "stock": 5}])


def test_product_page_names_the_options_in_the_shoppers_language(client, shirt):
    html = client.get(f"/ar/p/{shirt.id}", follow_redirects=True).data.decode()
    picker = re.search(r'data-testid="option-Color">(.*?)</fieldset>', html, re.S).group(1)
    assert "اللون" in picker and "أسود" in picker and "أبيض/أحمر" in picker
    assert "Midnight Fog" in picker  # not in the glossary: the seller's words
    assert 'value="Black"' in picker  # the form still sends the seller's value
    specs = re.search(r'data-testid="specs">(.*?)</dl>', html, re.S).group(1)
    assert "أسود، أبيض/أحمر، Midnight Fog" in specs  # Arabic list separator, not ", "
    spanish = client.get(f"/es/p/{shirt.id}", follow_redirects=True).data.decode()
    assert re.search(r"<legend>Color: <strong>Negro</strong></legend>", spanish)
    chinese = client.get(f"/zh/p/{shirt.id}", follow_redirects=True).data.decode()
    assert "<legend>颜色: <strong>黑色</strong></legend>" in chinese or "颜色" in chinese and "黑色" in chinese


def test_english_shoppers_read_the_sellers_own_words(client, shirt):
    html = client.get(f"/en/p/{shirt.id}", follow_redirects=True).data.decode()
    assert "<legend>Color: <strong>Black</strong></legend>" in html


def test_cart_lines_show_translated_option_values(client, session, shirt):
    variant_id = session.scalar(select(Variant.id).where(Variant.sku == "SH-B"))
    client.post("/zh/cart/add", data={"variant_id": variant_id, "qty": 1})
    html = client.get("/zh/cart/").data.decode()
    assert "(黑色 / XL)" in html and "Black" not in html


def test_glossary_matches_case_and_spacing_and_keeps_unknown_words(app):
    with app.test_request_context("/"), force_locale("es"):
        assert option_value(" black ") == "Negro"
        assert option_value("GRAY") == option_value("Grey") == "Gris"
        assert option_values({"Color": "Navy", "Size": "M"}) == "Azul marino / M"
    with app.test_request_context("/"), force_locale("ar"):
        assert option_value("Sunset Glow") == "Sunset Glow"
    with app.test_request_context("/"), force_locale("zh_Hans_CN"):
        assert option_name("Colour") == "颜色"
    with app.test_request_context("/"), force_locale("en_GB"):
        assert option_value("Gray") == "Gray"  # English readers keep the seller's spelling
