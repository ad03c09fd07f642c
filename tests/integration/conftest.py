"""Integration fixtures shared by every domain's tests: two stores with a listing each, and logged-in accounts."""
from __future__ import annotations

from datetime import date

import pytest

from tests.factories import account, add_listing


@pytest.fixture
def stores(app, session):
    """Two stores with one listing each: SZ Audio ships from China in 3 business days, Berlin from Germany."""
    app.config["TODAY"] = date(2026, 11, 27)
    add_listing(session, handling_days=3, variants=[{"sku": "EB-1", "options": {"Color": "Black"}, "price": "10.00",
                                                     "currency": "USD", "stock": 5}])
    add_listing(session, seller={"handle": "berlin", "name": "Berlin Mugs", "country": "DE"}, ships_from="DE",
                handling_days=2, variants=[{"sku": "MUG-1", "options": {}, "price": "8.00", "currency": "EUR",
                                            "stock": 9}])


@pytest.fixture
def owner(app, stores):
    """The owner of SZ Audio, logged in."""
    return account(app, "owner@example.com", role="seller", store="sz-audio")


@pytest.fixture
def other_seller(app, stores):
    """The owner of Berlin Mugs, logged in."""
    return account(app, "berlin@example.com", role="seller", store="berlin")


@pytest.fixture
def shopper(app, stores):
    """A shopper account, logged in."""
    return account(app, "shopper@example.com")
