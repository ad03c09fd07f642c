"""Who may use the seller center: logged-in seller accounts, each only for the store they own."""
from __future__ import annotations

from functools import wraps

from flask import abort, g
from flask_login import current_user

from ..extensions import login_manager
from ..sellers.access import my_store


def seller_required(view):
    """View decorator: anonymous visitors go to the login page; accounts without a store get 404.

    The store is put on `g.store`; every query in a seller view must be scoped to it.
    """

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        store = my_store()
        if store is None or not current_user.is_seller:
            abort(404)
        g.store = store
        return view(*args, **kwargs)

    return wrapped
