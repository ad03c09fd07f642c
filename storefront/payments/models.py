"""Payments for checkouts, refunds, and the webhook events already processed (de-duplication)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.money_sql import Amount
from ..extensions import db


class Payment(db.Model):
    """One attempt to pay a checkout; a retry after a decline is a new attempt.

    status: pending (open at the provider), succeeded, failed, superseded (replaced by a newer attempt
    and expired at the provider), duplicate (succeeded for a checkout already paid: being refunded) or
    refunded (such a duplicate, sent back in full).
    """

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    checkout_id: Mapped[int] = mapped_column(ForeignKey("checkouts.id"), index=True)
    gateway: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(Amount())
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    provider_ref: Mapped[str] = mapped_column(String(80), default="")
    failure_reason: Mapped[str] = mapped_column(String(40), default="")
    # The provider's hosted page for this attempt: pressing "Pay" again while it is open reuses it.
    redirect_url: Mapped[str] = mapped_column(String(2000), default="")
    # The orders this attempt pays for (those awaiting payment when it started); None: all of the checkout's.
    order_ids: Mapped[list[int] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)  # metrics scan attempts by time
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    checkout: Mapped["Checkout"] = relationship()  # noqa: F821


class Refund(db.Model):
    """Money sent back for (part of) an order through the payment's gateway; without an order, a whole
    payment sent back because it charged a checkout already paid."""

    __tablename__ = "refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Amount())
    currency: Mapped[str] = mapped_column(String(3))
    provider_ref: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Payout(db.Model):
    """What the platform owes a seller for an order: due only once the order completes (total less refunds)."""

    __tablename__ = "payouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Amount())
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(8), default="due")      # due / paid
    due_at: Mapped[datetime] = mapped_column(default=utcnow)
    paid_at: Mapped[datetime | None]


class ProcessedWebhook(db.Model):
    """A webhook event id we have applied; a replay of it is ignored."""

    __tablename__ = "processed_webhooks"

    event_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    gateway: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
