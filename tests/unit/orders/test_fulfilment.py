"""Fulfilment rules without HTTP: the handling deadline, shipping checks, cancelling as one operation, the timer."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from storefront.cart.services import add_item, new_cart
from storefront.checkout.services import CheckoutDetails, place_order
from storefront.currency.services import current_rates
from storefront.orders import fulfilment
from storefront.orders.fulfilment import (
    InvalidCancellation,
    InvalidShipment,
    OrderBusy,
    cancel_by_seller,
    cancel_overdue,
    handling_deadline,
    mark_shipped,
)
from storefront.orders.models import Order
from storefront.orders.services import IllegalTransition, transition
from storefront.payments.gateway import PaymentError
from storefront.payments.models import Payment, Refund
from storefront.orders.refunds import refund_order
from storefront.sellers.models import Variant
from storefront.shipping.carriers import normalize_tracking_number, valid_tracking_number
from tests.factories import add_listing

UTC = timezone.utc
FRIDAY = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
_keys = itertools.count(1)


class Gateway:
    """A payment provider double: refunds succeed and are remembered, or fail like an outage."""

    name = "test"

    def __init__(self, down: bool = False) -> None:
        self.down = down
        self.refunds: list = []

    def refund(self, provider_ref, amount, reference):
        if self.down:
            raise PaymentError("provider unavailable")
        self.refunds.append(amount.amount)
        return f"re_{len(self.refunds)}"


@pytest.fixture
def listings(app, session):
    """SZ Audio offers earbuds (3 handling days) and a case (5); Berlin offers mugs (2)."""
    add_listing(session, handling_days=3, variants=[{"sku": "EB-1", "price": "10.00", "currency": "USD", "stock": 5}])
    add_listing(session, handling_days=5, variants=[{"sku": "CASE-1", "price": "4.00", "currency": "USD", "stock": 5}])
    add_listing(session, seller={"handle": "berlin", "name": "Berlin", "country": "DE"}, ships_from="DE",
                handling_days=2, variants=[{"sku": "MUG-1", "price": "8.00", "currency": "EUR", "stock": 5}])


def stock(session, sku: str) -> int:
    session.rollback()
    return session.scalar(select(Variant.stock).where(Variant.sku == sku))


def paid_order(session, *items: tuple[str, int], paid_at: datetime = FRIDAY) -> Order:
    """One seller's order for `items` (sku, quantity), placed and paid by card at `paid_at`."""
    cart = new_cart(session)
    for sku, qty in items or (("EB-1", 1),):
        add_item(session, cart, session.scalar(select(Variant.id).where(Variant.sku == sku)), qty)
    session.commit()
    details = CheckoutDetails(email="ana@example.com", locale="es", currency="USD", payment_method="card",
                              address={"full_name": "Ana", "line1": "Calle Mayor 1", "line2": "", "city": "Madrid",
                                       "region": "", "postal_code": "28013", "country": "ES", "phone": ""})
    checkout, _ = place_order(session, cart, details, f"unit-key-{next(_keys):012d}", expected_total=None,
                              user_id=None, rates=current_rates(), today=paid_at.date(),
                              now=paid_at - timedelta(minutes=5))
    session.add(Payment(reference=f"pay_{checkout.id}", checkout_id=checkout.id, gateway="test",
                        amount=checkout.total, currency=checkout.currency, status="succeeded", provider_ref="tok"))
    [order] = checkout.orders
    transition(session, order, "paid", actor="payment", now=paid_at)
    session.commit()
    return order


def unchanged(session, order: Order) -> tuple:
    session.rollback()
    return (order.status, order.refunded_total, order.carrier, order.tracking_number, order.cancel_reason,
            order.cancelling_since, len(order.events), session.scalar(select(func.count(Refund.id))))


# --- the handling deadline ---------------------------------------------------------------------------

@pytest.mark.parametrize("paid_at,days,deadline", [
    (datetime(2026, 11, 25, 10, 0, tzinfo=UTC), 3, datetime(2026, 11, 30, 10, 0, tzinfo=UTC)),  # Wed -> Mon
    (FRIDAY, 3, datetime(2026, 12, 2, 10, 0, tzinfo=UTC)),                                     # Fri -> Wed
    (datetime(2026, 11, 28, 10, 0, tzinfo=UTC), 3, datetime(2026, 12, 3, 10, 0, tzinfo=UTC)),  # Sat -> Thu
    (datetime(2026, 11, 29, 23, 0, tzinfo=UTC), 1, datetime(2026, 12, 1, 23, 0, tzinfo=UTC)),  # Sun -> Tue
    (FRIDAY, 0, datetime(2026, 11, 30, 10, 0, tzinfo=UTC)),                                    # at least a day
])
def test_deadline_counts_business_days_and_skips_weekends(paid_at, days, deadline, monkeypatch):
    monkeypatch.setattr(fulfilment, "handling_days", lambda order: max(days, 1))
    assert handling_deadline(Order(number="SO-X", paid_at=paid_at)) == deadline


def test_an_order_without_its_offers_gets_the_default_handling_days():
    order = Order(number="SO-X", paid_at=FRIDAY, lines=[])
    assert handling_deadline(order) == datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
    with pytest.raises(ValueError):
        handling_deadline(Order(number="SO-Y"))


def test_payment_sets_ship_by_from_the_slowest_offer(session, listings):
    quick = paid_order(session, ("MUG-1", 1))
    slow = paid_order(session, ("EB-1", 1), ("CASE-1", 1))
    assert fulfilment.as_utc(quick.ship_by) == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)   # 2 days
    assert fulfilment.as_utc(slow.ship_by) == datetime(2026, 12, 4, 10, 0, tzinfo=UTC)    # 5 days, not 3


# --- shipping --------------------------------------------------------------------------------------

def test_tracking_numbers_are_normalized_then_checked():
    assert normalize_tracking_number(" lp 0012 3456\t789cn ") == "LP00123456789CN"
    assert valid_tracking_number("1Z999AA1-0123456784")
    for bad in ("AB12", "X" * 41, "LP0012!3456", "ÄÖ123456", ""):
        assert not valid_tracking_number(bad)


def test_mark_shipped_records_the_parcel(session, listings):
    order = paid_order(session)
    mark_shipped(session, order, carrier="4px", tracking_number="4px-0012 3456", actor="seller:1",
                 now=FRIDAY + timedelta(days=1))
    session.rollback()
    assert (order.status, order.carrier, order.tracking_number) == ("shipped", "4px", "4PX-00123456")
    assert order.carrier_name == "4PX" and order.events[-1].note == "4PX 4PX-00123456"


@pytest.mark.parametrize("carrier,tracking,error", [
    ("pigeon", "LP00123456789CN", ("carrier", "unknown")),
    ("dhl", "12345", ("tracking_number", "format")),
    ("dhl", "LP#0012345", ("tracking_number", "format")),
])
def test_mark_shipped_refuses_bad_details_and_changes_nothing(session, listings, carrier, tracking, error):
    order = paid_order(session)
    before = unchanged(session, order)
    with pytest.raises(InvalidShipment) as refused:
        mark_shipped(session, order, carrier=carrier, tracking_number=tracking, actor="seller:1", now=FRIDAY)
    assert (refused.value.field, refused.value.code) == error and unchanged(session, order) == before


def test_only_a_paid_order_ships(session, listings):
    order = paid_order(session)
    mark_shipped(session, order, carrier="dhl", tracking_number="JD0146000062", actor="seller:1", now=FRIDAY)
    before = unchanged(session, order)
    with pytest.raises(IllegalTransition):
        mark_shipped(session, order, carrier="ups", tracking_number="1Z9999999", actor="seller:1", now=FRIDAY)
    assert unchanged(session, order) == before and order.carrier == "dhl"


# --- cancelling ------------------------------------------------------------------------------------

def test_cancel_refunds_what_is_left_restocks_and_ends_cancelled(session, listings):
    order = paid_order(session, ("EB-1", 2))
    gateway = Gateway()
    refund_order(session, gateway, order, Decimal("1.00"), reason="scratched")
    assert stock(session, "EB-1") == 3
    cancellation = cancel_by_seller(session, gateway, order, reason="out_of_stock", note="  Sorry \n  ",
                                    actor="seller:1", now=FRIDAY + timedelta(hours=2))
    session.rollback()
    assert gateway.refunds == [Decimal("1.00"), order.total - Decimal("1.00")]
    assert cancellation.refunded.amount == order.total - Decimal("1.00") and cancellation.note == "Sorry"
    assert order.status == "cancelled" and order.refunded_total == order.total
    assert [e.to_status for e in order.events] == ["awaiting_payment", "paid", "cancelled"]  # never "refunded"
    assert order.events[-1].actor == "seller:1" and order.cancel_reason == "out_of_stock"
    assert order.cancelling_since is None and stock(session, "EB-1") == 5
    assert session.scalar(select(func.count(Refund.id))) == 2


def test_cancel_when_the_provider_refuses_changes_nothing(session, listings):
    order = paid_order(session)
    before = unchanged(session, order)
    with pytest.raises(PaymentError):
        cancel_by_seller(session, Gateway(down=True), order, reason="out_of_stock", actor="seller:1", now=FRIDAY)
    assert unchanged(session, order) == before and stock(session, "EB-1") == 4


@pytest.mark.parametrize("reason,note,field", [
    ("bored", "", "reason"),
    ("not_a_reason", "x", "reason"),
    ("other", "   ", "note"),
    ("buyer_asked", "x" * 301, "note"),
])
def test_cancel_rules_are_checked_before_any_refund(session, listings, reason, note, field):
    order = paid_order(session)
    gateway = Gateway()
    with pytest.raises(InvalidCancellation) as refused:
        cancel_by_seller(session, gateway, order, reason=reason, note=note, actor="seller:1", now=FRIDAY)
    assert refused.value.field == field and gateway.refunds == [] and order.status == "paid"


def test_form_and_service_share_the_rules():
    assert fulfilment.shipment_problems("pigeon", "ab") == [("carrier", "unknown"), ("tracking_number", "format")]
    assert fulfilment.shipment_problems("yanwen", " uh 123 456 ") == []
    assert fulfilment.cancellation_problems("other", "") == [("note", "required")]
    assert fulfilment.cancellation_problems(fulfilment.OVERDUE, "", actor="seller:1") == [("reason", "unknown")]
    assert fulfilment.cancellation_problems(fulfilment.OVERDUE, "", actor="system") == []


def test_only_a_paid_order_can_be_cancelled_by_the_seller(session, listings):
    order = paid_order(session)
    gateway = Gateway()
    cancel_by_seller(session, gateway, order, reason="buyer_asked", actor="seller:1", now=FRIDAY)
    with pytest.raises(IllegalTransition):
        cancel_by_seller(session, gateway, order, reason="buyer_asked", actor="seller:1", now=FRIDAY)
    assert len(gateway.refunds) == 1 and stock(session, "EB-1") == 5


def test_an_order_being_cancelled_neither_ships_nor_is_cancelled_twice(session, listings):
    order = paid_order(session)
    order.cancelling_since = FRIDAY  # another request is waiting for the provider's refund
    session.commit()
    gateway = Gateway()
    with pytest.raises(OrderBusy):
        mark_shipped(session, order, carrier="dhl", tracking_number="JD0146000062", actor="seller:1", now=FRIDAY)
    with pytest.raises(OrderBusy):
        cancel_by_seller(session, gateway, order, reason="out_of_stock", actor="seller:1",
                         now=FRIDAY + timedelta(minutes=1))
    assert gateway.refunds == [] and order.status == "paid"
    later = FRIDAY + fulfilment.CLAIM_TIMEOUT + timedelta(minutes=1)  # that request died: take over
    cancel_by_seller(session, gateway, order, reason="out_of_stock", actor="seller:1", now=later)
    assert order.status == "cancelled" and len(gateway.refunds) == 1


# --- the deadline timer ----------------------------------------------------------------------------

def test_cancel_overdue_uses_the_injected_clock_and_retries_after_an_outage(session, listings):
    order = paid_order(session)
    other = paid_order(session, ("MUG-1", 1))
    mark_shipped(session, other, carrier="dhl", tracking_number="JD0146000062", actor="seller:2", now=FRIDAY)
    deadline = fulfilment.as_utc(order.ship_by)
    gateway = Gateway()
    assert cancel_overdue(session, gateway, deadline - timedelta(seconds=1)) == []
    assert cancel_overdue(session, Gateway(down=True), deadline + timedelta(hours=1)) == []
    assert unchanged(session, order)[:6] == ("paid", Decimal(0), None, None, None, None)
    naive_now = (deadline + timedelta(hours=2)).replace(tzinfo=None)  # `flask orders tick --now` without offset
    [cancellation] = cancel_overdue(session, gateway, naive_now)
    session.rollback()
    assert cancellation.order.id == order.id and cancellation.reason == fulfilment.OVERDUE
    assert order.status == "cancelled" and order.events[-1].actor == "system" and order.refunded_total == order.total
    assert other.status == "shipped" and cancel_overdue(session, gateway, naive_now) == []
