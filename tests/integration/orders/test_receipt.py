"""Receipt and buyer protection: the buyer confirms receipt, extends the window once, or the tick confirms the
order when the window ends; the seller's payout becomes due only then; strangers get 404."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from storefront.orders.fulfilment import as_utc
from storefront.orders.protection import EXTENSION_DAYS, auto_confirm, extend_protection, protection_end
from storefront.extensions import db
from tests.factories import account
from tests.integration.orders.after_sale import bought, payout_of, ship, snapshot
from tests.builders import reload

RECEIVED = {"confirm": "y"}  # the ticked "I received the item; this ends my right to open a dispute"


def test_buyer_confirms_receipt_and_the_seller_payout_of_the_total_becomes_due(app, shopper):
    number = bought(shopper)
    shipped_at = ship(number)
    order = reload(number)
    assert as_utc(order.protection_ends_at) == protection_end(order) > shipped_at + timedelta(days=7)
    page = shopper.get(f"/es/orders/{number}").data.decode()
    assert 'data-testid="confirm-receipt"' in page and 'data-testid="protection-ends"' in page
    assert payout_of(number) is None  # nothing is owed to the seller before completion

    response = shopper.post(f"/es/orders/{number}/confirm-receipt", data=RECEIVED)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/es/orders/{number}")
    order = reload(number)
    assert order.status == "completed" and order.completed_at is not None
    assert (order.events[-1].from_status, order.events[-1].actor) == ("shipped", "buyer")
    payout = payout_of(number)
    assert (payout.amount, payout.currency, payout.status) == (order.total, order.currency, "due")
    page = shopper.get(f"/es/orders/{number}").data.decode()
    assert 'data-testid="confirm-receipt"' not in page and 'data-testid="open-dispute"' not in page


def test_confirm_receipt_without_ticking_that_it_ends_the_right_to_dispute_does_nothing(app, shopper):
    number = bought(shopper)
    ship(number)
    page = shopper.get(f"/en/orders/{number}").data.decode()
    assert "I received the item; this ends my right to open a dispute" in page
    assert re.search(r'<input[^>]*data-testid="confirm-receipt-check"[^>]*required|<input[^>]*required[^>]*'
                     r'data-testid="confirm-receipt-check"', page)
    before = snapshot(number)
    response = shopper.post(f"/en/orders/{number}/confirm-receipt")
    assert response.status_code == 422 and "Tick the box to confirm that you received the item" in \
        response.data.decode()
    assert snapshot(number) == before and reload(number).status == "shipped" and payout_of(number) is None
    assert shopper.post(f"/en/orders/{number}/confirm-receipt", data=RECEIVED).status_code == 303
    assert reload(number).status == "completed"


def test_confirming_an_order_that_has_not_shipped_or_is_complete_is_refused_and_changes_nothing(app, shopper):
    number = bought(shopper)
    before = snapshot(number)
    response = shopper.post(f"/en/orders/{number}/confirm-receipt", data=RECEIVED)
    assert response.status_code == 409 and 'data-testid="after-sale-problem"' in response.data.decode()
    assert "cannot be confirmed" in response.data.decode()
    assert snapshot(number) == before
    ship(number)
    assert shopper.post(f"/en/orders/{number}/confirm-receipt", data=RECEIVED).status_code == 303
    done = snapshot(number)
    assert shopper.post(f"/en/orders/{number}/confirm-receipt", data=RECEIVED).status_code == 409
    assert snapshot(number) == done


def test_buyer_extends_protection_once_while_it_runs(app, shopper):
    number = bought(shopper)
    ship(number)
    ends = as_utc(reload(number).protection_ends_at)
    assert 'data-testid="extend-protection"' in shopper.get(f"/en/orders/{number}").data.decode()

    assert shopper.post(f"/en/orders/{number}/extend-protection").status_code == 303
    order = reload(number)
    assert order.protection_extended and as_utc(order.protection_ends_at) == ends + timedelta(days=EXTENSION_DAYS)
    page = shopper.get(f"/en/orders/{number}").data.decode()
    assert 'data-testid="extend-protection"' not in page and 'data-testid="protection-extended"' in page

    before = snapshot(number)
    again = shopper.post(f"/en/orders/{number}/extend-protection")
    assert again.status_code == 409 and "already extended" in again.data.decode()
    assert snapshot(number) == before


def test_the_tick_confirms_orders_whose_window_ended_and_an_extension_pushes_it_out(app, shopper, runner):
    plain, extended = bought(shopper), bought(shopper)
    shipped_at = ship(plain, days_ago=1)
    ship(extended, at=shipped_at)
    extend_protection(db.session, reload(extended), shipped_at + timedelta(days=2))
    ends = as_utc(reload(plain).protection_ends_at)
    assert as_utc(reload(extended).protection_ends_at) == ends + timedelta(days=EXTENSION_DAYS)

    result = runner.invoke(args=["orders", "tick", "--now", (ends - timedelta(hours=1)).isoformat()])
    assert result.exit_code == 0, result.output
    assert "0 orders confirmed at the end of their buyer protection" in result.output
    assert reload(plain).status in ("shipped", "delivered") and payout_of(plain) is None

    result = runner.invoke(args=["orders", "tick", "--now", (ends + timedelta(hours=1)).isoformat()])
    assert "1 orders confirmed at the end of their buyer protection" in result.output
    order = reload(plain)
    assert order.status == "completed" and as_utc(order.completed_at) == ends + timedelta(hours=1)
    assert (order.events[-1].actor, order.events[-1].note) == ("system", "protection window ended")
    assert payout_of(plain).amount == order.total
    assert reload(extended).status in ("shipped", "delivered") and payout_of(extended) is None

    # the extension was used: it cannot be extended again, and its own end confirms it
    before = snapshot(extended)
    with pytest.raises(Exception, match="already_extended"):
        extend_protection(db.session, reload(extended), ends)
    assert snapshot(extended) == before
    later = ends + timedelta(days=EXTENSION_DAYS, hours=1)
    assert [o.number for o in auto_confirm(db.session, later)] == [extended]
    assert reload(extended).status == "completed"
    assert auto_confirm(db.session, later) == []  # a second tick does nothing


def test_an_extension_after_the_window_ended_is_refused(app, shopper):
    number = bought(shopper)
    ship(number)
    ends = as_utc(reload(number).protection_ends_at)
    before = snapshot(number)
    with pytest.raises(Exception, match="window_ended"):
        extend_protection(db.session, reload(number), ends + timedelta(seconds=1))
    assert snapshot(number) == before


@pytest.mark.parametrize("path", ["confirm-receipt", "extend-protection"])
@pytest.mark.parametrize("who", ["other_buyer", "seller", "anonymous"])
def test_only_the_buyer_may_confirm_or_extend(app, shopper, owner, who, path):
    number = bought(shopper)
    ship(number)
    before = snapshot(number)
    client = {"other_buyer": account(app, "eve@example.com"), "seller": owner,
              "anonymous": app.test_client()}[who]
    assert client.post(f"/en/orders/{number}/{path}", data=RECEIVED).status_code == 404
    assert snapshot(number) == before


def test_a_guest_buyer_confirms_from_the_browser_that_placed_the_order(app, stores):
    guest = app.test_client()
    number = bought(guest)
    ship(number)
    assert app.test_client().post(f"/en/orders/{number}/confirm-receipt").status_code == 404
    assert guest.post(f"/en/orders/{number}/confirm-receipt", data=RECEIVED).status_code == 303
    assert reload(number).status == "completed"


def test_posts_without_the_csrf_token_are_refused(app, shopper):
    number = bought(shopper)
    ship(number)
    before = snapshot(number)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        for path in ("confirm-receipt", "extend-protection", "dispute/new"):
            assert shopper.post(f"/en/orders/{number}/{path}", data={"reason": "not_received"}).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert snapshot(number) == before
    assert reload(number).refunded_total == Decimal(0)
