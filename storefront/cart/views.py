"""Cart pages: add, change, remove, save for later, choose shipping; HTMX updates the mini-cart out of band."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _

from ..core.errors import InvalidInput, NotFound
from ..core.clock import today, utcnow
from ..core.htmx import hx_target, render_page
from ..core.security import safe_next
from ..core.untrusted import small_int
from ..currency.services import current_rates
from ..extensions import db
from ..core.events import record_event
from . import services
from .current import BUY_NOW_KEY, current_cart, remember_count
from .models import BUY_NOW, Cart

bp = Blueprint("cart", __name__, url_prefix="/<lang:locale>/cart")


def cart_count() -> int:
    """Units in the visitor's cart, for the header (one query; none without a cart)."""
    if "cart_count" not in g:
        g.cart_count = services.line_count(db.session, current_cart())
    return g.cart_count


@bp.app_context_processor
def cart_globals() -> dict:
    """The header's mini-cart count, on every page."""
    return {"cart_count": cart_count, "new_add_token": services.new_add_token}


def priced_cart(cart: Cart | None):
    """The cart priced for this shopper, or None."""
    if cart is None:
        return None
    services.load_cart_lines(db.session, cart)
    shopper = g.shopper
    summary = services.price_cart(cart, country=shopper.country, currency=shopper.currency, rates=current_rates(),
                                  today=today())
    remember_count(cart, summary)
    return summary


def _int(name: str, default: int | None = None) -> int | None:
    number = small_int(request.form.get(name, "").strip())
    return default if number is None else number


def _cart_page(status: int = 200):
    g.pop("cart_count", None)
    cart = current_cart()
    return render_page("cart/cart.html", blocks=("cart_body",), summary=priced_cart(cart), cart=cart), status


@bp.get("/")
def show():
    """The cart, re-priced and re-checked now, grouped into one package per seller."""
    session.pop(BUY_NOW_KEY, None)  # back at the cart: checking out from here buys the cart
    return _cart_page()


def _chosen_variant_id() -> int | None:
    """The variant the add form names: its offer plus the options chosen on it (the controls the shopper
    sees), or a plain variant_id (forms without a picker).

    :raises NotFound: unknown offer.
    :raises InvalidInput: this seller has no variant with those options.
    """
    offer_id = _int("offer")
    if offer_id is not None:
        options = {k[2:]: v for k, v in request.form.items() if k.startswith("o_")}
        return services.resolve_variant(db.session, offer_id, options).id
    return _int("variant_id")


def _product_page_with_choices() -> str:
    """Back to the product page the form came from, showing what was chosen (offer, options, quantity)."""
    back = safe_next(request.form.get("next"), url_for("catalog.home"))
    path = back.split("?", 1)[0]
    args = {k: v for k, v in request.form.items() if k.startswith("o_") or k in ("offer", "qty")}
    return path + ("?" + urlencode(args) if args else "")


@bp.post("/add")
def add():
    """Add what the add form shows chosen; HTMX updates the form's status in place, else the cart page opens.

    The form's idempotency token makes a double tap or a resubmitted page add once; every answer carries
    a fresh token for the next, deliberate, add.
    """
    quantity = _int("qty") if request.form.get("qty", "") != "" else 1
    token = request.form.get("add_token")
    error = None
    added = True
    try:
        variant_id = _chosen_variant_id()
        if variant_id is None:
            raise NotFound("variant")
        if quantity is None:
            raise InvalidInput("quantity")
        cart = current_cart(create=True)
        line = services.add_item(db.session, cart, variant_id, quantity,
                                 token=token if services.valid_add_token(token) else None, now=utcnow())
        db.session.commit()
        added = line is not None
        if added:
            record_event("add_to_cart", variant_id=variant_id, quantity=quantity)
    except NotFound:
        db.session.rollback()
        abort(404)
    except InvalidInput as exc:  # sold out, a combination the seller lacks, a quantity out of stock
        db.session.rollback()
        error = _add_refused(exc)
    g.pop("cart_count", None)
    if hx_target() == "add_to_cart":
        return render_page("cart/added.html", blocks=("add_to_cart",), error=error, added=added,
                           add_token=services.new_add_token()), (400 if error else 200)
    if error:
        flash(error, "error")
        return redirect(_product_page_with_choices(), 303)
    if added:
        flash(_("Added to your cart."), "success")
    return redirect(url_for("cart.show"), 303)


def _add_refused(exc: InvalidInput) -> str:
    """What the shopper is told when Add to cart or Buy now changed nothing."""
    if isinstance(exc, services.SoldOut):
        return _("Sorry, this option just sold out.")
    if isinstance(exc, services.CombinationUnavailable):
        return _("This seller does not offer that combination. Please check your choice and try again.")
    return _("Please choose a quantity the seller has in stock.")


@bp.post("/buy-now")
def buy_now():
    """Buy the chosen variant and quantity alone, straight to checkout; the cart is left untouched."""
    quantity = _int("qty") if request.form.get("qty", "") != "" else 1
    error = None
    try:
        variant_id = _chosen_variant_id()
        if variant_id is None:
            raise NotFound("variant")
        if quantity is None:
            raise InvalidInput("quantity")
        cart = services.find_buy_now_cart(db.session, session.get(BUY_NOW_KEY))
        if cart is None:
            cart = services.new_cart(db.session, kind=BUY_NOW)
        services.buy_now(db.session, cart, variant_id, quantity)
        db.session.commit()
        session[BUY_NOW_KEY] = cart.token
    except NotFound:
        db.session.rollback()
        abort(404)
    except InvalidInput as exc:  # sold out, a combination the seller lacks, a quantity out of stock
        db.session.rollback()
        error = _add_refused(exc)
    if hx_target() == "add_to_cart":  # the add form posted in place: say what went wrong there, or leave
        if error:
            return render_page("cart/added.html", blocks=("add_to_cart",), error=error,
                               add_token=services.new_add_token()), 400
        return "", 204, {"HX-Redirect": url_for("checkout.start")}
    if error:
        flash(error, "error")
        return redirect(_product_page_with_choices(), 303)
    return redirect(url_for("checkout.start"), 303)


@bp.post("/lines/<int:line_id>")
def change_line(line_id: int):
    """Update a line's quantity, remove it, or move it between the cart and "saved for later"."""
    cart = current_cart()
    if cart is None:
        abort(404)
    action = request.form.get("action", "update")
    status = 200
    try:
        if action == "remove":
            services.remove_line(db.session, cart, line_id)
        elif action in ("save", "move"):
            services.save_for_later(db.session, cart, line_id, saved=action == "save")
        else:
            quantity = _int("qty")
            if quantity is None:
                raise InvalidInput("quantity")
            services.set_quantity(db.session, cart, line_id, quantity)
        db.session.commit()
    except NotFound:
        db.session.rollback()
        abort(404)
    except InvalidInput:
        db.session.rollback()
        flash(_("Please choose a quantity the seller has in stock."), "error")
        status = 400
    if hx_target() == "cart_body":
        return _cart_page(status)
    return redirect(url_for("cart.show"), 303)


@bp.post("/shipping")
def choose_shipping():
    """Choose the shipping method for one seller's package."""
    cart = current_cart()
    seller_id, method = _int("seller_id"), request.form.get("method", "")
    if cart is None or seller_id is None or method not in ("economy", "standard", "express"):
        abort(404)
    services.choose_shipping(db.session, cart, seller_id, method)
    db.session.commit()
    if hx_target() == "cart_body":
        return _cart_page()
    return redirect(safe_next(request.form.get("next"), url_for("cart.show")), 303)
