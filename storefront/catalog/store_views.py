"""Seller store pages as shoppers see them: the store's card and its products, browsed like a category."""
from __future__ import annotations

from flask import Blueprint, abort, request, url_for
from sqlalchemy import func, select

from ..core.clock import utcnow
from ..core.page_parts import part
from ..core.htmx import render_page
from ..extensions import db
from ..sellers.models import Offer, Seller
from . import browse
from .filters import parse_filters
from .views import listing_query, with_free_shipping
from ..sellers.store import store_offer_ids

bp = Blueprint("sellers", __name__, url_prefix="/<lang:locale>")  # named for the URLs it has always had


@bp.get("/store/<handle>")
def store(handle: str):
    """A seller's store: who they are, where they ship from, and their products."""
    seller = db.session.scalar(select(Seller).where(Seller.handle == handle))
    if seller is None:
        abort(404)
    filters = parse_filters(request.args)
    page = with_free_shipping(browse.browse_products(db.session, listing_query(filters, seller_id=seller.id)))
    listings = db.session.scalar(
        select(func.count(Offer.id)).where(Offer.seller_id == seller.id, Offer.is_published.is_(True))
    )
    return render_page(
        "sellers/store.html",
        blocks=("results", "load_more"),
        seller=seller,
        listings=listings,
        stats=part("seller_stats", db.session, [seller.id], now=utcnow(), default={}).get(seller.id),
        response=part("seller_response", db.session, [seller.id], now=utcnow(), default={}).get(seller.id),
        filters=filters,
        page=page,
        offer_ids=store_offer_ids(db.session, seller.id, [p.id for p in page.items]),
        ships_from_choices=browse.ships_from_countries(db.session, seller_id=seller.id),
        ratings=browse.RATINGS,
        sorts=browse.SORTS,
        page_url=lambda **changes: url_for("sellers.store", handle=handle, **filters.args(**changes)),
    )
