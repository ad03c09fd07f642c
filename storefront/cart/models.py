"""Carts: a guest's (found by a token kept in the session) or a user's, with lines per variant."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.money_sql import Amount
from ..extensions import db


CART = "cart"
BUY_NOW = "buy_now"


class Cart(db.Model):
    """A shopping cart; shipping_choices maps a seller id (as text) to the chosen method.

    kind is "cart" (the shopper's cart) or "buy_now": the single line a "Buy now" tap checks out,
    owned by the browser session (never by the account, never merged), so the cart stays untouched.
    """

    __tablename__ = "carts"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default=CART, server_default=CART)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    shipping_choices: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    lines: Mapped[list["CartLine"]] = relationship(back_populates="cart", cascade="all, delete-orphan",
                                                   order_by="CartLine.id")


class CartLine(db.Model):
    """A variant in a cart, with the price the shopper saw when adding it (to flag changes)."""

    __tablename__ = "cart_lines"
    __table_args__ = (UniqueConstraint("cart_id", "variant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    quantity: Mapped[int] = mapped_column(default=1)
    saved_for_later: Mapped[bool] = mapped_column(default=False)
    seen_price: Mapped[Decimal] = mapped_column(Amount())
    seen_currency: Mapped[str] = mapped_column(String(3))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    cart: Mapped[Cart] = relationship(back_populates="lines")
    variant: Mapped["Variant"] = relationship()  # noqa: F821


class CartAddToken(db.Model):
    """An add-to-cart form's idempotency token once used: a replay of the same form adds nothing."""

    __tablename__ = "cart_add_tokens"
    __table_args__ = (UniqueConstraint("cart_id", "token"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
