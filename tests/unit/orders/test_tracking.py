"""Parcel tracking without HTTP: the simulated carrier's story, the signed push format, recording scans once."""
from __future__ import annotations

import itertools
import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from storefront.cart.services import add_item, new_cart
from storefront.checkout.services import CheckoutDetails, place_order
from storefront.currency.services import current_rates
from storefront.orders.fulfilment import as_utc, mark_shipped
from storefront.orders.models import Order, TrackingEvent
from storefront.orders.services import transition
from storefront.orders.tracking import poll_shipments, record_updates, shipment_of
from storefront.payments.models import Payment
from storefront.sellers.models import Variant
from storefront.shipping.simulated import SimulatedCarrier, lane_transit, simulated_schedule
from storefront.shipping.tracking import (
    EVENT_CODES,
    InvalidWebhookPayload,
    InvalidWebhookSignature,
    Shipment,
    TrackingError,
    TrackingUpdate,
    create_adapter,
    parse_payload,
    parse_signed_webhook,
    progress,
    sign_webhook,
    webhook_secret,
)
from tests.factories import add_listing

UTC = timezone.utc
SHIPPED = datetime(2026, 12, 1, 15, 30, tzinfo=UTC)
CONFIG = {"SECRET_KEY": "unit-secret", "TRACKING_WEBHOOK_TOLERANCE": 300}
NUMBERS = [f"LP{n:09d}CN" for n in range(0, 400, 7)]
_keys = itertools.count(1)


def parcel(number: str = "LP00123456789CN", origin: str = "CN", destination: str = "ES", method: str = "economy",
           shipped: datetime = SHIPPED, **extra) -> Shipment:
    return Shipment(carrier="cainiao", tracking_number=number, shipped_at=shipped, origin=origin,
                    destination=destination, method=method, destination_city="Madrid", **extra)


# --- the simulated carrier's story ---------------------------------------------------------------

@pytest.mark.parametrize("origin,destination,method,transit", [
    ("CN", "ES", "economy", (15, 30)),
    ("CN", "US", "express", (3, 7)),
    ("DE", "FR", "standard", (5, 10)),
    ("DE", "DE", "express", (1, 2)),
    ("US", "US", "economy", (2, 5)),
])
def test_a_parcel_is_scanned_in_order_and_delivered_within_its_transit_days(origin, destination, method, transit):
    expected = [c for c in EVENT_CODES if c != "exception" and not (origin == destination and c == "customs")]
    for number in NUMBERS:
        for shipped in (SHIPPED, SHIPPED.replace(hour=23, minute=59), SHIPPED.replace(hour=0, minute=1)):
            story = simulated_schedule(parcel(number, origin, destination, method, shipped))
            assert [u.code for u in story] == expected
            times = [u.at for u in story]
            assert times == sorted(times) and len(set(times)) == len(times)
            assert shipped < times[0] <= shipped + timedelta(hours=6)  # accepted a few hours after shipping
            assert shipped + timedelta(days=transit[0]) <= times[-1] <= shipped + timedelta(days=transit[1])
            assert len({u.external_id for u in story}) == len(story)


def test_the_same_parcel_always_tells_the_same_story():
    assert simulated_schedule(parcel("LP00123456789CN")) == simulated_schedule(parcel("LP00123456789CN"))
    stories = {tuple(u.at for u in simulated_schedule(parcel(n))) for n in NUMBERS}
    assert len(stories) > len(NUMBERS) // 2  # other parcels get other stories


def test_scans_name_places_in_the_origin_and_destination_countries():
    story = {u.code: u for u in simulated_schedule(parcel())}
    assert story["accepted"].country == story["departed_origin"].country == "CN"
    assert story["accepted"].location in ("Shenzhen", "Guangzhou", "Yiwu", "Shanghai", "Dongguan")
    assert story["customs"].country == story["delivered"].country == "ES"
    assert story["delivered"].location == "Madrid"  # the buyer's city


def test_a_domestic_parcel_skips_customs():
    assert "customs" not in [u.code for u in simulated_schedule(parcel(origin="ES", destination="ES"))]
    assert "customs" in [u.code for u in simulated_schedule(parcel(origin="CN", destination="ES"))]


def test_only_scans_that_already_happened_are_reported():
    story = simulated_schedule(parcel())
    carrier = SimulatedCarrier(CONFIG)
    assert carrier.updates(parcel(), SHIPPED) == []
    assert carrier.updates(parcel(), story[2].at) == story[:3]
    assert carrier.updates(parcel(), story[2].at - timedelta(seconds=1)) == story[:2]
    assert carrier.updates(parcel(), SHIPPED + timedelta(days=60)) == story
    naive_now = (story[2].at + timedelta(minutes=1)).replace(tzinfo=None)  # as SQLite gives times back
    assert carrier.updates(parcel(shipped=SHIPPED.replace(tzinfo=None)), naive_now) == story[:3]


def test_a_lane_the_rate_table_lacks_uses_the_promised_window():
    # Express does not serve remote places; the window promised at checkout gives the transit days.
    remote = parcel(destination="PF", method="express", delivery_earliest=SHIPPED + timedelta(days=12),
                    delivery_latest=SHIPPED + timedelta(days=20))
    assert lane_transit(remote) == (12, 20)
    delivered = simulated_schedule(remote)[-1].at
    assert SHIPPED + timedelta(days=12) <= delivered <= SHIPPED + timedelta(days=20)
    assert lane_transit(parcel(destination="PF", method="express")) == (7, 20)


@pytest.mark.parametrize("codes,step", [
    ([], 0), (["accepted"], 1), (["accepted", "departed_origin", "customs"], 2),
    (["accepted", "departed_origin", "customs", "arrived_destination"], 3),
    (["accepted", "out_for_delivery", "exception"], 4), (["delivered", "accepted"], 5),
])
def test_progress_counts_the_furthest_step(codes, step):
    assert progress(codes) == (step, 5)


# --- configuration and the signed push format -----------------------------------------------------

def test_an_unknown_provider_fails_loudly():
    with pytest.raises(RuntimeError, match="TRACKING_PROVIDER='pigeon'"):
        create_adapter("pigeon", CONFIG)
    assert create_adapter("simulated", CONFIG).name == "simulated"


def test_the_webhook_secret_is_explicit_or_derived_never_the_secret_key():
    derived = webhook_secret({"SECRET_KEY": "s3cret"})
    assert derived != b"s3cret" and derived == webhook_secret({"SECRET_KEY": "s3cret", "TRACKING_WEBHOOK_SECRET": ""})
    assert webhook_secret({"SECRET_KEY": "s3cret", "TRACKING_WEBHOOK_SECRET": "whsec"}) == b"whsec"
    with pytest.raises(RuntimeError):
        webhook_secret({})
    with pytest.raises(RuntimeError):
        SimulatedCarrier(CONFIG | {"TRACKING_WEBHOOK_TOLERANCE": "0"})


def push_body(**overrides) -> bytes:
    event = {"id": "evt-1", "code": "arrived_destination", "at": "2026-12-10T08:15:00+01:00", "location": " Madrid ",
             "country": "ES"}
    body = {"carrier": "dhl", "tracking_number": "jd 0146 000062", "events": [event]}
    return json.dumps(body | overrides).encode()


def test_a_signed_push_is_verified_then_read():
    body, now = push_body(), datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
    header = sign_webhook(webhook_secret(CONFIG), body, int(now.timestamp()) - 60)
    push = SimulatedCarrier(CONFIG).parse_webhook(body, {"tracking-signature": header}, now)
    assert (push.carrier, push.tracking_number) == ("dhl", "JD0146000062")
    assert push.updates == (TrackingUpdate("arrived_destination", datetime(2026, 12, 10, 7, 15, tzinfo=UTC),
                                           "Madrid", "ES", "evt-1"),)


@pytest.mark.parametrize("case", ["wrong_secret", "stale", "future", "tampered", "missing", "garbled"])
def test_a_push_that_does_not_verify_is_refused(case):
    body, now = push_body(), datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
    ts = int(now.timestamp())
    secret = webhook_secret(CONFIG)
    header = {
        "wrong_secret": sign_webhook(b"not-the-secret", body, ts),
        "stale": sign_webhook(secret, body, ts - 301),
        "future": sign_webhook(secret, body, ts + 301),
        "tampered": sign_webhook(secret, push_body(tracking_number="OTHER0001"), ts),
        "missing": None,
        "garbled": f"t={ts},v1=xyz",
    }[case]
    headers = {} if header is None else {"Tracking-Signature": header}
    with pytest.raises(InvalidWebhookSignature):
        parse_signed_webhook(body, headers, secret=secret, now=now, tolerance=300)
    assert issubclass(InvalidWebhookSignature, TrackingError)


@pytest.mark.parametrize("body", [
    b"not json", b"[]", push_body(carrier=""), push_body(tracking_number="12"), push_body(events=[]),
    push_body(events=[{"id": "e", "code": "teleported", "at": "2026-12-10T08:15:00Z"}]),
    push_body(events=[{"id": "e", "code": "delivered", "at": "2026-12-10T08:15:00"}]),   # no time zone
    push_body(events=[{"id": "e", "code": "delivered", "at": "yesterday"}]),
    push_body(events=[{"id": "", "code": "delivered", "at": "2026-12-10T08:15:00Z"}]),
    push_body(events=[{"id": "e", "code": "delivered", "at": "2026-12-10T08:15:00Z", "country": "Spain"}]),
    push_body(events=[{"id": "e", "code": "delivered", "at": "2026-12-10T08:15:00Z", "location": "x" * 81}]),
    push_body(events=["delivered"]),
])
def test_a_malformed_push_body_is_refused(body):
    with pytest.raises(InvalidWebhookPayload):
        parse_payload(body)


# --- recording scans ------------------------------------------------------------------------------

@pytest.fixture
def listings(app, session):
    """SZ Audio ships earbuds from China."""
    add_listing(session, handling_days=3, variants=[{"sku": "EB-1", "price": "10.00", "currency": "USD", "stock": 9}])


def shipped_order(session, tracking: str = "LP00123456789CN", *, ship: bool = True) -> Order:
    """An order for one pair of earbuds, placed and paid by a Spanish buyer, shipped at SHIPPED (economy)."""
    cart = new_cart(session)
    add_item(session, cart, session.scalar(select(Variant.id).where(Variant.sku == "EB-1")), 1)
    session.commit()
    details = CheckoutDetails(email="ana@example.com", locale="es", currency="USD", payment_method="card",
                              address={"full_name": "Ana", "line1": "Calle Mayor 1", "line2": "", "city": "Madrid",
                                       "region": "", "postal_code": "28013", "country": "ES", "phone": ""})
    checkout, _ = place_order(session, cart, details, f"track-key-{next(_keys):012d}", expected_total=None,
                              user_id=None, rates=current_rates(), today=SHIPPED.date(),
                              now=SHIPPED - timedelta(days=2))
    session.add(Payment(reference=f"pay_{checkout.id}", checkout_id=checkout.id, gateway="test",
                        amount=checkout.total, currency=checkout.currency, status="succeeded", provider_ref="tok"))
    [order] = checkout.orders
    transition(session, order, "paid", actor="payment", now=SHIPPED - timedelta(days=1))
    session.commit()
    if ship:
        mark_shipped(session, order, carrier="cainiao", tracking_number=tracking, actor="seller:1", now=SHIPPED)
    return order


def scans(session, order: Order) -> list[str]:
    session.rollback()
    return list(session.scalars(select(TrackingEvent.external_id).where(TrackingEvent.order_id == order.id)
                                .order_by(TrackingEvent.at)))


def test_scans_are_recorded_once(session, listings):
    order = shipped_order(session)
    story = simulated_schedule(shipment_of(order))
    assert record_updates(session, order, story[:2], source="simulated", now=SHIPPED).added == 2
    again = record_updates(session, order, [story[1], story[0], story[2], story[2]], source="simulated", now=SHIPPED)
    assert (again.added, again.delivered) == (1, False)
    assert scans(session, order) == [u.external_id for u in story[:3]]
    assert order.status == "shipped" and order.delivered_at is None


def test_a_delivered_scan_delivers_a_shipped_order_at_the_scans_time(session, listings):
    order = shipped_order(session)
    story = simulated_schedule(shipment_of(order))
    later = story[-1].at + timedelta(hours=5)
    recorded = record_updates(session, order, story, source="simulated", now=later)
    session.rollback()
    assert recorded == type(recorded)(added=len(story), delivered=True)
    assert order.status == "delivered" and as_utc(order.delivered_at) == story[-1].at
    assert (order.events[-1].to_status, order.events[-1].actor) == ("delivered", "simulated")
    assert not record_updates(session, order, story, source="simulated", now=later).delivered


def test_a_delivered_scan_from_the_future_is_dated_when_we_heard_of_it(session, listings):
    order = shipped_order(session)
    now = SHIPPED + timedelta(days=3)
    update = TrackingUpdate("delivered", now + timedelta(hours=2), "Madrid", "ES", "evt-ahead")
    assert record_updates(session, order, [update], source="webhook", now=now).delivered
    session.rollback()
    assert as_utc(order.delivered_at) == now and order.status == "delivered"


def test_a_delivered_scan_on_a_disputed_order_is_evidence_not_a_status_change(session, listings):
    order = shipped_order(session)
    transition(session, order, "disputed", actor="buyer", now=SHIPPED + timedelta(days=3))
    session.commit()
    story = simulated_schedule(shipment_of(order))
    recorded = record_updates(session, order, story, source="simulated", now=story[-1].at)
    session.rollback()
    assert recorded.delivered is False and recorded.added == len(story)
    assert order.status == "disputed" and as_utc(order.delivered_at) == story[-1].at


def test_scans_for_an_order_that_never_shipped_are_ignored(session, listings):
    order = shipped_order(session, ship=False)
    update = TrackingUpdate("delivered", SHIPPED, "Madrid", "ES", "evt-1")
    assert record_updates(session, order, [update], source="webhook", now=SHIPPED).added == 0
    assert scans(session, order) == [] and order.status == "paid" and order.delivered_at is None


class FlakyCarrier:
    """The simulated carrier, except that it fails for one parcel."""

    name = "simulated"

    def __init__(self, broken: str) -> None:
        self.broken, self.inner = broken, SimulatedCarrier(CONFIG)

    def updates(self, shipment: Shipment, now: datetime) -> list[TrackingUpdate]:
        if shipment.tracking_number == self.broken:
            raise TrackingError("carrier timed out")
        return self.inner.updates(shipment, now)


def test_polling_goes_on_past_a_failing_parcel_and_reports_each_delivery_once(session, listings):
    broken, first, second = (shipped_order(session, t) for t in ("LPBROKEN0001", "LPFINE00001", "LPFINE00002"))
    unshipped = shipped_order(session, ship=False)
    carrier = FlakyCarrier("LPBROKEN0001")
    assert poll_shipments(session, carrier, SHIPPED + timedelta(days=2)) == []
    assert [len(scans(session, o)) for o in (broken, first, second, unshipped)] == [0, 2, 2, 0]
    done = poll_shipments(session, carrier, SHIPPED + timedelta(days=31))
    assert sorted(o.number for o in done) == sorted([first.number, second.number])
    assert poll_shipments(session, carrier, SHIPPED + timedelta(days=32)) == []
    session.rollback()
    assert [o.status for o in (broken, first, second, unshipped)] == ["shipped", "delivered", "delivered", "paid"]
    assert session.scalar(select(func.count(TrackingEvent.id))) == 12  # two full stories of six scans
