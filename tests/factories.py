"""Test data built through the real importer, so tests exercise the same path as sellers."""
from __future__ import annotations

import copy
import io
import itertools
import json

from storefront.catalog.importer import import_listings
from storefront.catalog.listings import parse_listing
from storefront.catalog.services import save_listing
from storefront.currency.services import current_rates

_counter = itertools.count(1)

BASE_LISTING = {
    "seller": {"handle": "sz-audio", "name": "SZ Audio Store", "country": "CN"},
    "brand": "Acme",
    "category": "Electronics > Audio > Headphones",
    "category_i18n": {"es": "Electrónica > Audio > Auriculares", "ar": "إلكترونيات > صوتيات > سماعات",
                      "zh": "电子产品 > 音频 > 耳机"},
    "title": {"en": "Wireless earbuds", "es": "Auriculares inalámbricos", "ar": "سماعات لاسلكية", "zh": "无线耳机"},
    "description": {"en": "Good sound.", "es": "Buen sonido."},
    "images": [],
    "ships_from": "CN",
    "handling_days": 3,
    "weight_grams": 250,
    "variants": [{"sku": "SKU-1", "options": {"Color": "Black"}, "price": "12.99", "currency": "USD", "stock": 40}],
}


def listing(**overrides) -> dict:
    """A valid listing dict with a unique model and SKUs unless overridden."""
    n = next(_counter)
    data = copy.deepcopy(BASE_LISTING)
    data["model"] = f"M-{n}"
    data["variants"] = [dict(v, sku=f"SKU-{n}-{i}") for i, v in enumerate(data["variants"])]
    data.update(overrides)
    return data


def add_listing(session, **overrides):
    """Save one listing through the catalog service and commit; returns the product."""
    data = listing(**overrides)
    save_listing(session, parse_listing(data), current_rates())
    session.commit()
    sync_search(session)
    from storefront.sellers.models import Variant
    from sqlalchemy import select

    variant = session.scalar(select(Variant).where(Variant.sku == data["variants"][0]["sku"]))
    return variant.offer.product


def jsonl(*items) -> io.BytesIO:
    """A JSONL byte stream from dicts (or raw bytes lines)."""
    lines = [i if isinstance(i, bytes) else json.dumps(i, ensure_ascii=False).encode() for i in items]
    return io.BytesIO(b"\n".join(lines) + b"\n")


def run_import(session, *items):
    """Import listings given as dicts or raw lines (and index them); returns the report."""
    report = import_listings(session, jsonl(*items), current_rates())
    sync_search(session)
    return report


def sync_search(session) -> int:
    """Drain the search outbox into the app's index, as the web app does after a request."""
    from flask import current_app

    from storefront.catalog.indexing import drain_outbox

    return drain_outbox(session, current_app.extensions["search"])


PASSWORD = "violet-harbour-lantern-42"  # passes the password rules (accounts/passwords.py)
_addresses = itertools.count(1)


def client_at(app, address: str | None = None):
    """A test client whose requests come from their own client address (the next free 10.x.y.z when None).

    Request limits and anonymous helpful votes go by client address, as they do for real visitors; giving each
    test account its own keeps one test's many accounts from sharing a single address's allowance.
    """
    if address is None:
        n = next(_addresses)
        address = f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def sign_up(client, name: str, email: str, password: str = PASSWORD, locale: str = "en"):
    """Register through the page (which logs nobody in: it emails a confirmation link), then log in."""
    client.post(f"/{locale}/account/register", data={"name": name, "email": email, "password": password,
                                                     "confirm": password})
    return client.post(f"/{locale}/account/login", data={"email": email, "password": password})


def account(app, email: str, *, role: str = "shopper", store: str | None = None,
            new_store: tuple[str, str, str] | None = None):
    """A logged-in test client for a new account.

    A seller account owns the existing store with handle `store`, or a new one given as
    (handle, name, country) in `new_store`.
    """
    from sqlalchemy import select

    from storefront.accounts.models import User
    from storefront.extensions import db
    from storefront.sellers.models import Seller

    client = client_at(app)
    sign_up(client, email.split("@")[0].title(), email)
    user = db.session.scalar(select(User).where(User.email == email))
    user.role = role
    if store:
        db.session.scalar(select(Seller).where(Seller.handle == store)).owner_id = user.id
    if new_store:
        handle, name, country = new_store
        db.session.add(Seller(handle=handle, name=name, country=country, owner_id=user.id))
    db.session.commit()
    return client
