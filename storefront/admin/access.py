"""Who may use the platform's admin pages: logged-in admin accounts only."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user


def admin_required(view):
    """View decorator: anyone but a logged-in admin, anonymous visitors included, gets 404.

    A 404 rather than a login page or a 403, so the admin pages do not even show that they exist.
    """

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not (current_user.is_authenticated and current_user.is_admin):
            abort(404)
        return view(*args, **kwargs)

    return wrapped
