"""Logging a browser in and out: a fresh session at login (no fixation), and revocation of every copy.

Sessions are signed cookies, so a copied cookie cannot be "deleted" on the server. Instead the user id that
Flask-Login keeps in the session and in the remember cookie is "<id>-<session version>" (User.get_id), and
load_user accepts it only while the version matches the account's. Raising the version (logout, password
change, password reset) ends every session and remember cookie issued before, on every device.
"""
from __future__ import annotations

from flask import session
from flask_login import login_user, logout_user

from ..extensions import db
from .models import User

# What must not survive a login or logout: Flask-Login's keys (all start with "_") and the CSRF token, so a
# token or cookie an attacker planted or saw before the login is worth nothing after it.
_CSRF_KEY = "csrf_token"


def parse_session_id(value: str) -> tuple[int, int] | None:
    """(user id, session version) from a stored "<id>-<version>", or None for anything else (old or forged)."""
    user_id, sep, version = value.partition("-")
    if not sep or not user_id.isdigit() or not version.isdigit() or len(user_id) > 12 or len(version) > 12:
        return None
    return int(user_id), int(version)


def user_for_session(value: str) -> User | None:
    """The active user a session (or remember cookie) names, or None when it is revoked, disabled or unknown."""
    parsed = parse_session_id(value)
    if parsed is None:
        return None
    user = db.session.get(User, parsed[0])
    if user is None or not user.is_active or user.session_version != parsed[1]:
        return None
    return user


def _fresh_session() -> None:
    """Drop the login state and CSRF token; this browser's shopping state (cart, visit, preferences) stays."""
    kept = {key: value for key, value in session.items() if not key.startswith("_") and key != _CSRF_KEY}
    session.clear()
    session.update(kept)


def start_session(user: User, *, remember: bool = False) -> None:
    """Log `user` in on a session rotated at login (the guest cart still merges: user_logged_in)."""
    _fresh_session()
    login_user(user, remember=remember)


def end_session() -> None:
    """Log this browser out and clear its login state (the caller revokes other copies first)."""
    _fresh_session()
    logout_user()  # after the clean-up: it leaves the note that makes Flask-Login delete the remember cookie
