"""Signed, expiring links that accounts email: confirm an email address, reset a forgotten password.

A reset link is single-use because it signs a fingerprint of the account's password hash: the reset changes the
hash, so the link (and any other reset link sent before) stops verifying. A confirmation link names the email it
confirms, so it cannot confirm an address the account no longer has.
"""
from __future__ import annotations

import logging

import hashlib
import hmac
from datetime import datetime, timedelta

from flask import current_app, url_for

from ..core.signing import SignatureError, derived_secret, link_token, read_link_token
from .models import User

RESET = "password reset"
CONFIRM = "email confirmation"
RESET_VALID_FOR = timedelta(hours=1)
CONFIRM_VALID_FOR = timedelta(days=7)

log = logging.getLogger(__name__)


def _secret() -> bytes:
    return derived_secret(current_app.config, "ACCOUNT_LINK_SECRET", "account links")


def _fingerprint(user: User) -> str:
    """Changes whenever the password or the email does: what makes a reset link single-use."""
    message = f"{user.id}|{user.email}|{user.password_hash}".encode()
    return hmac.new(_secret(), message, hashlib.sha256).hexdigest()[:24]


def reset_link(user: User, locale: str, now: datetime) -> str:
    """The absolute URL of a page that sets a new password for `user`, valid RESET_VALID_FOR after `now`."""
    token = link_token(_secret(), RESET, f"{user.id}.{_fingerprint(user)}", now + RESET_VALID_FOR)
    return url_for("credentials.reset_password", locale=locale, token=token, _external=True)


def confirm_link(user: User, locale: str, now: datetime) -> str:
    """The absolute URL that confirms `user`'s current email, valid CONFIRM_VALID_FOR after `now`."""
    token = link_token(_secret(), CONFIRM, f"{user.id}.{user.email}", now + CONFIRM_VALID_FOR)
    return url_for("credentials.confirm_email", locale=locale, token=token, _external=True)


def _read(purpose: str, token: str, now: datetime) -> tuple[int, str] | None:
    try:
        value = read_link_token(_secret(), purpose, token, now)
    except SignatureError as exc:  # expired, tampered or another purpose's link: the page says "link not valid"
        log.info("%s link refused: %s", purpose, exc)
        return None
    user_id, _, rest = value.partition(".")
    return (int(user_id), rest) if user_id.isdigit() and len(user_id) <= 10 else None


def reset_target(session, token: str, now: datetime) -> User | None:
    """The account a reset link may still change, or None (tampered, expired, already used, disabled)."""
    read = _read(RESET, token, now)
    user = session.get(User, read[0]) if read else None
    if user is None or not user.is_active or not hmac.compare_digest(read[1], _fingerprint(user)):
        return None
    return user


def confirm_target(session, token: str, now: datetime) -> User | None:
    """The account whose email a confirmation link confirms, or None (tampered, expired, email since changed)."""
    read = _read(CONFIRM, token, now)
    user = session.get(User, read[0]) if read else None
    if user is None or user.email != read[1]:
        return None
    return user


def login_link(locale: str) -> str:
    """The absolute URL of the login page (for emails)."""
    return url_for("accounts.login", locale=locale, _external=True)


def forgot_link(locale: str) -> str:
    """The absolute URL of the "forgot password" page (for emails)."""
    return url_for("credentials.forgot_password", locale=locale, _external=True)
