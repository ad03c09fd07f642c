"""Event recording: a real shopping journey leaves exactly its funnel events, with context and no personal data."""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from storefront.core.events import Event
from storefront.core.events import record_event
from storefront.orders.models import Checkout, Order
from storefront.orders.services import transition
from storefront.reviews.services import Buyer, ReviewInput, write_review
from storefront.sellers.models import Variant
from tests.factories import add_listing
from tests.builders import review_keys

PHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
         "Version/17.4 Mobile/15E148 Safari/604.1")
BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
BUYER = {"full_name": "Lucía Gómez", "line1": "Calle Mayor 1", "city": "Madrid", "postal_code": "28013",
         "country": "ES", "email": "lucia@example.com", "payment_method": "card", "saved_address": "new"}
CARD = {"expiry": "12/34", "cvc": "123", "name": "Lucía Gómez"}
PERSONAL = ("lucia@example.com", "Lucía", "Gómez", "Calle Mayor", "Madrid", "28013", "4242", "0002")


def listing(app, session):
    """One pair of earbuds from China, priced in dollars; returns its product."""
    app.config["TODAY"] = date(2026, 11, 27)
    return add_listing(session, variants=[{"sku": "EB-1", "options": {"Color": "Black"}, "price": "10.00",
                                           "currency": "USD", "stock": 5}])


def phone(client):
    """The client as a Spanish shopper's phone."""
    client.environ_base.update(HTTP_USER_AGENT=PHONE, HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9")
    return client


def events(session) -> list[Event]:
    """Every event recorded so far, oldest first."""
    session.rollback()
    return session.scalars(select(Event).order_by(Event.id)).all()


def hosted_page(response) -> str:
    """The sandbox's payment page a response redirects to."""
    return "/testpay/pay/" + response.headers["Location"].split("/testpay/pay/")[1]


def test_a_shopping_journey_records_each_funnel_step_once_with_its_context(app, session, client):
    product = listing(app, session)
    variant_id = session.scalar(select(Variant.id).where(Variant.sku == "EB-1"))
    shopper = phone(client)
    assert shopper.get("/es/").status_code == 200
    results = shopper.get("/es/search?q=auriculares").data.decode()
    link = re.search(r'href="(/es/p/[^"]*sid=[^"]+)"', results).group(1).replace("&amp;", "&")
    assert shopper.get(link).status_code == 200
    assert shopper.post("/es/cart/add", data={"variant_id": variant_id, "qty": 1}).status_code == 303
    assert shopper.get("/es/checkout/").status_code == 200
    assert shopper.post("/es/checkout/", data=BUYER).status_code == 303
    review = shopper.get("/es/checkout/review").data.decode()
    key, total = review_keys(review)
    placed = shopper.post("/es/checkout/place", data={"idempotency_key": key, "expected_total": total})
    shopper.post(hosted_page(placed), data=CARD | {"number": "4000000000000002"}, follow_redirects=True)
    reference = session.scalar(select(Checkout.reference))
    retry = shopper.post(f"/es/checkout/done/{reference}/pay")
    shopper.post(hosted_page(retry), data=CARD | {"number": "4242424242424242"}, follow_redirects=True)
    # the same checkout submitted again (a double click) places nothing new and records nothing
    shopper.post("/es/checkout/place", data={"idempotency_key": key, "expected_total": total})

    recorded = events(session)
    checkout = session.scalar(select(Checkout))
    order = session.scalar(select(Order))
    search_id = recorded[1].data["search_id"]
    assert [(e.kind, e.data) for e in recorded] == [
        ("session_start", {"path": "catalog.home"}),
        ("search", {"query": "auriculares", "results": 1, "degraded": False, "search_id": search_id, "page": 1}),
        ("search_click", {"search_id": search_id, "position": 1, "product_id": product.id}),
        ("product_view", {"product_id": product.id}),
        ("add_to_cart", {"variant_id": variant_id, "quantity": 1}),
        ("checkout_start", {}),
        ("order_placed", {"checkout": reference, "orders": 1, "total": str(checkout.total), "currency": "EUR"}),
        ("payment_failed", {"checkout": reference, "method": "test", "reason": "declined"}),
        ("payment_succeeded", {"checkout": reference, "method": "test", "reason": ""}),
        ("order_paid", {"order": order.number, "seller_id": order.seller_id, "from": "awaiting_payment",
                        "actor": "payment"}),
    ]
    web, system = recorded[:7], recorded[7:]
    assert len({e.session_id for e in web}) == 1 and re.fullmatch(r"[0-9a-f]{16}", web[0].session_id)
    assert {(e.locale, e.country, e.currency, e.device, e.user_id) for e in web} == {("es", "ES", "EUR", "mobile",
                                                                                     None)}
    assert {(e.session_id, e.locale, e.country, e.currency, e.device, e.user_id) for e in system} == {
        ("", "es", "ES", "EUR", "", None)}
    assert [e.at for e in recorded] == sorted(e.at for e in recorded)
    stored = json.dumps([[e.kind, e.session_id, e.locale, e.country, e.currency, e.device, e.data]
                         for e in recorded], ensure_ascii=False)
    assert not [text for text in PERSONAL if text in stored]


def test_a_long_search_is_kept_to_100_characters(app, session, client):
    listing(app, session)
    phone(client).get("/es/search?q=" + "auriculares " * 15)
    (search,) = [e for e in events(session) if e.kind == "search"]
    assert len(search.data["query"]) == 100 and search.data["query"].startswith("auriculares auriculares")


def test_crawlers_start_no_sessions_and_record_nothing(app, session, client):
    product = listing(app, session)
    client.environ_base["HTTP_USER_AGENT"] = BOT
    assert client.get("/es/").status_code == 200
    assert client.get("/es/search?q=auriculares").status_code == 200
    assert client.get(f"/es/p/{product.id}-{product.slug}").status_code == 200
    assert events(session) == []


def test_only_a_full_html_page_starts_a_visit(app, session, client):
    product = listing(app, session)
    shopper = phone(client)
    assert shopper.get("/static/css/site.css").status_code in (200, 404)
    assert shopper.get("/", follow_redirects=False).status_code in (301, 302, 303, 308)
    swap = shopper.get(f"/es/p/{product.id}-{product.slug}?qty=2", headers={"HX-Request": "true",
                                                                          "HX-Target": "purchase"})
    assert swap.status_code == 200 and events(session) == []  # a fragment belongs to a page already counted
    shopper.get(f"/es/p/{product.id}-{product.slug}")
    shopper.get(f"/es/p/{product.id}-{product.slug}")
    assert [(e.kind, e.data) for e in events(session)] == [
        ("session_start", {"path": "catalog.product"}), ("product_view", {"product_id": product.id}),
        ("product_view", {"product_id": product.id})]


def test_an_event_that_cannot_be_written_never_breaks_the_page(app, session, client):
    product = listing(app, session)

    @app.get("/es/recording-check")
    def recording_check():
        record_event("search", query="auriculares", results=object())  # not JSON: the insert itself fails
        return "<!doctype html><title>ok</title>"

    shopper = phone(client)
    page = shopper.get("/es/recording-check")
    assert page.status_code == 200 and b"ok" in page.data
    assert events(session) == []  # that request's events are lost, and nothing else
    assert shopper.get(f"/es/p/{product.id}-{product.slug}").status_code == 200
    assert [e.kind for e in events(session)] == ["product_view"]  # the visit began on the failed request


def completed_order(app, session, client) -> Order:
    """A guest's paid card order (through checkout and the sandbox)."""
    listing(app, session)
    shopper = phone(client)
    variant_id = session.scalar(select(Variant.id).where(Variant.sku == "EB-1"))
    shopper.post("/es/cart/add", data={"variant_id": variant_id, "qty": 1})
    shopper.post("/es/checkout/", data=BUYER)
    review = shopper.get("/es/checkout/review").data.decode()
    key, total = review_keys(review)
    placed = shopper.post("/es/checkout/place", data={"idempotency_key": key, "expected_total": total})
    shopper.post(hosted_page(placed), data=CARD | {"number": "4242424242424242"}, follow_redirects=True)
    session.rollback()
    return session.scalar(select(Order))


def test_system_events_commit_and_roll_back_with_the_change_they_record(app, session, client):
    order = completed_order(app, session, client)
    before = len(events(session))
    order = session.scalar(select(Order))
    shipped_at = datetime(2026, 11, 28, 9, tzinfo=timezone.utc)
    transition(session, order, "shipped", actor="seller", now=shipped_at)
    session.rollback()
    assert len(events(session)) == before and session.scalar(select(Order)).status == "paid"

    order = session.scalar(select(Order))
    transition(session, order, "shipped", actor="seller", now=shipped_at)
    transition(session, order, "completed", actor="buyer", now=shipped_at + timedelta(days=12))
    session.commit()
    shipped, completed = events(session)[before:]
    assert (shipped.kind, shipped.at.replace(tzinfo=timezone.utc), shipped.data) == (
        "order_shipped", shipped_at, {"order": order.number, "seller_id": order.seller_id, "from": "paid",
                                      "actor": "seller"})
    assert (completed.kind, completed.data["from"], completed.data["actor"]) == ("order_completed", "shipped",
                                                                                "buyer")
    assert (completed.locale, completed.country, completed.currency, completed.session_id) == ("es", "ES", "EUR", "")

    reference = session.scalar(select(Checkout.reference))
    review = ReviewInput(rating=4, text="Buen sonido.", item_as_described=5, communication=4, shipping_speed=4,
                         language="es")
    written_at = shipped_at + timedelta(days=13)
    line_id = order.lines[0].id
    write_review(session, order.number, line_id, Buyer(None, (reference,)), review, now=written_at)
    session.rollback()  # the caller did not commit: neither review nor event
    assert len(events(session)) == before + 2
    write_review(session, order.number, line_id, Buyer(None, (reference,)), review, now=written_at)
    session.commit()
    posted = events(session)[-1]
    assert (posted.kind, posted.data) == ("review_posted", {"order": order.number,
                                                            "product_id": order.lines[0].product_id, "rating": 4})
    assert "Lucía" not in json.dumps(posted.data, ensure_ascii=False)
