"""Figures built from reviews: product average and star histogram, sellers' positive-feedback share and
detailed ratings, and the product page's filtered, sorted, paginated list of reviews."""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ..catalog.models import Product, queue_reindex
from ..orders.models import Order
from .models import HelpfulVote, Review

STARS = (1, 2, 3, 4, 5)
POSITIVE_FROM = 4                              # 4 and 5 stars count as positive feedback
SELLER_RATING_PERIOD = timedelta(days=365)     # seller figures count the last 12 months of reviews
SELLER_RATINGS = ("item_as_described", "communication", "shipping_speed")
PER_PAGE = 5
SORTS = ("helpful", "newest")


@dataclass(frozen=True)
class RatingSummary:
    """A product's review count, average stars and how many reviews gave each number of stars."""

    count: int
    average: Decimal | None
    histogram: dict[int, int]  # 5 -> n, 4 -> n ... 1 -> n

    def share(self, stars: int) -> Decimal:
        """The fraction of reviews with `stars` (0 when there are none)."""
        return Decimal(self.histogram.get(stars, 0)) / self.count if self.count else Decimal(0)


@dataclass(frozen=True)
class ReviewFilters:
    """The product page's review choices; `args()` gives them back as r_* query arguments."""

    stars: int | None = None
    photos: bool = False
    my_language: bool = False
    sort: str = "helpful"
    page: int = 1

    @property
    def active(self) -> bool:
        """True when any filter narrows the list."""
        return bool(self.stars or self.photos or self.my_language)

    def args(self, **changes) -> dict[str, str]:
        """Query arguments for these filters with `changes` applied (page resets unless given)."""
        values = {"stars": self.stars, "photos": self.photos, "my_language": self.my_language,
                  "sort": self.sort, "page": 1} | changes
        out = {}
        if values["stars"]:
            out["r_stars"] = str(values["stars"])
        if values["photos"]:
            out["r_photos"] = "1"
        if values["my_language"]:
            out["r_lang"] = "1"
        if values["sort"] != "helpful":
            out["r_sort"] = values["sort"]
        if values["page"] and values["page"] > 1:
            out["r_page"] = str(values["page"])
        return out


@dataclass(frozen=True)
class ReviewPage:
    """One page of a product's reviews under the shopper's filters, with the unfiltered summary."""

    items: list[Review]
    total: int
    page: int
    pages: int
    summary: RatingSummary


@dataclass(frozen=True)
class SellerStats:
    """A seller's figures: last-12-months review counts and rating sums, and completed orders (all time)."""

    seller_id: int
    reviews: int = 0
    positive: int = 0
    sums: tuple[int, int, int] = (0, 0, 0)  # item as described, communication, shipping speed
    orders: int = 0

    @property
    def positive_share(self) -> Decimal | None:
        """Reviews with 4-5 stars / all reviews in the period, as a fraction; None without reviews."""
        return Decimal(self.positive) / self.reviews if self.reviews else None

    @property
    def details(self) -> dict[str, Decimal | None]:
        """The three detailed seller ratings' averages (one decimal), None without reviews."""
        return {name: _average(total, self.reviews, "0.1") for name, total in zip(SELLER_RATINGS, self.sums)}


def _average(total: int, count: int, places: str) -> Decimal | None:
    if not count:
        return None
    return (Decimal(total) / Decimal(count)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def refresh_product_rating(session: Session, product: Product) -> None:
    """Recompute Product.rating_avg / rating_count from its reviews and queue it for the search index."""
    count, total = session.execute(
        select(func.count(Review.id), func.coalesce(func.sum(Review.rating), 0)).where(Review.product_id == product.id)
    ).one()
    product.rating_count = int(count)
    product.rating_avg = _average(int(total), int(count), "0.01") or Decimal(0)
    queue_reindex(session, [product.id])
    session.flush()


def refresh_product_ratings(session: Session, product_ids: Iterable[int]) -> None:
    """refresh_product_rating for many products at once (demo data, repairs): one query per 500 products."""
    ids = sorted(set(product_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        totals = {pid: (int(n), int(s)) for pid, n, s in session.execute(
            select(Review.product_id, func.count(Review.id), func.sum(Review.rating))
            .where(Review.product_id.in_(chunk)).group_by(Review.product_id))}
        for product in session.scalars(select(Product).where(Product.id.in_(chunk))):
            count, total = totals.get(product.id, (0, 0))
            product.rating_count = count
            product.rating_avg = _average(total, count, "0.01") or Decimal(0)
    queue_reindex(session, ids)
    session.flush()


def rating_summary(session: Session, product_id: int) -> RatingSummary:
    """Count, exact average (two decimals) and star histogram of a product's reviews."""
    histogram = {stars: 0 for stars in reversed(STARS)}
    for stars, n in session.execute(select(Review.rating, func.count(Review.id))
                                    .where(Review.product_id == product_id).group_by(Review.rating)):
        histogram[int(stars)] = int(n)
    count = sum(histogram.values())
    total = sum(stars * n for stars, n in histogram.items())
    return RatingSummary(count, _average(total, count, "0.01"), histogram)


def product_reviews(session: Session, product_id: int, filters: ReviewFilters, locale: str) -> ReviewPage:
    """One page (PER_PAGE) of a product's reviews: filtered by stars, photos, the shopper's language;
    sorted by most helpful (then newest) or newest. A page past the end shows the last one."""
    conditions = [Review.product_id == product_id]
    if filters.stars:
        conditions.append(Review.rating == filters.stars)
    if filters.photos:
        conditions.append(Review.photo_count > 0)
    if filters.my_language:
        conditions.append(Review.language == locale)
    total = session.scalar(select(func.count(Review.id)).where(*conditions)) or 0
    pages = max(1, math.ceil(total / PER_PAGE))
    page = min(max(filters.page, 1), pages)
    order = [Review.created_at.desc(), Review.id.desc()]
    if filters.sort == "helpful":
        order.insert(0, Review.helpful_count.desc())
    items = list(session.scalars(select(Review).where(*conditions).order_by(*order)
                                 .offset((page - 1) * PER_PAGE).limit(PER_PAGE))) if total else []
    return ReviewPage(items, total, page, pages, rating_summary(session, product_id))


def voted_reviews(session: Session, voter: str | None, review_ids: Iterable[int]) -> set[int]:
    """Which of these reviews this visitor already found helpful."""
    ids = list(review_ids)
    if not voter or not ids:
        return set()
    return set(session.scalars(select(HelpfulVote.review_id).where(HelpfulVote.voter == voter,
                                                                     HelpfulVote.review_id.in_(ids))))


def seller_stats(session: Session, seller_ids: Iterable[int], *, now: datetime) -> dict[int, SellerStats]:
    """Each seller's review figures over SELLER_RATING_PERIOD and completed orders, in two queries."""
    ids = sorted(set(seller_ids))
    if not ids:
        return {}
    since = now - SELLER_RATING_PERIOD
    reviews = {
        row[0]: row[1:] for row in session.execute(
            select(Review.seller_id, func.count(Review.id),
                   func.sum(case((Review.rating >= POSITIVE_FROM, 1), else_=0)),
                   func.sum(Review.item_as_described), func.sum(Review.communication),
                   func.sum(Review.shipping_speed))
            .where(Review.seller_id.in_(ids), Review.created_at >= since).group_by(Review.seller_id))
    }
    orders = dict(session.execute(select(Order.seller_id, func.count(Order.id))
                                  .where(Order.seller_id.in_(ids), Order.status == "completed")
                                  .group_by(Order.seller_id)).all())
    out = {}
    for seller_id in ids:
        count, positive, *sums = reviews.get(seller_id, (0, 0, 0, 0, 0))
        out[seller_id] = SellerStats(seller_id, int(count), int(positive or 0),
                                     tuple(int(s or 0) for s in sums), int(orders.get(seller_id, 0)))
    return out
