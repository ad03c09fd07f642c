"""The three 'more like this' rows of a product page. No request here: the caller passes the product and locale.

Similar items need no search engine: the candidates are the products of the same category (then its parent),
ranked by how many title terms they share with the product in the shopper's language (CJK titles compared by
character bigrams, Arabic normalised, accents folded), then by orders. Co-purchases come from paid orders only:
a buyer (an account, or a guest's checkout) who bought this product and others counts once for each other.
"""
from __future__ import annotations

import unicodedata
from collections import Counter

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from search.text import fold, is_cjk, normalize_arabic, query_grams, split_words

from ..catalog.models import Category, Product
from ..core.i18n import localized
from ..orders.models import Order, OrderLine
from ..sellers.models import Offer

ROW = 8                      # products per row
CANDIDATES = 300             # products of a category looked at for similar items
BUYERS_LOOKED_AT = 500       # the most recent buyers of a product whose other purchases are counted
PAID = ("paid", "shipped", "delivered", "completed", "disputed")  # money changed hands and stayed


def title_terms(text: str) -> set[str]:
    """The comparable terms of a title: folded words of 3+ letters, CJK bigrams, Arabic normalised."""
    terms: set[str] = set()
    for word in split_words(normalize_arabic(unicodedata.normalize("NFKC", text or ""))):
        if is_cjk(word):
            terms.update(query_grams(word))
        elif len(word) >= 3:
            terms.add(fold(word))
    return terms


def _buyable(stmt):
    return stmt.where(Product.min_price_usd.is_not(None))


def more_from_store(session: Session, product: Product, seller_id: int) -> list[Product]:
    """Other buyable products of the store `seller_id`, most ordered first."""
    return list(session.scalars(_buyable(
        select(Product).join(Offer, Offer.product_id == Product.id)
        .where(Offer.seller_id == seller_id, Offer.is_published.is_(True), Product.id != product.id))
        .order_by(Product.orders_count.desc(), Product.id).limit(ROW)))


def similar_items(session: Session, product: Product, locale: str) -> list[Product]:
    """Buyable products of the same category (widened to the parent when it has too few), sharing the most title
    terms with `product` in `locale`, then the most ordered."""
    mine = title_terms(localized(product.titles, locale)[0])

    def in_categories(ids: list[int]) -> list[Product]:
        return list(session.scalars(_buyable(select(Product).where(Product.category_id.in_(ids),
                                                                     Product.id != product.id))
                                    .order_by(Product.orders_count.desc(), Product.id).limit(CANDIDATES)))

    candidates = in_categories([product.category_id])
    parent = session.scalar(select(Category.parent_id).where(Category.id == product.category_id))
    if len(candidates) < ROW and parent is not None:
        siblings = list(session.scalars(select(Category.id).where(Category.parent_id == parent)))
        candidates = in_categories([parent, *siblings])

    def score(other: Product) -> tuple:
        shared = len(mine & title_terms(localized(other.titles, locale)[0]))
        return (-shared, other.category_id != product.category_id, -other.orders_count, other.id)

    return sorted(candidates, key=score)[:ROW]


def also_bought(session: Session, product: Product) -> list[Product]:
    """Products bought by the people who bought `product` (paid orders), by how many of them bought each."""
    buyers = session.execute(
        select(Order.user_id, Order.checkout_id).join(OrderLine, OrderLine.order_id == Order.id)
        .where(OrderLine.product_id == product.id, Order.status.in_(PAID))
        .order_by(Order.id.desc()).limit(BUYERS_LOOKED_AT)).all()
    if not buyers:
        return []
    users = {u for u, _c in buyers if u is not None}
    guest_checkouts = {c for u, c in buyers if u is None}
    conditions = []
    if users:
        conditions.append(Order.user_id.in_(users))
    if guest_checkouts:
        conditions.append(Order.checkout_id.in_(guest_checkouts))
    rows = session.execute(
        select(OrderLine.product_id, Order.user_id, Order.checkout_id).join(Order, OrderLine.order_id == Order.id)
        .where(or_(*conditions), Order.status.in_(PAID), OrderLine.product_id.is_not(None),
               OrderLine.product_id != product.id)).all()
    # One vote per buyer per product, however many times they bought it.
    pairs = {(pid, ("user", user) if user is not None else ("checkout", checkout)) for pid, user, checkout in rows}
    counts = Counter(pid for pid, _buyer in pairs)
    ranked = [pid for pid, _n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    found = {p.id: p for p in session.scalars(_buyable(select(Product).where(Product.id.in_(ranked[:ROW * 3]))))}
    return [found[i] for i in ranked if i in found][:ROW]
