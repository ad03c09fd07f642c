"""Reviews on the product page: filters and sorts (HTMX and plain), languages, helpful votes, seller replies,
and the seller figures on the seller card, the offer comparison and the store page."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from storefront.reviews.models import HelpfulVote, Review
from tests.factories import client_at
from tests.integration.reviews.shop import account, page_url, reviewed

HX = {"HX-Request": "true", "HX-Target": "reviews"}


def shown(html: str) -> list[str]:
    """Review texts in page order."""
    return re.findall(r'data-testid="review-text">([^<]*)<', html)


@pytest.fixture
def seven(session, product):
    """Seven reviews a day apart (r0 oldest): stars, languages and one helpful favourite."""
    made = [reviewed(session, product, stars, language=lang, text=f"r{i}")
            for i, (stars, lang) in enumerate([(5, "en"), (4, "es"), (5, "zh"), (1, "en"), (5, "en"), (3, "ar"),
                                               (5, "es")])]
    for i, review in enumerate(made):
        review.created_at = review.created_at - timedelta(days=10 - i)
    made[3].helpful_count = 4
    session.commit()
    return made


def test_no_reviews_yet(client, product):
    html = client.get(page_url(product)).data.decode()
    assert 'id="reviews"' in html and 'data-testid="no-reviews"' in html
    assert html.count('data-testid="seller-no-ratings"') == 3  # the seller card and both offer rows


def test_first_page_most_helpful_then_newest_five_per_page(client, product, seven):
    html = client.get(page_url(product)).data.decode()
    assert shown(html) == ["r3", "r6", "r5", "r4", "r2"]
    assert "7 reviews" in html and 'data-testid="reviews-next"' in html
    assert 'data-testid="histogram-5">4<' in html and 'data-testid="histogram-2">0<' in html
    assert 'data-testid="rating-average">4.0<' in html  # 28 / 7
    page2 = client.get(page_url(product, "r_page=2")).data.decode()
    assert shown(page2) == ["r1", "r0"] and 'data-testid="reviews-prev"' in page2


def test_filters_and_sort_as_plain_links_keep_the_whole_page(client, product, seven):
    html = client.get(page_url(product, "r_stars=5&r_sort=newest")).data.decode()
    assert html.startswith("<!doctype html>") and 'id="purchase"' in html
    assert shown(html) == ["r6", "r4", "r2", "r0"]
    section = html.split('<section id="reviews"')[1]
    links = re.findall(r'<a href="([^"]+)" hx-get="([^"]+)"', section)
    assert all(href == hx for href, hx in links) and len(links) == 10  # 5 stars, 3 filters, 2 sorts
    links = [href for href, _ in links]
    assert links and all(link.startswith(f"/en/p/{product.id}-") for link in links)
    assert shown(client.get(page_url(product, "r_lang=1&r_sort=newest")).data.decode()) == ["r4", "r3", "r0"]
    spanish = client.get(page_url(product, "r_lang=1", locale="es")).data.decode()
    assert sorted(shown(spanish)) == ["r1", "r6"]


def test_htmx_filter_returns_only_the_reviews_block(client, product, seven):
    response = client.get(page_url(product, "r_stars=5&r_sort=newest"), headers=HX)
    body = response.data.decode()
    assert response.status_code == 200 and body.lstrip().startswith('<section id="reviews"')
    assert 'id="purchase"' not in body and "<html" not in body
    assert shown(body) == ["r6", "r4", "r2", "r0"]
    assert "HX-Request" in response.headers["Vary"]
    purchase = client.get(page_url(product), headers={"HX-Request": "true", "HX-Target": "purchase"}).data.decode()
    assert purchase.lstrip().startswith('<div id="purchase"') and 'id="reviews"' not in purchase


def test_review_links_keep_the_shoppers_offer_choice(client, product, seven):
    html = client.get(page_url(product, "offer=2&o_Color=Black&sid=0123456789ab&pos=1")).data.decode()
    link = re.search(r'data-testid="filter-photos"', html) and re.search(
        r'<a href="([^"]+)" hx-get="[^"]+"[^>]*data-testid="filter-photos"', html).group(1)
    assert "offer=2" in link and "o_Color=Black" in link and "r_photos=1" in link and "sid=" not in link


def test_bad_filter_values_are_ignored(client, product, seven):
    response = client.get(page_url(product, "r_stars=9&r_page=-1&r_sort=evil&r_photos=x"))
    assert response.status_code == 200 and len(shown(response.data.decode())) == 5


def test_reviews_in_another_language_say_which(client, product, seven):
    html = client.get(page_url(product, "r_sort=newest")).data.decode()
    assert "Written in Spanish" in html and "Written in Chinese" in html and "Written in Arabic" in html
    assert '<p class="review-text" dir="auto" lang="es" data-testid="review-text">r6<' in html
    spanish = client.get(page_url(product, "r_stars=5&r_lang=1", locale="es")).data.decode()
    assert shown(spanish) == ["r6"] and 'data-testid="review-language"' not in spanish


def test_helpful_vote_without_javascript_counts_once_per_visitor(app, client, session, product, seven):
    review = seven[0]
    first = client.post(f"/en/reviews/{review.id}/helpful", data={"r_sort": "newest", "offer": "1"})
    assert first.status_code == 303
    assert first.headers["Location"] == f"/en/p/{product.id}-{product.slug}?offer=1&r_sort=newest#review-{review.id}"
    client.post(f"/en/reviews/{review.id}/helpful")
    client_at(app, "198.51.100.7").post(f"/en/reviews/{review.id}/helpful")  # another visitor, another address
    shopper = account(app, "sam@example.com")
    shopper.post(f"/en/reviews/{review.id}/helpful")
    shopper.post(f"/en/reviews/{review.id}/helpful")
    session.rollback()
    assert session.get(Review, review.id).helpful_count == 3
    assert session.scalar(select(func.count(HelpfulVote.id))) == 3
    assert 'data-testid="helpful-done"' in client.get(page_url(product, "r_sort=newest&r_page=2")).data.decode()
    assert client.post("/en/reviews/99999/helpful").status_code == 404


def test_fresh_anonymous_sessions_from_one_address_count_once(app, session, product, seven):
    review = seven[0]
    for _ in range(10):  # a new cookie-less client each time: new sessions, same address
        assert client_at(app, "198.51.100.8").post(f"/en/reviews/{review.id}/helpful").status_code == 303
    session.rollback()
    assert session.get(Review, review.id).helpful_count == 1


def test_helpful_votes_are_limited_per_address(app, session, product, seven):
    voter = client_at(app, "198.51.100.9")
    for _ in range(10):
        assert voter.post(f"/en/reviews/{seven[0].id}/helpful").status_code == 303
    refused = voter.post(f"/en/reviews/{seven[1].id}/helpful", headers=HX)
    assert refused.status_code == 429 and 'data-testid="too-many-requests"' in refused.data.decode()
    session.rollback()
    assert session.get(Review, seven[1].id).helpful_count == 0


def test_helpful_vote_with_htmx_swaps_the_reviews_block(client, session, product, seven):
    review = seven[3]
    response = client.post(f"/en/reviews/{review.id}/helpful", data={"r_stars": "1"}, headers=HX)
    body = response.data.decode()
    assert response.status_code == 200 and body.lstrip().startswith('<section id="reviews"')
    assert shown(body) == ["r3"] and "You found this helpful (5)" in body


def test_helpful_vote_needs_a_csrf_token(app, client, product, seven):
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/en/reviews/{seven[0].id}/helpful").status_code == 400
    html = client.get(page_url(product)).data.decode()
    token = html.split('"X-CSRFToken": "')[1].split('"')[0]
    assert f'<input type="hidden" name="csrf_token" value="{token}">' in html
    assert client.post(f"/en/reviews/{seven[0].id}/helpful", headers={"X-CSRFToken": token}).status_code == 303


def test_seller_reply_only_by_the_owner_of_the_reviewed_order(app, session, product):
    review = reviewed(session, product, 2, text="Arrived scratched.")
    url = f"/en/seller/reviews/{review.id}/reply"
    assert app.test_client().get(url).status_code == 302  # anonymous: log in first
    assert "/account/login" in app.test_client().post(url, data={"reply": "x"}).headers["Location"]
    assert account(app, "sam@example.com").post(url, data={"reply": "Hi"}).status_code == 404  # a shopper
    berlin = account(app, "berlin@example.com", role="seller", store="berlin")
    assert berlin.get(url).status_code == 404 and berlin.post(url, data={"reply": "Hi"}).status_code == 404
    owner = account(app, "owner@example.com", role="seller", store="sz-audio")
    assert "Arrived scratched." in owner.get(url).data.decode()
    empty = owner.post(url, data={"reply": "  "})
    assert empty.status_code == 422 and "Please write your reply." in empty.data.decode()
    done = owner.post(url, data={"reply": "Sorry! <b>A new one</b> is on its way."})
    assert done.status_code == 303 and done.headers["Location"] == url
    shown_back = owner.get(url).data.decode()
    assert "Your reply is published." in shown_back and 'data-testid="reply-form"' not in shown_back
    again = owner.post(url, data={"reply": "Twice"})
    assert again.status_code == 409 and "already replied" in again.data.decode()
    session.rollback()
    assert session.get(Review, review.id).reply_text == "Sorry! <b>A new one</b> is on its way."
    html = app.test_client().get(page_url(product)).data.decode()
    assert "Sorry! &lt;b&gt;A new one&lt;/b&gt; is on its way." in html and 'data-testid="seller-reply"' in html


def test_reply_link_is_shown_to_the_owner_only(app, session, product):
    review = reviewed(session, product, 3)
    reply = f"/en/seller/reviews/{review.id}/reply"
    assert reply not in app.test_client().get(page_url(product)).data.decode()
    assert reply not in account(app, "berlin@example.com", role="seller", store="berlin").get(
        page_url(product)).data.decode()
    assert reply in account(app, "owner@example.com", role="seller", store="sz-audio").get(
        page_url(product)).data.decode()


def test_seller_figures_on_seller_card_offer_rows_and_store(client, session, product):
    for stars in (5, 5, 4, 2):
        reviewed(session, product, stars)
    old = reviewed(session, product, 1)
    session.execute(update(Review).where(Review.id == old.id).values(created_at=old.created_at - timedelta(days=400)))
    session.commit()
    client.set_cookie("ship_to", "US")
    html = client.get(page_url(product, "offer=1")).data.decode()
    card = html.split('data-testid="seller-card"')[1].split("</div>")[0]
    assert "75.0% positive feedback" in card and "5 orders" in card
    assert "Item as described 5.0 · Communication 5.0 · Shipping speed 5.0" in card
    rows = dict(re.findall(r'data-seller="([^"]+)">(.*?)</li>', html, re.S))
    assert "75.0% positive feedback" in rows["sz-audio"] and "No ratings yet" in rows["berlin"]
    store = client.get("/en/store/sz-audio").data.decode()
    assert "75.0% positive feedback" in store and "5 orders" in store
    assert "No ratings yet" in client.get("/en/store/berlin").data.decode()
    client.set_cookie("ship_to", "ES")  # Spanish shipped to Spain: es_ES (es_US would write "75.0")
    spanish = client.get(page_url(product, "offer=1", locale="es")).data.decode()
    assert "75,0" in spanish


def test_rating_sort_in_the_offer_comparison(client, session, product):
    for stars in (5, 4, 5):
        reviewed(session, product, stars)            # SZ Audio: 100% positive
    for stars in (5, 2):
        reviewed(session, product, stars, seller="berlin")  # Berlin: 50% positive
    client.set_cookie("ship_to", "DE")
    client.set_cookie("currency", "EUR")

    def sellers(sort):
        html = client.get(page_url(product, f"sort={sort}")).data.decode()
        return re.findall(r'data-testid="offer-row" data-seller="([^"]+)"', html)

    assert sellers("landed") == ["berlin", "sz-audio"]  # Berlin is cheaper to Germany
    assert sellers("rating") == ["sz-audio", "berlin"]
    for stars in (5, 5, 5, 5):
        reviewed(session, product, stars, seller="berlin")  # now 5 of 6: 83% - still below 100%
    assert sellers("rating") == ["sz-audio", "berlin"]
    for stars in (1, 1):
        reviewed(session, product, stars)  # SZ Audio: 3 of 5 = 60%
    assert sellers("rating") == ["berlin", "sz-audio"]
