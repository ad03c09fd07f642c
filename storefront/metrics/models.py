"""Marketplace events as they happen (search, view, cart, order...), the raw material of success metrics."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import utcnow
from ..extensions import db


class Event(db.Model):
    """One thing that happened, with the anonymous context needed to slice metrics and nothing more."""

    __tablename__ = "events"
    # The metrics read events by kind and time; with the visit's id in the index, counting visits per
    # funnel step never touches the table.
    __table_args__ = (Index("ix_events_kind_at_session", "kind", "at", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    session_id: Mapped[str] = mapped_column(String(32), default="")
    user_id: Mapped[int | None]
    locale: Mapped[str] = mapped_column(String(8), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    currency: Mapped[str] = mapped_column(String(3), default="")
    device: Mapped[str] = mapped_column(String(8), default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)


# The metrics read each table by the moment its figure counts from (paid, delivered, attempted, reviewed).
# These indexes exist for those date-range scans, so they are declared here, next to their only reader.
def _metrics_indexes() -> None:
    from ..orders.models import Order
    from ..payments.models import Payment
    from ..reviews.models import Review

    Index("ix_orders_paid_at", Order.paid_at)
    Index("ix_orders_delivered_at", Order.delivered_at)
    Index("ix_payments_created_at", Payment.created_at)
    Index("ix_reviews_created_at", Review.created_at)


_metrics_indexes()
