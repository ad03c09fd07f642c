"""Cached product cards: rendered once per catalog version, and a price change shows on the very next page."""
import re

from sqlalchemy import select, update

from storefront.catalog.card_cache import cached_pieces
from storefront.catalog.models import Product
from storefront.core.versions import CATALOG, _bump, read_version
from tests.factories import add_listing

SAME = {"model": "RC-1", "title": {"en": "Cached lamp"},
        "variants": [{"sku": "RC-1", "price": "10.00", "currency": "USD", "stock": 5}]}


def card_price(html: bytes) -> str:
    """The price text of the first product card."""
    return re.search(r'data-testid="price">(.*?)</span>', html.decode()).group(1)


def test_price_change_shows_on_the_next_render(app, session, client):
    add_listing(session, **SAME)
    assert "$10.00" in card_price(client.get("/en/").data)
    assert cached_pieces(app) > 0
    before = read_version(session)
    add_listing(session, **(SAME | {"variants": [dict(SAME["variants"][0], price="7.50")]}))
    assert read_version(session) > before
    assert "$7.50" in card_price(client.get("/en/").data)
    assert "$7.50" in card_price(client.get("/en/c/electronics").data)


def test_cards_come_from_the_cache_until_the_version_moves(app, session, client):
    product = add_listing(session, **SAME)
    assert "$10.00" in card_price(client.get("/en/").data)
    # A change written behind the services' back (no version bump) is not seen: the card is cached...
    session.execute(update(Product).where(Product.id == product.id).values(min_price_usd=99))
    session.commit()
    assert "$10.00" in card_price(client.get("/en/").data)
    # ...until the version in the database moves, as another process's change would make it.
    _bump(session, CATALOG)
    assert "$99.00" in card_price(client.get("/en/").data)


def test_each_currency_and_language_gets_its_own_card(app, session, client):
    add_listing(session, **SAME)
    english = client.get("/en/").data.decode()
    client.post("/en/preferences", data={"currency": "EUR", "country": "DE", "language": "es"})
    spanish = client.get("/es/").data.decode()
    assert "$10.00" in card_price(english.encode())
    assert "€" in card_price(spanish.encode()) and "desde" in spanish
    assert session.scalar(select(Product.id)) is not None
