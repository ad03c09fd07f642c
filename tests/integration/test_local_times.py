"""Times on order pages are the shopper's: the browser's zone (the `tz` cookie) or the ship-to country's,
always with the zone named."""
import re

import pytest

from tests.factories import add_listing
from tests.review_factories import bought  # events at 27 Nov 2026, 12:00 UTC


@pytest.fixture
def order_page(client, session):
    order = bought(session, add_listing(session), status="paid", reference="K7QX-4MX2")
    with client.session_transaction() as browser:
        browser["checkouts"] = ["K7QX-4MX2"]

    def page(locale="en", ship_to="ES", tz=None):
        client.set_cookie("ship_to", ship_to)
        if tz is None:
            client.delete_cookie("tz")
        else:
            client.set_cookie("tz", tz)
        html = client.get(f"/{locale}/orders/{order.number}").data.decode()
        return re.search(r'data-testid="order-history">(.*?)</ol>', html, re.S).group(1)
    return page


def test_without_a_browser_zone_times_are_the_ship_to_countrys_and_named(order_page):
    history = order_page(ship_to="ES")
    # English shipped to Spain: CLDR's en_ES writes Spain's 24-hour clock and day/month/year
    assert "27/11/2026, 13:00, Spain (Madrid) Time" in history
    assert "12:00" not in history


def test_the_browser_zone_is_used_when_known(order_page):
    history = order_page(ship_to="ES", tz="Asia/Tokyo")
    assert re.search(r"21:00, Japan Time", history)


def test_the_zone_as_the_browser_script_writes_it_is_understood(order_page):
    history = order_page(ship_to="ES", tz="America%2FSao_Paulo")  # static/js/timezone.js encodes it
    assert re.search(r"09:00, Brazil \(Sao Paulo\) Time", history)


def test_a_made_up_browser_zone_is_ignored(order_page):
    history = order_page(ship_to="BR", tz="Mars/Olympus")
    assert re.search(r"9:00\s?AM, Brazil \(Sao Paulo\) Time", history)


def test_the_zone_is_named_in_the_pages_language(order_page):
    assert "13:00, hora de España (Madrid)" in order_page(locale="es", ship_to="ES")
    assert "中国（上海）时间" in order_page(locale="zh", ship_to="CN")
