"""Shopper-facing catalog pages: home, category listings, product pages."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, g, request, url_for
from sqlalchemy import select

from ..core.errors import NotFound
from ..core.htmx import render_page
from ..currency.services import current_rates
from ..extensions import db
from . import browse
from .filters import parse_filters, to_usd
from .models import Product
from .services import category_by_slug, category_subtree_ids, category_trail

bp = Blueprint("catalog", __name__, url_prefix="/<lang:locale>")


def listing_query(filters, **scope) -> browse.BrowseQuery:
    """Turn the shopper's cleaned filters into a browse query in the catalog's terms."""
    rates, shopper = current_rates(), g.shopper
    return browse.BrowseQuery(
        price_min_usd=to_usd(filters.price_min, shopper.currency, rates),
        price_max_usd=to_usd(filters.price_max, shopper.currency, rates),
        min_rating=filters.min_rating,
        ships_from=filters.ships_from,
        free_shipping_to=shopper.country if filters.free_shipping else None,
        sort=filters.sort,
        page=filters.page,
        per_page=current_app.config["PER_PAGE"],
        **scope,
    )


def with_free_shipping(page: browse.ProductPage) -> browse.ProductPage:
    """Mark which products on the page ship free to the shopper's country."""
    page.free_shipping_ids = browse.free_shipping_ids(db.session, [p.id for p in page.items], g.shopper.country)
    return page


@bp.get("/")
def home():
    """Home: categories, then rows of popular products, multi-seller deals and new arrivals."""
    popular = browse.browse_products(db.session, browse.BrowseQuery(sort="popular", per_page=12))
    deals = list(
        db.session.scalars(
            select(Product).where(Product.offer_count >= 2, Product.min_price_usd.is_not(None))
            .order_by(Product.orders_count.desc(), Product.id).limit(12)
        )
    )
    newest = browse.browse_products(db.session, browse.BrowseQuery(sort="newest", per_page=12))
    ids = [p.id for p in popular.items + deals + newest.items]
    return render_page(
        "catalog/home.html",
        categories=browse.top_categories(db.session),
        popular=popular.items,
        deals=deals,
        newest=newest.items,
        free_shipping_ids=browse.free_shipping_ids(db.session, ids, g.shopper.country),
    )


@bp.get("/c/<slug>")
def category(slug: str):
    """A category's products (its whole subtree), with filters, sorting and pages."""
    try:
        node = category_by_slug(db.session, slug)
    except NotFound:
        abort(404)
    filters = parse_filters(request.args)
    subtree = tuple(category_subtree_ids(db.session, node))
    page = with_free_shipping(browse.browse_products(db.session, listing_query(filters, category_ids=subtree)))
    return render_page(
        "catalog/category.html",
        blocks=("results", "load_more"),
        category=node,
        trail=category_trail(node),
        children=node.children,
        filters=filters,
        page=page,
        ships_from_choices=browse.ships_from_countries(db.session, subtree),
        ratings=browse.RATINGS,
        sorts=browse.SORTS,
        page_url=lambda **changes: url_for("catalog.category", slug=slug, **filters.args(**changes)),
    )


@bp.get("/search")
def search():
    """Search results with the listing filters (answered from the database until the index is wired)."""
    text = " ".join((request.args.get("q") or "").split())[:200]
    filters = parse_filters(request.args)
    page = with_free_shipping(browse.browse_products(db.session, listing_query(filters, text=text)))
    return render_page(
        "catalog/search.html",
        blocks=("results", "load_more"),
        search_text=text,
        filters=filters,
        page=page,
        ships_from_choices=browse.ships_from_countries(db.session),
        ratings=browse.RATINGS,
        sorts=browse.SORTS,
        page_url=lambda **changes: url_for("catalog.search", q=text, **filters.args(**changes)),
    )


from . import product_views  # noqa: E402,F401  (registers product and compare pages on bp)
