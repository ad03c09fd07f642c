"""Sellers (stores) and their offers: one seller's price, stock and shipping for a product."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.money_sql import Amount
from ..extensions import db


class Seller(db.Model):
    """A store on the marketplace."""

    __tablename__ = "sellers"

    id: Mapped[int] = mapped_column(primary_key=True)
    handle: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(2))
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    offers: Mapped[list["Offer"]] = relationship(back_populates="seller")


class Offer(db.Model):
    """One seller's proposition for a product: where it ships from, how fast, at what prices."""

    __tablename__ = "offers"
    __table_args__ = (
        UniqueConstraint("seller_id", "product_id"),
        # the ships-from filter's choices: each country probed by this index (see browse.ships_from_countries)
        Index("ix_offers_ships_from_product", "ships_from", "product_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    ships_from: Mapped[str] = mapped_column(String(2))
    handling_days: Mapped[int] = mapped_column(default=3)
    weight_grams: Mapped[int] = mapped_column(default=500)
    # ISO codes this offer ships free to; "*" means everywhere. Set through set_free_shipping, which keeps
    # the indexed rows listings filter by (free_zones) equal to this list.
    free_shipping: Mapped[list[str]] = mapped_column(JSON, default=list)
    free_shipping_over: Mapped[Decimal | None] = mapped_column(Amount())
    is_published: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    seller: Mapped[Seller] = relationship(back_populates="offers")
    product: Mapped["Product"] = relationship(back_populates="offers")  # noqa: F821
    variants: Mapped[list["Variant"]] = relationship(
        back_populates="offer", cascade="all, delete-orphan", order_by="Variant.id"
    )

    free_zones: Mapped[list["OfferFreeShipping"]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="OfferFreeShipping.country"
    )

    def set_free_shipping(self, countries) -> None:
        """Ship free to these ISO codes ("*": everywhere): the JSON list shown and the rows filtered by."""
        wanted = sorted(set(countries))
        self.free_shipping = wanted
        keep = [zone for zone in self.free_zones if zone.country in wanted]
        have = {zone.country for zone in keep}
        self.free_zones = keep + [OfferFreeShipping(country=code) for code in wanted if code not in have]

    def ships_free_to(self, country: str) -> bool:
        """True when shipping to `country` is free whatever the order size."""
        zones = self.free_shipping or []
        return "*" in zones or country in zones


class OfferFreeShipping(db.Model):
    """One country an offer ships free to ("*" for everywhere): rows, so the free-shipping filter uses an
    index instead of matching text inside a JSON list."""

    __tablename__ = "offer_free_shipping"

    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True)


class Variant(db.Model):
    """A buyable unit of an offer: SKU, options (Color, Size...), price in a currency, stock."""

    __tablename__ = "variants"
    __table_args__ = (UniqueConstraint("seller_id", "sku"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    # Denormalised from the offer so (seller, sku) can be unique: re-imports update by it.
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id"))
    sku: Mapped[str] = mapped_column(String(64))
    options: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    price: Mapped[Decimal] = mapped_column(Amount())
    currency: Mapped[str] = mapped_column(String(3))
    stock: Mapped[int] = mapped_column(default=0)

    offer: Mapped[Offer] = relationship(back_populates="variants")
