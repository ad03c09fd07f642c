"""Site pages: help and policy pages (content in templates/pages/<locale>/<slug>.html, editable without code),
the web app manifest, the logo, and the template helpers for the brand and buyer protection."""
from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, g, jsonify, send_file, url_for
from flask_babel import lazy_gettext as _l
from jinja2 import TemplateNotFound

from ..core.htmx import render_page
from .brand import LOGO_TYPES, check_brand, logo_path
from .protection import buyer_protection

bp = Blueprint("pages", __name__)

# The footer's pages, in its order; any other templates/pages/<locale>/<slug>.html is served too.
FOOTER_PAGES = (
    ("help", _l("Help")),
    ("buyer-protection", _l("Buyer protection")),
    ("returns", _l("Returns")),
    ("contact", _l("Contact")),
    ("privacy", _l("Privacy")),
    ("terms", _l("Terms")),
)
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,40}")


@bp.record_once
def install(state) -> None:
    """Check the brand settings (a bad one stops start-up) and give every template the brand and the promise."""
    app = state.app
    check_brand(app.config, app.static_folder)

    @app.context_processor
    def brand_globals() -> dict:
        """The shop's name, its logo's URL (or None), the footer's pages and the buyer-protection facts."""
        has_logo = bool((app.config.get("SHOP_LOGO") or "").strip())
        return {
            "shop_name": app.config["SHOP_NAME"],
            "shop_logo_url": url_for("pages.logo") if has_logo else None,
            "footer_pages": FOOTER_PAGES,
            "buyer_protection": buyer_protection,
        }


@bp.get("/<lang:locale>/help/<slug>")
def page(slug: str):
    """A help or policy page in the shopper's language (English when that language has no copy yet)."""
    if not SLUG.fullmatch(slug):
        abort(404)
    titles = dict(FOOTER_PAGES)
    for locale in dict.fromkeys((g.shopper.locale, "en")):
        try:
            return render_page(f"pages/{locale}/{slug}.html", slug=slug, title=titles.get(slug),
                               content_locale=locale, protection=buyer_protection())
        except TemplateNotFound as missing:
            if missing.name != f"pages/{locale}/{slug}.html":
                raise  # a page that includes something missing is a bug, not a missing page
    abort(404)


@bp.get("/manifest.webmanifest")
def manifest():
    """The web app manifest: the shop's name and icons, so a phone can add the shop to its home screen."""
    name = current_app.config["SHOP_NAME"]
    body = {
        "name": name,
        "short_name": name[:12],
        "start_url": url_for("core.root"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#c2410c",
        "icons": [
            {"src": url_for("static", filename="img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": url_for("static", filename="img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": url_for("static", filename="img/favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    response.cache_control.max_age = 3600
    return response


@bp.get("/brand/logo")
def logo():
    """The logo file named by SHOP_LOGO (404 when the shop shows its name only)."""
    path = logo_path(current_app.config, current_app.static_folder)
    if path is None:
        abort(404)
    response = send_file(path, mimetype=LOGO_TYPES[path.suffix.lower()], max_age=86400)
    response.headers["X-Content-Type-Options"] = "nosniff"
    if path.suffix.lower() == ".svg":
        response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
