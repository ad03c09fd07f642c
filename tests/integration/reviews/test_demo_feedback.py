"""The demo store's ratings come from real reviews on completed demo orders, in all four languages."""
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select

from storefront.accounts.models import User
from storefront.catalog.models import Product
from storefront.demo.review_texts import REVIEW_TEXTS
from storefront.demo.seed import DEMO_PASSWORD, seed_demo_store
from storefront.orders.models import Order, OrderEvent
from storefront.reviews.models import HelpfulVote, Review


def test_demo_reviews_make_the_rating_figures(app, session, client):
    seed_demo_store(session)
    assert all(sum(len(texts) for texts in by_mood.values()) >= 40 for by_mood in REVIEW_TEXTS.values())
    languages = dict(session.execute(select(Review.language, func.count(Review.id)).group_by(Review.language)).all())
    assert set(languages) == {"en", "es", "ar", "zh"} and min(languages.values()) >= 100
    stars = dict(session.execute(select(Review.rating, func.count(Review.id)).group_by(Review.rating)).all())
    assert set(stars) == {1, 2, 3, 4, 5} and stars[5] > stars[4] > stars[1]

    # Every product's aggregate is its reviews' exact average; no rating without reviews.
    totals = {pid: (n, s) for pid, n, s in session.execute(
        select(Review.product_id, func.count(Review.id), func.sum(Review.rating)).group_by(Review.product_id))}
    for product in session.scalars(select(Product)):
        n, s = totals.get(product.id, (0, 0))
        assert product.rating_count == n
        expected = (Decimal(s) / n).quantize(Decimal("0.01"), ROUND_HALF_UP) if n else Decimal(0)
        assert product.rating_avg == expected
        assert product.orders_count >= n
    assert session.scalar(select(func.count(Product.id)).where(Product.rating_count > 0)) >= 200

    # Reviewed orders are completed, with their whole history, and reviews came after completion.
    assert set(session.scalars(select(Order.status).join(Review, Review.order_id == Order.id))) == {"completed"}
    late = session.scalar(select(func.count(Review.id)).join(
        OrderEvent, (OrderEvent.order_id == Review.order_id) & (OrderEvent.to_status == "completed"))
        .where(Review.created_at < OrderEvent.at))
    assert late == 0
    assert session.scalar(select(func.count(HelpfulVote.id))) == session.scalar(select(func.sum(Review.helpful_count)))

    # The demo shopper can write a review right away.
    shopper = session.scalar(select(User).where(User.email == "shopper@demo.test"))
    assert session.scalar(select(func.count(Order.id)).where(Order.user_id == shopper.id)) == 2
    client.post("/en/account/login", data={"email": "shopper@demo.test", "password": DEMO_PASSWORD})
    waiting = session.scalar(select(Order).where(Order.user_id == shopper.id).order_by(Order.id.desc()))
    product = session.get(Product, waiting.lines[0].product_id)
    html = client.get(f"/en/p/{product.id}-{product.slug}").data.decode()
    assert f"/en/orders/{waiting.number}/review/{waiting.lines[0].id}" in html

    before = session.scalar(select(func.count(Review.id)))
    seed_demo_store(session)  # seeding again adds no second set of demo orders
    assert session.scalar(select(func.count(Review.id))) == before
