"""Accounts: users with a role, and their saved addresses."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..extensions import db

ROLES = ("shopper", "seller", "admin")


class User(UserMixin, db.Model):
    """Someone who can log in: a shopper, a seller's staff member, or a platform admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="shopper")
    locale: Mapped[str | None] = mapped_column(String(8))
    currency: Mapped[str | None] = mapped_column(String(3))
    country: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    disabled_at: Mapped[datetime | None]  # set by `flask users disable`: the account can no longer log in
    # Part of every session's and remember cookie's user id (get_id): raising it ends them all at their next
    # request. Raised at logout, password change and password reset (accounts/sessions.py).
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    email_verified_at: Mapped[datetime | None]  # set by the emailed link (or a password reset, which proves it)

    addresses: Mapped[list["Address"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="Address.id"
    )

    @property
    def is_active(self) -> bool:
        """Flask-Login: a disabled account is refused at login and logged out of existing sessions."""
        return self.disabled_at is None

    def get_id(self) -> str:
        """Flask-Login: what the session and the remember cookie store, "<id>-<session version>", so that
        raising the version revokes every copy of them (load_user refuses an old one)."""
        return f"{self.id}-{self.session_version}"

    @property
    def email_verified(self) -> bool:
        """True once the owner opened the confirmation link (or reset the password by email)."""
        return self.email_verified_at is not None

    @property
    def is_seller(self) -> bool:
        """True for seller accounts."""
        return self.role == "seller"

    @property
    def is_admin(self) -> bool:
        """True for platform admins."""
        return self.role == "admin"


class Address(db.Model):
    """A delivery address in a user's address book."""

    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    full_name: Mapped[str] = mapped_column(String(120))
    line1: Mapped[str] = mapped_column(String(200))
    line2: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(120))
    region: Mapped[str] = mapped_column(String(120), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    country: Mapped[str] = mapped_column(String(2))
    phone: Mapped[str] = mapped_column(String(32), default="")
    is_default: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship(back_populates="addresses")
