"""Exchange rates: units of each currency per one euro, with the date they were published."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import utcnow
from ..core.money_sql import Rate
from ..extensions import db


class ExchangeRate(db.Model):
    """How many units of `currency` one euro buys, as published on `as_of` by `source`."""

    __tablename__ = "exchange_rates"

    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    per_eur: Mapped[Decimal] = mapped_column(Rate(20, 8))
    as_of: Mapped[date]
    source: Mapped[str] = mapped_column(String(40))
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
