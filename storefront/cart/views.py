"""Cart pages: add, change, remove, save for later, choose shipping; HTMX updates the mini-cart out of band."""
from __future__ import annotations


from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _

from ..core.errors import InvalidInput, NotFound
from ..core.clock import today
from ..core.htmx import hx_target, render_page
from ..currency.services import current_rates
from ..extensions import db
from ..core.events import record_event
from . import services
from .current import current_cart
from .models import Cart

bp = Blueprint("cart", __name__, url_prefix="/<lang:locale>/cart")


def cart_count() -> int:
    """Units in the visitor's cart, for the header (one query; none without a cart)."""
    if "cart_count" not in g:
        g.cart_count = services.line_count(db.session, current_cart())
    return g.cart_count


@bp.app_context_processor
def cart_globals() -> dict:
    """The header's mini-cart count, on every page."""
    return {"cart_count": cart_count}


def priced_cart(cart: Cart | None):
    """The cart priced for this shopper, or None."""
    if cart is None:
        return None
    services.load_cart_lines(db.session, cart)
    shopper = g.shopper
    return services.price_cart(cart, country=shopper.country, currency=shopper.currency, rates=current_rates(),
                               today=today())


def _int(name: str, default: int | None = None) -> int | None:
    try:
        return int(request.form.get(name, ""))
    except ValueError:
        return default


def _cart_page(status: int = 200):
    g.pop("cart_count", None)
    cart = current_cart()
    return render_page("cart/cart.html", blocks=("cart_body",), summary=priced_cart(cart), cart=cart), status


@bp.get("/")
def show():
    """The cart, re-priced and re-checked now, grouped into one package per seller."""
    return _cart_page()


@bp.post("/add")
def add():
    """Add a variant; the product page's button updates in place with HTMX, or the cart page opens."""
    variant_id = _int("variant_id")
    quantity = _int("qty") if request.form.get("qty", "") != "" else 1
    cart = current_cart(create=True)
    error = None
    try:
        if variant_id is None:
            raise NotFound("variant")
        if quantity is None:
            raise InvalidInput("quantity")
        services.add_item(db.session, cart, variant_id, quantity)
        db.session.commit()
        record_event("add_to_cart", variant_id=variant_id, quantity=quantity)
    except services.SoldOut:
        db.session.rollback()
        error = _("Sorry, this option just sold out.")
    except InvalidInput:
        db.session.rollback()
        error = _("Please choose a quantity the seller has in stock.")
    except NotFound:
        db.session.rollback()
        abort(404)
    g.pop("cart_count", None)
    if hx_target() == "add_to_cart":
        return render_page("cart/added.html", blocks=("add_to_cart",), error=error), (400 if error else 200)
    if error:
        flash(error, "error")
        return redirect(request.form.get("next") if _safe(request.form.get("next")) else url_for("cart.show"), 303)
    flash(_("Added to your cart."), "success")
    return redirect(url_for("cart.show"), 303)


def _safe(target: str | None) -> bool:
    return bool(target) and target.startswith("/") and not target.startswith("//")


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
    return redirect(request.form.get("next") if _safe(request.form.get("next")) else url_for("cart.show"), 303)
