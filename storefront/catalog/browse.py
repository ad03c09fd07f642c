"""Listing queries for home, category and store pages: filters, sorts and pages over products."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import String, and_, cast, exists, func, select, union_all
from sqlalchemy.orm import Session, selectinload

from ..core.collation import collate
from ..core.i18n import localized
from ..sellers.models import Offer, OfferFreeShipping
from .models import Category, Product

SORTS = ("popular", "price_asc", "price_desc", "newest", "rating")
RATINGS = (4.5, 4.0, 3.0)
MAX_PAGE = 10_000
# Listing counts stop here: past it a page says "more than 1,200 products" and offers 50 pages of 24,
# as big marketplaces cap theirs; counting further would cost time in proportion to the category's size.
COUNT_CAP = 1_200
# A subtree of more categories than this is read with one IN list (it would make too many UNION arms).
MAX_MERGED_CATEGORIES = 64


@dataclass(frozen=True)
class ListingQuery:
    """What a shopper asked a listing page for (a category, a store, a search), every field validated and
    prices already in US dollars. Browse pages read it from the database (browse_products), search from the
    engine (search_service.engine_query), which falls back to the database with the same query."""

    text: str = ""
    locale: str = "en"
    category_id: int | None = None            # the engine filters by the category's path
    category_ids: tuple[int, ...] = ()        # the same category's subtree, for the database
    seller_id: int | None = None
    price_min_usd: Decimal | None = None
    price_max_usd: Decimal | None = None
    min_rating: float | None = None
    ships_from: str | None = None
    free_shipping_to: str | None = None
    brand: str | None = None
    sort: str = "popular"
    page: int = 1
    per_page: int = 24


@dataclass
class ProductPage:
    """One page of products and what is needed to link the others."""

    items: list[Product]
    total: int
    page: int
    per_page: int
    free_shipping_ids: set[int] = field(default_factory=set)
    capped: bool = False  # more products match than `total` (COUNT_CAP) says

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_next(self) -> bool:
        """True when another page follows."""
        return self.page < self.pages


def free_shipping_clause(country: str):
    """SQL condition on an Offer row: it ships free to `country` (an indexed row names it or '*')."""
    return exists().where(OfferFreeShipping.offer_id == Offer.id, OfferFreeShipping.country.in_((country, "*")))


# Sort keys as (column, descending), the product id last so equal keys keep one order on every database.
ORDER_KEYS = {
    "popular": (("orders_count", True), ("id", False)),
    "price_asc": (("min_price_usd", False), ("id", False)),
    "price_desc": (("min_price_usd", True), ("id", False)),
    "newest": (("created_at", True), ("id", True)),
    "rating": (("rating_avg", True), ("rating_count", True), ("id", False)),
}


def listing_conditions(query: ListingQuery) -> list:
    """The query's filters as SQL conditions on Product, except the category (see browse_products)."""
    # A price summary exists only for products with a published, in-stock offer (see
    # refresh_product_summary), so offers are consulted only for offer-level filters.
    conditions = [Product.min_price_usd.is_not(None)]
    offer_match = []
    if query.ships_from:
        offer_match.append(Offer.ships_from == query.ships_from)
    if query.free_shipping_to:
        offer_match.append(free_shipping_clause(query.free_shipping_to))
    if query.seller_id:
        offer_match.append(Offer.seller_id == query.seller_id)
    if offer_match:
        conditions.append(exists().where(and_(Offer.product_id == Product.id, Offer.is_published.is_(True),
                                              *offer_match)))
    if query.price_min_usd is not None:
        conditions.append(Product.min_price_usd >= query.price_min_usd)
    if query.price_max_usd is not None:
        conditions.append(Product.min_price_usd <= query.price_max_usd)
    if query.min_rating:
        conditions.append(Product.rating_avg >= query.min_rating)
    conditions.extend(text_conditions(query.text))
    return conditions


def _ordered(columns, keys) -> list:
    """ORDER BY terms for `keys` over these columns (a table's or a subquery's)."""
    return [getattr(columns, name).desc() if descending else getattr(columns, name).asc()
            for name, descending in keys]


def _page_ids(session: Session, query: ListingQuery, conditions: list, keys, offset: int) -> list[int]:
    """The ids of one page. A category subtree is read category by category, each off its
    (category, sort key) index and only as deep as this page, then merged: the cost follows the page
    number and the number of subcategories, never the number of products (an IN list would make the
    database sort the whole subtree)."""
    wanted = offset + query.per_page
    names = [name for name, _ in keys]
    columns = [getattr(Product, name) for name in names]
    if 1 < len(query.category_ids) <= MAX_MERGED_CATEGORIES:
        arms = [
            select(*columns).where(Product.category_id == category_id, *conditions)
            .order_by(*_ordered(Product, keys)).limit(wanted).subquery()
            for category_id in query.category_ids
        ]
        merged = union_all(*(select(*arm.c) for arm in arms)).subquery("merged")
        stmt = select(merged.c.id).order_by(*_ordered(merged.c, keys))
    else:
        if query.category_ids:
            conditions = [*conditions, Product.category_id.in_(query.category_ids)]
        stmt = select(Product.id).where(*conditions).order_by(*_ordered(Product, keys))
    return list(session.scalars(stmt.limit(query.per_page).offset(offset)))


def browse_products(session: Session, query: ListingQuery) -> ProductPage:
    """Published products matching the query's filters, sorted and paged. The count stops at COUNT_CAP
    (shown as "more than"), so a 30,000-product category costs what a 30-product one does."""
    conditions = listing_conditions(query)
    scope = [Product.category_id.in_(query.category_ids)] if query.category_ids else []
    counted = select(Product.id).where(*conditions, *scope).limit(COUNT_CAP + 1).subquery()
    total = session.scalar(select(func.count()).select_from(counted)) or 0
    capped = total > COUNT_CAP
    total = min(total, COUNT_CAP)
    per_page = query.per_page
    page = min(max(1, query.page), max(1, math.ceil(total / per_page)))
    keys = ORDER_KEYS[query.sort if query.sort in SORTS else "popular"]
    ids = _page_ids(session, query, conditions, keys, (page - 1) * per_page) if total else []
    found = {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(ids)))} if ids else {}
    items = [found[i] for i in ids if i in found]
    return ProductPage(items=items, total=total, page=page, per_page=per_page, capped=capped)


def product_row(session: Session, sort: str, limit: int = 12, min_offers: int = 1) -> list[Product]:
    """A row of buyable products for home and "popular" blocks: no count, straight off an index."""
    order = {"popular": (Product.orders_count.desc(), Product.id), "newest": (Product.created_at.desc(),
                                                                            Product.id.desc())}[sort]
    stmt = select(Product).where(Product.min_price_usd.is_not(None))
    if min_offers > 1:
        # Few products have several offers: find them by their index, then sort the few. "+ 0" keeps
        # SQLite from walking the whole orders index instead (it cannot see how selective this is).
        stmt = stmt.where(Product.offer_count >= min_offers)
        order = ((Product.orders_count + 0).desc(), Product.id)
    return list(session.scalars(stmt.order_by(*order).limit(limit)))


def text_conditions(text: str) -> list:
    """Every word must appear in some title (the database fallback when the search index is down)."""
    titles = cast(Product.titles, String)
    words = [w for w in text.lower().split() if w][:8]
    escaped = [w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for w in words]
    return [func.lower(titles).like(f"%{w}%", escape="\\") for w in escaped]


def free_shipping_ids(session: Session, product_ids: list[int], country: str) -> set[int]:
    """Which of these products have an offer shipping free to `country` (one query for a page)."""
    if not product_ids:
        return set()
    return set(
        session.scalars(
            select(Offer.product_id).where(
                Offer.product_id.in_(product_ids), Offer.is_published.is_(True), free_shipping_clause(country)
            )
        )
    )


def ships_from_countries(session: Session, category_ids: tuple[int, ...] = (), seller_id: int | None = None) -> list[str]:
    """Countries products are shipped from, for the filter's choices. The few distinct countries are read
    off the (ships_from, product_id) index one jump at a time (a loose index scan), then each is probed for
    one published offer in scope: no pass over every offer of a big category."""
    codes = select(func.min(Offer.ships_from).label("code")).cte("codes", recursive=True)
    following = select(func.min(Offer.ships_from)).where(Offer.ships_from > codes.c.code).scalar_subquery()
    codes = codes.union_all(select(following).where(codes.c.code.is_not(None)))
    scope = select(Offer.id).where(Offer.is_published.is_(True))
    if category_ids:
        scope = scope.join(Product, Product.id == Offer.product_id).where(Product.category_id.in_(category_ids))
    if seller_id:
        scope = scope.where(Offer.seller_id == seller_id)
    # One probe per country with the code as a value: the planner then knows how common it is (as one
    # statement over the list, PostgreSQL plans for an unknown code and scans every offer per country).
    found = [code for code in session.scalars(select(codes.c.code).where(codes.c.code.is_not(None)))
             if session.scalar(scope.where(Offer.ships_from == code).limit(1)) is not None]
    return sorted(found)


def top_categories(session: Session, locale: str) -> list[Category]:
    """Root categories with their children loaded, in `locale`'s alphabetical order of their names."""
    roots = session.scalars(select(Category).where(Category.parent_id.is_(None))
                            .options(selectinload(Category.children)))
    return categories_by_name(roots, locale)


def categories_by_name(categories, locale: str) -> list[Category]:
    """Categories ordered by their names in `locale` (ICU collation: not by their English names)."""
    return collate(categories, locale, key=lambda c: localized(c.names, locale)[0])
