"""Building blocks for tests that buy: the checkout form a guest fills in, the sandbox's test card, and
placing, paying and re-reading orders through the shop's own pages (as a shopper would)."""
from __future__ import annotations

import re

from sqlalchemy import select

from storefront.extensions import db
from storefront.orders.models import Order
from storefront.sellers.models import Variant

BUYER = {"full_name": "Lucía Gómez", "line1": "Calle Mayor 1", "city": "Madrid", "postal_code": "28013",
         "country": "ES", "email": "lucia@example.com", "payment_method": "card", "saved_address": "new"}
CARD = {"number": "4242424242424242", "expiry": "12/34", "cvc": "123", "name": "Lucía Gómez"}


def review_keys(html: str) -> tuple[str, str]:
    """The review page's hidden idempotency key and expected total: what "Place order" submits."""
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    total = re.search(r'name="expected_total" value="([^"]+)"', html).group(1)
    return key, total


def place(client, sku: str, qty: int = 1, *, payment_method: str = "card", locale: str = "es"):
    """Put `qty` of `sku` in the cart and place the checkout in `locale`; returns the place response."""
    variant_id = db.session.scalar(select(Variant.id).where(Variant.sku == sku))
    client.post(f"/{locale}/cart/add", data={"variant_id": variant_id, "qty": qty})
    client.post(f"/{locale}/checkout/", data=BUYER | {"payment_method": payment_method})
    html = client.get(f"/{locale}/checkout/review").data.decode()
    key, total = review_keys(html)
    return client.post(f"/{locale}/checkout/place", data={"idempotency_key": key, "expected_total": total})


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
