"""Request limits (Flask-Limiter) keyed by the real client address, and the proxy set-up that finds it.

Behind nginx the TCP peer is the proxy: with TRUSTED_PROXY_HOPS=N Werkzeug's ProxyFix takes the client from
the N-th address from the right of X-Forwarded-For, the part our own proxies appended. With 0 (the default)
nothing in X-Forwarded-For is believed, so a client cannot pick its own address by sending the header.
"""
from __future__ import annotations

import logging

from flask import Flask, current_app, request
from flask_limiter import Limiter
from werkzeug.middleware.proxy_fix import ProxyFix

log = logging.getLogger(__name__)


def client_address() -> str:
    """The client's address: the TCP peer, or what ProxyFix found behind TRUSTED_PROXY_HOPS proxies."""
    return request.remote_addr or "unknown"


limiter = Limiter(key_func=client_address)


def configured(name: str):
    """A callable giving the limit string of setting `name`, read per request (Flask-Limiter accepts callables)."""
    return lambda: current_app.config[name]


def init_limits(app: Flask) -> None:
    """Trust the configured proxies, then start the limiter with its storage (memory, or Redis in production).

    :raises RuntimeError: TRUSTED_PROXY_HOPS is negative.
    """
    hops = int(app.config.get("TRUSTED_PROXY_HOPS", 0))
    if hops < 0:
        raise RuntimeError(f"TRUSTED_PROXY_HOPS must be 0 or more, not {hops}")
    if hops:
        # Only X-Forwarded-For and -Proto: nginx passes the Host header itself (proxy_set_header Host $host), and
        # believing X-Forwarded-Host/-Port/-Prefix would let a client rewrite the links in our emails. The proto
        # comes from the nearest proxy, which overwrites it with the scheme the client used.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=1, x_host=0, x_port=0, x_prefix=0)
    # Each app gets fresh storage from init_app: memory:// starts empty, so tests never share counts.
    limiter.init_app(app)
    if app.config.get("RATELIMIT_ENABLED", True):
        log.info("request limits on, storage %s, %d trusted proxy hop(s)",
                 app.config["RATELIMIT_STORAGE_URI"].split("@")[-1], hops)
