"""The buyer's review form: verified purchases only, after completion, once, one edit, inline errors."""
import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select

from storefront.catalog.models import Product
from storefront.reviews.models import Review
from tests.integration.reviews.shop import checkout, complete, page_url

GOOD = {"rating": "4", "text": "Solid little earbuds.", "item_as_described": "5", "communication": "4",
        "shipping_speed": "3"}


def form_url(order, locale="en") -> str:
    return f"/{locale}/orders/{order.number}/review/{order.lines[0].id}"


def reviews(session) -> list[Review]:
    session.rollback()
    return session.scalars(select(Review)).all()


def test_guest_reviews_a_completed_order_and_the_product_page_shows_it(client, session, product):
    order = complete(session, checkout(client, session))
    form = client.get(form_url(order))
    assert form.status_code == 200 and 'data-testid="review-form"' in form.data.decode()
    response = client.post(form_url(order), data=GOOD)
    assert response.status_code == 303
    [review] = reviews(session)
    assert response.headers["Location"].endswith(f"?r_sort=newest#review-{review.id}")
    assert (review.rating, review.author_name, review.language, review.item_as_described) == (4, "Ana G.", "en", 5)
    assert session.scalar(select(Product.rating_count).where(Product.id == review.product_id)) == 1
    html = client.get(response.headers["Location"]).data.decode()
    assert "Thank you! Your review is published." in html
    # English, shipping to Spain (the buyer's address): CLDR en_ES writes a decimal comma
    assert "Solid little earbuds." in html and 'data-testid="rating-average">4,0<' in html
    assert 'data-testid="histogram-4">1<' in html and 'data-testid="histogram-5">0<' in html


def test_product_page_invites_the_buyer_to_review(client, session, product):
    order = complete(session, checkout(client, session))
    assert form_url(order) in client.get(page_url(product)).data.decode()
    client.post(form_url(order), data=GOOD)
    assert form_url(order) not in client.get(page_url(product)).data.decode()  # done: no more invitation


def test_someone_elses_order_is_not_found(app, client, session, product):
    order = complete(session, checkout(client, session))
    stranger = app.test_client()
    assert stranger.get(form_url(order)).status_code == 404
    assert stranger.post(form_url(order), data=GOOD).status_code == 404
    assert client.get(f"/en/orders/{order.number}/review/{order.lines[0].id + 99}").status_code == 404
    assert reviews(session) == []


def test_account_buyer_reviews_their_order_and_nobody_else_can(app, session, product):
    from tests.integration.reviews.shop import account

    ana = account(app, "ana@example.com")
    order = complete(session, checkout(ana, session))
    eve = account(app, "eve@example.com")
    assert eve.post(form_url(order), data=GOOD).status_code == 404
    assert ana.post(form_url(order), data=GOOD).status_code == 303
    [review] = reviews(session)
    assert review.user_id == order.user_id and review.author_name == "A***"


@pytest.mark.parametrize("status", ["awaiting_payment", "paid", "shipped", "delivered"])
def test_review_before_completion_is_refused(client, session, product, status):
    order = checkout(client, session)
    if status != "awaiting_payment":
        complete(session, order, upto=status)
    page = client.get(form_url(order)).data.decode()
    assert "once the order is completed" in page and 'data-testid="review-form"' not in page
    refused = client.post(form_url(order), data=GOOD)
    assert refused.status_code == 409 and "once the order is completed" in refused.data.decode()
    assert reviews(session) == []


@pytest.mark.parametrize(("changes", "message"), [
    ({"rating": "0"}, "Please choose from 1 to 5 stars."),
    ({"rating": "6"}, "Please choose from 1 to 5 stars."),
    ({"rating": "x"}, "Please choose from 1 to 5 stars."),
    ({"rating": None}, "Please rate the product."),
    ({"communication": "9"}, "Please choose from 1 to 5 stars."),
    ({"text": ""}, "Please write a few words about the product."),
    ({"text": "   "}, "Please write a few words about the product."),
    ({"text": "a" * 5000}, "Please keep your review under 4000 characters."),
])
def test_bad_input_gets_inline_errors_and_changes_nothing(client, session, product, changes, message):
    order = complete(session, checkout(client, session))
    data = {k: v for k, v in (GOOD | changes).items() if v is not None}
    response = client.post(form_url(order), data=data)
    html = response.data.decode()
    assert response.status_code == 422 and message in html and 'role="alert"' in html
    assert reviews(session) == []
    assert session.scalar(select(Product.rating_count).where(Product.id == product.id)) == 0


def test_inline_errors_are_in_the_shoppers_language(client, session, product):
    order = complete(session, checkout(client, session))
    html = client.post(form_url(order, "es"), data=GOOD | {"rating": "x", "text": ""}).data.decode()
    assert "Elige de 1 a 5 estrellas." in html and "Escribe unas palabras sobre el producto." in html


def test_second_first_review_is_refused_and_one_edit_is_allowed(client, session, product):
    order = complete(session, checkout(client, session))
    assert client.post(form_url(order), data=GOOD).status_code == 303
    again = client.post(form_url(order), data=GOOD | {"text": "Resent"})
    assert again.status_code == 409 and "already reviewed" in again.data.decode()
    edit_form = client.get(form_url(order)).data.decode()
    assert "Solid little earbuds." in edit_form and 'name="edit" value="1"' in edit_form
    assert client.post(form_url(order, "zh"), data=GOOD | {"rating": "2", "text": "Broke after a week.",
                                                           "edit": "1"}).status_code == 303
    [review] = reviews(session)
    assert (review.rating, review.text, review.language) == (2, "Broke after a week.", "zh")
    assert review.edited_at is not None
    second = client.post(form_url(order), data=GOOD | {"text": "Third try", "edit": "1"})
    assert second.status_code == 409 and "cannot be changed again" in second.data.decode()
    assert reviews(session)[0].text == "Broke after a week."
    assert session.scalar(select(Product.rating_avg).where(Product.id == product.id)) == 2


def test_review_with_a_photo(app, client, session, product):
    order = complete(session, checkout(client, session))
    picture = io.BytesIO()
    Image.new("RGB", (800, 600), "orange").save(picture, "JPEG")
    picture.seek(0)
    response = client.post(form_url(order), data=GOOD | {"photos": [(picture, "me.jpg")]},
                           content_type="multipart/form-data")
    assert response.status_code == 303
    [review] = reviews(session)
    assert review.photo_count == 1
    html = client.get(page_url(product, "r_photos=1")).data.decode()
    assert re.search(r'<img src="/media/reviews/[0-9a-f]{32}-400\.(webp|jpg)"', html)
    fake = client.post(form_url(order), data=GOOD | {"edit": "1", "photos": [(io.BytesIO(b"GIF89a..."), "x.jpg")]},
                       content_type="multipart/form-data")
    assert fake.status_code == 422 and "JPEG, PNG or WebP" in fake.data.decode()
    assert reviews(session)[0].edited_at is None  # the refused edit did not use up the one edit


def test_review_text_with_html_is_shown_as_text(client, session, product):
    order = complete(session, checkout(client, session))
    client.post(form_url(order), data=GOOD | {"text": '<script>alert(1)</script><img src=x onerror="alert(2)">'})
    html = client.get(page_url(product)).data.decode()
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in html


def test_review_form_needs_a_csrf_token(app, client, session, product):
    order = complete(session, checkout(client, session))
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(form_url(order), data=GOOD).status_code == 400
    assert session.scalar(select(func.count(Review.id))) == 0
