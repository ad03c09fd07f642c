"""'More like this': one page with the three rows for shoppers without JavaScript; with it, the product page
loads each row as a block of that page when it scrolls into view (hx-trigger="revealed")."""
from __future__ import annotations

from flask import Blueprint, abort, g, request
from sqlalchemy import select

from ..catalog.models import Product
from ..core.htmx import hx_target, render_page
from ..core.untrusted import small_int
from ..extensions import db
from ..sellers.models import Offer, Seller
from . import services

bp = Blueprint("recommendations", __name__, url_prefix="/<lang:locale>")

ROWS = ("more_store", "similar_items", "also_bought")


@bp.get("/p/<int:product_id>/more")
def more(product_id: int):
    """More from the store (the one the shopper was looking at, `seller`), similar items, also bought."""
    product = db.session.get(Product, product_id)
    if product is None:
        abort(404)
    offers = {o.seller_id: o for o in db.session.scalars(
        select(Offer).where(Offer.product_id == product.id, Offer.is_published.is_(True)).order_by(Offer.id))}
    wanted = small_int(request.args.get("seller"))
    seller_id = wanted if wanted in offers else next(iter(offers), None)
    target = hx_target()
    rows = [target] if target in ROWS else list(ROWS)
    context = {
        "more_store": (services.more_from_store(db.session, product, seller_id)
                       if "more_store" in rows and seller_id is not None else []),
        "similar_items": services.similar_items(db.session, product, g.shopper.locale) if "similar_items" in rows else [],
        "also_bought": services.also_bought(db.session, product) if "also_bought" in rows else [],
    }
    return render_page("recommendations/more.html", blocks=ROWS, product=product,
                       seller=db.session.get(Seller, seller_id) if seller_id is not None else None, **context)
