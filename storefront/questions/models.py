"""A shopper's question about a seller's listing and the seller's answer."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..extensions import db


class Question(db.Model):
    """Asked on a product page of one seller's listing; public once answered, unless the admin hides it."""

    __tablename__ = "questions"
    __table_args__ = (
        Index("ix_questions_product_answered", "product_id", "answered_at"),
        Index("ix_questions_seller_answered", "seller_id", "answered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    email: Mapped[str] = mapped_column(String(254))  # where the answer is announced; never shown
    locale: Mapped[str] = mapped_column(String(8))    # the language it was asked in
    body: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column()
    hidden_at: Mapped[datetime | None] = mapped_column()

    product = relationship("Product")
    seller = relationship("Seller")
    offer = relationship("Offer")

