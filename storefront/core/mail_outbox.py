"""The mail outbox: every email is a row, written in the transaction that caused it, and sent by a job.

A row holds the whole rendered message with its Message-ID, fixed when the row is written, so a retry or a
second worker sends the very same message (at least once; a receiver can drop duplicates by Message-ID).
The sender claims a row by moving its next attempt past a lease before sending: a worker killed mid-send
leaves the row to be claimed again once the lease ends, and two workers never send one row at the same time.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

PENDING, SENT, FAILED = "pending", "sent", "failed"


class OutboxMail(db.Model):
    """One email: pending until a transport accepted it (sent), or failed after its last attempt."""

    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    recipient: Mapped[str] = mapped_column(String(320))
    template: Mapped[str] = mapped_column(String(64), index=True)
    message: Mapped[str] = mapped_column(Text)  # the whole RFC 5322 message, headers included
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]  # due time; while a sender holds the row, the end of its lease
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]

    __table_args__ = (db.Index("ix_mail_outbox_due", "status", "next_attempt_at"),)
