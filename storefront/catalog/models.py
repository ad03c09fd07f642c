"""Catalog: the category tree and products (the things themselves, whoever sells them)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.effects import after_commit
from ..core.versions import CATALOG, bump_after_commit
from ..core.money_sql import Amount
from ..extensions import db


class Category(db.Model):
    """A node of the category tree with its name in every language we have."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(160), unique=True, index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    names: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(default=0)

    parent: Mapped["Category | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Category"]] = relationship(back_populates="parent", order_by="Category.position")


class Product(db.Model):
    """A product: brand, identifiers, translated texts, images. Prices live in sellers' offers."""

    __tablename__ = "products"
    __table_args__ = (
        Index("ix_products_brand_model", "brand", "model"),
        # category listings sort by popularity inside a category; the home page's multi-seller row
        Index("ix_products_category_orders", "category_id", "orders_count"),
        # ...and by price, date and rating: each category's page is read off its index (browse.py)
        Index("ix_products_category_price", "category_id", "min_price_usd"),
        Index("ix_products_category_created", "category_id", "created_at"),
        Index("ix_products_category_rating", "category_id", "rating_avg", "rating_count"),
        Index("ix_products_offer_count", "offer_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), index=True)
    gtin: Mapped[str | None] = mapped_column(String(14), unique=True)
    brand: Mapped[str] = mapped_column(String(120), default="")
    model: Mapped[str] = mapped_column(String(120), default="")
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    titles: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    descriptions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    images: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Summaries kept by services so listing pages sort and filter without joins:
    # the cheapest in-stock variant in the reference currency (USD), offer count,
    # and review/order aggregates (maintained by the reviews and orders domains).
    min_price_usd: Mapped[Decimal | None] = mapped_column(Amount(), index=True)
    offer_count: Mapped[int] = mapped_column(default=0)
    rating_avg: Mapped[Decimal] = mapped_column(Numeric(3, 2), default=Decimal(0))
    rating_count: Mapped[int] = mapped_column(default=0)
    orders_count: Mapped[int] = mapped_column(default=0, index=True)

    category: Mapped[Category] = relationship()
    offers: Mapped[list["Offer"]] = relationship(back_populates="product")  # noqa: F821


class ImageFetch(db.Model):
    """A picture a listing names by URL: downloaded by the image_fetches job, checked and stored like an upload.

    Durable work: a pending row waits until a worker fetches it (catalog/image_fetches.py); done rows remember
    where the picture was stored so a re-import of the same URL reuses it; failed rows keep the reason for the
    seller's listings page.
    """

    __tablename__ = "image_fetches"
    __table_args__ = (UniqueConstraint("product_id", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    store_handle: Mapped[str] = mapped_column(String(64))   # whose upload folder the picture goes to
    url: Mapped[str] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(default=0)         # order among the listing's URLs
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)  # pending, done, failed
    reason: Mapped[str | None] = mapped_column(String(40))   # why it failed: core/fetch.py or sellers/images.py code
    path: Mapped[str | None] = mapped_column(String(200))    # the stored upload, once done
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class SearchOutbox(db.Model):
    """A product whose search document must be rewritten; written in the same transaction as the edit."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def queue_reindex(session, product_ids) -> None:
    """Queue products for the search index in the caller's transaction (the outbox). Once it commits, the
    session is marked so the web app syncs the index when the request is done (workers run `search sync`),
    and the catalog version is bumped (every catalog, price and stock-summary change comes through here)."""
    for product_id in sorted(set(product_ids)):
        session.add(SearchOutbox(product_id=product_id))
    after_commit(session, _mark_dirty, session)
    bump_after_commit(session, CATALOG)  # what a product card shows may have changed: drop cached cards


def _mark_dirty(session) -> None:
    session.info["search_dirty"] = True
