"""No oversell, ever, and nobody who got the goods loses the payment step: 50 buyers in parallel for the last
5 units place exactly 5 orders, and all 5 reach the provider's payment page and pay (SQLite and PostgreSQL)."""
import threading
from datetime import date, datetime, timezone

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from storefront.cart.services import add_item, new_cart
from storefront.checkout.services import CheckoutDetails, CheckoutProblem, OutOfStock, place_order
from storefront.currency.services import current_rates
from storefront.orders.models import Order
from storefront.payments.services import ReturnUrls, start_payment
from storefront.sellers.models import Variant
from tests.factories import add_listing

BUYERS, UNITS = 50, 5


BASE = "http://localhost"
URLS = ReturnUrls(return_url=f"{BASE}/en/payments/return/test", cancel_url=f"{BASE}/",
                  webhook_url=f"{BASE}/payments/webhook/test")
CARD = {"number": "4242424242424242", "expiry": "12/34", "cvc": "123", "name": "A"}


def test_fifty_buyers_for_the_last_five_units(app, session, database_url):
    """50 threads, each its own connection and cart, race for 5 units; each winner goes on to pay at once,
    as checkout/views does, while the others are still placing (PostgreSQL row locks; SQLite's write lock)."""
    add_listing(session, variants=[{"sku": "LAST-5", "price": "10.00", "currency": "USD", "stock": UNITS}])
    variant_id = session.scalar(select(Variant.id).where(Variant.sku == "LAST-5"))
    carts = []
    for _ in range(BUYERS):
        cart = new_cart(session)
        add_item(session, cart, variant_id, 1)
        carts.append(cart.id)
    session.commit()
    # One connection per buyer (the app's pool is smaller than the crowd, and all wait at the barrier).
    options = {"connect_args": {"timeout": 30}} if database_url.startswith("sqlite") else {}
    engine = create_engine(database_url, poolclass=NullPool, **options)
    rates = current_rates()
    gateway = app.extensions["payment_gateway"]
    barrier = threading.Barrier(BUYERS)
    placed, sold_out, other, pages = [], [], [], []
    address = {"full_name": "A", "line1": "B", "line2": "", "city": "C", "region": "", "postal_code": "10115",
               "country": "DE", "phone": ""}

    def buy(cart_id: int, n: int) -> None:
        with app.app_context(), Session(engine) as s:
            from storefront.cart.models import Cart

            cart = s.get(Cart, cart_id)
            barrier.wait()
            try:
                checkout, _ = place_order(s, cart, CheckoutDetails("b@example.com", address, "card", "en", "EUR"),
                                          f"buyer-{n}-" + "k" * 10, expected_total=None, user_id=None, rates=rates,
                                          today=date(2026, 11, 27), now=datetime.now(timezone.utc))
                s.commit()
                placed.append(n)
            except (OutOfStock, CheckoutProblem) as exc:
                # Sold out: found while locking stock, or (SQLite: placements one after the other) already
                # when re-pricing the cart, which then flags its line as sold out.
                s.rollback()
                if isinstance(exc, OutOfStock) or exc.code == "cart":
                    sold_out.append(n)
                else:
                    other.append(repr(exc))
                return
            except Exception as exc:  # noqa: BLE001
                s.rollback()
                other.append(repr(exc))
                return
            try:
                pages.append(start_payment(s, gateway, checkout, URLS, f"buyer {n}"))
            except Exception as exc:  # noqa: BLE001  (what checkout/views used to swallow)
                s.rollback()
                other.append(f"payment start: {exc!r}")

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
    assert len(pages) == UNITS and all("/testpay/pay/" in page for page in pages)
    client = app.test_client()
    for page in pages:  # every winner can pay
        client.post("/testpay/pay/" + page.split("/testpay/pay/")[1], data=CARD, follow_redirects=True)
    session.rollback()
    assert session.scalars(select(Order.status)).all() == ["paid"] * UNITS
