"""The demo store: the bundled hand-written catalog, generated images, demo logins, synthetic bulk."""
from __future__ import annotations

import io
import json
import random
import sys
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tqdm import tqdm
from werkzeug.security import generate_password_hash

from ..accounts.models import User
from ..core.clock import utcnow
from ..catalog.importer import ImportReport, import_listings
from ..catalog.models import Product
from ..catalog.services import refresh_product_summary
from ..orders.services import recount_sold
from ..currency.services import current_rates, load_snapshot
from ..sellers.models import Seller
from .feedback import seed_demo_feedback
from .history import DEFAULT_DAYS as HISTORY_DAYS, seed_history
from .images import product_svg

DATA = Path(__file__).parent / "data"
DEMO_PASSWORD = "demo-pass-1234"
DEMO_USERS = (
    ("shopper@demo.test", "Demo Shopper", "shopper"),
    ("seller@demo.test", "Demo Seller (SZ Audio Store)", "seller"),
    ("admin@demo.test", "Demo Admin", "admin"),
)
DEMO_SELLER_HANDLE = "sz-audio"


def _catalog_lines(media: Path) -> bytes:
    """The bundled catalog as one JSONL document, each listing given its generated image."""
    out = io.BytesIO()
    (media / "demo").mkdir(parents=True, exist_ok=True)
    for path in sorted(DATA.glob("catalog-*.jsonl")):
        for raw in path.read_bytes().splitlines():
            if not raw.strip():
                continue
            listing = json.loads(raw)
            key = listing.get("gtin") or listing["variants"][0]["sku"]
            name = f"demo/{key}.svg"
            target = media / name
            if not target.exists():
                target.write_text(product_svg(listing["brand"], listing["category"], key), encoding="utf-8")
            listing["images"] = [name]
            out.write(json.dumps(listing, ensure_ascii=False).encode() + b"\n")
    return out.getvalue()


def _import(session: Session, data: bytes, progress: bool) -> ImportReport:
    with tqdm(total=len(data), unit="B", unit_scale=True, desc="Importing", disable=not progress or None,
              file=sys.stderr) as bar:
        return import_listings(session, io.BytesIO(data), current_rates(), on_line=bar.update)


def seed_demo_store(session: Session, *, if_empty: bool = False, progress: bool = False,
                    history_days: int = HISTORY_DAYS, now: datetime | None = None) -> ImportReport | None:
    """Import the demo catalog, create demo logins and give products a plausible history, with
    `history_days` of marketplace activity up to `now` for the metrics (0: none).

    Returns None when `if_empty` and the catalog already has products.
    """
    if if_empty and session.scalar(select(func.count(Product.id))):
        return None
    load_snapshot(session)
    session.commit()
    report = _import(session, _catalog_lines(Path(current_app.config["MEDIA_PATH"])), progress)
    _demo_users(session)
    _demo_history(session)
    now = now or utcnow()
    seed_demo_feedback(session, Path(current_app.config["MEDIA_PATH"]), now=now, shopper_email=DEMO_USERS[0][0])
    with tqdm(total=history_days, unit="day", desc="History", disable=not progress or None, file=sys.stderr) as bar:
        seed_history(session, days=history_days, end=now, progress=lambda _day: bar.update())
    recount_sold(session)  # "N sold" from the orders just made, not from the popularity used to make them
    session.commit()
    return report


def _demo_users(session: Session) -> None:
    for email, name, role in DEMO_USERS:
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, name=name, role=role, password_hash=generate_password_hash(DEMO_PASSWORD),
                        email_verified_at=utcnow())
            session.add(user)
    session.flush()
    seller = session.scalar(select(Seller).where(Seller.handle == DEMO_SELLER_HANDLE))
    owner = session.scalar(select(User).where(User.email == "seller@demo.test"))
    if seller is not None and owner is not None:
        seller.owner_id = owner.id


def _demo_history(session: Session) -> None:
    """A popularity per product, which decides how many demo orders and reviews it gets (the sold counts
    are then recounted from those orders); ratings come from demo reviews.

    Deterministic per product so screenshots and tests see the same shop every time. Sellers get
    join dates spread over the past years, as a marketplace that has been open a while would have.
    """
    for seller in session.scalars(select(Seller)):
        rnd = random.Random(seller.handle)
        seller.joined_at = utcnow() - timedelta(days=rnd.randint(90, 3200))
    for product in session.scalars(select(Product)):
        rnd = random.Random(product.gtin or product.id)
        product.orders_count = int(rnd.paretovariate(1.2) * 40) - 40 + rnd.randint(0, 30)


def _synthetic_rating_placeholders(session: Session) -> None:
    """Placeholder rating aggregates for the synthetic benchmark catalog only (100,000 products get no
    reviews: writing millions would take far too long), so rating sorts and filters have data to work on."""
    for product in session.scalars(select(Product).where(Product.rating_count == 0)):
        rnd = random.Random(product.gtin or product.id)
        product.rating_count = min(product.orders_count, int(product.orders_count * rnd.uniform(0.1, 0.5)))
        product.rating_avg = (
            Decimal(str(round(rnd.triangular(3.2, 5.0, 4.6), 1))) if product.rating_count else Decimal(0)
        )


def refresh_all_summaries(session: Session) -> None:
    """Recompute every product's price summary (after a rates refresh)."""
    rates = current_rates()
    for product in session.scalars(select(Product)):
        refresh_product_summary(session, product, rates)
    session.commit()


WORDS = {
    "en": ["wireless", "portable", "smart", "classic", "mini", "pro", "compact", "waterproof", "soft", "steel"],
    "es": ["inalámbrico", "portátil", "inteligente", "clásico", "mini", "pro", "compacto", "impermeable",
           "suave", "acero"],
    "ar": ["لاسلكي", "محمول", "ذكي", "كلاسيكي", "صغير", "احترافي", "مدمج", "مقاوم للماء", "ناعم", "فولاذي"],
    "zh": ["无线", "便携", "智能", "经典", "迷你", "专业", "小巧", "防水", "柔软", "不锈钢"],
}
NOUNS = {
    "en": ["earbuds", "lamp", "backpack", "watch", "kettle", "speaker", "jacket", "mouse", "bottle", "charger"],
    "es": ["auriculares", "lámpara", "mochila", "reloj", "hervidor", "altavoz", "chaqueta", "ratón", "botella",
           "cargador"],
    "ar": ["سماعات", "مصباح", "حقيبة ظهر", "ساعة", "غلاية", "مكبر صوت", "سترة", "فأرة", "زجاجة", "شاحن"],
    "zh": ["耳机", "台灯", "双肩包", "手表", "电水壶", "音箱", "夹克", "鼠标", "水杯", "充电器"],
}
SYNTH_CATEGORIES = ["Electronics > Audio", "Home & Kitchen > Lighting", "Bags & Luggage > Backpacks",
                    "Jewelry & Watches > Watches", "Home & Kitchen > Appliances", "Men's Clothing > Jackets",
                    "Electronics > Computer Accessories", "Sports & Fitness > Bottles"]
SYNTH_SELLERS = [("bulk-cn-%d" % i, "Bulk Store CN %d" % i, "CN") for i in range(20)] + [
    ("bulk-de-%d" % i, "Bulk Store DE %d" % i, "DE") for i in range(5)] + [
    ("bulk-us-%d" % i, "Bulk Store US %d" % i, "US") for i in range(5)]


def synthetic_listing(n: int, rnd: random.Random) -> dict:
    """One plausible synthetic listing (numbered n) for load and benchmark catalogs."""
    w, k = rnd.randrange(10), rnd.randrange(10)
    seller = SYNTH_SELLERS[n % len(SYNTH_SELLERS)]
    currency = {"CN": "USD", "DE": "EUR", "US": "USD"}[seller[2]]
    titles = {loc: f"{WORDS[loc][w]} {NOUNS[loc][k]} {n}" for loc in WORDS}
    return {
        "seller": {"handle": seller[0], "name": seller[1], "country": seller[2]},
        "brand": f"Brand{n % 500}", "model": f"SYN-{n}",
        "category": SYNTH_CATEGORIES[k % len(SYNTH_CATEGORIES)],
        "title": titles,
        "description": {loc: " ".join(titles[loc] for _ in range(3)) for loc in titles},
        "ships_from": seller[2], "handling_days": rnd.randint(1, 7), "weight_grams": rnd.randint(50, 3000),
        "free_shipping": ["*"] if rnd.random() < 0.3 else [],
        "variants": [{"sku": f"SYN-{n}-{v}", "options": {"Color": c}, "price": f"{rnd.uniform(1, 300):.2f}",
                      "currency": currency, "stock": rnd.randint(0, 500)}
                     for v, c in enumerate(rnd.sample(["Black", "White", "Red", "Blue"], rnd.randint(1, 3)))],
    }


def seed_synthetic(session: Session, count: int, *, progress: bool = False, seed: int = 7) -> ImportReport:
    """Add `count` synthetic products through the importer (for benchmarks at 100,000 products)."""
    load_snapshot(session)
    session.commit()
    rnd = random.Random(seed)
    start = session.scalar(select(func.count(Product.id))) or 0
    data = b"".join(
        json.dumps(synthetic_listing(start + i, rnd), ensure_ascii=False).encode() + b"\n" for i in range(count)
    )
    report = _import(session, data, progress)
    _demo_history(session)
    _synthetic_rating_placeholders(session)
    session.commit()
    return report
