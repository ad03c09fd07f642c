"""Helpers for review page tests: buying through the real checkout, completing orders, accounts, reviews."""
from __future__ import annotations


from sqlalchemy import select

from storefront.core.clock import utcnow
from storefront.orders.models import Order
from storefront.reviews import services
from tests.review_factories import bought, buyer_of, review_input
from tests.factories import account  # noqa: F401  (used by the tests through this module)
from tests.builders import advance, buyer, check_out

ADDRESS = buyer(full_name="Ana García", email="ana@example.com", payment_method="bank_transfer")


def page_url(product, query: str = "", locale: str = "en") -> str:
    """The product page, with an optional query string, in a locale."""
    return f"/{locale}/p/{product.id}-{product.slug}" + (f"?{query}" if query else "")


def checkout(client, session, sku: str = "CN-B") -> Order:
    """Place an order through the real checkout (bank transfer) with this client; returns it."""
    assert check_out(client, sku, address=ADDRESS, locale="en").status_code == 303
    session.rollback()
    return session.scalars(select(Order).order_by(Order.id.desc())).first()


complete = advance  # the reviews tests' word for it: the order moved on up to `upto`


def reviewed(session, product, rating: int = 5, *, seller: str = "sz-audio", language: str = "en",
             text: str = "Fine.", name: str = "Ana García"):
    """A review written now on a just-completed order of `product` from `seller`."""
    now = utcnow()
    order = bought(session, product, seller=seller, at=now, name=name)
    review = services.write_review(session, order.number, order.lines[0].id, buyer_of(order),
                                   review_input(rating=rating, text=text, language=language), now=now)
    session.commit()
    return review


