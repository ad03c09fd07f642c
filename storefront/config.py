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
        "DEFAULT_CURRENCY": env("DEFAULT_CURRENCY", "USD"),
        "DEFAULT_COUNTRY": env("DEFAULT_COUNTRY", "US"),
        "RATES_URL": env("RATES_URL", "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"),
        "SESSION_COOKIE_SECURE": env("SESSION_COOKIE_SECURE", "0") == "1",
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        "PER_PAGE": int(env("PER_PAGE", "24")),
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
    }
