"""Numbers built from reviews: product average and histogram, seller positive share, votes, replies, lists."""
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from storefront.catalog.models import Product, SearchOutbox
from storefront.catalog.offers import sort_rows
from storefront.core.errors import Forbidden, NotFound
from storefront.reviews import ratings, services
from storefront.reviews.forms import parse_filters
from storefront.reviews.models import HelpfulVote, Review
from storefront.reviews.ratings import ReviewFilters
from storefront.reviews.services import FeedbackRefused, InvalidReview
from storefront.sellers.models import Seller
from tests.factories import add_listing
from tests.review_factories import NOW, bought, buyer_of, review_input

GTIN = "0190199246850"


@pytest.fixture
def product(app, session):
    """One product offered by SZ Audio (China) and Berlin Elektro (Germany)."""
    add_listing(session, gtin=GTIN)
    return add_listing(session, gtin=GTIN, seller={"handle": "berlin", "name": "Berlin Elektro", "country": "DE"},
                       ships_from="DE")


def reviewed(session, product, rating, *, seller="sz-audio", item=5, communication=5, speed=5, at=NOW,
             language="en", text="Fine."):
    """A completed order of `product` from `seller`, reviewed at `at` with these stars."""
    order = bought(session, product, seller=seller, at=at)
    review = services.write_review(session, order.number, order.lines[0].id, buyer_of(order),
                                   review_input(rating=rating, item=item, communication=communication, speed=speed,
                                                language=language, text=text), now=at)
    session.commit()
    return review


def test_product_average_count_and_histogram_are_exact(session, product):
    for stars in (5, 5, 4, 3, 1):
        reviewed(session, product, stars)
    summary = ratings.rating_summary(session, product.id)
    assert summary.count == 5 and summary.average == Decimal("3.60")
    assert summary.histogram == {5: 2, 4: 1, 3: 1, 2: 0, 1: 1}
    assert list(summary.histogram) == [5, 4, 3, 2, 1]
    assert summary.share(5) == Decimal("0.4") and summary.share(2) == 0
    session.refresh(product)
    assert (product.rating_avg, product.rating_count) == (Decimal("3.60"), 5)


@pytest.mark.parametrize(("stars", "average"), [((5, 5, 4), "4.67"), ((5, 4), "4.50"), ((4, 4, 5), "4.33"),
                                                ((1,), "1.00")])
def test_product_average_rounds_half_up_to_two_places(session, product, stars, average):
    for n in stars:
        reviewed(session, product, n)
    session.refresh(product)
    assert product.rating_avg == Decimal(average) and product.rating_count == len(stars)


def test_each_review_queues_the_product_for_the_search_index(session, product):
    session.execute(SearchOutbox.__table__.delete())
    session.commit()
    reviewed(session, product, 4)
    # One row for the sale (the "N sold" count changed when the order was paid), one for the review.
    assert session.scalar(select(func.count(SearchOutbox.id)).where(SearchOutbox.product_id == product.id)) == 2


def test_product_without_reviews_has_an_empty_summary(session, product):
    summary = ratings.rating_summary(session, product.id)
    assert (summary.count, summary.average, sum(summary.histogram.values())) == (0, None, 0)


def test_refresh_many_products_agrees_with_the_per_review_update(session, product):
    for stars in (5, 2, 2):
        reviewed(session, product, stars)
    session.execute(update(Product).values(rating_avg=0, rating_count=0))
    ratings.refresh_product_ratings(session, [product.id])
    session.commit()
    assert session.scalar(select(Product.rating_avg).where(Product.id == product.id)) == Decimal("3.00")


def test_positive_share_counts_four_and_five_stars_over_twelve_months(session, product):
    for stars, item, communication, speed in ((5, 5, 4, 3), (4, 4, 4, 4), (4, 5, 5, 5), (3, 3, 2, 1), (5, 5, 5, 2)):
        reviewed(session, product, stars, item=item, communication=communication, speed=speed)
    reviewed(session, product, 1, item=1, communication=1, speed=1, at=NOW - timedelta(days=400))  # too old
    reviewed(session, product, 1, seller="berlin")
    bought(session, product, status="shipped")  # not completed: not counted as an order
    sz = session.scalar(select(Seller.id).where(Seller.handle == "sz-audio"))
    stats = ratings.seller_stats(session, [sz], now=NOW)[sz]
    assert (stats.reviews, stats.positive) == (5, 4)
    assert stats.positive_share == Decimal("0.8")
    assert stats.details == {"item_as_described": Decimal("4.4"), "communication": Decimal("4.0"),
                             "shipping_speed": Decimal("3.0")}
    assert stats.orders == 6  # every completed order, reviewed or not, old or new


def test_seller_without_reviews_has_no_share(session, product):
    sz = session.scalar(select(Seller.id).where(Seller.handle == "sz-audio"))
    bought(session, product)
    stats = ratings.seller_stats(session, [sz], now=NOW)[sz]
    assert stats.positive_share is None and stats.details["communication"] is None and stats.orders == 1


def test_rating_sort_puts_best_positive_share_first_then_cheapest(session, product):
    class Row:
        def __init__(self, seller_id, landed):
            self.offer = type("O", (), {"seller_id": seller_id})()
            self.landed = type("M", (), {"amount": Decimal(landed)})()
            self.in_stock = True

    rows = [Row(1, "30"), Row(2, "10"), Row(3, "20"), Row(4, "5"), Row(5, "25")]
    shares = {1: Decimal("0.98"), 2: Decimal("0.90"), 3: Decimal("0.98"), 4: None}
    ordered = sort_rows(rows, "rating", shares)
    assert [r.offer.seller_id for r in ordered] == [3, 1, 2, 4, 5]  # no ratings last, by price
    assert [r.offer.seller_id for r in sort_rows(rows, "rating")] == [4, 2, 3, 5, 1]


def test_helpful_votes_count_once_per_visitor(session, product):
    review = reviewed(session, product, 5)
    assert services.vote_helpful(session, review.id, "a:one") is True
    session.commit()
    assert services.vote_helpful(session, review.id, "a:one") is False
    session.commit()
    assert services.vote_helpful(session, review.id, "u:99") is True
    session.commit()
    session.refresh(review)
    assert review.helpful_count == 2 == session.scalar(select(func.count(HelpfulVote.id)))
    assert ratings.voted_reviews(session, "a:one", [review.id]) == {review.id}
    assert ratings.voted_reviews(session, "a:two", [review.id]) == set()
    with pytest.raises(NotFound):
        services.vote_helpful(session, review.id + 100, "a:one")


def test_seller_replies_once_to_a_review_of_their_order(session, product):
    review = reviewed(session, product, 2)
    sz = session.scalar(select(Seller).where(Seller.handle == "sz-audio"))
    berlin = session.scalar(select(Seller).where(Seller.handle == "berlin"))
    with pytest.raises(NotFound):
        services.seller_review(session, berlin, review.id)
    with pytest.raises(Forbidden):
        services.reply(session, berlin, review, "Not mine", now=NOW)
    for text, code in (("  ", "required"), ("x" * (services.REPLY_MAX + 1), "too_long")):
        with pytest.raises(InvalidReview) as info:
            services.reply(session, sz, review, text, now=NOW)
        assert info.value.code == code
    services.reply(session, sz, services.seller_review(session, sz, review.id), "Sorry! A new one is on its way.",
                   now=NOW)
    session.commit()
    with pytest.raises(FeedbackRefused) as info:
        services.reply(session, sz, review, "Again", now=NOW)
    assert info.value.reason == "already_replied"
    session.rollback()
    assert session.scalar(select(Review.reply_text)) == "Sorry! A new one is on its way."


def test_review_list_filters_sorts_and_pages(session, product):
    base = NOW - timedelta(days=20)
    made = [reviewed(session, product, stars, at=base + timedelta(days=i), language=lang, text=f"r{i}")
            for i, (stars, lang) in enumerate([(5, "en"), (4, "es"), (5, "zh"), (1, "en"), (5, "en"), (3, "ar"),
                                               (5, "es")])]
    session.execute(update(Review).where(Review.id == made[3].id).values(helpful_count=7))
    session.execute(update(Review).where(Review.id == made[1].id).values(photo_count=1, photos=["reviews/x.webp"]))
    session.commit()

    def texts(**kw):
        page = ratings.product_reviews(session, product.id, ReviewFilters(**kw), "en")
        return [r.text for r in page.items], page

    newest, page = texts(sort="newest")
    assert newest == ["r6", "r5", "r4", "r3", "r2"] and (page.total, page.pages) == (7, 2)
    assert texts(sort="newest", page=2)[0] == ["r1", "r0"]
    assert texts(sort="newest", page=9)[0] == ["r1", "r0"]  # past the end: the last page
    assert texts()[0][:2] == ["r3", "r6"]  # most helpful, then newest
    assert texts(stars=5, sort="newest")[0] == ["r6", "r4", "r2", "r0"]
    assert texts(photos=True)[0] == ["r1"]
    assert texts(my_language=True, sort="newest")[0] == ["r4", "r3", "r0"]
    assert texts(stars=2)[1].total == 0 and texts(stars=2)[1].summary.count == 7


def test_filter_arguments_round_trip_and_bad_values_are_ignored():
    f = parse_filters({"r_stars": "4", "r_photos": "1", "r_lang": "1", "r_sort": "newest", "r_page": "3"})
    assert f == ReviewFilters(stars=4, photos=True, my_language=True, sort="newest", page=3)
    assert parse_filters(f.args(page=3)) == f
    assert f.args() == {"r_stars": "4", "r_photos": "1", "r_lang": "1", "r_sort": "newest"}
    bad = parse_filters({"r_stars": "9", "r_photos": "yes", "r_sort": "evil", "r_page": "9" * 5000})
    assert bad == ReviewFilters()
    assert ReviewFilters().args() == {}
