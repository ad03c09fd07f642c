"""Error pages in the shopper's language; unknown locale prefixes redirect instead of failing.

The 500 and 503 pages render without the database (errors/bare.html: no cart, account or exchange-rate
footer), so they still show when the database is what failed.
"""
from __future__ import annotations

import logging
import re

from flask import Flask, g, redirect, render_template, request
from flask_wtf.csrf import CSRFError
from jinja2_fragments.flask import render_block
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import NotFound as HTTPNotFound
from werkzeug.routing import RequestRedirect

from ..config import LOCALES
from ..extensions import db
from .assets import asset_prefixes
from .context import resolve_shopper
from .security import UnusableInput

log = logging.getLogger(__name__)
LOCALE_LIKE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,4})?$")


def _localised_redirect():
    """For /xx/rest where xx is not one of our locales, the same page in the shopper's locale, if any."""
    segments = request.path.split("/")
    if len(segments) < 2 or segments[1] in LOCALES:
        return None
    locale = g.shopper.locale if g.get("shopper") else "en"
    candidates = ["/".join(["", locale, *segments[1:]])]
    if LOCALE_LIKE.match(segments[1]):  # /fr/c/x or /pt-BR/c/x: a locale we do not serve
        candidates.insert(0, "/".join(["", locale, *segments[2:]]))
    from flask import current_app

    adapter = current_app.url_map.bind("localhost")
    for path in candidates:
        try:
            adapter.match(path, method="GET")
        except RequestRedirect as redirect_exc:
            return redirect(redirect_exc.new_url.split("localhost", 1)[-1], 302)
        except Exception:  # no such page under that prefix either
            continue
        query = request.query_string.decode()
        return redirect(path + (f"?{query}" if query else ""), 302)
    return None


def register(app: Flask) -> None:
    """Install the error handlers."""

    def ensure_shopper():
        if not g.get("shopper"):
            g.shopper = resolve_shopper()

    @app.errorhandler(404)
    def not_found(error: HTTPNotFound):
        if request.path.startswith(asset_prefixes(app)):  # a missing file: no page, no session (none is open)
            return "Not found", 404, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-cache"}
        ensure_shopper()
        if request.method == "GET":
            moved = _localised_redirect()
            if moved is not None:
                return moved
        return render_template("errors/404.html"), 404

    @app.errorhandler(405)
    def not_allowed(error):
        ensure_shopper()
        return render_template("errors/404.html"), 405

    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError):
        ensure_shopper()
        return render_template("errors/400.html", reason="csrf"), 400

    @app.errorhandler(400)
    def bad_request(error):
        ensure_shopper()
        return render_template("errors/400.html", reason="bad_request"), 400

    @app.errorhandler(UnusableInput)
    def unusable_input(error: UnusableInput):
        ensure_shopper()
        return render_template("errors/400.html", reason="unusable_input"), 400

    @app.errorhandler(429)
    def too_many_requests(error):
        """A translated 'too many requests' page, or its message alone for HTMX."""
        # A limit from core/limits.py was reached; Flask-Limiter adds Retry-After. HTMX requests (suggestions,
        # helpful votes) get the message alone, pages get it in the layout.
        ensure_shopper()
        log.info("request limit reached on %s %s: %s", request.method, request.path, error.description)
        if request.headers.get("HX-Request") == "true":
            return render_block("errors/429.html", "too_many"), 429
        return render_template("errors/429.html"), 429

    @app.errorhandler(413)
    def too_large(error):
        # Pages with uploads set their own limit and answer on the page itself; this is everything else.
        ensure_shopper()
        return render_template("errors/400.html", reason="too_large"), 413

    def without_database(template: str, status: int):
        """Render an error page touching no database: the failed transaction is dropped, the shopper is
        worked out from the URL and cookies only."""
        g.without_database = True
        try:
            db.session.rollback()
        except Exception:  # the connection is gone too; the page must still render
            log.warning("rollback after a failed request on %s failed as well", request.path, exc_info=True)
        g.shopper = resolve_shopper(use_profile=False)
        return render_template(template), status

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error):
        # A lost or refused connection (or a locked SQLite file): the request may work again shortly.
        log.error("database unavailable on %s %s: %s", request.method, request.path, error, exc_info=error)
        body, status = without_database("errors/503.html", 503)
        return body, status, {"Retry-After": "30"}

    @app.errorhandler(500)
    def server_error(error):
        log.error("server error on %s %s", request.method, request.path,
                  exc_info=getattr(error, "original_exception", None) or error)
        return without_database("errors/500.html", 500)
