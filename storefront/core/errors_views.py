"""Error pages in the shopper's language; unknown locale prefixes redirect instead of failing."""
from __future__ import annotations

import logging
import re

from flask import Flask, g, redirect, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import NotFound as HTTPNotFound
from werkzeug.routing import RequestRedirect

from ..config import LOCALES
from .context import resolve_shopper

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

    @app.errorhandler(413)
    def too_large(error):
        # Pages with uploads set their own limit and answer on the page itself; this is everything else.
        ensure_shopper()
        return render_template("errors/400.html", reason="too_large"), 413

    @app.errorhandler(500)
    def server_error(error):
        log.exception("server error on %s", request.path)
        ensure_shopper()
        return render_template("errors/500.html"), 500
