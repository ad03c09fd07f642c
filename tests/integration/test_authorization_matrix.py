"""Who may use which page: every seller-center, order, review, dispute and admin endpoint × owner, another
seller, the buyer, another buyer, the admin and an anonymous visitor.

The endpoints come from the app's URL map, so a new page in these areas fails this test until it is given a
place in the matrix. Requests that are refused must change nothing: each one is sent with a form that would
succeed for the owner, and the database is compared before and after.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from storefront.extensions import db
from storefront.orders.models import Order
from storefront.reviews.models import Review
from storefront.sellers.models import Offer
from tests.factories import account, add_listing
from tests.integration.orders.after_sale import bought, ship
from tests.builders import place, reload

# Areas and who owns what in them. "seller": the store's owner; "buyer": the order's buyer; "admin".
AREAS = {"seller_listings": "seller", "seller_orders": "seller", "orders": "buyer", "admin": "admin",
         "metrics": "admin"}
EXTRA = {"reviews.write": "buyer", "seller_reviews.reply": "seller"}
# Open to everyone by design: a helpful vote on a public review; the carriers' signed webhook.
PUBLIC = {"reviews.helpful", "tracking.webhook"}
# Pages that list "my" things rather than show one thing: strangers get their own (empty) list, not 404.
LISTS = {"seller_orders.dashboard", "seller_orders.orders", "seller_listings.index", "seller_listings.new",
         "seller_listings.bulk", "orders.mine"}
ROLES = ("owner_seller", "other_seller", "buyer", "other_buyer", "admin", "anonymous")

# A form that would do something for the owner, for every POST endpoint: a refused request must not.
FORM = {
    "carrier": "dhl", "tracking_number": "JD0123456789", "reason": "not_received", "note": "n",
    "requested": "full_refund", "amount": "1", "message": "Let us sort this out.", "confirm": "y",
    "decision": "full_refund", "offer-amount": "1", "offer-message": "One back.", "reject-message": "No.",
    "accept-confirm": "y", "reply": "Thank you!", "rating": "1", "text": "Changed my mind.",
    "item_as_described": "1", "communication": "1", "shipping_speed": "1", "save": "1",
}


@pytest.fixture
def world(app, owner, other_seller, shopper):
    """Orders of the shopper from the owner's store in every state the endpoints act on."""
    paid = bought(shopper)
    shipped = bought(shopper)
    ship(shipped, days_ago=8)
    disputed = bought(shopper)
    ship(disputed, days_ago=8)
    assert shopper.post(f"/es/orders/{disputed}/dispute/new", data={
        "reason": "not_received", "requested": "full_refund", "amount": "",
        "message": "Nothing came."}).status_code == 303
    completed = bought(shopper)
    ship(completed, days_ago=3)
    assert shopper.post(f"/es/orders/{completed}/confirm-receipt", data={"confirm": "y"}).status_code in (302, 303)
    line = reload(completed).lines[0].id
    assert shopper.post(f"/es/orders/{completed}/review/{line}", data={
        "rating": "5", "text": "Good.", "item_as_described": "5", "communication": "5",
        "shipping_speed": "5"}).status_code == 303
    unpaid = placed_unpaid(shopper)
    asked = bought(shopper)
    assert shopper.post(f"/es/orders/{asked}/request-cancel").status_code == 303
    db.session.rollback()
    review = db.session.scalar(select(Review.id).order_by(Review.id.desc()))
    offer = db.session.scalar(select(Offer.id).join(Offer.seller).where(text("sellers.handle = 'sz-audio'")))
    clients = {
        "owner_seller": owner, "other_seller": other_seller, "buyer": shopper,
        "other_buyer": account(app, "other.buyer@example.com"),
        "admin": account(app, "admin@example.com", role="admin"), "anonymous": app.test_client(),
    }
    return {"orders": {"paid": paid, "shipped": shipped, "disputed": disputed, "completed": completed,
                       "unpaid": unpaid, "cancel_requested": asked},
            "line": line, "review": review, "offer": offer, "clients": clients}


def placed_unpaid(client) -> str:
    """`client` places a card order of another of the owner's listings and leaves it unpaid; returns its number."""
    add_listing(db.session, variants=[{"sku": "EB-2", "price": "11.00", "currency": "USD", "stock": 3}])
    place(client, "EB-2")
    db.session.rollback()
    return db.session.scalars(select(Order.number).order_by(Order.id.desc())).first()


def order_for(endpoint: str, orders: dict) -> str:
    """The order an endpoint acts on in a way that would succeed for its owner."""
    if endpoint in ("seller_orders.ship", "seller_orders.cancel", "orders.request_cancel"):
        return orders["paid"]
    if endpoint == "orders.cancel_unpaid":
        return orders["unpaid"]
    if endpoint == "seller_orders.accept_cancel":
        return orders["cancel_requested"]
    if endpoint in ("orders.confirm_receipt", "orders.extend_protection", "orders.dispute_new"):
        return orders["shipped"]
    if endpoint == "reviews.write":
        return orders["completed"]
    return orders["disputed"]


def requests(app, world) -> list[tuple[str, str, str, str]]:
    """(endpoint, owner kind, method, url) for every endpoint of the matrix."""
    out = []
    for rule in app.url_map.iter_rules():
        kind = AREAS.get(rule.endpoint.split(".")[0]) or EXTRA.get(rule.endpoint)
        if rule.endpoint in PUBLIC or kind is None:
            continue
        values = {"locale": "en"}
        if "number" in rule.arguments:
            values["number"] = order_for(rule.endpoint, world["orders"])
        if "offer_id" in rule.arguments:
            values["offer_id"] = world["offer"]
        if "line_id" in rule.arguments:
            values["line_id"] = world["line"]
        if "review_id" in rule.arguments:
            values["review_id"] = world["review"]
        if "table_id" in rule.arguments:
            values["table_id"] = "funnel"
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **values)
        for method in sorted(rule.methods & {"GET", "POST"}):
            out.append((rule.endpoint, kind, method, url))
    return sorted(out)


def state() -> tuple:
    """What a refused request must leave exactly as it was."""
    db.session.rollback()
    queries = (
        "SELECT id, status, refunded_total, protection_extended, carrier, cancel_reason, cancel_requested_at "
        "FROM orders ORDER BY id",
        "SELECT id, status FROM payments ORDER BY id",
        "SELECT id, status, offer_amount, resolution FROM disputes ORDER BY id",
        "SELECT count(*) FROM dispute_messages", "SELECT count(*) FROM refunds", "SELECT count(*) FROM payouts",
        "SELECT id, is_published, handling_days FROM offers ORDER BY id",
        "SELECT id, stock, price FROM variants ORDER BY id",
        "SELECT id, rating, text, reply_text FROM reviews ORDER BY id", "SELECT count(*) FROM products",
    )
    return tuple(tuple(tuple(row) for row in db.session.execute(text(q))) for q in queries)


def expected(endpoint: str, kind: str, role: str) -> str:
    """'ok' (allowed), 'login' (sent to log in), '404', or 'own-list' (their own, empty list)."""
    owner = {"seller": "owner_seller", "buyer": "buyer", "admin": "admin"}[kind]
    if role == owner:
        return "ok"
    if role == "anonymous":
        if kind == "seller" or endpoint == "orders.mine":
            return "login"
        return "404"
    if endpoint in LISTS and (kind == "buyer" or role == "other_seller"):
        return "own-list"
    return "404"


def test_every_endpoint_answers_each_role_as_the_matrix_says(app, world):
    matrix = requests(app, world)
    endpoints = {e for e, *_ in matrix}
    # Every area is really covered (a renamed blueprint must not silently empty the matrix).
    assert {"seller_orders.ship", "seller_orders.dispute_offer", "seller_listings.edit", "orders.detail",
            "orders.dispute_accept_offer", "orders.confirm_receipt", "admin.decide", "metrics.dashboard",
            "reviews.write", "seller_reviews.reply", "orders.cancel_unpaid", "orders.request_cancel",
            "seller_orders.accept_cancel"} <= endpoints
    numbers = list(world["orders"].values())
    failures = []
    for role in ROLES:
        if role == "buyer" or role == "owner_seller" or role == "admin":
            continue  # the owners act last, below: their successful actions would change the state
        client = world["clients"][role]
        for endpoint, kind, method, url in matrix:
            want = expected(endpoint, kind, role)
            before = state()
            response = client.post(url, data=FORM) if method == "POST" else client.get(url)
            got = response.status_code
            if want == "404" and got != 404:
                failures.append((role, method, url, got, want))
            elif want == "login" and not (got == 302 and "/account/login" in response.headers.get("Location", "")):
                failures.append((role, method, url, got, want))
            elif want == "own-list":
                page = response.data.decode()
                refused = got >= 400 if method == "GET" else (got == 404 or got >= 500)  # a bad form: 400
                if refused or any(number in page for number in numbers):
                    failures.append((role, method, url, got, want))
            if method == "POST" and state() != before:
                failures.append((role, method, url, got, "changed the database"))
    # The owners of each area get their pages (whatever the action's own answer, never 404 or an error).
    for endpoint, kind, method, url in matrix:
        if method != "GET":
            continue
        role = {"seller": "owner_seller", "buyer": "buyer", "admin": "admin"}[kind]
        got = world["clients"][role].get(url).status_code
        if got == 404 or got >= 500:
            failures.append((role, method, url, got, "ok"))
    assert failures == []


def test_owners_posts_are_never_404_or_errors(app, world):
    """The owner's actions reach their handlers: refused for the order's state (409/400) maybe, but found."""
    failures = []
    for endpoint, kind, method, url in requests(app, world):
        if method != "POST":
            continue
        role = {"seller": "owner_seller", "buyer": "buyer", "admin": "admin"}[kind]
        got = world["clients"][role].post(url, data=FORM).status_code
        if got == 404 or got >= 500:
            failures.append((role, url, got))
    assert failures == []


def test_admins_without_a_store_get_404_in_the_seller_center(app, world):
    admin = world["clients"]["admin"]
    assert admin.get("/en/seller/").status_code == 404
    assert admin.get(f"/en/seller/orders/{world['orders']['paid']}").status_code == 404
