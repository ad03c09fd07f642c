"""The buyer's order pages: the list of my orders and one order's detail."""
from __future__ import annotations

from flask import Blueprint, abort, session
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.errors import NotFound
from ..core.htmx import render_page
from ..extensions import db
from .models import Order
from .services import order_for_buyer

bp = Blueprint("orders", __name__, url_prefix="/<lang:locale>/orders")


@bp.get("/")
@login_required
def mine():
    """My orders, newest first."""
    orders = db.session.scalars(
        select(Order).where(Order.user_id == current_user.id).order_by(Order.id.desc())
        .options(selectinload(Order.lines), selectinload(Order.seller)).limit(100)
    ).all()
    return render_page("orders/list.html", orders=orders)


@bp.get("/<number>")
def detail(number: str):
    """One order: status, lines, totals in the paid currency, payment and its history."""
    try:
        order = order_for_buyer(db.session, number,
                                user_id=current_user.id if current_user.is_authenticated else None,
                                checkout_refs=session.get("checkouts", []))
    except NotFound:
        abort(404)
    return render_page("orders/detail.html", order=order)
