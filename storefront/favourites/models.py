"""Favourites and recently viewed products of shoppers with an account (guests keep theirs in the session)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.money_sql import Amount
from ..extensions import db


class Favourite(db.Model):
    """A product a shopper saved, with its lowest price and stock when saved, to tell drops and restocks."""

    __tablename__ = "favourites"
    __table_args__ = (UniqueConstraint("user_id", "product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    # The lowest price asked for it when saved, in the currency it was asked in (None: nobody sold it then).
    saved_price: Mapped[Decimal | None] = mapped_column(Amount())
    saved_currency: Mapped[str | None] = mapped_column(String(3))
    saved_in_stock: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    product: Mapped["Product"] = relationship()  # noqa: F821


class RecentView(db.Model):
    """A product a member looked at, and when last; the newest RECENT_LIMIT per member are kept."""

    __tablename__ = "recent_views"
    __table_args__ = (UniqueConstraint("user_id", "product_id"), Index("ix_recent_views_user_viewed", "user_id",
                                                                           "viewed_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    viewed_at: Mapped[datetime] = mapped_column(default=utcnow)
