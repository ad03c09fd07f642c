"""The store of the logged-in account (the seller center checks it on every view; pages show owners their links)."""
from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from .models import Seller


def my_store() -> Seller | None:
    """The store the logged-in user owns, if any."""
    if not current_user.is_authenticated:
        return None
    return db.session.scalar(select(Seller).where(Seller.owner_id == current_user.id))
