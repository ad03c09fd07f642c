"""Emails in the recipient's language: written to a local outbox folder by default, sent by SMTP when set."""
from __future__ import annotations

import logging
import smtplib
import time
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale

from .l10n import format_locale, isolate_text
from .money import Money, format_money

log = logging.getLogger(__name__)


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


def send_mail(to: str, template: str, locale: str, country: str | None = None, **context) -> None:
    """Send one email; a mail failure is logged, never raised into the shopper's request."""
    subject, body = render_mail(template, locale, country, **context)
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="storefront.local")
    message.set_content(body)
    message["Content-Language"] = locale  # after set_content, which replaces every Content-* header
    try:
        host = current_app.config["MAIL_SMTP_HOST"]
        if host:
            with smtplib.SMTP(host, int(current_app.config["MAIL_SMTP_PORT"]), timeout=10) as smtp:
                if current_app.config["MAIL_SMTP_TLS"]:
                    smtp.starttls()
                if current_app.config["MAIL_SMTP_USER"]:
                    smtp.login(current_app.config["MAIL_SMTP_USER"], current_app.config["MAIL_SMTP_PASSWORD"])
                smtp.send_message(message)
            return
        outbox = Path(current_app.config["MAIL_OUTBOX"])
        outbox.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}-{template}.eml"
        (outbox / name).write_bytes(bytes(message))
        log.info("mail to %s written to %s", to, outbox / name)
    except Exception as exc:  # mail trouble must not undo a placed order
        log.error("mail %s to %s not sent: %s", template, to, exc)
