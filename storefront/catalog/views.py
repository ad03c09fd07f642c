"""Shopper-facing catalog pages: home, category listings, product pages."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, g, request, url_for
from sqlalchemy import select

from ..core.errors import NotFound
from ..core.htmx import render_page
from ..core.limits import configured, limiter
from ..currency.services import current_rates
from ..extensions import db
from ..core.events import new_reference, record_event
from . import browse, search_service
from .filters import parse_filters, to_usd
from .models import Category
from .services import category_by_slug, category_subtree_ids, category_trail

bp = Blueprint("catalog", __name__, url_prefix="/<lang:locale>")


def listing_query(filters, **scope) -> browse.ListingQuery:
    """The shopper's cleaned filters as the one listing query of browse, store and search pages; `scope`
    adds or overrides fields (a category, a store, the search text and its sort)."""
    rates, shopper = current_rates(), g.shopper
    fields = {
        "locale": shopper.locale,
        "price_min_usd": to_usd(filters.price_min, shopper.currency, rates),
        "price_max_usd": to_usd(filters.price_max, shopper.currency, rates),
        "min_rating": filters.min_rating,
        "ships_from": filters.ships_from,
        "free_shipping_to": shopper.country if filters.free_shipping else None,
        "sort": filters.sort,
        "page": filters.page,
        "per_page": current_app.config["PER_PAGE"],
    }
    return browse.ListingQuery(**(fields | scope))


def with_free_shipping(page: browse.ProductPage) -> browse.ProductPage:
    """Mark which products on the page ship free to the shopper's country."""
    page.free_shipping_ids = browse.free_shipping_ids(db.session, [p.id for p in page.items], g.shopper.country)
    return page


@bp.get("/")
def home():
    """Home: categories, then rows of popular products, multi-seller deals and new arrivals."""
    popular = browse.product_row(db.session, "popular")
    deals = browse.product_row(db.session, "popular", min_offers=2)
    newest = browse.product_row(db.session, "newest")
    ids = [p.id for p in popular + deals + newest]
    return render_page(
        "catalog/home.html",
        categories=browse.top_categories(db.session, g.shopper.locale),
        popular=popular,
        deals=deals,
        newest=newest,
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
        children=browse.categories_by_name(node.children, g.shopper.locale),
        filters=filters,
        page=page,
        ships_from_choices=browse.ships_from_countries(db.session, subtree),
        ratings=browse.RATINGS,
        sorts=browse.SORTS,
        page_url=lambda **changes: url_for("catalog.category", slug=slug, **filters.args(**changes)),
    )


@bp.get("/search")
def search():
    """Search results with facets, sorts and highlights; every control also works as a plain link."""
    text = " ".join((request.args.get("q") or "").split())[:200]
    filters = parse_filters(request.args)
    sort = request.args.get("sort") if request.args.get("sort") in search_service.SEARCH_SORTS else "relevance"
    category = db.session.scalar(select(Category).where(Category.slug == request.args.get("category", "")))
    brand = (request.args.get("brand") or "").strip()[:120] or None
    shopper = g.shopper
    query = listing_query(filters, text=text, category_id=category.id if category else None, brand=brand, sort=sort)
    results = search_service.search_products(db.session, search_service.search_backend(), query)
    results.free_shipping_ids = browse.free_shipping_ids(db.session, [p.id for p in results.items], shopper.country)
    search_ref = new_reference() if text else None
    if text:
        record_event("search", query=text, results=results.total, degraded=results.degraded, search_id=search_ref,
                     page=results.page, **({"ignored": len(results.ignored)} if results.ignored else {}))
    popular, top_categories = [], []
    if not results.total:
        popular = browse.product_row(db.session, "popular", limit=8)
        top_categories = browse.top_categories(db.session, g.shopper.locale)
    state = {"q": text, "category": category.slug if category else None, "brand": brand,
             "sort": None if sort == "relevance" else sort}

    def page_url(**changes):
        args = {**filters.args(sort=None), **{k: v for k, v in state.items() if v}, **changes}
        return url_for("catalog.search", **{k: v for k, v in args.items() if v not in (None, "")})

    return render_page(
        "catalog/search.html",
        blocks=("results", "load_more"),
        search_text=text,
        filters=filters,
        sort=sort,
        sorts=search_service.SEARCH_SORTS,
        state=state,
        hidden_state={k: v for k, v in state.items() if v and k != "sort"},
        page=results,
        search_ref=search_ref,
        popular=popular,
        top_categories=top_categories,
        facet_categories=_facet_categories(results.facets.get("category", {})),
        ratings=browse.RATINGS,
        page_url=page_url,
    )


def _facet_categories(counts: dict[str, int]) -> list[tuple[Category, int]]:
    """Top-level and second-level categories among the facet counts, most results first."""
    ids = [int(i) for i in counts if i.isdigit()]
    if not ids:
        return []
    nodes = db.session.scalars(select(Category).where(Category.id.in_(ids))).all()
    shown = [c for c in nodes if c.parent_id is None or c.parent_id in ids]
    return sorted(((c, counts[str(c.id)]) for c in shown), key=lambda pair: -pair[1])[:12]


@bp.get("/search/suggest")
@limiter.limit(configured("RATELIMIT_SUGGEST"))
def suggest():
    """Autocomplete: at most eight products for what has been typed, as an accessible listbox."""
    text = " ".join((request.args.get("q") or "").split())[:200]
    items, highlights = search_service.suggest_products(db.session, search_service.search_backend(), text,
                                                        g.shopper.locale)
    return render_page("catalog/suggest.html", blocks=("suggestions",), items=items, highlights=highlights, search_text=text)


from . import product_views  # noqa: E402,F401  (registers product and compare pages on bp)
