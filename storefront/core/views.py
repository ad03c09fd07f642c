"""Site-wide pages: the root redirect, the Ship to / Language / Currency control, media files."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, redirect, request, send_from_directory, url_for
from flask_login import current_user

from ..config import LOCALES
from ..extensions import db
from .assets import media_cache_control
from .htmx import render_page
from .security import safe_next
from .i18n import (
    COOKIE_COUNTRY,
    COOKIE_CURRENCY,
    COOKIE_MAX_AGE,
    country_choices,
    currency_choices,
    language_name,
    valid_country,
    valid_currency,
    valid_locale,
)

bp = Blueprint("core", __name__)


@bp.get("/")
def root():
    """Send visitors to the home page in their language."""
    return redirect(url_for("catalog.home", locale=g.shopper.locale), 302)


@bp.get("/healthz")
def health():
    """Liveness for load balancers and supervisors: the process answers (no database, no queue touched)."""
    return {"status": "ok"}


@bp.get("/media/<path:filename>")
def media(filename: str):
    """Uploaded and generated images (served by the front web server in production)."""
    response = send_from_directory(current_app.config["MEDIA_PATH"], filename)
    response.headers["Cache-Control"] = media_cache_control(filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    if filename.endswith(".svg"):
        response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


def _safe_next(target: str | None, locale: str) -> str:
    """A same-site path to return to, with its locale prefix switched; the home page otherwise."""
    fallback = url_for("catalog.home", locale=locale)
    if safe_next(target, fallback) == fallback:
        return fallback
    parts = urlsplit(target)
    segments = parts.path.split("/")
    if len(segments) > 1 and segments[1] in LOCALES:
        segments[1] = locale
    path = "/".join(segments)
    return path + (f"?{parts.query}" if parts.query else "")


@bp.route("/<lang:locale>/preferences", methods=["GET", "POST"])
def preferences():
    """Ship to / Language / Currency: a plain form that works without JavaScript.

    Choices are kept in cookies (and in the profile of a logged-in shopper); invalid values are
    ignored, keeping the current choice.
    """
    shopper = g.shopper
    if request.method == "POST":
        locale = valid_locale(request.form.get("language")) or shopper.locale
        currency = valid_currency(request.form.get("currency")) or shopper.currency
        country = valid_country(request.form.get("country")) or shopper.country
        response = redirect(_safe_next(request.form.get("next"), locale), 303)
        for name, value in ((COOKIE_CURRENCY, currency), (COOKIE_COUNTRY, country)):
            response.set_cookie(name, value, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True,
                                secure=current_app.config["SESSION_COOKIE_SECURE"])
        if current_user.is_authenticated:
            current_user.locale, current_user.currency, current_user.country = locale, currency, country
            db.session.commit()
        return response
    return render_page(
        "core/preferences.html",
        blocks=("prefs_panel",),
        next_url=_safe_next(request.args.get("next"), shopper.locale),
    )


def preference_choices() -> dict:
    """Choices for the preferences control, shared by the header and the preferences page."""
    locale = g.shopper.locale
    return {
        "country_choices": country_choices(locale),
        "currency_choices": currency_choices(locale),
        "language_choices": [(code, language_name(code)) for code in LOCALES],
    }
