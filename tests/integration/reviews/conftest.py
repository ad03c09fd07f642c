"""Review page fixtures: a product two sellers offer."""
from __future__ import annotations

from datetime import date

import pytest

from tests.factories import add_listing

GTIN = "0190199246850"


@pytest.fixture
def product(app, session):
    """One product: SZ Audio ships it from China, Berlin Elektro (cheaper to Germany) from Germany."""
    app.config["TODAY"] = date(2026, 11, 27)
    add_listing(session, gtin=GTIN, ships_from="CN", free_shipping=["*"],
                variants=[{"sku": "CN-B", "options": {"Color": "Black"}, "price": "20.00", "currency": "USD",
                           "stock": 50}])
    return add_listing(session, gtin=GTIN, ships_from="DE", handling_days=1,
                       seller={"handle": "berlin", "name": "Berlin Elektro", "country": "DE"},
                       variants=[{"sku": "DE-B", "options": {"Color": "Black"}, "price": "15.00", "currency": "EUR",
                                  "stock": 50}])
