"""Login throttling: failed logins lock the client address and the account for a growing while.

Counts live in Flask-Limiter's storage (memory, or Redis shared by every web process) with its moving-window
strategy; the limits are the settings RATELIMIT_LOGIN_ADDRESS and RATELIMIT_LOGIN_ACCOUNT.

- An address that failed 5 times in a minute waits until the oldest failure leaves the window; 10 failures in
  15 minutes lock it for up to 15 minutes, 30 in a day for up to a day.
- An account that failed 5 times (from any addresses) is locked the same way, but only for addresses that have
  failed themselves lately: its owner, on an address with no recent failures, is never locked out by somebody
  else's guesses. A distributed guesser gets one guess per fresh address, and then that address is locked too.
- Only failures count; a success clears the account's count (never the address's: an attacker could otherwise
  reset their address by logging into an account of their own).
"""
from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable
from functools import wraps

from flask import current_app
from limits import RateLimitItem, parse_many

from ..core.limits import limiter

log = logging.getLogger(__name__)
ADDRESS = "login-failures-address"
ACCOUNT = "login-failures-account"


def _fail_open(default):
    """When the limiter's storage (Redis) is down, log it loudly and let logins through unthrottled, as the
    request limits do (RATELIMIT_SWALLOW_ERRORS): locking every shopper out would be worse than a short gap."""

    def decorate(fn: Callable) -> Callable:
        @wraps(fn)
        def guarded(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except Exception:
                log.exception("login throttling skipped: the limits storage (RATELIMIT_STORAGE_URI) failed in %s",
                              fn.__name__)
                return default

        return guarded

    return decorate


def _items(setting: str) -> list[RateLimitItem]:
    """The limits in a setting such as "5 per minute;10 per 15 minutes"."""
    return parse_many(current_app.config[setting])


def _on() -> bool:
    """Whether limits are enforced (RATELIMIT_ENABLED)."""
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def _address(address: str) -> tuple[str, ...]:
    """The address's identifiers in the limiter's storage (after the shop's key prefix)."""
    return (current_app.config.get("RATELIMIT_KEY_PREFIX", ""), ADDRESS, address)


def _account(email: str) -> tuple[str, ...]:
    """The account's identifiers in the limiter's storage: a digest, so Redis holds no email addresses."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return (current_app.config.get("RATELIMIT_KEY_PREFIX", ""), ACCOUNT, digest)


def _wait(item: RateLimitItem, *identifiers: str) -> int:
    """Seconds until `item` lets one more failure through for these identifiers; 0 when it does now."""
    strategy = limiter.limiter
    if strategy.test(item, *identifiers):
        return 0
    reset_at, _remaining = strategy.get_window_stats(item, *identifiers)
    return max(1, math.ceil(reset_at - time.time()))


def address_is_clean(address: str) -> bool:
    """True when no login failed from this address within any of its limit windows."""
    strategy = limiter.limiter
    return all(strategy.get_window_stats(item, *_address(address)).remaining == item.amount
               for item in _items("RATELIMIT_LOGIN_ADDRESS"))


@_fail_open(0)
def login_wait(address: str, email: str) -> int:
    """Seconds this address must wait before trying to log into this account; 0 when it may try now."""
    if not _on():
        return 0
    waits = [_wait(item, *_address(address)) for item in _items("RATELIMIT_LOGIN_ADDRESS")]
    if not address_is_clean(address):
        waits += [_wait(item, *_account(email)) for item in _items("RATELIMIT_LOGIN_ACCOUNT")]
    return max(waits, default=0)


@_fail_open(None)
def record_failure(address: str, email: str) -> None:
    """Count a wrong email or password against the address and the account."""
    if not _on():
        return
    strategy = limiter.limiter
    for item in _items("RATELIMIT_LOGIN_ADDRESS"):
        strategy.hit(item, *_address(address))
    for item in _items("RATELIMIT_LOGIN_ACCOUNT"):
        strategy.hit(item, *_account(email))


@_fail_open(None)
def record_success(email: str) -> None:
    """The right password: forget the account's failures (the address keeps its own)."""
    if not _on():
        return
    for item in _items("RATELIMIT_LOGIN_ACCOUNT"):
        limiter.limiter.clear(item, *_account(email))
