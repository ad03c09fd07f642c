"""The product page (offers compared by landed cost to the shopper's door) and the compare list."""
from __future__ import annotations

import re

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.clock import today, utcnow
from ..core.page_parts import part
from ..core.htmx import hx_target, render_page
from ..core.security import safe_next
from ..core.untrusted import small_int
from ..core.i18n import COOKIE_COUNTRY, COOKIE_MAX_AGE, ShopperContext, valid_country
from ..currency.services import current_rates
from ..extensions import db
from ..core.events import record_event
from ..sellers.models import Offer
from . import offers as offer_rules
from .models import Product
from .services import category_trail
from .views import bp

COMPARE_LIMIT = 4


def load_product(product_id: int) -> Product | None:
    """A product with its offers, their variants and sellers loaded in five statements."""
    found = load_products([product_id])
    return found[0] if found else None


def load_products(product_ids: list[int]) -> list[Product]:
    """Products in the order of `product_ids` (unknown ids left out), with their offers, variants, sellers and
    category, in five statements however many there are."""
    rows = db.session.scalars(
        select(Product).where(Product.id.in_(product_ids)).options(
            selectinload(Product.offers).selectinload(Offer.variants),
            selectinload(Product.offers).selectinload(Offer.seller),
            selectinload(Product.category),
        )
    ).all()
    by_id = {p.id: p for p in rows}
    return [by_id[i] for i in product_ids if i in by_id]



def product_context(product: Product, shopper: ShopperContext) -> dict:
    """Everything the product page shows for this shopper, from the query string's choices.

    The options chosen are looked up across every seller: a combination the chosen seller lacks
    moves the page to the best offer that has it, instead of showing something else.
    """
    offers = [o for o in product.offers if o.is_published and o.variants]
    rates = current_rates()
    args = request.args
    wanted = {k[2:]: v for k, v in args.items() if k.startswith("o_")}
    sort = args.get("sort") if args.get("sort") in offer_rules.OFFER_SORTS else "landed"
    notices = []
    every_variant = [v for o in offers for v in o.variants]
    priced = {"country": shopper.country, "currency": shopper.currency, "rates": rates, "today": today()}
    requested = None
    if small_int(args.get("offer")) is not None:
        requested = next((o for o in offers if o.id == small_int(args["offer"])), None)
    if not offers:
        return {"offers": [], "rows": [], "selected": None, "notices": notices, "sort": sort, "seller_stats": {}}
    if any(wanted.values()):
        combination, known = offer_rules.choose_options(every_variant, wanted)
        if not known:
            notices.append(_("That combination is not available from this seller; showing the closest one."))
        having = offer_rules.offers_with(offers, combination)
        rows = offer_rules.compare_offers(offers, combination, 1, sort="landed", **priced)
        chosen = requested if requested is not None and requested.id in having else next(
            (r.offer for r in rows if r.offer.id in having), rows[0].offer)
        if requested is not None and chosen is not requested:
            notices.append(_("%(seller)s does not offer this option; showing the best offer that does.",
                             seller=requested.seller.name))
    else:
        rows = offer_rules.compare_offers(offers, {}, 1, sort="landed", **priced)
        chosen = requested or rows[0].offer
    stats = part("seller_stats", db.session, {o.seller_id for o in offers}, now=utcnow(), default={})
    variant, _exact = offer_rules.pick_variant(list(chosen.variants), combination if any(wanted.values()) else {})
    quantity, changed = offer_rules.clamp_quantity(args.get("qty"), variant.stock)
    if changed and args.get("qty") is not None:
        notices.append(_("Quantity set to %(num)s: the seller has %(stock)s in stock.", num=quantity,
                         stock=variant.stock) if variant.stock > 0 else _("This option is sold out."))
    selected = offer_rules.price_offer(chosen, variant, quantity, **priced)
    rows = offer_rules.compare_offers(offers, dict(variant.options), quantity, sort=sort,
                                      positive={i: s.positive_share for i, s in stats.items()}, **priced)
    return {
        "offers": offers,
        "rows": rows,
        "selected": selected,
        "option_values": offer_rules.option_values(every_variant),
        "picker": offer_rules.option_picker(every_variant, dict(variant.options)),
        "notices": notices,
        "sort": sort,
        "sorts": offer_rules.OFFER_SORTS,
        "seller_stats": stats,
    }


@bp.get("/p/<int:product_id>")
@bp.get("/p/<int:product_id>-<slug>")
def product(product_id: int, slug: str | None = None):
    """A product: gallery, texts, the chosen offer's variants, delivery to my country, every offer compared."""
    item = load_product(product_id)
    if item is None:
        abort(404)
    if slug != item.slug and not hx_target():
        query = request.query_string.decode()
        target = url_for("catalog.product", product_id=item.id, slug=item.slug)
        return redirect(target + (f"?{query}" if query else ""), 301)
    sid, pos = request.args.get("sid", ""), request.args.get("pos", "")
    if re.fullmatch(r"[0-9a-f]{12}", sid) and pos.isdigit() and not hx_target():
        record_event("search_click", search_id=sid, position=min(int(pos), 100_000), product_id=item.id)
    if hx_target() not in ("purchase", "reviews"):  # a page load; its variant and review swaps are part of it
        record_event("product_view", product_id=item.id)
    # Each block gets only what it shows: review filters need no offer pricing, and the reverse.
    context = {} if hx_target() == "reviews" else product_context(item, g.shopper)
    if hx_target() != "purchase":
        context |= part("product_reviews", item, request.args, default={})
    response = render_page(
        "catalog/product.html",
        blocks=("purchase", "reviews"),
        product=item,
        trail=category_trail(item.category),
        in_compare=item.id in session.get("compare", []),
        compare_count=len(session.get("compare", [])),
        **context,
    )
    if hx_target() not in ("purchase", "reviews"):  # a page load, as for the product_view event
        # Recently viewed (favourites provides it): after rendering, as a member's view commits a row.
        part("record_view", item.id)
    return response


@bp.post("/p/<int:product_id>/ship-to")
def product_ship_to(product_id: int):
    """Change the ship-to country from the product page; HTMX gets the re-priced purchase block."""
    item = load_product(product_id)
    if item is None:
        abort(404)
    country = valid_country(request.form.get("country")) or g.shopper.country
    shopper = ShopperContext(g.shopper.locale, g.shopper.currency, country)
    g.shopper = shopper
    if hx_target() == "purchase":
        response = render_page("catalog/product.html", blocks=("purchase",), product=item,
                               trail=category_trail(item.category), **product_context(item, shopper))
    else:
        response = redirect(url_for("catalog.product", product_id=item.id, slug=item.slug,
                                    **request.args.to_dict()), 303)
    response.set_cookie(COOKIE_COUNTRY, country, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True,
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def _compare_ids() -> list[int]:
    return [i for i in session.get("compare", []) if isinstance(i, int)][:COMPARE_LIMIT]


@bp.post("/compare")
def compare_toggle():
    """Add a product to, or remove it from, the compare list (at most four)."""
    raw = request.form.get("product_id", "")
    ids = _compare_ids()
    product_id = small_int(raw)
    item = db.session.get(Product, product_id) if product_id else None
    if item is None:
        abort(404)
    if request.form.get("action") == "remove":
        ids = [i for i in ids if i != item.id]
    elif item.id not in ids:
        if len(ids) >= COMPARE_LIMIT:
            flash(_("You can compare up to %(num)s products. Remove one first.", num=COMPARE_LIMIT), "error")
        else:
            ids.append(item.id)
    session["compare"] = ids
    if hx_target() == "compare_button":
        return render_page("catalog/product.html", blocks=("compare_button",), product=item,
                           in_compare=item.id in ids, compare_count=len(ids))
    return redirect(safe_next(request.form.get("next"), url_for("catalog.compare")), 303)


@bp.get("/compare")
def compare():
    """The compare list side by side: specifications, best landed price to my country, ratings."""
    ids = _compare_ids()
    products = load_products(ids)
    shopper, rates = g.shopper, current_rates()
    best = {}
    for p in products:
        rows = offer_rules.compare_offers([o for o in p.offers if o.is_published and o.variants], {}, 1,
                                          country=shopper.country, currency=shopper.currency, rates=rates,
                                          today=today())
        best[p.id] = rows[0] if rows else None
    return render_page("catalog/compare.html", products=products, best=best)


@bp.post("/p/<int:product_id>/choose")
def product_choose(product_id: int):
    """Without JavaScript, the add form's "Update" button: show the product with the options and quantity
    chosen in it (posted, so the form's CSRF and add tokens never reach the address bar)."""
    item = db.session.get(Product, product_id)
    if item is None:
        abort(404)
    args = {k: v for k, v in request.form.items() if k.startswith("o_") or k in ("offer", "qty")}
    return redirect(url_for("catalog.product", product_id=item.id, slug=item.slug, **args), 303)
