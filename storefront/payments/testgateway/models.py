"""The test gateway's own records (tables testgw_*): what a real provider keeps on its side.

These rows are written in the provider's own Session and transaction, never the shop's request
session, so they survive a rollback of the merchant's transaction exactly as a real provider's would.
Only a card's last four digits and brand are ever stored: never the number or the CVC.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...core.clock import utcnow
from ...core.money_sql import Amount
from ...extensions import db

SESSION_STATUSES = ("open", "requires_action", "succeeded", "failed", "expired")
FINAL_STATUSES = frozenset({"succeeded", "failed", "expired"})  # "expired": closed by the merchant, unpaid


class SandboxSession(db.Model):
    """One payment a merchant asked the test provider to collect, behind its hosted page."""

    __tablename__ = "testgw_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)  # the provider_ref, unguessable
    reference: Mapped[str] = mapped_column(String(100), index=True)  # the merchant's payment reference
    amount: Mapped[Decimal] = mapped_column(Amount())
    currency: Mapped[str] = mapped_column(String(3))
    description: Mapped[str] = mapped_column(String(500), default="")
    return_url: Mapped[str] = mapped_column(String(2000))
    cancel_url: Mapped[str] = mapped_column(String(2000))
    webhook_url: Mapped[str] = mapped_column(String(2000))
    locale: Mapped[str] = mapped_column(String(16), default="en")
    status: Mapped[str] = mapped_column(String(20), default="open")
    failure_reason: Mapped[str | None] = mapped_column(String(40))
    card_last4: Mapped[str | None] = mapped_column(String(4))
    card_brand: Mapped[str | None] = mapped_column(String(20))
    refunded_amount: Mapped[Decimal] = mapped_column(Amount(), default=Decimal(0))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column()

    refunds: Mapped[list["SandboxRefund"]] = relationship(back_populates="session", order_by="SandboxRefund.created_at")

    @property
    def is_final(self) -> bool:
        """True once the payment succeeded, failed or was expired; none of these ever changes again."""
        return self.status in FINAL_STATUSES


class SandboxRefund(db.Model):
    """Money the test provider sent back for (part of) a succeeded session."""

    __tablename__ = "testgw_refunds"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # "re_…", returned to the merchant
    session_id: Mapped[int] = mapped_column(ForeignKey("testgw_sessions.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Amount())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[SandboxSession] = relationship(back_populates="refunds")


class SandboxWebhookEvent(db.Model):
    """A signed event queued for the merchant's webhook URL; delivered until a 2xx answer."""

    __tablename__ = "testgw_webhook_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)  # "evt_…", the merchant de-duplicates on it
    session_id: Mapped[int] = mapped_column(ForeignKey("testgw_sessions.id"), index=True)
    type: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)  # the exact JSON sent (and signed) on every attempt
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column()  # backoff after a failed attempt
    # A lease: a deliverer sets it before sending so a concurrent one skips the event.
    locked_until: Mapped[datetime | None] = mapped_column()

    session: Mapped[SandboxSession] = relationship()
