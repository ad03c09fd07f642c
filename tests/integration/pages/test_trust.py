"""The trust layer: buyer protection beside prices (numbers from the order rules), the footer's help and
policy pages in four languages, the brand from settings, favicon and manifest, "selling since" by month."""
import re
from datetime import datetime

import pytest
from sqlalchemy import select

from storefront import create_app
from storefront.orders import dispute_rules, protection
from storefront.pages.brand import BrandMisconfigured
from storefront.sellers.models import Seller, Variant
from tests.builders import BUYER

PAGES = ("help", "buyer-protection", "returns", "contact", "privacy", "terms")
HEADINGS = {  # each page's heading per language: the content really is translated
    "en": "<h1>Buyer protection</h1>", "es": "<h1>Protección al comprador</h1>",
    "ar": "<h1>حماية المشتري</h1>", "zh": "<h1>买家保障</h1>",
}


def product_url(session, sku="EB-1", locale="en"):
    product = session.scalar(select(Variant).where(Variant.sku == sku)).offer.product
    return f"/{locale}/p/{product.id}-{product.slug}"


@pytest.mark.parametrize("locale", ["en", "es", "ar", "zh"])
def test_footer_links_every_policy_page_in_the_shoppers_language(client, stores, locale):
    home = client.get(f"/{locale}/").data.decode()
    for slug in PAGES:
        assert f'href="/{locale}/help/{slug}"' in home, slug
        page = client.get(f"/{locale}/help/{slug}")
        assert page.status_code == 200, slug
        html = page.data.decode()
        assert f'data-page="{slug}"' in html and "Shown in the original language" not in html
    assert HEADINGS[locale] in client.get(f"/{locale}/help/buyer-protection").data.decode()


def test_every_page_exists_in_every_language(app):
    """A page added in English only would quietly fall back; the shipped ones are all translated."""
    for locale in ("en", "es", "ar", "zh"):
        for slug in PAGES:
            assert app.jinja_env.get_template(f"pages/{locale}/{slug}.html")


def test_unknown_or_malformed_page_is_404(client, stores):
    assert client.get("/en/help/refund-everything").status_code == 404
    assert client.get("/en/help/..%2Flayout").status_code == 404
    assert client.get("/en/help/Layout").status_code == 404


@pytest.mark.parametrize("where", ["product", "cart", "checkout", "review"])
def test_buyer_protection_beside_prices_uses_the_order_rules(client, session, stores, monkeypatch, where):
    # Change the rules the orders and disputes services enforce: the promise must follow them.
    monkeypatch.setattr(protection, "PROTECTION_GRACE_DAYS", 11)
    monkeypatch.setattr(protection, "EXTENSION_DAYS", 23)
    monkeypatch.setattr(dispute_rules, "SELLER_RESPONSE_DAYS", 4)
    url = product_url(session)
    if where != "product":
        client.post("/en/cart/add", data={"variant_id": session.scalar(select(Variant.id).where(Variant.sku == "EB-1")),
                                          "qty": 1})
        url = "/en/cart/"
    if where in ("checkout", "review"):
        url = "/en/checkout/"
    if where == "review":
        client.post("/en/checkout/", data=BUYER)
        url = "/en/checkout/review"
    html = client.get(url).data.decode()
    assert 'data-testid="buyer-protection"' in html
    assert "Protected until 11 days after the latest delivery estimate; you can extend it once by 23 days." in html
    assert "the seller has 4 days to answer" in html
    assert 'href="/en/help/buyer-protection"' in html


def test_policy_page_states_the_enforced_window(client, stores, monkeypatch):
    monkeypatch.setattr(protection, "PROTECTION_GRACE_DAYS", 9)
    monkeypatch.setattr(protection, "DISPUTE_OPENS_AFTER_DAYS", 6)
    html = client.get("/es/help/buyer-protection").data.decode()
    assert "termina 9 días después de la fecha de entrega estimada" in html
    assert "a partir de 6 días después del envío" in html


def test_protection_box_is_translated(client, session, stores):
    html = client.get(product_url(session, locale="es")).data.decode()
    assert "Reembolso total si tu pedido no llega." in html


def test_shop_name_and_logo_come_from_settings(database_url, tmp_path):
    logo = tmp_path / "brand.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True, "SHOP_NAME": "Bazar Sur",
                      "SHOP_LOGO": str(logo)})
    client = app.test_client()
    html = client.get("/en/help/terms").data.decode()
    assert "<title>Terms · Bazar Sur</title>" in html
    assert '<img src="/brand/logo" alt="Bazar Sur"' in html
    assert "Bazar Sur is a marketplace." in html
    served = client.get("/brand/logo")
    assert served.status_code == 200 and served.mimetype == "image/svg+xml" and b"<svg" in served.data
    manifest = client.get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    assert manifest.json["name"] == "Bazar Sur"


def test_without_a_logo_the_name_is_the_logo(client, stores):
    html = client.get("/en/").data.decode()
    assert 'data-testid="shop-logo">Storefront</a>' in html
    assert client.get("/brand/logo").status_code == 404


@pytest.mark.parametrize("settings, named", [
    ({"SHOP_LOGO": "img/missing-logo.svg"}, "SHOP_LOGO"),
    ({"SHOP_LOGO": "css/site.css"}, "SHOP_LOGO"),
    ({"SHOP_NAME": "  "}, "SHOP_NAME"),
])
def test_a_bad_brand_setting_stops_start_up(database_url, settings, named):
    with pytest.raises(BrandMisconfigured, match=named):
        create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True, **settings})


def test_favicon_and_manifest_icons_are_served(client, stores):
    html = client.get("/en/").data.decode()
    assert re.search(r'rel="icon" href="/static/img/favicon.svg(\?v=\w+)?"', html)
    assert 'rel="manifest" href="/manifest.webmanifest"' in html
    manifest = client.get("/manifest.webmanifest").json
    assert manifest["name"] == "Storefront" and manifest["start_url"] == "/"
    sizes = set()
    for icon in manifest["icons"]:
        response = client.get(icon["src"])
        assert response.status_code == 200, icon["src"]
        sizes.add(icon["sizes"])
        response.close()
    assert {"192x192", "512x512"} <= sizes


@pytest.mark.parametrize("locale, expected", [("en", "Mar 2024"), ("es", "mar 2024"), ("zh", "2024年3月")])
def test_seller_cards_say_selling_since_month_and_year(client, session, stores, locale, expected):
    session.scalar(select(Seller).where(Seller.handle == "sz-audio")).joined_at = datetime(2024, 3, 15, 12)
    session.commit()
    product = client.get(product_url(session, locale=locale)).data.decode()
    store = client.get(f"/{locale}/store/sz-audio").data.decode()
    for html in (product, store):
        assert expected in html.split('data-testid="selling-since"')[1].split("</span>")[0]
