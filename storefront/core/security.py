"""What every request and response goes through for safety: security headers, safe "next" targets, bounded
integers in URLs and forms, and the refusal of input no page can use (NUL bytes, invalid UTF-8).

A small after-request hook rather than Flask-Talisman: the policy is one string, htmx needs nothing from it
beyond `'self'` (it is configured from static/js and a meta tag, with eval and its injected styles off), and
Talisman's extras (nonces, forced HTTPS redirects) are either unused here or nginx's job in production.
"""
from __future__ import annotations

import logging
from urllib.parse import parse_qsl, urlsplit

from flask import Flask, Response, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter, ValidationError

from .untrusted import small_int

log = logging.getLogger(__name__)

# `form-action 'self'` covers the sandbox payment page (it is served by this app under /testpay/).
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "img-src 'self' data:",
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
HSTS = "max-age=31536000; includeSubDomains"

# Pages about one person: never kept by a shared cache or the browser's disk cache.
PERSONAL_PREFIXES = ("/cart", "/checkout", "/orders", "/account", "/seller", "/admin", "/preferences", "/payments",
                     "/compare")
PERSONAL_PATHS = ("/testpay/",)


class BoundedIntConverter(IntegerConverter):
    """The `int` URL converter, refusing (404) numbers no row can have instead of sending them to the database."""

    regex = r"\d{1,10}"

    def to_python(self, value: str) -> int:
        """The number, or ValidationError (no match: 404) when it is larger than any id."""
        number = small_int(value)
        if number is None:
            raise ValidationError()
        return number


def safe_next(value: str | None, fallback: str) -> str:
    """`value` when it is a path on this site ("/en/cart/?x=1"), else `fallback`.

    Browsers treat "//host", "/\\host" and "/\t/host" (tabs and newlines are dropped) as other sites, and
    "javascript:" as script, so only a single leading slash followed by a printable, non-slash character passes.
    """
    if not value or len(value) > 2000 or not value.startswith("/"):
        return fallback
    if any(ch in value for ch in "\\\x00") or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        return fallback
    if value.startswith("//"):
        return fallback
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return fallback
    return value


def _is_personal(path: str) -> bool:
    segments = path.split("/", 2)
    rest = "/" + segments[2] if len(segments) > 2 else path
    return rest.startswith(PERSONAL_PREFIXES) or path.startswith(PERSONAL_PATHS) or path.startswith(PERSONAL_PREFIXES)


def _has_nul_or_bad_utf8() -> bool:
    """True when the path, query string or a form field holds a NUL byte or is not valid UTF-8.

    Werkzeug decodes such input leniently (U+FFFD for bad bytes) and PostgreSQL refuses NUL in text, so the
    check is made on the raw bytes, once, before any view runs.
    """
    raw_path = request.environ.get("PATH_INFO", "")
    try:
        path = raw_path.encode("latin-1").decode("utf-8")
        parse_qsl(request.query_string.decode("utf-8"), keep_blank_values=True, errors="strict")
        if request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded":
            parse_qsl(request.get_data(cache=True).decode("utf-8"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, UnicodeEncodeError):
        return True
    if "\x00" in path:
        return True
    if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        return True
    if request.method == "POST" and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return any("\x00" in key or "\x00" in value for key, value in request.form.items(multi=True))
    return False


class UntrustedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, parsing request bodies as core.untrusted does: a body nested too deeply for the parser
    is a ValueError, which Flask (and Flask-WTF's JSON forms) answer with 400, not a RecursionError's 500."""

    def loads(self, s: str | bytes, **kwargs) -> object:
        """The parsed value.

        :raises ValueError: not JSON, or nested too deeply.
        """
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("nested too deeply") from None


class UnusableInput(BadRequest):
    """A request carrying NUL bytes or invalid UTF-8: no page can use it, so none is shown."""

    description = "unusable_input"


def init_security(app: Flask) -> None:
    """Install the guard against unusable input and the security headers on every response."""
    app.json = UntrustedJSONProvider(app)

    @app.before_request
    def refuse_unusable_input():
        if _has_nul_or_bad_utf8():
            log.info("refused unusable input (NUL byte or invalid UTF-8) on %s", request.path[:200])
            raise UnusableInput()

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers["X-Frame-Options"] = "DENY"
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers["Strict-Transport-Security"] = HSTS
        if _is_personal(request.path) and "no-store" not in headers.get("Cache-Control", ""):
            headers["Cache-Control"] = "private, no-store"  # a page's own no-store (the sandbox's) stays
        return response
