"""Building blocks for tests that buy: the checkout forms guests fill in, the sandbox's test card, and
placing, paying, moving on and re-reading orders through the shop's own pages and services."""
from __future__ import annotations

import re

from sqlalchemy import select

from storefront.core.clock import utcnow
from storefront.extensions import db
from storefront.orders.models import Order
from storefront.orders.refunds import refund_order
from storefront.orders.services import transition
from storefront.sellers.models import Variant

BUYER = {"full_name": "Lucía Gómez", "line1": "Calle Mayor 1", "city": "Madrid", "postal_code": "28013",
         "country": "ES", "email": "lucia@example.com", "payment_method": "card", "saved_address": "new"}
# The same form filled in by buyers in other countries (currency, duties and address fields differ).
BUYERS = {
    "ES": BUYER,
    "BR": {"full_name": "Ana Souza", "line1": "Rua Augusta 100", "city": "São Paulo", "region": "SP",
           "postal_code": "01310-100", "country": "BR", "email": "ana@example.com", "payment_method": "card",
           "saved_address": "new"},
    "DE": {"full_name": "Jonas Weber", "line1": "Hauptstr. 1", "city": "Berlin", "postal_code": "10115",
           "country": "DE", "email": "jonas@example.com", "payment_method": "card", "saved_address": "new"},
}
CARD = {"number": "4242424242424242", "expiry": "12/34", "cvc": "123", "name": "Lucía Gómez"}


def review_keys(html: str) -> tuple[str, str]:
    """The review page's hidden idempotency key and expected total: what "Place order" submits."""
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    total = re.search(r'name="expected_total" value="([^"]+)"', html).group(1)
    return key, total


def buyer(country: str = "ES", **fields) -> dict:
    """The checkout form of a buyer in `country`, with `fields` changed (e.g. payment_method="bank_transfer")."""
    return BUYERS[country] | fields


def check_out(client, *skus: str, qty: int = 1, address: dict | None = None, locale: str = "es"):
    """Put `qty` of each of `skus` in the cart, fill in the checkout form (`address`, default BUYER) and
    place the order from the review page; returns the place response."""
    for sku in skus:
        variant_id = db.session.scalar(select(Variant.id).where(Variant.sku == sku))
        client.post(f"/{locale}/cart/add", data={"variant_id": variant_id, "qty": qty})
    client.post(f"/{locale}/checkout/", data=address or BUYER)
    key, total = review_keys(client.get(f"/{locale}/checkout/review").data.decode())
    return client.post(f"/{locale}/checkout/place", data={"idempotency_key": key, "expected_total": total})


def place(client, sku: str, qty: int = 1, *, payment_method: str = "card", locale: str = "es"):
    """Put `qty` of `sku` in the cart and place the checkout in `locale`; returns the place response."""
    return check_out(client, sku, qty=qty, address=BUYER | {"payment_method": payment_method}, locale=locale)


def buy(app, sku: str = "EB-1", qty: int = 1, *, pay: bool = True, locale: str = "es") -> str:
    """A guest buys (and pays by card on the sandbox's hosted page, unless pay=False); returns the order number."""
    client = app.test_client()
    placed = place(client, sku, qty, payment_method="card" if pay else "bank_transfer", locale=locale)
    if pay:
        page = "/testpay/pay/" + placed.headers["Location"].split("/testpay/pay/")[1]
        client.post(page, data=CARD, follow_redirects=True)
    db.session.rollback()
    return db.session.scalars(select(Order.number).order_by(Order.id.desc())).first()


def reload(number: str) -> Order:
    """The order as the database has it now."""
    db.session.rollback()
    return db.session.scalar(select(Order).where(Order.number == number))


# The statuses an order passes on its way to completion, in order, as payment, carrier and buyer move it.
ON_THE_WAY = ("paid", "shipped", "delivered", "completed")


def advance(session, order: Order, upto: str = "completed") -> Order:
    """Move an order on through the state machine, as payment, carrier and buyer would, up to `upto`."""
    if order.status == upto:
        return order
    for step in ON_THE_WAY[ON_THE_WAY.index(order.status) + 1 if order.status in ON_THE_WAY else 0:]:
        transition(session, order, step, actor="test", now=utcnow())
        if step == upto:
            break
    session.commit()
    return order


def order_in(app, status: str, sku: str = "EB-1") -> Order:
    """An order of `sku` bought by a guest through the shop, then moved to `status` the way the shop moves
    it: awaiting_payment, cancelled (its buyer never paid), paid, shipped, delivered, completed, or refunded
    (in full, through the payment gateway). Disputes have their own rules: open them with open_dispute."""
    order = reload(buy(app, sku, pay=status not in ("awaiting_payment", "cancelled")))
    if status == "cancelled":
        transition(db.session, order, "cancelled", actor="test", now=utcnow())
        db.session.commit()
    elif status == "refunded":
        refund_order(db.session, app.extensions["payment_gateway"], order, order.total, reason="test")
    elif status != "awaiting_payment":
        advance(db.session, order, status)
    order = reload(order.number)
    assert order.status == status, (order.number, order.status)
    return order

def photo_jpeg(seed: int = 7, size: int = 1600, grain: float = 0.18) -> bytes:
    """A camera-like JPEG made here (no photo files ship with the tests): soft shapes, edges and sensor grain,
    which compress like a real product photo (about 80 KB as the shop's 1,200 px WebP)."""
    import io
    import random

    from PIL import Image, ImageDraw, ImageFilter

    rnd = random.Random(seed)
    picture = Image.new("RGB", (size, size), tuple(rnd.randint(120, 220) for _ in range(3)))
    draw = ImageDraw.Draw(picture)
    for _ in range(40):
        x, y, r = rnd.randint(0, size), rnd.randint(0, size), rnd.randint(30, 380)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rnd.randint(20, 235) for _ in range(3)))
    for _ in range(60):
        x, y = rnd.randint(0, size), rnd.randint(0, size)
        draw.line((x, y, x + rnd.randint(-400, 400), y + rnd.randint(-400, 400)),
                  fill=tuple(rnd.randint(0, 255) for _ in range(3)), width=rnd.randint(2, 12))
    picture = picture.filter(ImageFilter.GaussianBlur(2))
    grain_layer = Image.merge("RGB", [Image.effect_noise((size, size), 60) for _ in range(3)])
    picture = Image.blend(picture, grain_layer.filter(ImageFilter.GaussianBlur(0.8)), grain)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=92)
    return out.getvalue()
