"""Account rules: registration, authentication, the address book."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.errors import InvalidInput, NotFound
from ..core.untrusted import strip_invisible
from .models import ROLES, Address, User
from .passwords import password_problems

ADDRESS_FIELDS = ("full_name", "line1", "line2", "city", "region", "postal_code", "country", "phone")
# Verified against when the email is unknown, so both paths take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class EmailTaken(InvalidInput):
    """An account with this email exists already."""


class WeakPassword(InvalidInput):
    """A password breaks the rule in accounts/passwords.py (length, guessability)."""


def check_password_rule(password: str, *, email: str | None = None, name: str | None = None) -> None:
    """The same rule registration applies (accounts/passwords.py), for callers without a form (the CLI).

    :raises WeakPassword: with the reasons, in the current language, joined into one sentence list.
    """
    problems = password_problems(password, email=email, name=name)
    if problems:
        raise WeakPassword(" ".join(problems))


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def register_user(session: Session, *, name: str, email: str, password: str, role: str = "shopper") -> User:
    """Create an account with a hashed password.

    :raises EmailTaken: when the email is already registered.
    """
    email = normalise_email(email)
    if session.scalar(select(func.count(User.id)).where(User.email == email)):
        raise EmailTaken(email)
    user = User(name=strip_invisible(name), email=email, password_hash=generate_password_hash(password), role=role)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user with these credentials, or None."""
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def user_by_email(session: Session, email: str) -> User:
    """The account with this email.

    :raises NotFound: no account has it.
    """
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(f"no account with the email {normalise_email(email)!r}")
    return user


def list_users(session: Session) -> list[User]:
    """Every account, oldest first (for the `users list` command)."""
    return list(session.scalars(select(User).order_by(User.id)))


def set_role(session: Session, email: str, role: str) -> User:
    """Give an account another role (flushes).

    :raises NotFound: no account has this email.
    :raises InvalidInput: the role is not one of ROLES.
    """
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}")
    user = user_by_email(session, email)
    user.role = role
    session.flush()
    return user


def disable_user(session: Session, email: str, now: datetime) -> User:
    """Stop an account from logging in; its existing sessions end at their next request (flushes).

    :raises NotFound: no account has this email.
    """
    user = user_by_email(session, email)
    if user.disabled_at is None:
        user.disabled_at = now
        session.flush()
    return user


def enable_user(session: Session, email: str) -> User:
    """Let a disabled account log in again (flushes).

    :raises NotFound: no account has this email.
    """
    user = user_by_email(session, email)
    user.disabled_at = None
    session.flush()
    return user


def get_address(session: Session, user: User, address_id: int) -> Address:
    """One of the user's own addresses.

    :raises NotFound: when it does not exist or belongs to someone else.
    """
    address = session.get(Address, address_id)
    if address is None or address.user_id != user.id:
        raise NotFound("address")
    return address


def save_address(session: Session, user: User, data: dict, address: Address | None = None) -> Address:
    """Create or update an address of the user's; the first one, or one marked default, becomes default."""
    if address is None:
        address = Address(user_id=user.id)
        session.add(address)
    for name in ADDRESS_FIELDS:
        setattr(address, name, (data.get(name) or "").strip())
    address.country = address.country.upper()
    others = [a for a in user.addresses if a is not address]
    if data.get("is_default") or not any(a.is_default for a in others):
        for other in others:
            other.is_default = False
        address.is_default = True
    session.flush()
    return address


def delete_address(session: Session, user: User, address_id: int) -> None:
    """Remove one of the user's addresses; another becomes default if needed.

    :raises NotFound: when it is not the user's.
    """
    address = get_address(session, user, address_id)
    was_default = address.is_default
    session.delete(address)
    session.flush()
    session.refresh(user)
    if was_default and user.addresses:
        user.addresses[0].is_default = True
