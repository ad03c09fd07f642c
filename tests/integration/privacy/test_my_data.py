"""Download my data and delete my account: every table that refers to an account is exported and cleaned (found
by walking the models, so a table added later is covered or fails here), orders kept anonymised, reviews kept
as by a deleted user, and deletion refused with the reasons while something is open."""
from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, func, select, text

from storefront.accounts.models import User
from storefront.catalog.models import Product
from storefront.core.events import Event
from storefront.models import metadata
from storefront.orders.models import Checkout, Dispute, DisputeMessage, Order
from storefront.privacy.coverage import tables_about_users, uncovered
from storefront.privacy.services import ANONYMOUS_EMAIL, PERSONAL_TABLES
from storefront.reviews.models import HelpfulVote, Review
from storefront.reviews.services import write_review
from storefront.sellers.models import Variant
from tests.factories import PASSWORD, sign_up
from tests.integration.accounts.helpers import mails
from tests.review_factories import NOW, bought, buyer_of, review_input

DATA = "/en/account/data/"


def ana(session) -> User:
    session.rollback()
    return session.scalar(select(User).where(User.email == "ana@example.com"))


def shopper_with_history(app, session):
    """Ana, logged in, with something in every table about accounts: an address, a cart, two completed orders
    (one with a resolved dispute), a review, a helpful vote, a question to a seller, a favourite, a recently viewed product, events."""
    client = app.test_client()
    sign_up(client, "Ana García", "ana@example.com")
    client.post("/en/account/addresses/new", data={"full_name": "Ana García", "line1": "Calle Mayor 1",
                                                   "city": "Madrid", "country": "ES", "postal_code": "28013"})
    variant_id = session.scalar(select(Variant.id).where(Variant.sku == "EB-1"))
    client.post("/en/cart/add", data={"variant_id": variant_id, "qty": 1})
    user = ana(session)
    product = session.scalar(select(Product).order_by(Product.id))
    offer_id = session.scalar(select(Variant.offer_id).where(Variant.sku == "EB-1"))
    client.post(f"/en/p/{product.id}/questions", data={"offer": offer_id, "body": "Does it fit small ears?"})
    client.post(f"/en/favourites/{product.id}", data={})
    client.get(f"/en/p/{product.id}-{product.slug}")  # recently viewed
    reviewed = bought(session, product, user_id=user.id, at=app.config.get("NOW", NOW))
    disputed = bought(session, product, user_id=user.id)
    dispute = Dispute(order_id=disputed.id, reason="not_received", status="resolved", requested="full_refund",
                      requested_amount=disputed.total, resolution="rejected", previous_status="shipped")
    dispute.messages.append(DisputeMessage(author="buyer", body="It never came."))
    session.add(dispute)
    review = write_review(session, reviewed.number, reviewed.lines[0].id, buyer_of(reviewed, "Ana García"),
                          review_input(text="Great sound."), now=NOW + timedelta(days=1))
    session.add(HelpfulVote(review_id=review.id, voter=f"u:{user.id}"))
    session.add(Event(kind="page_view", user_id=user.id, data={"path": "/en/"}))
    session.commit()
    return client, user.id


def rows_about(session, user_id: int) -> dict[str, int]:
    """For every table that refers to an account (walked from the models), how many rows refer to this one."""
    counts = {}
    for table, columns in tables_about_users(metadata).items():
        where = " OR ".join(f"{c} = :uid" for c in columns)
        counts[table] = session.execute(text(f"SELECT count(*) FROM {table} WHERE {where}"), {"uid": user_id}).scalar()
    return counts


def test_every_table_about_accounts_has_an_export_and_a_deletion_rule():
    assert uncovered(metadata, set(PERSONAL_TABLES)) == []
    assert {"users", "addresses", "carts", "checkouts", "orders", "reviews", "sellers", "events"} <= set(
        tables_about_users(metadata))


def test_a_new_table_with_a_user_reference_fails_the_walk():
    extended = MetaData()
    for table in metadata.tables.values():
        table.to_metadata(extended)
    Table("wishlists", extended, Column("id", Integer, primary_key=True),
          Column("user_id", ForeignKey("users.id")))
    Table("support_tickets", extended, Column("id", Integer, primary_key=True), Column("buyer_id", Integer),
          Column("subject", String(100)))
    assert uncovered(extended, set(PERSONAL_TABLES)) == ["support_tickets", "wishlists"]


def test_the_export_holds_every_row_about_me(app, stores, session):
    client, user_id = shopper_with_history(app, session)
    response = client.get(DATA + "export.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response.headers["Cache-Control"]
    data = json.loads(response.data)
    for table, count in rows_about(session, user_id).items():
        assert len(data[table]) == count, table  # every table, every row
    assert data["users"][0]["email"] == "ana@example.com" and "password_hash" not in data["users"][0]
    assert len(data["review_helpful_votes"]) == 1 and data["reviews"][0]["text"] == "Great sound."
    disputed = next(o for o in data["orders"] if o["dispute"])
    assert disputed["dispute"]["messages"][0]["body"] == "It never came." and disputed["lines"]
    assert Decimal(data["orders"][0]["total"]) == Decimal("10.00")
    assert data["carts"][0]["lines"][0]["quantity"] == 1 and data["addresses"][0]["city"] == "Madrid"


def test_deleting_my_account_cleans_every_table_and_keeps_orders_and_reviews_anonymised(app, stores, session):
    client, user_id = shopper_with_history(app, session)
    assert all(count for table, count in rows_about(session, user_id).items() if table != "sellers")
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    wrong = client.post(DATA + "delete", data={"password": "not-it", "understood": "y"})
    assert wrong.status_code == 400 and ana(session) is not None
    unticked = client.post(DATA + "delete", data={"password": PASSWORD})
    assert unticked.status_code == 400 and ana(session) is not None
    response = client.post(DATA + "delete", data={"password": PASSWORD, "understood": "y"})
    assert response.status_code == 303
    session.rollback()
    assert set(rows_about(session, user_id).values()) == {0}  # no table refers to the account any more
    assert session.scalar(select(func.count(Order.id))) == 2  # the sellers' records stay...
    assert set(session.scalars(select(Order.email))) == {ANONYMOUS_EMAIL}  # ...without the person
    assert all(set(a) <= {"country", "region"} for a in session.scalars(select(Checkout.address)))
    review = session.scalar(select(Review))
    assert review.by_deleted_user and review.text == "Great sound." and review.user_id is None
    assert session.scalar(select(func.count(HelpfulVote.id))) == 1
    assert "Deleted user" in app.test_client().get(f"/en/p/{review.product_id}", follow_redirects=True).data.decode()
    assert client.get("/en/orders/").status_code == 302 and copy.get("/en/orders/").status_code == 302
    assert mails(app, "account_deleted")[0]["To"] == "ana@example.com"


def test_deletion_is_refused_with_the_reasons_while_an_order_or_dispute_is_open(app, stores, owner, session):
    client, user_id = shopper_with_history(app, session)
    product = session.scalar(select(Product).order_by(Product.id))
    waiting = bought(session, product, user_id=user_id, status="paid")
    disputed = bought(session, product, user_id=user_id, status="delivered")
    session.add(Dispute(order_id=disputed.id, reason="not_as_described", status="open", requested="full_refund",
                        requested_amount=disputed.total, previous_status="delivered"))
    session.commit()
    page = client.get(DATA).data.decode()
    assert waiting.number in page and disputed.number in page and 'data-testid="delete-form"' not in page
    response = client.post(DATA + "delete", data={"password": PASSWORD, "understood": "y"})
    body = response.data.decode()
    assert response.status_code == 409 and "is still open" in body and f"dispute about order {disputed.number}" in body
    assert ana(session) is not None and session.scalar(select(Order.user_id).where(Order.id == waiting.id)) == user_id
    store_owner = owner.post(DATA + "delete", data={"password": PASSWORD, "understood": "y"})
    assert store_owner.status_code == 409 and "You own the store SZ Audio" in store_owner.data.decode()


def test_my_data_pages_need_login(app):
    client = app.test_client()
    assert client.get(DATA).status_code == 302 and client.get(DATA + "export.json").status_code == 302
    assert client.post(DATA + "delete", data={"password": "x", "understood": "y"}).status_code == 302
