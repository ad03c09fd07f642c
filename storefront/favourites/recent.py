"""Recently viewed products: the newest RECENT_LIMIT per visitor, a list of ids in the session for guests and
rows for members, merged at login. No request here: callers pass the user id or the session's list."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..catalog.models import Product
from .models import RecentView

RECENT_LIMIT = 20


def guest_ids(raw) -> list[int]:
    """The product ids of a guest's session list, newest first (bad entries dropped, at most RECENT_LIMIT)."""
    seen: list[int] = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, int) and not isinstance(item, bool) and item not in seen:
            seen.append(item)
    return seen[:RECENT_LIMIT]


def guest_viewed(raw, product_id: int) -> list[int]:
    """A guest's list after viewing `product_id`: it moves to the front; the oldest beyond the limit drop."""
    return [product_id, *(i for i in guest_ids(raw) if i != product_id)][:RECENT_LIMIT]


def member_ids(session: Session, user_id: int) -> list[int]:
    """The products a member viewed, newest first."""
    return list(session.scalars(select(RecentView.product_id).where(RecentView.user_id == user_id)
                                .order_by(RecentView.viewed_at.desc(), RecentView.id.desc()).limit(RECENT_LIMIT)))


def _touch(session: Session, user_id: int, product_id: int, when: datetime) -> None:
    """Insert or refresh one view; a concurrent insert of the same view (two tabs) becomes a refresh."""
    changed = session.execute(update(RecentView).where(RecentView.user_id == user_id,
                                                       RecentView.product_id == product_id)
                              .values(viewed_at=when)).rowcount
    if changed:
        return
    try:
        with session.begin_nested():
            session.add(RecentView(user_id=user_id, product_id=product_id, viewed_at=when))
    except IntegrityError:
        session.execute(update(RecentView).where(RecentView.user_id == user_id, RecentView.product_id == product_id)
                        .values(viewed_at=when))


def _trim(session: Session, user_id: int) -> None:
    """Keep the member's newest RECENT_LIMIT views."""
    keep = select(RecentView.id).where(RecentView.user_id == user_id).order_by(
        RecentView.viewed_at.desc(), RecentView.id.desc()).limit(RECENT_LIMIT)
    session.execute(delete(RecentView).where(RecentView.user_id == user_id, RecentView.id.not_in(
        select(keep.subquery().c.id))))


def member_viewed(session: Session, user_id: int, product_id: int, now: datetime) -> None:
    """Record that a member viewed a product now (moved to the front), keeping the newest RECENT_LIMIT. Commits."""
    _touch(session, user_id, product_id, now)
    _trim(session, user_id)
    session.commit()


def clear_member(session: Session, user_id: int) -> None:
    """Forget every product a member viewed. Commits."""
    session.execute(delete(RecentView).where(RecentView.user_id == user_id))
    session.commit()


def merge_guest_views(session: Session, user_id: int, raw, now: datetime) -> None:
    """At login: this browser's views (the latest, they just happened) go in front of the member's. Commits."""
    ids = guest_ids(raw)
    known = set(session.scalars(select(Product.id).where(Product.id.in_(ids)))) if ids else set()
    for position, product_id in enumerate(ids):
        if product_id in known:
            # One microsecond apart keeps the guest's order without jumping ahead of real later views.
            _touch(session, user_id, product_id, now - timedelta(microseconds=position))
    _trim(session, user_id)
    session.commit()
