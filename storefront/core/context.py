"""Per-request shopper context: locale from the URL prefix, currency and country from cookie or profile."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import unquote

from flask import Flask, current_app, g, has_request_context, request, url_for
from babel.dates import format_skeleton
from flask_babel import format_datetime, get_locale, gettext, refresh
from flask_login import current_user
from jinja2 import pass_eval_context
from werkzeug.routing import AnyConverter

from ..config import LOCALES
from .assets import is_asset_request
from .money import Money
from .template_formats import init_template_formats, isolated
from .timezones import COOKIE_TZ, shopper_zone, zone_label
from .i18n import (
    COOKIE_COUNTRY,
    COOKIE_CURRENCY,
    ShopperContext,
    currency_for_country,
    language_label,
    language_name,
    negotiate,
    valid_country,
    valid_currency,
    valid_locale,
)


class LocaleConverter(AnyConverter):
    """URL converter matching only the locales we serve, so /fr/... falls through to a redirect."""

    def __init__(self, url_map) -> None:
        super().__init__(url_map, *LOCALES)


def select_locale() -> str:
    """Flask-Babel's locale selector: the URL's language with the ship-to country ('es_MX'), so Flask-Babel's
    number and date filters use that region's formats; translations fall back to the language's catalog."""
    shopper = getattr(g, "shopper", None)
    if shopper is not None:
        return shopper.format_locale
    return negotiate(list(request.accept_languages), current_app.config["DEFAULT_LOCALE"])[0]


def select_timezone() -> str | None:
    """Flask-Babel's time zone selector: the shopper's zone (browser's, else ship-to country's); UTC outside
    a request. Every date and time filter then shows moments in it."""
    if not has_request_context() or g.get("shopper") is None:
        return None
    if "time_zone" not in g:
        # static/js/timezone.js percent-encodes the name ("America%2FSao_Paulo")
        g.time_zone = shopper_zone(unquote(request.cookies.get(COOKIE_TZ, "")), g.shopper.country)
    return g.time_zone


def local_datetime(moment: datetime | None, format: str = "medium") -> str:
    """Jinja filter `localtime`: a moment in the shopper's time zone with the zone named, e.g.
    "7 Dec 2026, 14:05, Spain (Madrid) Time"; outside a request (emails from jobs) in UTC, named so."""
    if moment is None:
        return ""
    zone = select_timezone() or "UTC"
    return gettext("%(time)s, %(zone)s", time=format_datetime(moment, format),
                   zone=zone_label(zone, str(get_locale() or "en")))


def month_year(moment: datetime | None) -> str:
    """A month and year in the request locale's own pattern (CLDR skeleton "yMMM": "Mar 2024", "mar 2024",
    "2024年3月"), for "selling since" on seller cards."""
    if moment is None:
        return ""
    return format_skeleton("yMMM", moment, locale=get_locale())


@pass_eval_context
def local_datetime_filter(eval_ctx, moment: datetime | None, format: str = "medium"):
    """Jinja `localtime`: local_datetime isolated from the text around it (`<bdi>`, or isolates in emails)."""
    return isolated(eval_ctx, local_datetime(moment, format))


def resolve_shopper(use_profile: bool = True) -> ShopperContext:
    """Work out locale, currency and country for this request, ignoring any invalid value.

    `use_profile=False` leaves the logged-in user's profile out (it is read from the database): error pages
    shown while the database fails use it.
    """
    cfg = current_app.config
    negotiated, region = negotiate(list(request.accept_languages), cfg["DEFAULT_LOCALE"])
    locale = valid_locale(g.get("url_locale")) or negotiated
    user = current_user if use_profile and current_user and current_user.is_authenticated else None
    country = (
        valid_country(request.cookies.get(COOKIE_COUNTRY))
        or valid_country(user.country if user else None)
        or region
        or cfg["DEFAULT_COUNTRY"]
    )
    currency = (
        valid_currency(request.cookies.get(COOKIE_CURRENCY))
        or valid_currency(user.currency if user else None)
        or (currency_for_country(region) if region else None)
        or cfg["DEFAULT_CURRENCY"]
    )
    return ShopperContext(locale=locale, currency=currency, country=country)


def init_shopper_context(app: Flask) -> None:
    """Install the URL-prefix handling and the template helpers on the app."""

    @app.url_value_preprocessor
    def pull_locale(endpoint, values):
        g.url_locale = values.pop("locale") if values and "locale" in values else None

    @app.url_defaults
    def add_locale(endpoint, values):
        if "locale" in values or not app.url_map.is_endpoint_expecting(endpoint, "locale"):
            return
        shopper = g.get("shopper")
        values["locale"] = shopper.locale if shopper else app.config["DEFAULT_LOCALE"]

    @app.before_request
    def load_shopper():
        if is_asset_request():  # files need no shopper: no session, user or cookies read for them
            return
        g.shopper = resolve_shopper()
        refresh()  # drop any locale Flask-Babel cached before the shopper was known

    @app.after_request
    def vary_on_shopper(response):
        # A page's currency and country come from cookies, else from Accept-Language's region: a shared cache
        # must keep a copy per both (files never get here with a shopper, so they stay one copy for all).
        if g.get("shopper") is not None:
            response.vary.update(("Cookie", "Accept-Language"))
        return response

    app.add_template_filter(local_datetime_filter, "localtime")
    app.add_template_filter(month_year, "month_year")
    init_template_formats(app)

    @app.context_processor
    def template_globals():
        from . import display
        from .views import preference_choices

        return {
            "shopper": g.get("shopper"),
            "locales": LOCALES,
            "alternate_urls": alternate_urls,
            "localized": display.localized_text,
            "image_url": display.image_url,
            "media_url": display.media_url,
            "country_name": display.country_label,
            "countries_by_name": display.countries_by_name,
            "address_lines": display.address_lines,
            "sort_label": display.sort_label,
            "preference_choices": preference_choices,
            "language_name": language_name,
            "language_label": lambda code: language_label(code, g.shopper.locale),
            "method_label": display.method_label,
            "offer_sort_label": display.offer_sort_label,
            "seller_price": display.seller_price,
            "thumbnail_url": display.thumbnail_url,
            "picture": display.picture,
            "product_picture": display.product_picture,
            "money": Money,
            "status_label": display.status_label,
            "payment_failure_label": display.payment_failure_label,
            "tracking_label": display.tracking_label,
        }


def alternate_urls() -> dict[str, str]:
    """The current page's URL in every locale (hreflang alternates and the language switch)."""
    if request.endpoint is None or request.view_args is None:
        return {}
    if not current_app.url_map.is_endpoint_expecting(request.endpoint, "locale"):
        return {}
    out = {}
    args = request.args.to_dict(flat=False)
    for locale in LOCALES:
        try:
            out[locale] = url_for(request.endpoint, locale=locale, **request.view_args, **args)
        except Exception:  # a view without a localisable URL simply has no alternates
            return {}
    return out
