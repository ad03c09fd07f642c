"""The test gateway's signatures: HMAC-SHA256 over returns and (Stripe-style) over webhook bodies.

Pure functions shared by the provider side (which signs) and the adapter (which verifies), so both
sides always agree on the canonical strings.
"""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import quote

from ...core.signing import SignatureError, derived_secret, sign, unix_timestamp, verify

SIGNATURE_HEADER = "Testgw-Signature"
RETURN_FIELDS = ("ref", "pid", "status", "reason", "ts")
DEFAULT_WEBHOOK_TOLERANCE = 300
RETURN_MAX_AGE = 24 * 3600  # a shopper may come back from a tab left open overnight, not later

_HEX = frozenset("0123456789abcdefABCDEF")


def _key(secret: str | bytes) -> bytes:
    """A secret as bytes."""
    return secret.encode() if isinstance(secret, str) else secret


__all__ = ["SignatureError", "secret_from_config", "sign_return", "verify_return", "sign_webhook", "verify_webhook"]


def secret_from_config(config: Mapping) -> bytes:
    """TEST_GATEWAY_SECRET, or a key derived from SECRET_KEY with HMAC so it never equals it.

    :raises RuntimeError: when neither is set (a gateway that cannot sign must not start).
    """
    return derived_secret(config, "TEST_GATEWAY_SECRET", "test gateway")


def return_canonical(fields: Mapping[str, str]) -> str:
    """The signed string of a return: every field in a fixed order, percent-encoded so none can bleed into another."""
    return "&".join(f"{name}={quote(str(fields.get(name) or ''), safe='')}" for name in RETURN_FIELDS)


def sign_return(secret: str | bytes, fields: Mapping[str, str]) -> str:
    """Hex HMAC-SHA256 of a return's fields (ref, pid, status, reason, ts); other keys are ignored."""
    return hmac.new(_key(secret), return_canonical(fields).encode(), hashlib.sha256).hexdigest()


def verify_return(secret: str | bytes, args: Mapping[str, str], now: float, max_age: int = RETURN_MAX_AGE,
                  skew: int = DEFAULT_WEBHOOK_TOLERANCE) -> None:
    """Check a return's `sig` and that its `ts` is at most max_age old and at most `skew` seconds ahead.

    :raises SignatureError: naming what is wrong.
    """
    sig = args.get("sig") or ""
    if not sig or len(sig) != 64 or not set(sig) <= _HEX:
        raise SignatureError("missing or malformed return signature")
    if not hmac.compare_digest(sign_return(secret, args), sig.lower()):
        raise SignatureError("return signature does not match")
    ts = _timestamp(args.get("ts"))
    if ts > now + skew or now - ts > max_age:
        raise SignatureError("return timestamp outside the accepted window")


def sign_webhook(secret: str | bytes, body: bytes, ts: int) -> str:
    """The Testgw-Signature header value for a raw webhook body sent at unix time ts: 't=<ts>,v1=<hex>'."""
    return sign(secret, body, ts)


def verify_webhook(secret: str | bytes, body: bytes, header: str | None, now: float, tolerance: int) -> int:
    """Check a Testgw-Signature header against the raw body; returns its timestamp (core/signing.verify).

    :raises SignatureError: on a missing or malformed header, no matching signature, or |now - t| > tolerance.
    """
    return verify(secret, body, header, now, tolerance, header_name=SIGNATURE_HEADER)


def _timestamp(value: str | None) -> int:
    """Unix seconds from their decimal text (no sign, no spaces)."""
    return unix_timestamp(value)
