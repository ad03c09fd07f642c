"""Settings read from the environment, each with an embedded default that works on a fresh machine."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("STOREFRONT_INSTANCE", ROOT / "instance"))

LOCALES = ("en", "es", "ar", "zh")
RTL_LOCALES = frozenset({"ar"})
CURRENCIES = (
    "USD", "EUR", "GBP", "CAD", "AUD", "BRL", "MXN", "TRY",
    "RUB", "UAH", "INR", "JPY", "IDR", "SEK", "KRW", "CNY",
)

# Request limits per client address (core/limits.py); each can be set in the environment.
DEFAULT_LIMITS = {
    "RATELIMIT_REGISTER": "10 per hour;30 per day",
    "RATELIMIT_PASSWORD_RESET": "5 per hour;20 per day",
    "RATELIMIT_HELPFUL_VOTE": "10 per minute;60 per hour",
    "RATELIMIT_SUGGEST": "60 per minute;1000 per hour",
    # Login failures: a growing lock. 5 failures lock for up to a minute, 10 for up to 15 minutes...
    "RATELIMIT_LOGIN_ADDRESS": "5 per minute;10 per 15 minutes;30 per day",
    # ...and per account, whichever addresses the guesses come from (accounts/throttle.py explains the bypass).
    "RATELIMIT_LOGIN_ACCOUNT": "5 per minute;10 per 15 minutes",
}


def _secret_key() -> str:
    """Return SECRET_KEY, or a random key kept in the instance folder so sessions survive restarts."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = INSTANCE / "secret_key"
    if not path.exists():
        INSTANCE.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def from_environment() -> dict:
    """Build the app configuration from environment variables (see the README's table)."""
    env = os.environ.get
    return {
        "SECRET_KEY": _secret_key(),
        "SQLALCHEMY_DATABASE_URI": env("DATABASE_URL", f"sqlite:///{INSTANCE / 'storefront.db'}"),
        "SEARCH_BACKEND": env("SEARCH_BACKEND", "embedded"),
        "SEARCH_INDEX_PATH": env("SEARCH_INDEX_PATH", str(INSTANCE / "search-index")),
        "MEILI_URL": env("MEILI_URL", ""),
        "MEILI_API_KEY": env("MEILI_API_KEY", ""),
        "MEILI_INDEX": env("MEILI_INDEX", "products"),
        "MEDIA_PATH": env("MEDIA_PATH", str(INSTANCE / "media")),
        "DEFAULT_LOCALE": env("DEFAULT_LOCALE", "en"),
        "SITE_URL": env("SITE_URL", ""),
        "DEFAULT_CURRENCY": env("DEFAULT_CURRENCY", "USD"),
        "DEFAULT_COUNTRY": env("DEFAULT_COUNTRY", "US"),
        "RATES_URL": env("RATES_URL", "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"),
        "SESSION_COOKIE_SECURE": env("SESSION_COOKIE_SECURE", "0") == "1",
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        # "Keep me logged in": like the session cookie (Flask-Login's default has no SameSite); Secure follows
        # SESSION_COOKIE_SECURE (create_app).
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PER_PAGE": int(env("PER_PAGE", "24")),
        # The brand: the shop's name everywhere (header, titles, manifest) and an optional logo file
        # (absolute, or relative to static/); empty shows the name as text.
        "SHOP_NAME": env("SHOP_NAME", "Storefront"),
        "SHOP_LOGO": env("SHOP_LOGO", ""),
        # product cards and the category list rendered once per catalog version (catalog/card_cache.py)
        "RENDER_CACHE": env("RENDER_CACHE", "1") == "1",
        # Sandboxes and demos only: run the shop's clock this many days ahead (core/clock.py).
        "CLOCK_OFFSET": timedelta(days=float(env("CLOCK_OFFSET_DAYS", "0"))),
        # A ceiling for every request body; pages with uploads set their own (sellers/center.py, reviews).
        "MAX_CONTENT_LENGTH": int(env("MAX_CONTENT_LENGTH", str(16 * 1024 * 1024))),
        "PAYMENT_GATEWAY": env("PAYMENT_GATEWAY", "test"),
        "TEST_GATEWAY_SECRET": env("TEST_GATEWAY_SECRET", ""),
        "TEST_GATEWAY_WEBHOOK_TOLERANCE": int(env("TEST_GATEWAY_WEBHOOK_TOLERANCE", "300")),
        "TEST_GATEWAY_DOWN": env("TEST_GATEWAY_DOWN", "0") == "1",
        "TRACKING_PROVIDER": env("TRACKING_PROVIDER", "simulated"),
        "TRACKING_WEBHOOK_SECRET": env("TRACKING_WEBHOOK_SECRET", ""),  # empty: derived from SECRET_KEY
        "TRACKING_WEBHOOK_TOLERANCE": int(env("TRACKING_WEBHOOK_TOLERANCE", "300")),
        "BANK_TRANSFER_DETAILS": env("BANK_TRANSFER_DETAILS",
                                     "Storefront Marketplace Ltd · IBAN DE89 3704 0044 0532 0130 00 · BIC COBADEFFXXX"),
        # Background jobs (storefront/jobs): Redis storage when set, else SQLite at JOBS_DB.
        "REDIS_URL": env("REDIS_URL", ""),
        "JOBS_DB": env("JOBS_DB", str(INSTANCE / "jobs.db")),
        "JOBS_PERIODIC": env("JOBS_PERIODIC", "0") == "1",
        "JOBS_WORKERS": int(env("JOBS_WORKERS", "2")),
        "MAIL_FROM": env("MAIL_FROM", "Storefront <orders@storefront.local>"),
        "MAIL_OUTBOX": env("MAIL_OUTBOX", str(INSTANCE / "mail")),
        "MAIL_SMTP_HOST": env("MAIL_SMTP_HOST", ""),
        "MAIL_SMTP_PORT": env("MAIL_SMTP_PORT", "587"),
        "MAIL_SMTP_TLS": env("MAIL_SMTP_TLS", "1") == "1",
        "MAIL_SMTP_USER": env("MAIL_SMTP_USER", ""),
        "MAIL_SMTP_PASSWORD": env("MAIL_SMTP_PASSWORD", ""),
        # Request limits (core/limits.py): on unless RATELIMIT_ENABLED=0; counts in memory (one process) or,
        # in production, shared by every web process: RATELIMIT_STORAGE_URI=redis://host:6379/1.
        "RATELIMIT_ENABLED": env("RATELIMIT_ENABLED", "1") == "1",
        "RATELIMIT_STORAGE_URI": env("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_STRATEGY": "moving-window",
        "RATELIMIT_HEADERS_ENABLED": True,  # Retry-After on a 429
        "RATELIMIT_SWALLOW_ERRORS": True,  # limits storage down: log it and serve (fail open), never 500 every page
        "RATELIMIT_KEY_PREFIX": env("RATELIMIT_KEY_PREFIX", "storefront"),
        # Proxies in front of gunicorn that append to X-Forwarded-For (nginx: 1). 0 believes no such header.
        "TRUSTED_PROXY_HOPS": int(env("TRUSTED_PROXY_HOPS", "0")),
        **{name: env(name, value) for name, value in DEFAULT_LIMITS.items()},
        # Pictures listings give by URL (catalog/image_fetches.py): seconds per connect/read (3x for the whole).
        "IMAGE_FETCH_TIMEOUT": float(env("IMAGE_FETCH_TIMEOUT", "10")),
        # TESTS ONLY, so not read from the environment: private/loopback networks (CIDR, comma-separated) the
        # image fetcher may reach anyway; tests pass "127.0.0.1/32" for their local picture server.
        "IMAGE_FETCH_ALLOW_NETWORKS": "",
        # Attempts the mail job makes per email (30 s, 1 min, 2 min... apart) before listing it as failed.
        "MAIL_MAX_ATTEMPTS": int(env("MAIL_MAX_ATTEMPTS", "6")),
    }
