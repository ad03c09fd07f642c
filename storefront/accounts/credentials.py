"""Proving who someone is: registration that reveals no existing account, email confirmation, forgotten and
changed passwords, and revoking sessions. Mail goes out after the commit (core/effects); nothing here commits.

Registration, "forgot password" and their pages answer the same whether an account exists or not; the person
who owns the address learns the rest by email.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.effects import after_commit
from ..core.errors import FieldError, InvalidInput
from ..core.mail import send_mail
from ..core.untrusted import strip_invisible
from . import links
from .models import User
from .services import normalise_email


class WrongPassword(FieldError):
    """The current password given to change it is not right (code "wrong")."""


class InvalidLink(InvalidInput):
    """An emailed link that was tampered with, has expired or was used already."""


def revoke_sessions(user: User) -> None:
    """End every session and remember cookie of `user` at its next request (see accounts/web_session.py)."""
    user.session_version = (user.session_version or 1) + 1


def register(session: Session, *, name: str, email: str, password: str, locale: str, currency: str | None,
             country: str | None, now: datetime) -> User | None:
    """Create an unconfirmed account and email its confirmation link; for a taken email, create nothing and
    email the address's owner instead. The caller answers both the same way (flushes).

    :returns: the new account, or None when the email was taken.
    """
    email = normalise_email(email)
    password_hash = generate_password_hash(password)  # in both cases, so both take as long
    owner = session.scalar(select(User).where(User.email == email))
    if owner is not None:
        after_commit(session, send_mail, owner.email, "account_exists", owner.locale or locale, name=owner.name,
                     login_link=links.login_link(owner.locale or locale),
                     reset_link=links.reset_link(owner, owner.locale or locale, now))
        return None
    user = User(name=strip_invisible(name), email=email, password_hash=password_hash, role="shopper",
                locale=locale, currency=currency, country=country)
    session.add(user)
    session.flush()
    send_confirmation(session, user, locale, now)
    return user


def send_confirmation(session: Session, user: User, locale: str, now: datetime) -> None:
    """Email `user` a link confirming their address (after the commit)."""
    after_commit(session, send_mail, user.email, "confirm_email", locale, name=user.name,
                 link=links.confirm_link(user, locale, now))


def confirm_email(session: Session, token: str, now: datetime) -> tuple[User, bool]:
    """Mark the email a confirmation link names as confirmed (flushes).

    :returns: the account, and whether this link confirmed it now (False: it was confirmed before).
    :raises InvalidLink: tampered with, expired, or the account's email has changed since.
    """
    user = links.confirm_target(session, token, now)
    if user is None:
        raise InvalidLink("confirmation link")
    if user.email_verified_at is not None:
        return user, False
    user.email_verified_at = now
    session.flush()
    return user, True


def request_password_reset(session: Session, email: str, locale: str, now: datetime) -> None:
    """Email a reset link to the account with this email, if there is one that may log in; nothing otherwise
    (the caller answers the same either way)."""
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.is_active:
        return
    after_commit(session, send_mail, user.email, "password_reset", user.locale or locale, name=user.name,
                 link=links.reset_link(user, user.locale or locale, now),
                 minutes=int(links.RESET_VALID_FOR.total_seconds() // 60))


def reset_target(session: Session, token: str, now: datetime) -> User:
    """The account a reset link may change.

    :raises InvalidLink: tampered with, expired, used already (the password changed since), or disabled.
    """
    user = links.reset_target(session, token, now)
    if user is None:
        raise InvalidLink("password reset link")
    return user


def reset_password(session: Session, token: str, password: str, now: datetime) -> User:
    """Set a new password through a reset link: the link and every session end, and the email counts as
    confirmed (the link reached it). Flushes; emails the owner that the password changed.

    :raises InvalidLink: see reset_target.
    """
    user = reset_target(session, token, now)
    _set_password(session, user, password)
    if user.email_verified_at is None:
        user.email_verified_at = now
    session.flush()
    return user


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Change a logged-in user's password after checking the current one; every other session ends (flushes).

    :raises WrongPassword: `current` is not the password.
    """
    if not check_password_hash(user.password_hash, current):
        raise WrongPassword("current_password", "wrong")
    _set_password(session, user, new)
    session.flush()


def _set_password(session: Session, user: User, password: str) -> None:
    user.password_hash = generate_password_hash(password)
    revoke_sessions(user)
    after_commit(session, send_mail, user.email, "password_changed", user.locale or "en", name=user.name,
                 reset_link=links.forgot_link(user.locale or "en"))
