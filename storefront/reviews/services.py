"""Feedback rules: who may review which order line and when, one edit, photos, helpful votes, seller replies.
The figures built from reviews live in ratings.py."""
from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..catalog.models import Product
from ..core.effects import before_commit
from ..core.errors import DomainError, FieldError, Forbidden, NotFound
from ..extensions import begin_write
from ..core.events import record_system_event
from ..orders.dispute_mail import review_replied
from ..orders.models import Checkout, Order, OrderEvent, OrderLine
from ..orders.services import order_for_buyer
from ..sellers.images import encode_image, thumbnail_path
from ..sellers.models import Seller
from .models import HelpfulVote, Review
from .ratings import SELLER_RATINGS, STARS, refresh_product_rating

FEEDBACK_WINDOW = timedelta(days=30)           # after completion, the buyer may review (and edit once)
TEXT_MAX = 4000
REPLY_MAX = 1000
MAX_PHOTOS = 3
PHOTO_FOLDER = "reviews"


class InvalidReview(FieldError):
    """Review input broke a rule: `field` is the form field, `code` the rule ('range', 'required', 'too_long',
    'too_many', or an image rejection reason from sellers.images)."""


class FeedbackRefused(DomainError):
    """Feedback is not possible now: `reason` is 'not_completed', 'window_closed', 'already_reviewed',
    'edit_used' or 'already_replied'."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Buyer:
    """Who claims to have bought: an account, and the guest checkouts this browser placed."""

    user_id: int | None
    checkout_refs: tuple[str, ...] = ()
    name: str = ""  # the account's name; guests are named from their delivery address


@dataclass(frozen=True)
class ReviewInput:
    """What the buyer wrote; stars arrive as given (int or text) and are checked here."""

    rating: int | str
    text: str
    item_as_described: int | str
    communication: int | str
    shipping_speed: int | str
    language: str
    photos: tuple[bytes, ...] = ()


def as_utc(moment: datetime) -> datetime:
    """`moment` with its time zone: SQLite gives stored times back without one, and they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def completed_at(order: Order) -> datetime | None:
    """When the order reached 'completed' (from its history), or None if it has not."""
    times = [as_utc(e.at) for e in order.events if e.to_status == "completed"]
    return max(times) if order.status == "completed" and times else None


def check_feedback_open(order: Order, now: datetime) -> None:
    """Feedback opens when an order completes and stays open for FEEDBACK_WINDOW.

    :raises FeedbackRefused: 'not_completed' or 'window_closed'.
    """
    done = completed_at(order)
    if done is None:
        raise FeedbackRefused("not_completed")
    if as_utc(now) > done + FEEDBACK_WINDOW:
        raise FeedbackRefused("window_closed")


def short_name(full_name: str) -> str:
    """How a reviewer is shown: 'Ana García' -> 'Ana G.'; a one-word name keeps its first letter only."""
    parts = (full_name or "").split()
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0][0] + "***"
    return f"{parts[0][:40]} {parts[-1][0]}."


def buyer_line(session: Session, number: str, line_id: int, buyer: Buyer) -> tuple[Order, OrderLine]:
    """An order line its buyer may review: the account's own order, or one this browser placed as a guest.

    :raises NotFound: for anyone else, and for lines that are not in that order.
    """
    order = order_for_buyer(session, number, user_id=buyer.user_id, checkout_refs=list(buyer.checkout_refs))
    line = next((ln for ln in order.lines if ln.id == line_id), None)
    if line is None or line.product_id is None:
        raise NotFound(f"{number}/{line_id}")
    return order, line


def review_of_line(session: Session, line_id: int) -> Review | None:
    """The review written for an order line, if any."""
    return session.scalar(select(Review).where(Review.order_line_id == line_id))


def _stars(field: str, value: int | str) -> int:
    if isinstance(value, bool):
        raise InvalidReview(field, "range")
    if isinstance(value, str):
        value = value.strip()
        if not value:
            raise InvalidReview(field, "required")
        if not value.isdigit():
            raise InvalidReview(field, "range")
        value = int(value)
    if not isinstance(value, int) or value not in STARS:
        raise InvalidReview(field, "range")
    return value


def clean_input(data: ReviewInput) -> dict:
    """The review's columns from the buyer's input.

    :raises InvalidReview: stars outside 1-5 (or not a number), empty or too long text, too many photos.
    """
    text = (data.text or "").strip()
    if not text:
        raise InvalidReview("text", "required")
    if len(text) > TEXT_MAX:
        raise InvalidReview("text", "too_long")
    if len(data.photos) > MAX_PHOTOS:
        raise InvalidReview("photos", "too_many")
    return {"rating": _stars("rating", data.rating), "text": text, "language": data.language[:8],
            **{name: _stars(name, getattr(data, name)) for name in SELLER_RATINGS}}


def _store_photos(photos: Sequence[bytes], media_root: str | Path | None) -> list[str]:
    """Check and re-encode every photo first (sellers.images rules), then write them; returns media paths.

    :raises InvalidReview: field 'photos' with the image rejection reason; nothing is written then.
    """
    if not photos:
        return []
    if media_root is None:
        raise ValueError("media_root is needed to store review photos")
    from ..sellers.images import ImageRejected

    try:
        encoded = [encode_image(data) for data in photos]
    except ImageRejected as exc:
        raise InvalidReview("photos", exc.reason) from None
    folder = Path(media_root) / PHOTO_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for image in encoded:
        relative = f"{PHOTO_FOLDER}/{secrets.token_hex(16)}.{image.extension}"
        (Path(media_root) / thumbnail_path(relative)).write_bytes(image.thumbnail)
        (Path(media_root) / relative).write_bytes(image.full)
        paths.append(relative)
    return paths


def write_review(session: Session, number: str, line_id: int, buyer: Buyer, data: ReviewInput, *,
                 now: datetime, media_root: str | Path | None = None) -> Review:
    """The buyer's review of one line of a completed order, inside the feedback window; the caller commits.

    :raises NotFound: not the buyer's order line.
    :raises FeedbackRefused: not completed, window closed, or this line already has a review.
    :raises InvalidReview: see clean_input; photos see _store_photos.
    """
    begin_write(session)
    order, line = buyer_line(session, number, line_id, buyer)
    check_feedback_open(order, now)
    if review_of_line(session, line.id) is not None:
        raise FeedbackRefused("already_reviewed")
    values = clean_input(data)
    product = _lock_product(session, line.product_id)
    photos = _store_photos(data.photos, media_root)
    review = Review(order_line_id=line.id, order_id=order.id, product_id=product.id, seller_id=order.seller_id,
                    user_id=order.user_id, author_name=short_name(buyer.name or order.checkout.address.get(
                        "full_name", ""))[:60], options=dict(line.options or {}), photos=photos,
                    photo_count=len(photos), created_at=now, **values)
    try:
        with session.begin_nested():
            session.add(review)
            session.flush()  # a concurrent first review of the same line fails the unique check here
    except IntegrityError:
        raise FeedbackRefused("already_reviewed") from None
    refresh_product_rating(session, product)
    record_system_event(session, "review_posted", at=now, order=order, product_id=product.id, rating=review.rating)
    return review


def edit_review(session: Session, number: str, line_id: int, buyer: Buyer, data: ReviewInput, *,
                now: datetime, media_root: str | Path | None = None) -> Review:
    """Rewrite a review once, inside the feedback window; new photos replace the old, none keeps them.

    :raises NotFound: not the buyer's order line, or no review to edit.
    :raises FeedbackRefused: window closed, or the one edit was already used.
    :raises InvalidReview: see clean_input.
    """
    begin_write(session)
    order, line = buyer_line(session, number, line_id, buyer)
    review = session.scalar(select(Review).where(Review.order_line_id == line.id).with_for_update())
    if review is None:
        raise NotFound(f"{number}/{line_id}")
    check_feedback_open(order, now)
    if review.edited_at is not None:
        raise FeedbackRefused("edit_used")
    values = clean_input(data)
    product = _lock_product(session, review.product_id)
    photos = _store_photos(data.photos, media_root)
    for name, value in values.items():
        setattr(review, name, value)
    if photos:
        review.photos, review.photo_count = photos, len(photos)
    review.edited_at = now
    session.flush()
    refresh_product_rating(session, product)
    return review


def _lock_product(session: Session, product_id: int) -> Product:
    # Locked so two reviews of one product recompute its aggregates one after the other (PostgreSQL).
    product = session.scalar(select(Product).where(Product.id == product_id).with_for_update())
    if product is None:
        raise NotFound(str(product_id))
    return product


def vote_helpful(session: Session, review_id: int, voter: str) -> bool:
    """Count one 'helpful' from this visitor; a second vote by the same visitor changes nothing.

    Returns True when the vote was counted; the caller commits.

    :raises NotFound: no such review.
    """
    begin_write(session)
    review = session.get(Review, review_id)
    if review is None:
        raise NotFound(str(review_id))
    if review.user_id is not None and voter == f"u:{review.user_id}":
        return False  # the author's own vote does not count
    try:
        with session.begin_nested():
            session.add(HelpfulVote(review_id=review.id, voter=voter[:40]))
            session.flush()
    except IntegrityError:
        return False
    session.execute(update(Review).where(Review.id == review.id)
                    .values(helpful_count=Review.helpful_count + 1).execution_options(synchronize_session=False))
    session.expire(review, ["helpful_count"])
    return True


def seller_review(session: Session, seller: Seller, review_id: int) -> Review:
    """A review of one of this seller's orders.

    :raises NotFound: no such review, or another seller's (the same answer, so ids reveal nothing).
    """
    review = session.get(Review, review_id)
    if review is None or review.seller_id != seller.id:
        raise NotFound(str(review_id))
    return review


def _tell_replied(session: Session, review_id: int) -> None:
    review_replied(session.get(Review, review_id))


def reply(session: Session, seller: Seller, review: Review, text: str, *, now: datetime) -> Review:
    """The seller's one public reply to a review of their order; the caller commits.

    :raises Forbidden: the review is about another seller's order.
    :raises FeedbackRefused: 'already_replied'.
    :raises InvalidReview: field 'reply', 'required' or 'too_long'.
    """
    if review.seller_id != seller.id:
        raise Forbidden(f"review {review.id} is not about {seller.handle}")
    text = (text or "").strip()
    if not text:
        raise InvalidReview("reply", "required")
    if len(text) > REPLY_MAX:
        raise InvalidReview("reply", "too_long")
    begin_write(session)
    locked = session.scalar(select(Review).where(Review.id == review.id).with_for_update()
                            .execution_options(populate_existing=True))
    if locked.reply_text is not None:
        raise FeedbackRefused("already_replied")
    locked.reply_text, locked.replied_at = text, now
    before_commit(session, _tell_replied, session, locked.id)  # the buyer hears of the answer
    session.flush()
    return locked


def reviewable_line(session: Session, product_id: int, buyer: Buyer, *, now: datetime) -> tuple[str, int] | None:
    """(order number, line id) of this buyer's newest unreviewed purchase of the product still open for
    feedback, for the product page's 'write a review' prompt; None when there is none."""
    owner = []
    if buyer.user_id is not None:
        owner.append(Order.user_id == buyer.user_id)
    if buyer.checkout_refs:
        owner.append(Order.checkout_id.in_(select(Checkout.id).where(Checkout.reference.in_(buyer.checkout_refs))))
    if not owner:
        return None
    row = session.execute(
        select(Order.number, OrderLine.id).join(OrderLine, OrderLine.order_id == Order.id)
        .join(OrderEvent, (OrderEvent.order_id == Order.id) & (OrderEvent.to_status == "completed"))
        .outerjoin(Review, Review.order_line_id == OrderLine.id)
        .where(OrderLine.product_id == product_id, Order.status == "completed", Review.id.is_(None),
               OrderEvent.at >= now - FEEDBACK_WINDOW, or_(*owner))
        .order_by(Order.id.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else None
