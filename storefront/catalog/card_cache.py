"""Rendered pieces of listing pages that are the same for every shopper of a locale, currency and country
(product cards, the category list), kept per process and dropped when the catalog version or the exchange
rates move.

Formatting a card (Babel numbers and prices, URL building, macros) is most of a listing page's cost, and a
card only changes when its product, offers, prices or the rates do. Every such change bumps the catalog
version stored in the database (core/versions.py, from catalog.models.queue_reindex), so all processes stop
using their old cards on their next request. A template asks with
`{% call cached_fragment("card", p.id, ...) %}...{% endcall %}`.
"""
from __future__ import annotations

from flask import Flask, current_app, g
from markupsafe import Markup

from ..core.versions import CATALOG, read_version
from ..currency.services import current_rates
from ..extensions import db

MAX_ENTRIES = 20_000  # about 1.5 KB each: a full cache stays near 30 MB per process
STORE_KEY = "render_cache"


def _generation() -> tuple:
    """What every cached piece depends on besides its own key: the catalog version (read once a request)
    and the rates this process converts prices with (cached by it up to a minute)."""
    if "render_generation" not in g:
        rates = current_rates()
        g.render_generation = (read_version(db.session, CATALOG), rates.as_of, tuple(sorted(rates.per_eur.items())))
    return g.render_generation


def cached_fragment(*key, when: bool = True, caller=None) -> Markup:
    """The caller block's output for this key and the shopper's locale, currency and country, rendered once
    per catalog version; `when=False` renders it every time (pieces that vary per request)."""
    if not when or not current_app.config.get("RENDER_CACHE", True):
        return Markup(caller())
    store = current_app.extensions.setdefault(STORE_KEY, {"generation": None, "pieces": {}})
    generation = _generation()
    if store["generation"] != generation or len(store["pieces"]) >= MAX_ENTRIES:
        store["generation"], store["pieces"] = generation, {}
    shopper = g.get("shopper")
    full_key = (shopper.locale, shopper.currency, shopper.country, *key) if shopper else key
    piece = store["pieces"].get(full_key)
    if piece is None:
        piece = store["pieces"][full_key] = Markup(caller())
    return piece


def cached_pieces(app: Flask) -> int:
    """How many pieces the app's cache holds (for tests and benchmarks)."""
    return len(app.extensions.get(STORE_KEY, {}).get("pieces", {}))


def init_render_cache(app: Flask) -> None:
    """Make `cached_fragment` available to templates."""
    app.add_template_global(cached_fragment, "cached_fragment")
