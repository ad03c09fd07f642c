"""No oversell, ever: 50 buyers in parallel for the last 5 units (PostgreSQL row locks)."""
import os
import threading
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from storefront.cart.services import add_item, new_cart
from storefront.checkout.services import CheckoutDetails, OutOfStock, place_order
from storefront.currency.services import current_rates
from storefront.orders.models import Order
from storefront.sellers.models import Variant
from tests.factories import add_listing

BUYERS, UNITS = 50, 5


# Row locks are what this proves, so it runs on PostgreSQL only: defined when TEST_DATABASE_URL is set
# (as .ci/run does), with the database fixture pinned to PostgreSQL.
POSTGRES = bool(os.environ.get("TEST_DATABASE_URL"))


def fifty_buyers_for_the_last_five_units(app, session, database_url):
    """50 threads, each its own connection and cart, race for 5 units."""
    assert database_url.startswith("postgresql")
    add_listing(session, variants=[{"sku": "LAST-5", "price": "10.00", "currency": "USD", "stock": UNITS}])
    variant_id = session.scalar(select(Variant.id).where(Variant.sku == "LAST-5"))
    carts = []
    for _ in range(BUYERS):
        cart = new_cart(session)
        add_item(session, cart, variant_id, 1)
        carts.append(cart.id)
    session.commit()
    # One connection per buyer (the app's pool is smaller than the crowd, and all wait at the barrier).
    engine = create_engine(database_url, poolclass=NullPool)
    rates = current_rates()
    barrier = threading.Barrier(BUYERS)
    placed, sold_out, other = [], [], []
    address = {"full_name": "A", "line1": "B", "line2": "", "city": "C", "region": "", "postal_code": "10115",
               "country": "DE", "phone": ""}

    def buy(cart_id: int, n: int) -> None:
        with Session(engine) as s:
            from storefront.cart.models import Cart

            cart = s.get(Cart, cart_id)
            barrier.wait()
            try:
                place_order(s, cart, CheckoutDetails("b@example.com", address, "card", "en", "EUR"),
                            f"buyer-{n}-" + "k" * 10, expected_total=None, user_id=None, rates=rates,
                            today=date(2026, 11, 27), now=datetime.now(timezone.utc))
                s.commit()
                placed.append(n)
            except OutOfStock:
                s.rollback()
                sold_out.append(n)
            except Exception as exc:  # noqa: BLE001
                s.rollback()
                other.append(repr(exc))

    threads = [threading.Thread(target=buy, args=(cart_id, n)) for n, cart_id in enumerate(carts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()
    session.rollback()
    assert other == []
    assert len(placed) == UNITS and len(sold_out) == BUYERS - UNITS
    assert session.scalar(select(Variant.stock).where(Variant.id == variant_id)) == 0
    assert session.scalar(select(func.count(Order.id))) == UNITS


if POSTGRES:
    test_fifty_buyers_for_the_last_five_units = pytest.mark.parametrize(
        "database_url", ["postgresql"], indirect=True)(fifty_buyers_for_the_last_five_units)
