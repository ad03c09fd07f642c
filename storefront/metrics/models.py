"""Marketplace events as they happen (search, view, cart, order...), the raw material of success metrics."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..accounts.models import utcnow
from ..extensions import db


class Event(db.Model):
    """One thing that happened, with the anonymous context needed to slice metrics and nothing more."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_kind_at", "kind", "at"),)

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
