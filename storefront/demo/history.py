"""Demo history: months of plausible marketplace activity, so the metrics dashboard shows a living shop.

Visitors arrive day by day, in the shares of locales, countries, currencies and devices a cross-border
shop sees; they search (some find nothing), click, view products, fill carts, check out and pay (some
cards fail). What happens to each order afterwards is planned in history_outcomes.py (sellers ship or
miss their deadline, carriers deliver, buyers confirm, review or dispute) and written by a writer:

- history_writer.ServiceWriter (the demo): orders priced by the cart's own pricing, every status change
  through orders.services.transition() at its historical time, so order history, order_* events and
  payouts are exactly what the shop writes;
- history_bulk.BulkWriter (benchmarks at 100,000 orders): the same rows, inserted in bulk.

The completed demo orders with reviews that feedback.py made are folded in (history_feedback.py): they get
what the real services would have recorded for them (payment, handling deadline, delivery, payout, and
the events of their visit and life), never a second review. Deterministic: the same seed, days and end
give the same shop.
"""
from __future__ import annotations

import random
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from itertools import accumulate

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..cart.models import Cart, CartLine
from ..cart.services import CartSummary, price_cart
from ..catalog.models import Product
from ..checkout.services import NUMBER_ALPHABET, PAY_WITHIN
from ..core.i18n import currency_for_country, localized
from ..currency.services import Rates
from ..orders.models import Checkout
from ..sellers.models import Offer, Variant
from .history_outcomes import Mix, pick, token
from .review_texts import REVIEWER_NAMES

DEFAULT_DAYS = 120
SESSIONS_PER_DAY = 150        # at the end of the period; the shop grows into it
ORDERS_PER_VISIT = 0.0425    # what the funnel below converts to (measured over a year at scale)
CHECKOUTS_PER_VISIT = 0.038  # (a checkout has one order per seller)
MEAN_TRAFFIC = 0.85 * (5 + 2 * 1.15) / 7  # sessions_on's average day, relative to per_day
WRITE_BATCH = 200             # checkouts written (and flushed) together
HISTORY_KEY = "demo-history-"  # idempotency-key prefix of history checkouts: seeding twice adds nothing

LOCALES = Mix({"en": 44, "es": 24, "zh": 18, "ar": 14})
COUNTRIES = {
    "en": Mix({"US": 36, "GB": 15, "CA": 8, "AU": 7, "IN": 12, "DE": 6, "SE": 4, "JP": 5, "KR": 7}),
    "es": Mix({"ES": 36, "MX": 34, "AR": 10, "CO": 10, "CL": 10}),
    "zh": Mix({"CN": 50, "TW": 14, "SG": 16, "HK": 12, "ID": 8}),
    "ar": Mix({"AE": 35, "SA": 33, "EG": 18, "MA": 10, "TR": 4}),
}
DEVICES = Mix({"mobile": 62, "desktop": 30, "tablet": 8})
BUYS_MORE_ON = {"mobile": 0.8, "desktop": 1.45, "tablet": 1.05}  # carts per view, relative to the mean
LANDINGS = Mix({"catalog.home": 45, "catalog.product": 30, "catalog.category": 15, "catalog.search": 10})
SEARCHES_FIND_NOTHING = 0.08
NOTHING_FOUND = {
    "en": ["iphone 17 pro max", "playstation 6", "nintendo swich 3", "wedding dress xxl", "tesla wall charger",
           "vintage typewriter", "drone with 8k camera", "gaming chair pink"],
    "es": ["iphone 17", "vestido de novia", "bicicleta eléctrica plegable", "consola retro 8 bits",
           "silla gamer rosa", "patinete eléctrico"],
    "zh": ["华为折叠屏", "电动滑板车", "婚纱礼服", "无人机8k", "游戏椅粉色", "扫地机器人"],
    "ar": ["ايفون 17", "بلايستيشن 6", "فستان زفاف", "دراجة كهربائية", "كرسي ألعاب", "طائرة درون"],
}
CJK = re.compile(r"[\u4e00-\u9fff]+")
WORD = re.compile(r"\w{3,}")


def utc_day(day: date) -> datetime:
    """Midnight UTC of `day`."""
    return datetime.combine(day, time(), timezone.utc)


# --- the catalog as the simulation sees it -----------------------------------------------------------

class Catalog:
    """The buyable products with their offers, how popular each is, and the words shoppers search them by."""

    def __init__(self, session: Session) -> None:
        products = session.scalars(select(Product).order_by(Product.id).options(
            selectinload(Product.offers).selectinload(Offer.variants),
            selectinload(Product.offers).selectinload(Offer.seller))).all()
        self.products: list[Product] = []
        self.offers: dict[int, list[Offer]] = {}
        for product in products:
            offers = [o for o in product.offers if o.is_published and any(v.stock > 3 for v in o.variants)]
            if offers:
                self.products.append(product)
                self.offers[product.id] = offers
        self.cumulative = list(accumulate((p.orders_count or 0) + 5 for p in self.products))
        self.by_id = {p.id: p for p in self.products}
        self.words: dict[str, dict[str, list[int]]] = {}
        for locale in LOCALES:
            index: dict[str, list[int]] = {}
            for product in self.products:
                for word in set(title_words(localized(product.titles, locale)[0], locale)):
                    index.setdefault(word, []).append(product.id)
            self.words[locale] = index

    def popular(self, rnd: random.Random) -> Product:
        """A product, the best sellers more often."""
        return self.products[min(bisect_right(self.cumulative, rnd.random() * self.cumulative[-1]),
                                 len(self.products) - 1)]

    def variant(self, rnd: random.Random, product: Product) -> Variant:
        """A variant a shopper would put in the cart: mostly from the first offers, always in stock."""
        offers = self.offers[product.id]
        offer = offers[0] if len(offers) == 1 or rnd.random() < 0.55 else rnd.choice(offers)
        return rnd.choice([v for v in offer.variants if v.stock > 3] or offer.variants)


def title_words(title: str, locale: str) -> list[str]:
    """The words a shopper might type to find this title: two-character words in Chinese."""
    text = title.lower()
    if locale == "zh":
        return [run[i:i + 2] for run in CJK.findall(text) for i in range(len(run) - 1)]
    return WORD.findall(text)


# --- visits ------------------------------------------------------------------------------------------

@dataclass
class Visit:
    """One anonymous session and the web events it recorded, as record_event would have."""

    sid: str
    locale: str
    country: str
    currency: str
    device: str
    clock: datetime
    user_id: int | None = None
    events: list[tuple[str, datetime, dict]] = field(default_factory=list)

    def record(self, kind: str, seconds: tuple[float, float] = (15, 150), rnd: random.Random | None = None,
               **data) -> datetime:
        """Add an event a little after the previous one; returns its time."""
        if self.events and rnd is not None:
            self.clock += timedelta(seconds=rnd.uniform(*seconds))
        self.events.append((kind, self.clock, data))
        return self.clock

    def rows(self) -> list[dict]:
        """The events table rows of this visit."""
        return [{"kind": kind, "at": at, "session_id": self.sid, "user_id": self.user_id, "locale": self.locale,
                 "country": self.country, "currency": self.currency, "device": self.device, "data": data}
                for kind, at, data in self.events]


@lru_cache(maxsize=None)
def local_currency(country: str) -> str:
    """The country's own currency when the shop offers it, else US dollars."""
    return currency_for_country(country) or "USD"


def new_visit(rnd: random.Random, start: datetime, *, locale: str | None = None, country: str | None = None,
              currency: str | None = None) -> Visit:
    """A new visitor's context: language, ship-to country, currency and device in the shop's usual shares."""
    locale = locale or pick(rnd, LOCALES)
    country = country or pick(rnd, COUNTRIES[locale])
    if currency is None:
        currency = "USD" if rnd.random() < 0.12 else local_currency(country)
    return Visit(sid=f"{rnd.getrandbits(64):016x}", locale=locale, country=country, currency=currency,
                 device=pick(rnd, DEVICES), clock=start)


def browse(rnd: random.Random, catalog: Catalog, visit: Visit, *, landing: str | None = None) -> list[Product]:
    """The visit up to its product views: landing page, searches and their clicks, browsing; returns the
    products it viewed, in order."""
    landing = landing or pick(rnd, LANDINGS)
    visit.record("session_start", path=landing)
    viewed: list[Product] = []
    if landing == "catalog.product":
        viewed.append(view(rnd, visit, catalog.popular(rnd)))
    searches = 1 if landing == "catalog.search" else 0
    searches += (rnd.random() < 0.45) + (rnd.random() < 0.2)
    for _ in range(searches):
        found = search(rnd, catalog, visit)
        if found and rnd.random() < 0.55:
            position = min(int(rnd.expovariate(0.35)) + 1, len(found))
            product = catalog.by_id[found[position - 1]]
            visit.record("search_click", rnd=rnd, search_id=visit.events[-1][2]["search_id"], position=position,
                         product_id=product.id)
            viewed.append(view(rnd, visit, product, seconds=(0, 1)))
    while rnd.random() < (0.55 if not viewed else 0.35):
        viewed.append(view(rnd, visit, catalog.popular(rnd)))
    return viewed


def view(rnd: random.Random, visit: Visit, product: Product, seconds: tuple[float, float] = (15, 150)) -> Product:
    """A product page load."""
    visit.record("product_view", seconds, rnd, product_id=product.id)
    return product


def search(rnd: random.Random, catalog: Catalog, visit: Visit) -> list[int]:
    """A search as the search page records it; returns the ids found, best first (as far as we can tell)."""
    words = catalog.words[visit.locale]
    found: list[int] = []
    if rnd.random() < SEARCHES_FIND_NOTHING:
        query = rnd.choice(NOTHING_FOUND[visit.locale])
    else:
        wanted = catalog.popular(rnd)
        choices = title_words(localized(wanted.titles, visit.locale)[0], visit.locale)
        query = rnd.choice(choices) if choices else wanted.brand.lower()
        found = list(words.get(query, [wanted.id]))
        rnd.shuffle(found)
        if wanted.id in found:
            found.remove(wanted.id)
        found.insert(0, wanted.id)
    visit.record("search", rnd=rnd, query=query[:100], results=len(found), degraded=False,
                 search_id=f"{rnd.getrandbits(48):012x}", page=1)
    return found


# --- checkouts ---------------------------------------------------------------------------------------

@dataclass
class Buyer:
    """Who placed a checkout, as its row keeps them (orders keep personal data; events never do)."""

    email: str
    name: str


@dataclass
class CheckoutPlan:
    """A checkout as place_order() would have written it, and what happened to it afterwards."""

    reference: str
    key: str
    placed: datetime
    visit: Visit
    buyer: Buyer
    payment_method: str
    summary: CartSummary
    numbers: list[str]
    rates: Rates
    steps: list = field(default_factory=list)   # history_outcomes.Step, in time order

    @property
    def pay_by(self) -> datetime:
        """The payment deadline place_order sets."""
        return self.placed + PAY_WITHIN[self.payment_method]


class Buyers:
    """Buyers come back: about one checkout in four is by someone who bought before."""

    def __init__(self, rnd: random.Random) -> None:
        self.rnd = rnd
        self.known: list[Buyer] = []

    def next(self, locale: str) -> Buyer:
        """A returning buyer now and then, else a new one (named in the visit's language)."""
        if self.known and self.rnd.random() < 0.25:
            return self.rnd.choice(self.known[-400:])
        buyer = Buyer(email=f"buyer-{len(self.known) + 1:06d}@demo.test",
                      name=self.rnd.choice(REVIEWER_NAMES[locale]))
        self.known.append(buyer)
        return buyer


def cart_for(rnd: random.Random, catalog: Catalog, viewed: list[Product]) -> Cart:
    """A cart (never saved) with what the visitor chose: one line mostly, sometimes a second."""
    cart = Cart(shipping_choices={})
    chosen = [viewed[-1]] + ([catalog.popular(rnd)] if rnd.random() < 0.15 else [])
    for product in chosen:
        variant = catalog.variant(rnd, product)
        if any(line.variant_id == variant.id for line in cart.lines):
            continue
        quantity = rnd.choices((1, 2, 3), (85, 12, 3))[0]
        cart.lines.append(CartLine(variant=variant, variant_id=variant.id, quantity=quantity,
                                   saved_for_later=False, seen_price=variant.price, seen_currency=variant.currency))
    for seller_id in {line.variant.offer.seller_id for line in cart.lines}:
        method = rnd.choices(("economy", "standard", "express"), (30, 55, 15))[0]
        cart.shipping_choices[str(seller_id)] = method
    return cart


def order_number(rnd: random.Random) -> str:
    """An order number like checkout.services.order_number's, from the seeded generator."""
    return "SO-" + "".join(rnd.choices(NUMBER_ALPHABET, k=10))


def simulate_day(rnd: random.Random, catalog: Catalog, buyers: Buyers, day: date, sessions: int, *,
                 rates: Rates, end: datetime, lookers: int = 0) -> tuple[list[Visit], list[CheckoutPlan]]:
    """One day of visits and the checkouts they placed (before anything happens to them); the last
    `lookers` visits go as far as checkout but never place one."""
    visits, checkouts = [], []
    for n in range(sessions + lookers):
        start = utc_day(day) + timedelta(hours=min(rnd.triangular(0, 24, 15), 23.99))
        if start > end - timedelta(hours=1):
            continue
        visit = new_visit(rnd, start)
        visits.append(visit)
        viewed = browse(rnd, catalog, visit)
        if not viewed or rnd.random() > 0.105 * BUYS_MORE_ON[visit.device]:
            continue
        cart = cart_for(rnd, catalog, viewed)
        for line in cart.lines:
            visit.record("add_to_cart", rnd=rnd, variant_id=line.variant_id, quantity=line.quantity)
        if rnd.random() > 0.62:
            continue
        visit.record("checkout_start", (20, 90), rnd)
        if rnd.random() > 0.72 or n >= sessions:
            continue
        placed = visit.record("order_placed", (60, 400), rnd)  # the data is filled in below, once priced
        plan = place(rnd, cart, visit, placed, buyers.next(visit.locale), rates)
        if plan is None:
            visit.events.pop()
            continue
        checkouts.append(plan)
    return visits, checkouts


def place(rnd: random.Random, cart: Cart, visit: Visit, placed: datetime, buyer: Buyer,
          rates: Rates) -> CheckoutPlan | None:
    """Price the cart as the checkout does on the day it was placed; None when it could not be placed."""
    summary = price_cart(cart, country=visit.country, currency=visit.currency, rates=rates, today=placed.date())
    if summary.empty or summary.problems:
        return None
    plan = CheckoutPlan(
        reference="CK-" + token(rnd, 20), key=HISTORY_KEY + token(rnd, 24), placed=placed, visit=visit,
        buyer=buyer, payment_method="card" if rnd.random() < 0.87 else "bank_transfer", summary=summary,
        numbers=[order_number(rnd) for _ in summary.packages], rates=rates,
    )
    visit.events[-1][2].update(checkout=plan.reference, orders=len(summary.packages),
                               total=str(summary.total.amount), currency=summary.currency)
    return plan


def sessions_for(orders: int, days: int) -> float:
    """The sessions_per_day that gives about `orders` orders over `days` days (for benchmarks at scale)."""
    return orders / (days * ORDERS_PER_VISIT * MEAN_TRAFFIC)


def sessions_on(rnd: random.Random, day: date, first: date, last: date, per_day: float) -> int:
    """Visits on `day`: the shop grows by about 40% over the period, weekends are busier, days vary."""
    span = max((last - first).days, 1)
    growth = 0.7 + 0.3 * (day - first).days / span
    weekend = 1.15 if day.weekday() >= 5 else 1.0
    return max(0, round(per_day * growth * weekend * rnd.gauss(1, 0.08)))


def history_start(end: datetime, days: int) -> datetime:
    """When a history of `days` days ending at `end` begins: midnight UTC of its first day."""
    return utc_day((end - timedelta(days=days - 1)).date())


def history_exists(session: Session) -> bool:
    """True when the demo history was seeded already."""
    return session.scalar(select(Checkout.id).where(Checkout.idempotency_key.like(HISTORY_KEY + "%"))
                          .limit(1)) is not None



def seed_history(session: Session, *, days: int = DEFAULT_DAYS, end: datetime | None = None,
                 sessions_per_day: float = SESSIONS_PER_DAY, seed: str = "demo", bulk: bool = False,
                 progress=None) -> Counter | None:
    """Generate `days` of marketplace history ending at `end` (now) and fold the demo feedback orders in.

    `bulk` writes with history_bulk.BulkWriter (benchmarks) instead of through transition(); `progress`
    is called with each day done. Returns the counts written, or None when days is 0 or a history exists.
    The caller commits.
    """
    if days <= 0 or history_exists(session):
        return None
    from ..core.clock import utcnow
    from ..currency.services import current_rates
    from .history_feedback import feedback_per_day, fold_in_feedback
    from .history_outcomes import plan_outcomes
    from .history_writer import ServiceWriter

    end = end or utcnow()
    first, last = history_start(end, days).date(), end.date()
    catalog, rates = Catalog(session), current_rates()
    if bulk:
        from .history_bulk import BulkWriter

        writer = BulkWriter(session, end=end)
    else:
        writer = ServiceWriter(session, end=end)
    buyers = Buyers(random.Random(f"history:{seed}:buyers"))
    # feedback.py's checkouts come with a visit each that placed it; the visits that looked around and left,
    # which would have come with them, are added. Its placements stop some three weeks before today (each
    # was placed long before it completed): the days after that get as many more checkouts' worth of
    # ordinary visits instead.
    usual, stop = feedback_per_day(session, end)
    day, visits, checkouts = first, [], []
    while day <= last:
        rnd = random.Random(f"history:{seed}:{day.isoformat()}")
        sessions = sessions_on(rnd, day, first, last, sessions_per_day)
        missed = min(max((utc_day(day) + timedelta(days=1) - max(utc_day(day), stop)) / timedelta(days=1), 0), 1)
        sessions += round(usual * missed / CHECKOUTS_PER_VISIT)
        lookers = round(usual * (1 - missed) * (1 / CHECKOUTS_PER_VISIT - 1))
        day_visits, day_checkouts = simulate_day(rnd, catalog, buyers, day, sessions, rates=rates, end=end,
                                                 lookers=lookers)
        for plan in day_checkouts:
            plan_outcomes(plan, end)
        visits += day_visits
        checkouts += day_checkouts
        if len(checkouts) >= WRITE_BATCH or day == last:
            writer.write(visits, checkouts)
            visits, checkouts = [], []
        if progress:
            progress(day)
        day += timedelta(days=1)
    fold_in_feedback(session, writer, catalog, buyers, start=utc_day(first), end=end, rates=rates, seed=seed)
    return writer.finish()
