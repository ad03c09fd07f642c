"""Signed requests between the storefront and providers: HMAC-SHA256 over "<unix time>.<raw body>", sent
as a header "t=<unix time>,v1=<hex>" (the scheme Stripe made familiar), and keys derived from SECRET_KEY.

Shared by the payment sandbox's webhooks and the carriers' tracking webhook, so both check signatures
the same careful way: several v1 entries allowed while a secret rolls, constant-time comparison of
each, and a timestamp tolerance against replays. Also signed, expiring links for emails (link_token).
"""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer

_HEX = frozenset("0123456789abcdefABCDEF")


class SignatureError(ValueError):
    """A signature, timestamp or header that does not verify; the message names what is wrong."""


def as_key(secret: str | bytes) -> bytes:
    """A secret as bytes."""
    return secret.encode() if isinstance(secret, str) else secret


def derived_secret(config: Mapping, name: str, purpose: str) -> bytes:
    """config[name], or a key derived from SECRET_KEY with HMAC over `purpose`, so it never equals it.

    :raises RuntimeError: when neither is set (something that cannot sign must not start).
    """
    explicit = config.get(name)
    if explicit:
        return as_key(explicit)
    if not config.get("SECRET_KEY"):
        raise RuntimeError(f"{purpose} needs {name} or SECRET_KEY")
    return hmac.new(as_key(config["SECRET_KEY"]), f"storefront {purpose} signing key".encode(),
                    hashlib.sha256).digest()


def unix_timestamp(value: str | None) -> int:
    """Unix seconds from their decimal text (no sign, no spaces).

    :raises SignatureError: when it is not that.
    """
    if not value or not value.isascii() or not value.isdigit() or len(value) > 12:
        raise SignatureError("missing or malformed timestamp")
    return int(value)


def sign(secret: str | bytes, body: bytes, ts: int) -> str:
    """The signature header value for a raw body sent at unix time ts: 't=<ts>,v1=<hex>'."""
    digest = hmac.new(as_key(secret), f"{int(ts)}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={int(ts)},v1={digest}"


def verify(secret: str | bytes, body: bytes, header: str | None, now: float, tolerance: int, *,
           header_name: str, what: str = "webhook") -> int:
    """Check a signature header against the raw body; returns its timestamp.

    Several v1 entries are allowed (a sender rolling its secret signs with both); one must match.

    :raises SignatureError: on a missing or malformed header, no matching signature, or |now - t| > tolerance.
    """
    if not header:
        raise SignatureError(f"missing {header_name} header")
    ts: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, sep, value = part.strip().partition("=")
        if not sep:
            raise SignatureError(f"malformed {header_name} header")
        if name == "t":
            ts = unix_timestamp(value)
        elif name == "v1":
            if len(value) != 64 or not set(value) <= _HEX:
                raise SignatureError(f"{what} signature is not 64 hex digits")
            candidates.append(value.lower())
    if ts is None or not candidates:
        raise SignatureError(f"{header_name} header needs t= and v1=")
    expected = sign(secret, body, ts).rpartition("v1=")[2]
    # Compare against every candidate without stopping early, so timing says nothing about which matched.
    if not sum(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise SignatureError(f"{what} signature does not match")
    if abs(now - ts) > tolerance:
        raise SignatureError(f"{what} timestamp outside the tolerance")
    return ts


def link_token(secret: str | bytes, purpose: str, value: str, expires: datetime) -> str:
    """A URL-safe token that signs `value` for `purpose` until `expires` (the shop's clock decides, so tests
    and sandboxes that move time move expiry too)."""
    return URLSafeSerializer(as_key(secret), salt=purpose).dumps({"v": value, "exp": int(expires.timestamp())})


def read_link_token(secret: str | bytes, purpose: str, token: str, now: datetime) -> str:
    """The value a link_token signed.

    :raises SignatureError: when the token was tampered with, made for another purpose, or has expired.
    """
    try:
        data = URLSafeSerializer(as_key(secret), salt=purpose).loads(token)
    except BadSignature:
        raise SignatureError("link token does not verify") from None
    if not isinstance(data, dict) or not isinstance(data.get("v"), str) or not isinstance(data.get("exp"), int):
        raise SignatureError("link token has the wrong shape")
    if data["exp"] < now.timestamp():
        raise SignatureError("link token expired")
    return data["v"]
