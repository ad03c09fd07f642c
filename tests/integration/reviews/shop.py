"""Helpers for review page tests: buying through the real checkout, completing orders, accounts, reviews."""
from __future__ import annotations


from sqlalchemy import select

from storefront.core.clock import utcnow
from storefront.orders.models import Order
from storefront.orders.services import transition
from storefront.reviews import services
from storefront.sellers.models import Variant
from tests.review_factories import bought, buyer_of, review_input
from tests.factories import account  # noqa: F401  (used by the tests through this module)
from tests.builders import review_keys

ADDRESS = {"full_name": "Ana García", "line1": "Calle Mayor 1", "city": "Madrid", "postal_code": "28013",
           "country": "ES", "email": "ana@example.com", "payment_method": "bank_transfer", "saved_address": "new"}


def page_url(product, query: str = "", locale: str = "en") -> str:
    """The product page, with an optional query string, in a locale."""
    return f"/{locale}/p/{product.id}-{product.slug}" + (f"?{query}" if query else "")


def checkout(client, session, sku: str = "CN-B") -> Order:
    """Place an order through the real checkout (bank transfer) with this client; returns it."""
    client.post("/en/cart/add", data={"variant_id": session.scalar(select(Variant.id).where(Variant.sku == sku)),
                                      "qty": 1})
    client.post("/en/checkout/", data=ADDRESS)
    html = client.get("/en/checkout/review").data.decode()
    key, total = review_keys(html)
    assert client.post("/en/checkout/place", data={"idempotency_key": key, "expected_total": total}).status_code == 303
    session.rollback()
    return session.scalars(select(Order).order_by(Order.id.desc())).first()


def complete(session, order: Order, upto: str = "completed") -> Order:
    """Move an order on through the state machine, as payment, carrier and buyer would."""
    for step in ("paid", "shipped", "delivered", "completed"):
        transition(session, order, step, actor="test", now=utcnow())
        if step == upto:
            break
    session.commit()
    return order


def reviewed(session, product, rating: int = 5, *, seller: str = "sz-audio", language: str = "en",
             text: str = "Fine.", name: str = "Ana García"):
    """A review written now on a just-completed order of `product` from `seller`."""
    now = utcnow()
    order = bought(session, product, seller=seller, at=now, name=name)
    review = services.write_review(session, order.number, order.lines[0].id, buyer_of(order),
                                   review_input(rating=rating, text=text, language=language), now=now)
    session.commit()
    return review


