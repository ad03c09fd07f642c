"""Demo feedback: completed demo orders and real reviews on them, so the demo store's ratings come from reviews.

The orders are written directly with the orders models (not through checkout, which would take minutes for
thousands of orders), with the full status history a real order gets; product aggregates are then computed
by the reviews service, and seller figures are read live from the reviews like everywhere else.
"""
from __future__ import annotations

import io
import random
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from PIL import Image, ImageDraw
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload

from ..accounts.models import User
from ..catalog.models import Product
from ..checkout.services import NUMBER_ALPHABET
from ..orders.models import Checkout, Order, OrderEvent, OrderLine
from ..reviews.models import HelpfulVote, Review
from ..reviews.ratings import refresh_product_ratings
from ..reviews.services import PHOTO_FOLDER, short_name
from ..sellers.images import encode_image, thumbnail_path
from ..sellers.models import Offer
from .review_texts import REPLY_TEXTS, REVIEW_TEXTS, REVIEWER_COUNTRIES, REVIEWER_NAMES

DEMO_KEY = "demo-feedback-"  # idempotency-key prefix of demo checkouts: seeding twice adds nothing
LANGUAGES = ("en", "es", "ar", "zh")
LANGUAGE_WEIGHTS = (40, 25, 15, 20)
MAX_REVIEWS = 10          # per product, so seeding stays fast; orders_count (sold) stays above it
PHOTOS = 8                # demo photos shared by the reviews that have some
HISTORY = 430             # days back: some reviews fall outside the sellers' 12-month figures
STEPS = (("awaiting_payment", "buyer", 0), ("paid", "payment", 1), ("shipped", "seller", 50),
         ("delivered", "carrier", 400), ("completed", "buyer", 470))  # hours after placement


def seed_demo_feedback(session: Session, media_root: Path, *, now: datetime, shopper_email: str | None = None) -> int:
    """Create completed demo orders with reviews (four languages), votes and seller replies; returns reviews made.

    The demo shopper gets two recent completed orders: one reviewed, one still waiting for a review.
    Deterministic (seeded per product) and idempotent.
    """
    if session.scalar(select(Checkout.id).where(Checkout.idempotency_key.like(DEMO_KEY + "%")).limit(1)):
        return 0
    photos = _demo_photos(media_root)
    products = session.scalars(select(Product).order_by(Product.id).options(
        selectinload(Product.offers).selectinload(Offer.variants), selectinload(Product.offers)
        .selectinload(Offer.seller))).all()
    plans: list[dict] = []
    for product in products:
        offers = [o for o in product.offers if o.is_published and o.variants]
        if not offers:
            continue
        rnd = random.Random(f"feedback:{product.gtin or product.id}")
        reviews = min(MAX_REVIEWS, int((product.orders_count or 0) * rnd.uniform(0.08, 0.3)))
        for n in range(reviews + reviews // 2 + rnd.randint(0, 2)):
            completed = now - timedelta(days=rnd.uniform(2, HISTORY))
            plans.append(_plan(rnd, product, rnd.choice(offers), completed, reviewed=n < reviews, photos=photos,
                               now=now))
    shopper = session.scalar(select(User).where(User.email == shopper_email)) if shopper_email else None
    if shopper is not None:
        plans.extend(_shopper_plans(products, shopper, now))
    _insert(session, plans)
    refresh_product_ratings(session, {p["product"].id for p in plans if p["review"]})
    return sum(1 for p in plans if p["review"])


def _plan(rnd: random.Random, product: Product, offer: Offer, completed: datetime, *, reviewed: bool,
          photos: list[str], now: datetime, user: User | None = None, language: str | None = None) -> dict:
    """One demo order (and its review, when `reviewed`) as plain values."""
    language = language or rnd.choices(LANGUAGES, LANGUAGE_WEIGHTS)[0]
    name = user.name if user else rnd.choice(REVIEWER_NAMES[language])
    variant = rnd.choice(offer.variants)
    quantity = rnd.choice((1, 1, 1, 2))
    plan = {"product": product, "offer": offer, "variant": variant, "quantity": quantity, "language": language,
            "name": name, "user_id": user.id if user else None, "email": user.email if user else "buyer@demo.test",
            "country": rnd.choice(REVIEWER_COUNTRIES[language]), "placed": completed - timedelta(hours=470),
            "number": "SO-" + "".join(rnd.choice(NUMBER_ALPHABET) for _ in range(10)), "review": None}
    if not reviewed:
        return plan
    quality = random.Random(offer.seller.handle).uniform(0.7, 0.97)  # each seller's share of happy buyers
    roll = rnd.random()
    mood = "positive" if roll < quality else "neutral" if roll < quality + (1 - quality) / 2 else "negative"
    stars = {"positive": rnd.choice((5, 5, 5, 4)), "neutral": 3, "negative": rnd.choice((1, 2, 2))}[mood]
    scales = {"positive": ((5, 5, 5, 4), (5, 5, 4), (5, 4, 4, 3)), "neutral": ((3, 4, 3), (3, 4, 5), (2, 3, 4)),
              "negative": ((1, 2, 2), (1, 2, 3, 4), (1, 2, 3))}[mood]
    written = min(completed + timedelta(hours=rnd.uniform(2, 240)), now - timedelta(minutes=30))
    replied = mood == "negative" and rnd.random() < 0.6 or mood == "neutral" and rnd.random() < 0.2
    with_photos = rnd.random() < 0.12
    plan["review"] = {
        "rating": stars, "text": rnd.choice(REVIEW_TEXTS[language][mood]), "language": language,
        "item_as_described": rnd.choice(scales[0]), "communication": rnd.choice(scales[1]),
        "shipping_speed": rnd.choice(scales[2]), "created_at": written,
        "photos": rnd.sample(photos, rnd.randint(1, 2)) if with_photos and photos else [],
        "helpful": rnd.choice((0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 5, 8, 13)),
        "reply_text": rnd.choice(REPLY_TEXTS[language]) if replied else None,
        "replied_at": written + timedelta(hours=rnd.uniform(3, 48)) if replied else None,
    }
    return plan


def _shopper_plans(products: list[Product], shopper: User, now: datetime) -> list[dict]:
    """Two orders for the demo shopper from the demo seller: one reviewed, one waiting for a review."""
    rnd = random.Random("feedback:demo-shopper")
    offers = [o for p in products for o in p.offers if o.seller.handle == "sz-audio" and o.is_published and o.variants]
    if len(offers) < 2:
        return []
    first, second = offers[0], offers[1]
    reviewed = _plan(rnd, first.product, first, now - timedelta(days=4), reviewed=True, photos=[], now=now,
                     user=shopper, language="en")
    reviewed["review"] |= {"rating": 4, "text": "Good sound for the price; the case feels a little light.",
                           "reply_text": None, "replied_at": None, "helpful": 0}
    waiting = _plan(rnd, second.product, second, now - timedelta(days=2), reviewed=False, photos=[], now=now,
                    user=shopper, language="en")
    return [reviewed, waiting]


def _insert(session: Session, plans: list[dict]) -> None:
    """Write the planned checkouts, orders, lines, status history, reviews and votes in bulk."""
    if not plans:
        return
    checkout_ids = session.scalars(insert(Checkout).returning(Checkout.id, sort_by_parameter_order=True), [
        {"reference": f"CK-demo-{p['number'][3:]}", "idempotency_key": f"{DEMO_KEY}{p['number']}",
         "user_id": p["user_id"], "email": p["email"], "locale": p["language"], "currency": p["variant"].currency,
         "country": p["country"], "address": {"full_name": p["name"], "country": p["country"]},
         "payment_method": "card", **_totals(p), "pay_by": p["placed"] + timedelta(minutes=30),
         "created_at": p["placed"]} for p in plans]).all()
    order_ids = session.scalars(insert(Order).returning(Order.id, sort_by_parameter_order=True), [
        {"number": p["number"], "checkout_id": checkout_id, "seller_id": p["offer"].seller_id,
         "user_id": p["user_id"], "email": p["email"], "status": "completed", "currency": p["variant"].currency,
         **_totals(p), "shipping_method": "standard", "ships_from": p["offer"].ships_from,
         "created_at": p["placed"], "paid_at": p["placed"] + timedelta(hours=1),
         "shipped_at": p["placed"] + timedelta(hours=50), "updated_at": p["placed"] + timedelta(hours=470)}
        for p, checkout_id in zip(plans, checkout_ids)]).all()
    line_ids = session.scalars(insert(OrderLine).returning(OrderLine.id, sort_by_parameter_order=True), [
        {"order_id": order_id, "variant_id": p["variant"].id, "product_id": p["product"].id, "sku": p["variant"].sku,
         "title": (p["product"].titles.get(p["language"]) or next(iter(p["product"].titles.values()), ""))[:200],
         "options": dict(p["variant"].options), "quantity": p["quantity"], "unit_price": p["variant"].price,
         "price_currency": p["variant"].currency, "rate": Decimal(1), "unit_price_paid": p["variant"].price,
         "line_total": p["variant"].price * p["quantity"]}
        for p, order_id in zip(plans, order_ids)]).all()
    session.execute(insert(OrderEvent), [
        {"order_id": order_id, "from_status": STEPS[i - 1][0] if i else None, "to_status": status, "actor": actor,
         "note": "", "at": p["placed"] + timedelta(hours=hours)}
        for p, order_id in zip(plans, order_ids) for i, (status, actor, hours) in enumerate(STEPS)])
    reviewed = [(p, order_id, line_id) for p, order_id, line_id in zip(plans, order_ids, line_ids) if p["review"]]
    review_ids = session.scalars(insert(Review).returning(Review.id, sort_by_parameter_order=True), [
        {"order_line_id": line_id, "order_id": order_id, "product_id": p["product"].id,
         "seller_id": p["offer"].seller_id, "user_id": p["user_id"], "author_name": short_name(p["name"])[:60],
         "options": dict(p["variant"].options), "photo_count": len(p["review"]["photos"]),
         "helpful_count": p["review"]["helpful"], **{k: v for k, v in p["review"].items() if k != "helpful"}}
        for p, order_id, line_id in reviewed]).all()
    votes = [{"review_id": review_id, "voter": f"demo:{n}", "created_at": p["review"]["created_at"]}
             for (p, _o, _l), review_id in zip(reviewed, review_ids) for n in range(p["review"]["helpful"])]
    if votes:
        session.execute(insert(HelpfulVote), votes)


def _totals(plan: dict) -> dict:
    items = plan["variant"].price * plan["quantity"]
    return {"items_total": items, "shipping_total": Decimal(0), "tax_total": Decimal(0), "total": items}


def _demo_photos(media_root: Path) -> list[str]:
    """A few buyer-style photos (made here, checked and re-encoded like uploads); their media paths."""
    paths = []
    for n in range(PHOTOS):
        rnd = random.Random(f"photo:{n}")
        picture = Image.new("RGB", (640, 640), tuple(rnd.randint(150, 235) for _ in range(3)))
        draw = ImageDraw.Draw(picture)
        for _ in range(3):
            x, y, r = rnd.randint(80, 560), rnd.randint(80, 560), rnd.randint(40, 160)
            draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rnd.randint(30, 200) for _ in range(3)))
        raw = io.BytesIO()
        picture.save(raw, "PNG")
        encoded = encode_image(raw.getvalue())
        relative = f"{PHOTO_FOLDER}/demo-{n}.{encoded.extension}"
        folder = Path(media_root) / PHOTO_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        (Path(media_root) / relative).write_bytes(encoded.full)
        (Path(media_root) / thumbnail_path(relative)).write_bytes(encoded.thumbnail)
        paths.append(relative)
    return paths
