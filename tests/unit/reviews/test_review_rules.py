"""Who may review, when, how often; bad input changes nothing; photos are checked like listing photos."""
import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from storefront.accounts.models import User
from storefront.catalog.models import Product, SearchOutbox
from storefront.core.errors import NotFound
from storefront.reviews import services
from storefront.reviews.models import Review
from storefront.reviews.services import Buyer, FeedbackRefused, InvalidReview, edit_review, write_review
from tests.factories import add_listing
from tests.review_factories import NOW, bought, buyer_of, review_input


@pytest.fixture
def product(app, session):
    return add_listing(session)


def user(session, email="ana@example.com", name="Ana García") -> User:
    account = User(email=email, name=name, password_hash="x")
    session.add(account)
    session.commit()
    return account


def write(session, order, data=None, *, now=NOW + timedelta(days=1), buyer=None, media_root=None):
    review = write_review(session, order.number, order.lines[0].id, buyer or buyer_of(order), data or review_input(),
                          now=now, media_root=media_root)
    session.commit()
    return review


def count(session) -> int:
    session.rollback()
    return session.scalar(select(func.count(Review.id)))


def test_account_buyer_reviews_a_completed_line(session, product):
    ana = user(session)
    order = bought(session, product, user_id=ana.id)
    review = write(session, order, review_input(rating=4, text="  Good sound, short cable.  ", language="es"),
                   buyer=Buyer(ana.id, (), ana.name))
    assert (review.rating, review.text, review.language, review.author_name) == (4, "Good sound, short cable.", "es",
                                                                                 "Ana G.")
    assert (review.product_id, review.seller_id, review.user_id) == (product.id, order.seller_id, ana.id)
    assert review.options == {"Color": "Black"} and review.edited_at is None


def test_guest_buyer_is_the_browser_that_placed_the_order(session, product):
    order = bought(session, product, name="Wei Zhang")
    review = write(session, order, buyer=Buyer(None, ("CK-other", order.checkout.reference)))
    assert review.user_id is None and review.author_name == "Wei Z."


@pytest.mark.parametrize("who", ["another account", "another browser", "nobody"])
def test_someone_elses_order_line_is_not_found(session, product, who):
    ana, eve = user(session), user(session, "eve@example.com", "Eve")
    order = bought(session, product, user_id=ana.id)
    buyer = {"another account": Buyer(eve.id, ("CK-x",)), "another browser": Buyer(None, ("CK-x",)),
             "nobody": Buyer(None, ())}[who]
    with pytest.raises(NotFound):
        write(session, order, buyer=buyer)
    assert count(session) == 0


def test_a_line_of_another_order_is_not_found(session, product):
    mine, theirs = bought(session, product, name="Ana"), bought(session, product, name="Eve")
    with pytest.raises(NotFound):
        write_review(session, mine.number, theirs.lines[0].id, buyer_of(mine), review_input(), now=NOW)
    assert count(session) == 0


@pytest.mark.parametrize("status", ["awaiting_payment", "paid", "shipped", "delivered"])
def test_no_review_before_the_order_is_completed(session, product, status):
    order = bought(session, product, status=status)
    with pytest.raises(FeedbackRefused) as info:
        write(session, order)
    assert info.value.reason == "not_completed" and count(session) == 0


def test_feedback_window_closes_thirty_days_after_completion(session, product):
    first, second = bought(session, product), bought(session, product)
    last_moment = NOW + services.FEEDBACK_WINDOW
    write(session, first, now=last_moment)
    with pytest.raises(FeedbackRefused) as info:
        write(session, second, now=last_moment + timedelta(seconds=1))
    assert info.value.reason == "window_closed" and count(session) == 1


def test_one_review_per_order_line(session, product):
    order = bought(session, product)
    write(session, order)
    with pytest.raises(FeedbackRefused) as info:
        write(session, order, review_input(rating=1, text="Second opinion"))
    assert info.value.reason == "already_reviewed"
    assert count(session) == 1 and session.scalar(select(Review.text)) == "Works well."


def test_two_lines_of_two_orders_give_two_reviews(session, product):
    write(session, bought(session, product))
    write(session, bought(session, product))
    assert count(session) == 2


def test_a_review_can_be_edited_once(session, product):
    order = bought(session, product)
    write(session, order, review_input(rating=2, text="Late."))
    later = NOW + timedelta(days=3)
    edited = edit_review(session, order.number, order.lines[0].id, buyer_of(order),
                         review_input(rating=4, text="Arrived after all; fine.", language="zh"), now=later)
    session.commit()
    assert (edited.rating, edited.text, edited.language) == (4, "Arrived after all; fine.", "zh")
    assert services.as_utc(edited.edited_at) == later
    with pytest.raises(FeedbackRefused) as info:
        edit_review(session, order.number, order.lines[0].id, buyer_of(order), review_input(rating=1, text="Nope"),
                    now=later)
    assert info.value.reason == "edit_used"
    session.rollback()
    assert session.scalar(select(Review.text)) == "Arrived after all; fine."
    assert session.scalar(select(Product.rating_avg)) == Decimal("4.00")


def test_edit_after_the_window_is_refused(session, product):
    order = bought(session, product)
    write(session, order)
    with pytest.raises(FeedbackRefused) as info:
        edit_review(session, order.number, order.lines[0].id, buyer_of(order), review_input(text="Changed"),
                    now=NOW + services.FEEDBACK_WINDOW + timedelta(minutes=1))
    assert info.value.reason == "window_closed"


def test_editing_without_a_review_is_not_found(session, product):
    order = bought(session, product)
    with pytest.raises(NotFound):
        edit_review(session, order.number, order.lines[0].id, buyer_of(order), review_input(), now=NOW)


@pytest.mark.parametrize(("field", "changes", "code"), [
    ("rating", {"rating": 0}, "range"),
    ("rating", {"rating": 6}, "range"),
    ("rating", {"rating": "x"}, "range"),
    ("rating", {"rating": ""}, "required"),
    ("rating", {"rating": True}, "range"),
    ("rating", {"rating": 4.5}, "range"),
    ("item_as_described", {"item": -1}, "range"),
    ("communication", {"communication": "6"}, "range"),
    ("shipping_speed", {"speed": None}, "range"),
    ("text", {"text": ""}, "required"),
    ("text", {"text": "   \n "}, "required"),
    ("text", {"text": "a" * 5000}, "too_long"),
    ("photos", {"photos": [b"x"] * 4}, "too_many"),
])
def test_bad_input_is_refused_and_changes_nothing(session, product, field, changes, code):
    order = bought(session, product)
    with pytest.raises(InvalidReview) as info:
        write(session, order, review_input(**changes))
    assert (info.value.field, info.value.code) == (field, code)
    assert count(session) == 0
    assert session.scalar(select(Product.rating_count)) == 0
    assert session.scalar(select(func.count(SearchOutbox.id)).where(SearchOutbox.product_id == product.id)) <= 1


def test_longest_allowed_text_is_accepted(session, product):
    review = write(session, bought(session, product), review_input(text="a" * services.TEXT_MAX))
    assert len(review.text) == services.TEXT_MAX


def png(size=(640, 480), colour="teal") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def test_photos_are_checked_reencoded_and_stored_with_thumbnails(session, product, tmp_path):
    review = write(session, bought(session, product), review_input(photos=[png(), png(colour="red")]),
                   media_root=tmp_path)
    assert review.photo_count == 2 and len(review.photos) == 2
    for path in review.photos:
        assert path.startswith("reviews/") and (tmp_path / path).exists()
        assert (tmp_path / services.thumbnail_path(path)).exists()


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_written(session, product, tmp_path):
    media = tmp_path / "photos"
    with pytest.raises(InvalidReview) as info:
        write(session, bought(session, product), review_input(photos=[png(), b"<svg onload=alert(1)>"]),
              media_root=media)
    assert (info.value.field, info.value.code) == ("photos", "not_an_image")
    assert count(session) == 0 and not any(Path(media).rglob("*.*"))


@pytest.mark.parametrize(("full", "shown"), [("Ana García López", "Ana L."), ("Mohammed", "M***"), ("", ""),
                                             ("  李  伟 ", "李 伟.")])
def test_reviewers_are_shown_by_first_name_and_initial(full, shown):
    assert services.short_name(full) == shown
