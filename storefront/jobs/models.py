"""What the admin reads about background jobs: the last run of each periodic job, and jobs that gave up."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class JobHeartbeat(db.Model):
    """The last time a periodic job finished (the worker's heartbeat: timers late means no worker runs)."""

    __tablename__ = "job_heartbeats"

    job: Mapped[str] = mapped_column(String(64), primary_key=True)
    beat_at: Mapped[datetime]


class JobFailure(db.Model):
    """A job that still raised after its last retry: kept for the admin, with the error."""

    __tablename__ = "job_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(64), index=True)
    error: Mapped[str] = mapped_column(Text)
    failed_at: Mapped[datetime] = mapped_column(index=True)
