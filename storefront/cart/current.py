"""This visitor's cart, for any view that needs it (cart, checkout, the header), and the merge at login."""
from __future__ import annotations

from flask import g, session
from flask_login import current_user, user_logged_in

from ..extensions import db
from . import services
from .models import CART, Cart

SESSION_KEY = "cart_token"
BUY_NOW_KEY = "buy_now_token"   # the session's "Buy now" cart; checkout uses it while it is set


def current_cart(create: bool = False) -> Cart | None:
    """This visitor's cart: the account's when logged in, else the guest cart named in the session."""
    user_id = current_user.id if current_user.is_authenticated else None
    cart = services.find_cart(db.session, user_id=user_id, token=session.get(SESSION_KEY))
    if cart is None and create:
        cart = services.new_cart(db.session, user_id)
        if user_id is None:
            session[SESSION_KEY] = cart.token
    return cart


def checkout_cart() -> Cart | None:
    """The cart checkout buys: the "Buy now" cart while a Buy now checkout is under way, else the cart."""
    buy_now = services.find_buy_now_cart(db.session, session.get(BUY_NOW_KEY))
    if buy_now is not None and buy_now.lines:
        return buy_now
    return current_cart()


def remember_count(cart: Cart, summary: services.CartSummary) -> None:
    """Give the header's mini-cart its count from a cart just priced (the shopper's cart, not a "Buy now" one),
    so the page does not count the lines again."""
    if cart.kind == CART:
        g.cart_count = summary.count


@user_logged_in.connect
def merge_guest_cart_at_login(sender, user, **extra) -> None:
    """Flask-Login's login signal: this browser's guest cart joins the account's (accounts knows nothing of carts)."""
    merge_guest_cart_into(user.id)


def merge_guest_cart_into(user_id: int) -> None:
    """At login: move the guest cart of this browser into the account's cart."""
    guest = services.find_cart(db.session, user_id=None, token=session.pop(SESSION_KEY, None))
    if guest is None:
        return
    mine = services.find_cart(db.session, user_id=user_id, token=None)
    if mine is None:
        guest.user_id = user_id
    else:
        services.merge_carts(db.session, guest, mine)
    db.session.commit()
