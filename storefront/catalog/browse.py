"""Listing queries for home, category and store pages: filters, sorts and pages over products."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import String, and_, cast, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from ..core.collation import collate
from ..core.i18n import localized
from ..sellers.models import Offer
from .models import Category, Product

SORTS = ("popular", "price_asc", "price_desc", "newest", "rating")
RATINGS = (4.5, 4.0, 3.0)
MAX_PAGE = 10_000


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

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_next(self) -> bool:
        """True when another page follows."""
        return self.page < self.pages


def free_shipping_clause(country: str):
    """SQL condition: an offer ships free to `country` (its JSON list names it or '*')."""
    text = cast(Offer.free_shipping, String)
    return or_(text.like(f'%"{country}"%'), text.like('%"*"%'))


def browse_products(session: Session, query: ListingQuery) -> ProductPage:
    """Published products matching the query's filters, sorted and paged."""
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
    if query.category_ids:
        conditions.append(Product.category_id.in_(query.category_ids))
    if query.price_min_usd is not None:
        conditions.append(Product.min_price_usd >= query.price_min_usd)
    if query.price_max_usd is not None:
        conditions.append(Product.min_price_usd <= query.price_max_usd)
    if query.min_rating:
        conditions.append(Product.rating_avg >= query.min_rating)
    conditions.extend(text_conditions(query.text))

    total = session.scalar(select(func.count(Product.id)).where(*conditions)) or 0
    per_page = query.per_page
    page = min(max(1, query.page), max(1, math.ceil(total / per_page)))
    order = {
        "popular": (Product.orders_count.desc(), Product.id),
        "price_asc": (Product.min_price_usd.asc(), Product.id),
        "price_desc": (Product.min_price_usd.desc(), Product.id),
        "newest": (Product.created_at.desc(), Product.id.desc()),
        "rating": (Product.rating_avg.desc(), Product.rating_count.desc(), Product.id),
    }[query.sort if query.sort in SORTS else "popular"]
    items = list(
        session.scalars(
            select(Product).where(*conditions).order_by(*order)
            .limit(per_page).offset((page - 1) * per_page)
        )
    )
    return ProductPage(items=items, total=total, page=page, per_page=per_page)


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
    """Countries products are shipped from, for the filter's choices."""
    stmt = select(Offer.ships_from).distinct().where(Offer.is_published.is_(True))
    if category_ids:
        stmt = stmt.join(Product, Product.id == Offer.product_id).where(Product.category_id.in_(category_ids))
    if seller_id:
        stmt = stmt.where(Offer.seller_id == seller_id)
    return sorted(session.scalars(stmt))


def top_categories(session: Session, locale: str) -> list[Category]:
    """Root categories with their children loaded, in `locale`'s alphabetical order of their names."""
    roots = session.scalars(select(Category).where(Category.parent_id.is_(None))
                            .options(selectinload(Category.children)))
    return categories_by_name(roots, locale)


def categories_by_name(categories, locale: str) -> list[Category]:
    """Categories ordered by their names in `locale` (ICU collation: not by their English names)."""
    return collate(categories, locale, key=lambda c: localized(c.names, locale)[0])
