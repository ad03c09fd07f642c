"""Emails in the recipient's language, made durable: send_mail writes the rendered message to the mail
outbox (core/mail_outbox.py) in the caller's transaction, and the mail job sends it after the commit.

The transport is a local folder by default (MAIL_OUTBOX, one .eml file per message) and SMTP when
MAIL_SMTP_HOST is set. A transport failure is retried with backoff; after MAIL_MAX_ATTEMPTS the row is
marked failed and listed with the jobs that gave up, for the admin.
"""
from __future__ import annotations

import logging
import os
import smtplib
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from email import message_from_string, policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path

from flask import Flask, current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..extensions import db
from .effects import after_commit, has_writes, on_rollback, running_effects
from .l10n import format_locale, isolate_text
from .mail_outbox import FAILED, PENDING, SENT, OutboxMail
from .money import Money, format_money

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)   # a sender holds a row this long; a worker killed mid-send frees it then
RETRY_DELAY = timedelta(seconds=30)  # before the second attempt; doubled for each next one
BATCH = 100


def mail_money(money: Money, locale: str, country: str | None = None) -> str:
    """Money for an email in `locale` to someone in `country`: the regional format, isolated (FSI…PDI) when
    the email reads right to left."""
    return isolate_text(format_money(money, format_locale(locale, country)), locale)


def render_mail(template: str, locale: str, country: str | None = None, **context) -> tuple[str, str]:
    """(subject, body) from templates/mail/<template>.txt, rendered in `locale` with the formats of `country`
    (the ship-to country for a buyer): money, dates and numbers as the shop's pages show them there.

    The template's first line is the subject. `amount(value, currency)` formats money.
    """

    def amount(value, currency: str) -> str:
        return mail_money(Money(value, currency), locale, country)

    with force_locale(format_locale(locale, country)):
        text = render_template(f"mail/{template}.txt", mail_locale=locale, amount=amount, **context)
    subject, _, body = text.strip().partition("\n")
    return subject.strip(), body.strip() + "\n"


def _wall_clock() -> datetime:
    """Real UTC time: sending and retrying follow real time, never the sandbox's clock offset."""
    return datetime.now(timezone.utc)


def send_mail(to: str, template: str, locale: str, country: str | None = None, **context) -> None:
    """Queue one email (in `locale`, with the regional formats of `country`): render it and write it to the
    outbox, sent by the mail job once saved.

    Inside a transaction that changed something the row joins it, so a rolled-back change sends nothing;
    called after a commit (an after_commit effect, or a view after its commit) or where nothing was written
    yet, the row is committed on its own.
    """
    session = db.session()
    # Decided before rendering, which may begin a transaction by reading.
    own = running_effects(session) or not session.in_transaction() or not has_writes(session)
    subject, body = render_mail(template, locale, country, **context)
    sender = current_app.config["MAIL_FROM"]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(_wall_clock())
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or "storefront.local")
    message.set_content(body)
    message["Content-Language"] = locale  # after set_content, which replaces every Content-* header
    now = _wall_clock()
    session.add(OutboxMail(message_id=message["Message-ID"], recipient=to, template=template,
                           message=message.as_string(policy=policy.SMTP), status=PENDING, attempts=0,
                           next_attempt_at=now, created_at=now))
    after_commit(session, _trigger_sending)
    if own:
        session.commit()
    else:
        on_rollback(session, log.warning, "email %s to %s dropped: its transaction was rolled back",
                    template, to)


def _trigger_sending() -> None:
    """Ask a worker to send the outbox now (the minute's periodic run picks the rows up if this fails)."""
    trigger = current_app.extensions.get("trigger_job")
    if trigger is not None:
        trigger("mail_outbox")


def parse(row: OutboxMail) -> EmailMessage:
    """The stored message as an email object (tests and the transports read it)."""
    return message_from_string(row.message, policy=policy.default)


def _write_to_folder(app: Flask, row: OutboxMail) -> None:
    """The default transport: one .eml file per message, named by its row, so a resend overwrites it."""
    outbox = Path(app.config["MAIL_OUTBOX"])
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / f"{row.id:010d}-{row.template}.eml"
    partial = path.with_suffix(f".{os.getpid()}.part")  # never a half-written .eml
    partial.write_text(row.message, encoding="utf-8")
    partial.replace(path)


def _send_by_smtp(app: Flask, row: OutboxMail) -> None:
    """Hand the message to the SMTP server in MAIL_SMTP_HOST."""
    config = app.config
    with smtplib.SMTP(config["MAIL_SMTP_HOST"], int(config["MAIL_SMTP_PORT"]), timeout=10) as smtp:
        if config["MAIL_SMTP_TLS"]:
            smtp.starttls()
        if config["MAIL_SMTP_USER"]:
            smtp.login(config["MAIL_SMTP_USER"], config["MAIL_SMTP_PASSWORD"])
        smtp.send_message(parse(row))


def transport(app: Flask) -> Callable[[Flask, OutboxMail], None]:
    """The configured way out: SMTP when MAIL_SMTP_HOST is set, else the folder."""
    return _send_by_smtp if app.config["MAIL_SMTP_HOST"] else _write_to_folder


def deliver_pending(app: Flask, *, on_give_up: Callable[[OutboxMail, str], None]) -> int:
    """Send the outbox's due messages, each under a claim; returns how many were sent.

    A failure schedules the next attempt with a doubling delay; the MAIL_MAX_ATTEMPTS-th failure marks the
    row failed and calls on_give_up(row, error) (the jobs record it for the admin).
    """
    send = transport(app)
    max_attempts = int(app.config["MAIL_MAX_ATTEMPTS"])
    sent = 0
    with Session(db.engine) as s:
        due = s.scalars(select(OutboxMail.id).where(OutboxMail.status == PENDING,
                                                    OutboxMail.next_attempt_at <= _wall_clock())
                        .order_by(OutboxMail.id).limit(BATCH)).all()
    for mail_id in due:
        # expire_on_commit off: after each commit the next statement is a write, never a stale read (SQLite).
        with Session(db.engine, expire_on_commit=False) as s:
            now = _wall_clock()
            claimed = s.execute(update(OutboxMail)
                                .where(OutboxMail.id == mail_id, OutboxMail.status == PENDING,
                                       OutboxMail.next_attempt_at <= now)
                                .values(next_attempt_at=now + LEASE, attempts=OutboxMail.attempts + 1))
            row = s.get(OutboxMail, mail_id) if claimed.rowcount == 1 else None
            s.commit()
            if row is None:
                continue  # another sender has it, or sent it
            changes, gave_up = {}, None
            try:
                send(app, row)
            except Exception as exc:  # noqa: BLE001 (kept on the row, retried, then listed for the admin)
                error = f"{type(exc).__name__}: {exc}"
                changes["last_error"] = error[:4000]
                if row.attempts >= max_attempts:
                    changes["status"] = gave_up = FAILED
                    log.error("email %s to %s failed %d times, giving up: %s", row.message_id, row.recipient,
                              row.attempts, error)
                else:
                    changes["next_attempt_at"] = _wall_clock() + RETRY_DELAY * 2 ** (row.attempts - 1)
                    log.warning("email %s to %s not sent (attempt %d of %d), retried at %s: %s",
                                row.message_id, row.recipient, row.attempts, max_attempts,
                                changes["next_attempt_at"].isoformat(), error)
            else:
                changes = {"status": SENT, "sent_at": _wall_clock(), "last_error": None}
                sent += 1
                log.info("email %s (%s) to %s sent", row.message_id, row.template, row.recipient)
            s.execute(update(OutboxMail).where(OutboxMail.id == mail_id).values(**changes))
            s.commit()
            if gave_up:
                on_give_up(row, changes["last_error"])  # after the commit: SQLite allows one writer at a time
    return sent
