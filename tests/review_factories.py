"""Orders ready for feedback: placed directly with the orders models, moved on with the real transition()."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import select

from storefront.checkout.services import order_number
from storefront.orders.models import Checkout, Order, OrderEvent, OrderLine
from storefront.orders.services import transition
from storefront.reviews.services import Buyer, ReviewInput
from storefront.sellers.models import Offer

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)
TO_COMPLETED = ("paid", "shipped", "delivered", "completed")


def bought(session, product, *, user_id: int | None = None, name: str = "Ana García", seller: str | None = None,
           status: str = "completed", at: datetime = NOW, reference: str | None = None) -> Order:
    """One order of one unit of `product` (from `seller`'s offer, else the first), moved up to `status`.

    Every step happens at `at`, so the feedback window starts then when `status` is 'completed'.
    """
    offers = session.scalars(select(Offer).where(Offer.product_id == product.id).order_by(Offer.id)).all()
    offer = next(o for o in offers if seller is None or o.seller.handle == seller)
    variant = offer.variants[0]
    token = secrets.token_hex(8)
    checkout = Checkout(
        reference=reference or f"CK-{token}", idempotency_key=token, user_id=user_id, email="ana@example.com",
        locale="en", currency=variant.currency, country="ES",
        address={"full_name": name, "line1": "Calle Mayor 1", "city": "Madrid", "country": "ES"},
        payment_method="card", items_total=variant.price, shipping_total=Decimal(0), tax_total=Decimal(0),
        total=variant.price, pay_by=at + timedelta(days=1), created_at=at,
    )
    order = Order(
        number=order_number(), checkout=checkout, seller_id=offer.seller_id, user_id=user_id,
        email="ana@example.com", status="awaiting_payment", currency=variant.currency, items_total=variant.price,
        shipping_total=Decimal(0), tax_total=Decimal(0), total=variant.price, shipping_method="standard",
        ships_from=offer.ships_from, created_at=at,
    )
    order.lines.append(OrderLine(
        variant_id=variant.id, product_id=product.id, sku=variant.sku, title=product.titles.get("en", "item"),
        options=dict(variant.options), quantity=1, unit_price=variant.price, price_currency=variant.currency,
        rate=Decimal(1), unit_price_paid=variant.price, line_total=variant.price,
    ))
    order.events.append(OrderEvent(from_status=None, to_status="awaiting_payment", actor="buyer", at=at))
    session.add(checkout)
    session.flush()
    if status != "awaiting_payment":
        for step in TO_COMPLETED[: TO_COMPLETED.index(status) + 1]:
            transition(session, order, step, actor="test", now=at)
    session.commit()
    return order


def buyer_of(order: Order, name: str = "") -> Buyer:
    """The order's buyer: its account when it has one, else the guest browser that placed it."""
    if order.user_id is not None:
        return Buyer(order.user_id, (), name)
    return Buyer(None, (order.checkout.reference,), name)


def review_input(rating=5, text="Works well.", item=5, communication=5, speed=5, language="en",
                 photos=()) -> ReviewInput:
    """A review as a buyer might write it."""
    return ReviewInput(rating=rating, text=text, item_as_described=item, communication=communication,
                       shipping_speed=speed, language=language, photos=tuple(photos))
