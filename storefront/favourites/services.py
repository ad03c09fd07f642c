"""Favourites: saving and removing products, what changed since (price drop, back in stock), guest lists in
plain data for the session, and the merge into an account at login. No request here: callers pass ids and lists.

The price kept at save time is the lowest asked for the product, in the currency its seller asks it in. A drop
is judged against the lowest price asked today in that same currency, exactly in Decimal: a move of exchange
rates is not a seller lowering the price, so converting both sides would report drops nobody made.
"""
from __future__ import annotations

import logging

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from ..catalog.models import Product
from ..core.money import Money
from ..currency.services import Rates
from ..sellers.models import Offer
from .models import Favourite

GUEST_LIMIT = 50   # a guest's favourites live in the signed session cookie (about 4 KB), so they are capped

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PriceMark:
    """The lowest price asked for a product at one moment, in the seller's currency, and whether it was in stock."""

    price: Decimal | None
    currency: str | None
    in_stock: bool


@dataclass(frozen=True)
class SavedFavourite:
    """A favourite as the favourites page shows it: what it cost when saved and what changed since."""

    product: Product
    saved: Money | None
    now: Money | None          # today's lowest price in the saved currency (None: nobody asks in it now)
    price_dropped: bool
    back_in_stock: bool
    sold_out: bool


def _live_variants(product: Product):
    return [v for o in product.offers if o.is_published for v in o.variants]


def price_mark(product: Product, rates: Rates) -> PriceMark:
    """The product's lowest asked price now: among in-stock variants (any sold out: among all), the cheapest
    once converted to one currency for ranking; its own price and currency are what is kept."""
    variants = _live_variants(product)
    in_stock = [v for v in variants if v.stock > 0]
    pool = in_stock or variants
    if not pool:
        return PriceMark(None, None, False)

    def rank(variant):
        converted = rates.convert(Money(variant.price, variant.currency), "USD")
        # A currency without a rate ranks after every priced one, in its own order.
        return (converted is None, converted.amount if converted else variant.price, variant.id)

    best = min(pool, key=rank)
    return PriceMark(best.price, best.currency, bool(in_stock))


def lowest_in(product: Product, currency: str) -> Decimal | None:
    """The lowest price asked today for the product by in-stock variants priced in `currency`."""
    prices = [v.price for v in _live_variants(product) if v.currency == currency and v.stock > 0]
    return min(prices) if prices else None


def compare_with_saved(product: Product, saved: PriceMark) -> SavedFavourite:
    """What changed for a favourite since it was saved (`saved`): a lower price in the same currency, a restock."""
    in_stock = any(v.stock > 0 for v in _live_variants(product))
    now = lowest_in(product, saved.currency) if saved.currency else None
    return SavedFavourite(
        product=product,
        saved=Money(saved.price, saved.currency) if saved.price is not None else None,
        now=Money(now, saved.currency) if now is not None else None,
        price_dropped=saved.price is not None and now is not None and now < saved.price,
        back_in_stock=in_stock and not saved.in_stock,
        sold_out=not in_stock,
    )


def load_products(session: Session, ids: list[int]) -> list[Product]:
    """Products by id with offers and variants loaded, in the order of `ids` (unknown ids left out)."""
    if not ids:
        return []
    found = {p.id: p for p in session.scalars(
        select(Product).where(Product.id.in_(ids)).options(selectinload(Product.offers).selectinload(Offer.variants)))}
    return [found[i] for i in ids if i in found]


# Members ------------------------------------------------------------------------------------------------------

def member_favourite_ids(session: Session, user_id: int) -> set[int]:
    """The ids of the products a member saved."""
    return set(session.scalars(select(Favourite.product_id).where(Favourite.user_id == user_id)))


def save_member_favourite(session: Session, user_id: int, product: Product, rates: Rates) -> None:
    """Save `product` to a member's favourites with today's price mark; saving it again keeps the first mark
    (so a drop since the first save still shows). Commits."""
    exists = session.scalar(select(Favourite.id).where(Favourite.user_id == user_id,
                                                       Favourite.product_id == product.id))
    if exists is None:
        mark = price_mark(product, rates)
        session.add(Favourite(user_id=user_id, product_id=product.id, saved_price=mark.price,
                              saved_currency=mark.currency, saved_in_stock=mark.in_stock))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()  # a second tab or a double click saved it a moment ago: saved either way


def remove_member_favourite(session: Session, user_id: int, product_id: int) -> None:
    """Remove a product from a member's favourites (nothing happens when it is not there). Commits."""
    session.execute(delete(Favourite).where(Favourite.user_id == user_id, Favourite.product_id == product_id))
    session.commit()


def member_favourites(session: Session, user_id: int) -> list[SavedFavourite]:
    """A member's favourites, newest first, each compared with what it was when saved."""
    rows = list(session.scalars(select(Favourite).where(Favourite.user_id == user_id)
                                .order_by(Favourite.created_at.desc(), Favourite.id.desc())))
    products = {p.id: p for p in load_products(session, [f.product_id for f in rows])}
    return [compare_with_saved(products[f.product_id], PriceMark(f.saved_price, f.saved_currency, f.saved_in_stock))
            for f in rows if f.product_id in products]


# Guests: a list of [product id, price text or None, currency or None, in stock], newest first ----------------

def guest_entry(product: Product, rates: Rates) -> list:
    """The session entry for a product a guest saves now (JSON-safe: the price as exact text)."""
    mark = price_mark(product, rates)
    return [product.id, None if mark.price is None else str(mark.price), mark.currency, mark.in_stock]


def clean_guest_entries(raw) -> list[tuple[int, PriceMark]]:
    """The well-formed entries of a guest's session list (a tampered or old cookie loses only bad entries)."""
    entries = []
    for item in raw if isinstance(raw, list) else []:
        try:
            product_id, price, currency, in_stock = item
            mark = PriceMark(None if price is None else Decimal(str(price)),
                             currency if isinstance(currency, str) and len(currency) == 3 else None,
                             bool(in_stock))
        except (TypeError, ValueError, InvalidOperation):  # a tampered or older cookie: drop only this entry
            log.warning("guest favourite entry dropped, not readable: %.100r", item)
            continue
        if isinstance(product_id, int) and (mark.price is None) == (mark.currency is None):
            entries.append((product_id, mark))
    return entries[:GUEST_LIMIT]


def guest_add(raw, entry: list) -> list:
    """A guest's list with `entry` saved first; a product already there keeps its first mark."""
    current = raw if isinstance(raw, list) else []
    if any(isinstance(e, list) and e and e[0] == entry[0] for e in current):
        return current
    return [entry, *current][:GUEST_LIMIT]


def guest_remove(raw, product_id: int) -> list:
    """A guest's list without `product_id`."""
    return [e for e in (raw if isinstance(raw, list) else []) if not (isinstance(e, list) and e and e[0] == product_id)]


def guest_favourites(session: Session, raw) -> list[SavedFavourite]:
    """A guest's favourites, newest first, compared with what they were when saved."""
    entries = clean_guest_entries(raw)
    products = {p.id: p for p in load_products(session, [pid for pid, _ in entries])}
    return [compare_with_saved(products[pid], mark) for pid, mark in entries if pid in products]


def merge_guest_favourites(session: Session, user_id: int, raw, now: datetime) -> int:
    """At login: the guest's favourites join the member's, keeping the member's own mark for a product saved
    in both (the earlier save). Returns how many were added. Commits."""
    mine = member_favourite_ids(session, user_id)
    entries = [(pid, mark) for pid, mark in clean_guest_entries(raw) if pid not in mine]
    known = set(session.scalars(select(Product.id).where(Product.id.in_([pid for pid, _ in entries])))) if entries else set()
    added = 0
    for pid, mark in reversed(entries):  # oldest first, so the newest save gets the highest id (listed first)
        if pid in known:
            session.add(Favourite(user_id=user_id, product_id=pid, saved_price=mark.price,
                                  saved_currency=mark.currency, saved_in_stock=mark.in_stock, created_at=now))
            added += 1
    session.commit()
    return added
