"""What search engines read in a page's head: its canonical address, the same page in every language (absolute
`hreflang` links plus `x-default`) and a short description.

Addresses are absolute: from SITE_URL when set (the public origin, e.g. https://shop.example.com, right behind a
TLS proxy whatever the request looked like to gunicorn), else from the request's own host.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, g, request, url_for
from markupsafe import Markup

from ..config import LOCALES

# Query arguments that make a different page (a search, a page of results); every other one (sort, filters,
# chosen options, tracking) shows the same content and is left out of the canonical address.
CANONICAL_ARGS = ("q", "page")
DESCRIPTION_LENGTH = 155


def _origin() -> str:
    """The public origin addresses are built on."""
    site = current_app.config.get("SITE_URL") or ""
    return site.rstrip("/") if site else request.host_url.rstrip("/")


def _page_url(locale: str) -> str | None:
    """This page's canonical path in `locale`, or None when the page has no localised address."""
    args = {key: request.args.get(key) for key in CANONICAL_ARGS if request.args.get(key)}
    try:
        return url_for(request.endpoint, locale=locale, **(request.view_args or {}), **args)
    except Exception:  # a view whose address cannot be rebuilt has no alternates
        return None


def seo_links() -> dict:
    """{"canonical": URL or None, "alternates": {locale: URL}, "x_default": URL or None}, all absolute."""
    empty = {"canonical": None, "alternates": {}, "x_default": None}
    if request.endpoint is None or request.view_args is None:
        return empty
    if not current_app.url_map.is_endpoint_expecting(request.endpoint, "locale"):
        return empty
    origin = _origin()
    paths = {locale: _page_url(locale) for locale in LOCALES}
    if any(path is None for path in paths.values()):
        return empty
    current = _current_locale()
    alternates = {locale: origin + path for locale, path in paths.items()}
    return {"canonical": alternates.get(current), "alternates": alternates,
            "x_default": alternates[current_app.config["DEFAULT_LOCALE"]]}


def _current_locale() -> str:
    """The page's locale (its URL prefix, which the shopper context holds)."""
    shopper = g.get("shopper")
    return shopper.locale if shopper else current_app.config["DEFAULT_LOCALE"]


def absolute_url(url: str) -> str:
    """`url` (a path from url_for, or already absolute) on the shop's public origin."""
    return url if url.startswith(("https://", "http://")) else _origin() + url


def description(text: str | None, fallback: str = "", limit: int = DESCRIPTION_LENGTH) -> str:
    """A meta description from free text: whitespace folded, cut at a word near `limit` characters."""
    # Translated fallbacks arrive as Markup (their arguments escaped): back to plain text, escaped once on output.
    text, fallback = (v.unescape() if isinstance(v, Markup) else (v or "") for v in (text, fallback))
    words = " ".join(text.split()) or " ".join(fallback.split())
    if len(words) <= limit:
        return words
    cut = words[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + "…"


def init_seo(app: Flask) -> None:
    """Check SITE_URL and give templates `seo_links()` and the `description` filter.

    :raises RuntimeError: SITE_URL set to something other than an http(s) origin.
    """
    site = app.config.get("SITE_URL") or ""
    if site:
        parts = urlsplit(site)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/") or parts.query:
            raise RuntimeError(f"SITE_URL must be the shop's public origin such as https://shop.example.com, "
                               f"not {site!r}")
    app.add_template_global(seo_links, "seo_links")
    app.add_template_global(absolute_url, "absolute_url")
    app.add_template_filter(description, "description")
