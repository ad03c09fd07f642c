"""Reading the emails a test caused from the mail outbox table (what the mail job will send)."""
from __future__ import annotations

from email.message import EmailMessage

from sqlalchemy import func, select

from storefront.core.mail import parse
from storefront.core.mail_outbox import OutboxMail
from storefront.extensions import db


def outbox_mails(template: str | None = None) -> list[EmailMessage]:
    """The emails written to the outbox (from `template`, or all), oldest first."""
    db.session.rollback()  # see other transactions' commits
    query = select(OutboxMail).order_by(OutboxMail.id)
    if template is not None:
        query = query.where(OutboxMail.template == template)
    return [parse(row) for row in db.session.scalars(query)]


def outbox_count() -> int:
    """How many emails the outbox holds."""
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(OutboxMail))
