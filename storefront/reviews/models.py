"""Feedback after the sale: one review per order line (product stars, text, photos, seller ratings)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..extensions import db


DELETED_AUTHOR = "(deleted)"  # author_name of a review whose writer deleted their account (shown translated)


class Review(db.Model):
    """A verified buyer's review of one order line, with the seller's optional reply.

    Product, seller and options are copied from the order line so the product page reads reviews
    without joining orders; the three seller ratings feed the seller's aggregates.
    """

    __tablename__ = "reviews"
    __table_args__ = (
        Index("ix_reviews_product_created", "product_id", "created_at"),
        Index("ix_reviews_seller_created", "seller_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="CASCADE"), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    author_name: Mapped[str] = mapped_column(String(60))      # "Ana G.", fixed at writing time
    options: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # the variant bought
    rating: Mapped[int]                                        # product stars, 1-5
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))  # the buyer's locale when writing
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)  # paths under the media folder
    photo_count: Mapped[int] = mapped_column(default=0)           # filterable without JSON functions
    item_as_described: Mapped[int]                             # seller ratings, 1-5 each
    communication: Mapped[int]
    shipping_speed: Mapped[int]
    helpful_count: Mapped[int] = mapped_column(default=0)      # = its HelpfulVote rows; sorted on
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)  # metrics scan reviews by time
    edited_at: Mapped[datetime | None]                         # set by the one edit allowed
    reply_text: Mapped[str | None] = mapped_column(Text)      # the seller's one reply
    replied_at: Mapped[datetime | None]

    product: Mapped["Product"] = relationship()  # noqa: F821
    seller: Mapped["Seller"] = relationship()  # noqa: F821

    @property
    def by_deleted_user(self) -> bool:
        """True when the writer has deleted their account: pages say "Deleted user"."""
        return self.user_id is None and self.author_name == DELETED_AUTHOR


class HelpfulVote(db.Model):
    """One visitor found one review helpful; `voter` is 'u:<user id>' or 'ip:<keyed digest of an anonymous client's address>'."""

    __tablename__ = "review_helpful_votes"
    __table_args__ = (UniqueConstraint("review_id", "voter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    voter: Mapped[str] = mapped_column(String(40), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
