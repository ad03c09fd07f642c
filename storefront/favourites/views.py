"""Favourites and recently viewed: the heart's form post (HTMX swaps the heart in place), the favourites page,
clearing recently viewed, the merge at login, and the helpers other pages' templates use."""
from __future__ import annotations

import re

from flask import Blueprint, abort, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, user_logged_in

from ..core.clock import utcnow
from ..core.htmx import hx_target, render_page
from ..core.page_parts import provide
from ..core.security import safe_next
from ..currency.services import current_rates
from ..extensions import db
from . import recent, services

bp = Blueprint("favourites", __name__, url_prefix="/<lang:locale>")

FAVOURITES_KEY = "favourites"      # session: a guest's saved products (see services' guest list)
RECENT_KEY = "recently_viewed"     # session: a guest's viewed product ids, newest first
HEART_ID = re.compile(r"fav-(?:[a-z]{1,20}-)?[0-9]{1,12}")  # the heart's element id: fav-<id> or fav-<row>-<id>


@bp.record_once
def install(state) -> None:
    """The product page records views through a page part; every template may ask what is saved or viewed."""
    provide(state.app, "record_view", record_view)

    @state.app.context_processor
    def favourite_globals() -> dict:
        return {"favourite_ids": favourite_ids, "recently_viewed": recently_viewed}


def _member_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def favourite_ids() -> set[int]:
    """The products this visitor saved (one query per request, for every heart on the page)."""
    if "favourite_ids" not in g:
        user_id = _member_id()
        g.favourite_ids = (services.member_favourite_ids(db.session, user_id) if user_id is not None
                           else {pid for pid, _mark in services.clean_guest_entries(session.get(FAVOURITES_KEY))})
    return g.favourite_ids


def recently_viewed(limit: int = recent.RECENT_LIMIT, exclude: int | None = None) -> list:
    """The products this visitor viewed last, newest first (for home, an empty cart, an empty search)."""
    user_id = _member_id()
    ids = recent.member_ids(db.session, user_id) if user_id is not None else recent.guest_ids(session.get(RECENT_KEY))
    return services.load_products(db.session, [i for i in ids if i != exclude][:limit])


def record_view(product_id: int) -> None:
    """The product page was opened: it goes to the front of this visitor's recently viewed."""
    user_id = _member_id()
    if user_id is None:
        session[RECENT_KEY] = recent.guest_viewed(session.get(RECENT_KEY), product_id)
    else:
        recent.member_viewed(db.session, user_id, product_id, utcnow())


@user_logged_in.connect
def merge_at_login(sender, user, **extra) -> None:
    """Flask-Login's login signal: this browser's guest favourites and views join the account's."""
    services.merge_guest_favourites(db.session, user.id, session.pop(FAVOURITES_KEY, None), utcnow())
    recent.merge_guest_views(db.session, user.id, session.pop(RECENT_KEY, None), utcnow())


@bp.get("/favourites")
def page():
    """The visitor's favourites: what each cost when saved, a price drop or restock since, and a way to remove it."""
    user_id = _member_id()
    items = (services.member_favourites(db.session, user_id) if user_id is not None
             else services.guest_favourites(db.session, session.get(FAVOURITES_KEY)))
    return render_page("favourites/favourites.html", items=items)


@bp.post("/favourites/<int:product_id>")
def toggle(product_id: int):
    """Save or remove a product (the form says which, so a repeated post changes nothing more).

    HTMX swaps the heart that was pressed; without JavaScript the shopper returns to the page they were on.
    """
    product = services.load_products(db.session, [product_id])
    if not product:
        abort(404)
    product = product[0]
    adding = request.form.get("action") != "remove"
    user_id = _member_id()
    if user_id is not None:
        if adding:
            services.save_member_favourite(db.session, user_id, product, current_rates())
        else:
            services.remove_member_favourite(db.session, user_id, product.id)
    elif adding:
        session[FAVOURITES_KEY] = services.guest_add(session.get(FAVOURITES_KEY),
                                                     services.guest_entry(product, current_rates()))
    else:
        session[FAVOURITES_KEY] = services.guest_remove(session.get(FAVOURITES_KEY), product.id)
    g.pop("favourite_ids", None)
    target = hx_target() or ""
    if HEART_ID.fullmatch(target) and target.rsplit("-", 1)[1] == str(product.id):
        response = render_page("favourites/_heart.html", product_id=product.id, element_id=target,
                               next_url=request.form.get("next", ""))
        return response
    flash(_("Saved to your favourites.") if adding else _("Removed from your favourites."), "success")
    return redirect(safe_next(request.form.get("next"), url_for("favourites.page")), 303)


@bp.post("/recently-viewed/clear")
def clear_recent():
    """Forget the products this visitor viewed."""
    user_id = _member_id()
    if user_id is None:
        session.pop(RECENT_KEY, None)
    else:
        recent.clear_member(db.session, user_id)
    if hx_target() == "recently_viewed":
        return render_page("favourites/_recent_cleared.html")
    flash(_("Your recently viewed products were cleared."), "success")
    return redirect(safe_next(request.form.get("next"), url_for("catalog.home")), 303)
