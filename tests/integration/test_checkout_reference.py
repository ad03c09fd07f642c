"""Checkout references people read and type: short, without look-alike characters, unique; old ones still work."""
import re

from sqlalchemy import select

from storefront.checkout import services
from storefront.orders.models import Checkout
from tests.factories import add_listing
from tests.review_factories import bought

READABLE = re.compile(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}")


def test_reference_is_eight_unambiguous_characters_in_two_groups():
    references = {services.checkout_reference() for _ in range(500)}
    assert all(READABLE.fullmatch(r) for r in references) and len(references) == 500


def test_a_reference_already_taken_is_never_given_again(app, session, monkeypatch):
    product = add_listing(session)
    taken = bought(session, product, reference="K7QX-4MX2", status="awaiting_payment").checkout.reference
    draws = iter([taken, taken, "P2ZR-9WAD"])
    monkeypatch.setattr(services, "checkout_reference", lambda: next(draws))
    assert services.new_checkout_reference(session) == "P2ZR-9WAD"


def test_placed_checkout_shows_its_short_reference(client, session, app):
    from tests.integration.test_checkout import ADDRESS, fill_cart, review_form

    add_listing(session, variants=[{"sku": "EB-1", "options": {}, "price": "10.00", "currency": "USD", "stock": 5}])
    fill_cart(client, session, "EB-1")
    client.post("/es/checkout/", data=ADDRESS)
    key, total = review_form(client)
    placed = client.post("/es/checkout/place", data={"idempotency_key": key, "expected_total": total})
    reference = session.scalar(select(Checkout.reference))
    assert READABLE.fullmatch(reference) and placed.headers["Location"].endswith(f"/done/{reference}")
    assert f"Referencia <bdi>{reference}</bdi>" in client.get(placed.headers["Location"]).data.decode()


def test_an_older_long_reference_still_opens_its_confirmation(client, session):
    product = add_listing(session)
    old = bought(session, product, reference="CK-Qm9xL2aPz7Rt_kW3vYb1", status="awaiting_payment")
    with client.session_transaction() as browser:
        browser["checkouts"] = [old.checkout.reference]
    page = client.get("/en/checkout/done/CK-Qm9xL2aPz7Rt_kW3vYb1")
    assert page.status_code == 200 and "CK-Qm9xL2aPz7Rt_kW3vYb1" in page.data.decode()
