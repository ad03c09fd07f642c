"""What crawlers fetch: robots.txt and the sitemaps (an index of per-language files, each at most
50,000 URLs, every URL with its alternates in the other languages)."""
from __future__ import annotations

import math
from datetime import datetime

from flask import Blueprint, Response, abort, current_app, render_template, url_for
from sqlalchemy import func, select

from ..config import LOCALES
from ..core.seo import absolute_url
from ..extensions import db
from ..sellers.models import Offer, Seller
from .models import Category, Product

bp = Blueprint("seo", __name__)

SITEMAP_LIMIT = 50_000  # URLs per sitemap file (the sitemaps.org limit)
# Pages every crawler should leave alone: personal, transactional, or endless (search results).
DISALLOWED = ("cart", "checkout", "account", "orders", "seller", "admin", "search", "preferences", "compare")


def _page_count(session, limit: int) -> int:
    """How many sitemap files each language needs: the fixed pages and stores come first, then products."""
    return max(1, math.ceil((_fixed_count(session) + _product_count(session)) / limit))


def _product_count(session) -> int:
    return session.scalar(select(func.count(Product.id)).where(Product.offer_count > 0)) or 0


def _fixed_count(session) -> int:
    """Home, every category and every store with a published listing."""
    categories = session.scalar(select(func.count(Category.id))) or 0
    return 1 + categories + len(_store_handles(session))


def _store_handles(session) -> list[str]:
    return list(session.scalars(select(Seller.handle).where(
        select(Offer.id).where(Offer.seller_id == Seller.id, Offer.is_published.is_(True)).exists())
        .order_by(Seller.id)))


def _entries(session, number: int, limit: int):
    """(endpoint, values, last modified or None) of sitemap file `number` (1-based), in a stable order."""
    start, stop = (number - 1) * limit, number * limit
    fixed: list[tuple[str, dict, datetime | None]] = [("catalog.home", {}, None)]
    fixed += [("catalog.category", {"slug": slug}, None)
              for slug in session.scalars(select(Category.slug).order_by(Category.id))]
    fixed += [("sellers.store", {"handle": handle}, None) for handle in _store_handles(session)]
    yield from fixed[start:stop]
    offset, size = max(0, start - len(fixed)), stop - max(start, len(fixed))
    if size <= 0:
        return
    rows = session.execute(select(Product.id, Product.slug, Product.updated_at).where(Product.offer_count > 0)
                           .order_by(Product.id).offset(offset).limit(size))
    for product_id, slug, updated_at in rows:
        yield "catalog.product", {"product_id": product_id, "slug": slug}, updated_at


@bp.get("/robots.txt")
def robots():
    """Crawl rules: everything but personal, transactional and search-result pages; where the sitemap is."""
    lines = ["User-agent: *"]
    for locale in LOCALES:
        lines += [f"Disallow: /{locale}/{path}" for path in DISALLOWED]
    lines += ["Disallow: /testpay/", "", f"Sitemap: {absolute_url(url_for('seo.sitemap_index'))}", ""]
    return Response("\n".join(lines), mimetype="text/plain")


@bp.get("/sitemap.xml")
def sitemap_index():
    """The sitemap index: one file per language and per 50,000 URLs."""
    count = _page_count(db.session, SITEMAP_LIMIT)
    files = [absolute_url(url_for("seo.sitemap", language=locale, number=n))
             for locale in LOCALES for n in range(1, count + 1)]
    return Response(render_template("seo/sitemap_index.xml", files=files), mimetype="application/xml")


@bp.get("/sitemaps/<language>-<int:number>.xml")
def sitemap(language: str, number: int):
    """One language's sitemap file: its URLs, each with every language's alternate and x-default."""
    if language not in LOCALES or not 1 <= number <= _page_count(db.session, SITEMAP_LIMIT):
        abort(404)
    urls = []
    for endpoint, values, modified in _entries(db.session, number, SITEMAP_LIMIT):
        alternates = {other: absolute_url(url_for(endpoint, locale=other, **values)) for other in LOCALES}
        urls.append({"loc": alternates[language], "alternates": alternates,
                     "x_default": alternates[current_app.config["DEFAULT_LOCALE"]],
                     "lastmod": modified.date().isoformat() if modified else None})
    return Response(render_template("seo/sitemap.xml", urls=urls), mimetype="application/xml")
