"""A small, hand-countable marketplace history, built directly with the models.

The period under test is 1-7 November 2026 (PERIOD, to 8 November excluded); the previous period of the
same length is 25-31 October. Two stores (from tests.factories: SZ Audio, CN, and Berlin Mugs, DE),
checkouts in USD (rate 1) and EUR (recorded rate 1.10 USD per euro), and:

| order | checkout | seller | buyer | total        | paid      | what happened next                                    |
|-------|----------|--------|-------|--------------|-----------|-------------------------------------------------------|
| O0    | C0 USD US| SZ     | ana   | 50.00 USD    | 26 Oct    | shipped 27 Oct, delivered 29 Oct, completed 30 Oct    |
| O1    | C1 USD US| SZ     | ana   | 100.00 USD   | 1 Nov 10h | shipped 2 Nov (on time), delivered 5 Nov, completed 6 |
| O2    | C2 EUR ES| Berlin | ben   | 40.00 EUR    | 2 Nov 9h  | shipped 5 Nov (late), delivered 7 Nov 21h (late)      |
| O3    | C3 EUR DE| SZ     | chen  | 60.00 EUR    | 3 Nov 12h | shipped 4 Nov, delivered 6 Nov, then disputed         |
| O4    | C4 USD US| Berlin | ana   | 30.00 USD    | 4 Nov 8h  | cancelled by the seller, refunded (bank transfer)     |
| O5    | C5 USD US| SZ     | dan   | 20.00 USD    | never     | payment declined, expired unpaid                      |
| O6    | C6 EUR ES| Berlin | ben   | 10.00 EUR    | 6 Nov 15h | not shipped by its deadline: cancelled and refunded   |

Payments: C2 failed once (insufficient funds) before succeeding; C5 failed (declined). Reviews: O0 4*
(30 Oct), O1 5*, O3 2* (6 Nov), O2 4* (7 Nov). Visits: 20 in the period (s01-s20, see `sessions`), 2 in
the previous one.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import select

from storefront.core.events import Event
from storefront.metrics.periods import Period
from storefront.orders.fulfilment import OVERDUE
from storefront.orders.models import Checkout, Dispute, Order, OrderLine
from storefront.payments.models import Payment
from storefront.reviews.models import Review
from storefront.sellers.models import Seller, Variant
from tests.factories import add_listing

PERIOD = Period(date(2026, 11, 1), date(2026, 11, 8))
EUR_RATE = Decimal("1.10")


def at(day: int, hour: int = 10, month: int = 11, minute: int = 0) -> datetime:
    """A UTC moment in 2026."""
    return datetime(2026, month, day, hour, minute, tzinfo=timezone.utc)


@dataclass
class Shop:
    """The two stores and a product of each."""

    sz: Seller
    berlin: Seller
    sz_product: int
    berlin_product: int


def stores(session) -> Shop:
    """SZ Audio Store (sz-audio, CN) and Berlin Mugs (berlin, DE), one listing each."""
    add_listing(session, variants=[{"sku": "EB-1", "options": {}, "price": "10.00", "currency": "USD", "stock": 5}])
    add_listing(session, seller={"handle": "berlin", "name": "Berlin Mugs", "country": "DE"}, ships_from="DE",
                variants=[{"sku": "MUG-1", "options": {}, "price": "8.00", "currency": "EUR", "stock": 9}])
    sz = session.scalar(select(Seller).where(Seller.handle == "sz-audio"))
    berlin = session.scalar(select(Seller).where(Seller.handle == "berlin"))
    product = {sku: session.scalar(select(Variant).where(Variant.sku == sku)).offer.product_id
               for sku in ("EB-1", "MUG-1")}
    return Shop(sz, berlin, product["EB-1"], product["MUG-1"])


def checkout(session, ref: str, *, currency: str, country: str, locale: str, email: str, total: str,
             placed: datetime, method: str = "card") -> Checkout:
    """A checkout with the USD rate recorded at placement."""
    row = Checkout(reference=ref, idempotency_key=secrets.token_hex(8), email=email, locale=locale,
                   currency=currency, country=country, address={"country": country}, payment_method=method,
                   items_total=Decimal(total), shipping_total=Decimal(0), tax_total=Decimal(0), total=Decimal(total),
                   usd_rate=Decimal(1) if currency == "USD" else EUR_RATE, pay_by=placed + timedelta(days=3),
                   created_at=placed)
    session.add(row)
    return row


def order(session, co: Checkout, seller: Seller, product_id: int, number: str, *, status: str,
          method: str = "standard", latest: date | None = None, **times) -> Order:
    """One order of a checkout (its whole total), with one line so it can be reviewed."""
    row = Order(number=number, checkout=co, seller_id=seller.id, email=co.email, status=status, currency=co.currency,
                items_total=co.total, shipping_total=Decimal(0), tax_total=Decimal(0), total=co.total,
                shipping_method=method, ships_from=seller.country, created_at=co.created_at,
                delivery_latest=datetime.combine(latest, datetime.min.time(), timezone.utc) if latest else None,
                **times)
    row.lines.append(OrderLine(product_id=product_id, sku="SKU", title="Thing", quantity=1, unit_price=co.total,
                               price_currency=co.currency, rate=Decimal(1), unit_price_paid=co.total,
                               line_total=co.total))
    session.add(row)
    return row


def payment(session, co: Checkout, status: str, when: datetime, reason: str = "") -> None:
    """A payment attempt on the sandbox gateway."""
    session.flush()
    session.add(Payment(reference="pay_" + secrets.token_hex(6), checkout_id=co.id, gateway="test", amount=co.total,
                        currency=co.currency, status=status, failure_reason=reason, created_at=when, updated_at=when))


def review(session, o: Order, rating: int, when: datetime) -> None:
    """A buyer's review of the order's line."""
    session.flush()
    line = o.lines[0]
    session.add(Review(order_line_id=line.id, order_id=o.id, product_id=line.product_id, seller_id=o.seller_id,
                       author_name="A. B.", rating=rating, text="Fine.", language="en", item_as_described=rating,
                       communication=rating, shipping_speed=rating, created_at=when))


def event(session, kind: str, sid: str, when: datetime, data: dict | None = None, *, device: str = "mobile",
          country: str = "US", locale: str = "en", currency: str = "USD") -> None:
    """One recorded event of a visit, with its data."""
    session.add(Event(kind=kind, session_id=sid, at=when, device=device, country=country, locale=locale,
                      currency=currency, data=data or {}))


def sessions(session) -> None:
    """20 visits in the period, 2 in the previous one.

    s01-s20 start (s01-s10 on phones, s11-s20 on computers; s01-s05 from their checkout's country);
    s01-s05 search, s06-s12 view a product (browsed: s01-s12, 12 visits); s01-s07 add to the cart, and so
    does s15 without browsing (not counted: every earlier step is required); s01-s05 start checkout;
    s01-s05 place C1-C5 (C1-C4 are paid, C5 is not); s11 places C6 (paid) without cart or checkout steps,
    so it does not count as a paid visit. Searches: s01 'earbuds' (5 results, clicked), s02 'mug'
    (3 results, clicked twice), s03 and s04 (no results), s05 'cable' (2 results, no click).
    """
    contexts = {1: ("US", "en", "USD"), 2: ("ES", "es", "EUR"), 3: ("DE", "en", "EUR"), 4: ("US", "en", "USD"),
                5: ("US", "en", "USD")}
    searches = {1: ("earbuds", 5), 2: ("mug", 3), 3: ("zzzz", 0), 4: ("kettle", 0), 5: ("cable", 2)}
    for n in range(1, 21):
        sid, day = f"s{n:02d}", 1 + (n - 1) % 7
        country, locale, currency = contexts.get(n, ("FR" if n > 10 else "US", "en", "USD"))
        ctx = {"device": "mobile" if n <= 10 else "desktop", "country": country, "locale": locale,
               "currency": currency}
        event(session, "session_start", sid, at(day, 9), {"path": "catalog.home"}, **ctx)
        if n in searches:
            query, results = searches[n]
            event(session, "search", sid, at(day, 9, minute=5),
                  {"query": query, "results": results, "search_id": f"{n:012x}", "degraded": False}, **ctx)
        elif n <= 12:
            event(session, "product_view", sid, at(day, 9, minute=5), {"product_id": 1}, **ctx)
        if n in (1, 2):
            for _click in range(n):
                event(session, "search_click", sid, at(day, 9, minute=6),
                      {"search_id": f"{n:012x}", "position": 1, "product_id": 1}, **ctx)
        if n <= 7 or n == 15:
            event(session, "add_to_cart", sid, at(day, 9, minute=10), {"variant_id": 1, "quantity": 1}, **ctx)
        if n <= 5:
            event(session, "checkout_start", sid, at(day, 9, minute=15), {}, **ctx)
            event(session, "order_placed", sid, at(day, 9, minute=20),
                  {"checkout": f"CK-{n}", "orders": 1, "total": "1", "currency": currency}, **ctx)
    event(session, "order_placed", "s11", at(6, 14),
          {"checkout": "CK-6", "orders": 1, "total": "10.00", "currency": "EUR"}, device="desktop", country="ES")
    event(session, "session_start", "", at(2, 9))  # a system row without a visit: ignored
    # The previous period: p01 goes all the way (C0, paid), p02 only arrives.
    for sid in ("p01", "p02"):
        event(session, "session_start", sid, at(26, 8, month=10))
    event(session, "search", "p01", at(26, 8, month=10, minute=1),
          {"query": "earbuds", "results": 1, "search_id": "00000000000f"})
    event(session, "search_click", "p01", at(26, 8, month=10, minute=2), {"search_id": "00000000000f", "position": 1})
    event(session, "add_to_cart", "p01", at(26, 8, month=10, minute=3), {"variant_id": 1, "quantity": 1})
    event(session, "checkout_start", "p01", at(26, 8, month=10, minute=4))
    event(session, "order_placed", "p01", at(26, 8, month=10, minute=5), {"checkout": "CK-0"})


def build(session) -> Shop:
    """Write the whole history and commit."""
    shop = stores(session)
    sz, berlin = shop.sz, shop.berlin
    c0 = checkout(session, "CK-0", currency="USD", country="US", locale="en", email="ana@example.com", total="50.00",
                  placed=at(26, 8, month=10))
    o0 = order(session, c0, sz, shop.sz_product, "SO-0", status="completed", latest=date(2026, 10, 30),
               paid_at=at(26, month=10), ship_by=at(28, month=10), shipped_at=at(27, month=10),
               delivered_at=at(29, month=10), completed_at=at(30, month=10))
    payment(session, c0, "succeeded", at(26, month=10))
    review(session, o0, 4, at(30, 12, month=10))

    c1 = checkout(session, "CK-1", currency="USD", country="US", locale="en", email="ana@example.com",
                  total="100.00", placed=at(1, 9))
    o1 = order(session, c1, sz, shop.sz_product, "SO-1", status="completed", latest=date(2026, 11, 6),
               paid_at=at(1), ship_by=at(4), shipped_at=at(2), delivered_at=at(5), completed_at=at(6, 12))
    payment(session, c1, "succeeded", at(1))
    review(session, o1, 5, at(6, 13))

    c2 = checkout(session, "CK-2", currency="EUR", country="ES", locale="es", email="Ben@example.com", total="40.00",
                  placed=at(2, 8))
    o2 = order(session, c2, berlin, shop.berlin_product, "SO-2", status="delivered", method="economy",
               latest=date(2026, 11, 6), paid_at=at(2, 9), ship_by=at(4, 9), shipped_at=at(5, 9),
               delivered_at=at(7, 21))
    payment(session, c2, "failed", at(2, 8, minute=50), "insufficient_funds")
    payment(session, c2, "succeeded", at(2, 9))
    review(session, o2, 4, at(7, 22))

    c3 = checkout(session, "CK-3", currency="EUR", country="DE", locale="en", email="chen@example.com",
                  total="60.00", placed=at(3, 11))
    o3 = order(session, c3, sz, shop.sz_product, "SO-3", status="disputed", latest=date(2026, 11, 8),
               paid_at=at(3, 12), ship_by=at(5, 12), shipped_at=at(4, 12), delivered_at=at(6, 12))
    payment(session, c3, "succeeded", at(3, 12))
    review(session, o3, 2, at(6, 14))
    session.flush()
    session.add(Dispute(order_id=o3.id, reason="not_as_described", status="open", requested="full_refund",
                        requested_amount=Decimal("60.00"), previous_status="delivered", opened_at=at(6, 18)))

    c4 = checkout(session, "CK-4", currency="USD", country="US", locale="en", email="ana@example.com", total="30.00",
                  placed=at(4, 7), method="bank_transfer")
    order(session, c4, berlin, shop.berlin_product, "SO-4", status="cancelled", paid_at=at(4, 8), ship_by=at(6, 8),
          cancel_reason="out_of_stock", refunded_total=Decimal("30.00"), latest=date(2026, 11, 12))
    payment(session, c4, "succeeded", at(4, 8))

    c5 = checkout(session, "CK-5", currency="USD", country="US", locale="en", email="dan@example.com", total="20.00",
                  placed=at(5, 9))
    order(session, c5, sz, shop.sz_product, "SO-5", status="cancelled", latest=date(2026, 11, 12))
    payment(session, c5, "failed", at(5, 9, minute=30), "declined")

    c6 = checkout(session, "CK-6", currency="EUR", country="ES", locale="es", email="ben@example.com", total="10.00",
                  placed=at(6, 14))
    order(session, c6, berlin, shop.berlin_product, "SO-6", status="cancelled", paid_at=at(6, 15),
          ship_by=at(7, 15), cancel_reason=OVERDUE, refunded_total=Decimal("10.00"), latest=date(2026, 11, 14))
    payment(session, c6, "succeeded", at(6, 15))

    sessions(session)
    session.commit()
    return shop
