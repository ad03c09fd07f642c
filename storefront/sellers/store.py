"""What a seller's store page needs beyond the shared product listing."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Offer


def store_offer_ids(session: Session, seller_id: int, product_ids: list[int]) -> dict[int, int]:
    """For each listed product, this seller's published offer of it (the first one if several).

    A product opened from the store page then shows this store's offer, not the cheapest seller's.
    """
    if not product_ids:
        return {}
    rows = session.execute(
        select(Offer.product_id, Offer.id)
        .where(Offer.seller_id == seller_id, Offer.product_id.in_(product_ids), Offer.is_published.is_(True))
        .order_by(Offer.id.desc())
    ).all()
    return {product_id: offer_id for product_id, offer_id in rows}  # lowest id wins: it is written last
