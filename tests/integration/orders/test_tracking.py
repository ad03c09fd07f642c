"""Tracking a parcel end to end: the tick polls the simulated carrier, a carrier's signed webhook, the
delivered email in the buyer's language, and the timeline on the buyer's and the seller's order pages."""
from __future__ import annotations

import email
import json
import re
import time
from datetime import datetime, timedelta, timezone

import pytest
from babel.dates import format_date
from sqlalchemy import func, select

from storefront.core.clock import utcnow
from storefront.extensions import db
from storefront.orders.fulfilment import as_utc, mark_shipped
from storefront.orders.models import Order, TrackingEvent
from storefront.orders.tracking import poll_shipments, shipment_of
from storefront.shipping.simulated import lane_transit, simulated_schedule
from storefront.shipping.tracking import sign_webhook
from tests.builders import CARD, buy, place, reload
from tests.outbox import outbox_mails

UTC = timezone.utc
TRACKING = "LP00123456789CN"


def mails(app, template: str) -> list[email.message.EmailMessage]:
    """The emails written to this test's mail outbox from `template`."""
    return outbox_mails(template)


def scan_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(TrackingEvent.id)))


def ship(number: str, tracking: str = TRACKING, carrier: str = "cainiao", days_ago: int = 0) -> datetime:
    """The seller ships the order (now, or days ago: pushed scans must lie in the past); returns when."""
    shipped_at = utcnow().replace(microsecond=0) - timedelta(days=days_ago)
    mark_shipped(db.session, reload(number), carrier=carrier, tracking_number=tracking, actor="seller:1",
                 now=shipped_at)
    return shipped_at


def story(number: str):
    """The simulated carrier's whole story of this order's parcel."""
    return simulated_schedule(shipment_of(reload(number)))


def arrival(number: str) -> datetime:
    """A moment after the parcel's latest possible delivery."""
    order = reload(number)
    return as_utc(order.shipped_at) + timedelta(days=lane_transit(shipment_of(order))[1], hours=1)


# --- the tick ------------------------------------------------------------------------------------

def test_ticks_move_a_parcel_from_shipped_to_delivered_once(app, stores):
    number = buy(app, locale="es")
    shipped_at = ship(number)
    carrier = app.extensions["tracking_adapter"]
    assert poll_shipments(db.session, carrier, shipped_at + timedelta(days=2)) == []
    assert [e.code for e in reload(number).tracking_events] == ["accepted", "departed_origin"]
    assert reload(number).status == "shipped" and mails(app, "order_delivered") == []

    delivered = poll_shipments(db.session, carrier, arrival(number))
    assert [o.number for o in delivered] == [number]
    order = reload(number)
    whole = story(number)
    assert order.status == "delivered" and as_utc(order.delivered_at) == whole[-1].at
    assert [e.code for e in order.tracking_events] == [u.code for u in whole]
    assert {e.source for e in order.tracking_events} == {"simulated"}

    assert poll_shipments(db.session, carrier, arrival(number) + timedelta(days=1)) == []
    assert scan_count() == len(whole) and len(reload(number).events) == 4  # placed, paid, shipped, delivered


def test_cli_tick_with_now_delivers_and_emails_the_buyer_in_their_language(app, stores):
    number = buy(app, locale="es")
    ship(number)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["orders", "tick", "--now", arrival(number).isoformat()])
    assert result.exit_code == 0, result.output
    assert "1 parcels delivered." in result.output
    order = reload(number)
    assert order.status == "delivered"
    [mail] = mails(app, "order_delivered")
    assert mail["To"] == order.email and mail["Content-Language"] == "es" and number in mail["Subject"]
    body = mail.get_content()
    assert f"Entregado: {format_date(as_utc(order.delivered_at).date(), 'medium', locale='es')}" in body
    assert TRACKING in body and "Cainiao" in body

    again = runner.invoke(args=["orders", "tick", "--now", (arrival(number) + timedelta(days=1)).isoformat()])
    assert "0 parcels delivered." in again.output and len(mails(app, "order_delivered")) == 1


# --- the webhook ---------------------------------------------------------------------------------

def event(code: str, at: datetime, event_id: str | None = None, **extra) -> dict:
    return {"id": event_id or f"dhl-{code}", "code": code, "at": at.isoformat(), "location": "Madrid",
            "country": "ES"} | extra


def post_webhook(app, body: dict | bytes, *, ts: int | None = None, secret: bytes | None = None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    header = sign_webhook(secret or app.extensions["tracking_adapter"].secret, raw, ts or int(time.time()))
    return app.test_client().post("/tracking/webhook", data=raw,
                                  headers={"Tracking-Signature": header, "Content-Type": "application/json"})


def test_a_signed_webhook_records_scans_and_delivers(app, stores):
    number = buy(app, locale="es")
    shipped_at = ship(number, "JD0146000062", carrier="dhl", days_ago=5)
    body = {"carrier": "dhl", "tracking_number": "jd 0146 000062",
            "events": [event("arrived_destination", shipped_at + timedelta(hours=30)),
                       event("accepted", shipped_at + timedelta(hours=2))]}
    response = post_webhook(app, body)
    assert response.status_code == 200 and response.json == {"received": True, "recorded": 2}
    order = reload(number)
    assert [e.code for e in order.tracking_events] == ["accepted", "arrived_destination"]
    assert {e.source for e in order.tracking_events} == {"webhook"} and order.status == "shipped"

    delivered_at = shipped_at + timedelta(hours=50)
    response = post_webhook(app, body | {"events": [event("delivered", delivered_at)]})
    assert response.status_code == 200 and response.json["recorded"] == 1
    order = reload(number)
    assert order.status == "delivered" and as_utc(order.delivered_at) == delivered_at
    assert order.events[-1].actor == "webhook"
    assert len(mails(app, "order_delivered")) == 1


def test_a_replayed_webhook_changes_nothing(app, stores):
    number = buy(app)
    shipped_at = ship(number, "JD0146000062", carrier="dhl", days_ago=5)
    body = {"carrier": "dhl", "tracking_number": "JD0146000062",
            "events": [event("accepted", shipped_at + timedelta(hours=2)),
                       event("delivered", shipped_at + timedelta(days=3))]}
    assert post_webhook(app, body).json["recorded"] == 2
    events_before = len(reload(number).events)
    replay = post_webhook(app, body)
    assert replay.status_code == 200 and replay.json == {"received": True, "recorded": 0}
    assert scan_count() == 2 and len(reload(number).events) == events_before
    assert len(mails(app, "order_delivered")) == 1


@pytest.mark.parametrize("case", ["wrong_secret", "stale", "unsigned", "not_json", "unknown_code", "naive_time",
                                  "no_events"])
def test_a_forged_stale_or_malformed_webhook_is_refused_and_writes_nothing(app, stores, case):
    number = buy(app)
    shipped_at = ship(number, "JD0146000062", carrier="dhl", days_ago=5)
    body = {"carrier": "dhl", "tracking_number": "JD0146000062",
            "events": [event("delivered", shipped_at + timedelta(days=3))]}
    if case == "wrong_secret":
        response = post_webhook(app, body, secret=b"guessed")
    elif case == "stale":
        response = post_webhook(app, body, ts=int(time.time()) - 3600)
    elif case == "unsigned":
        response = app.test_client().post("/tracking/webhook", json=body)
    elif case == "not_json":
        response = post_webhook(app, b'{"carrier": "dhl", ')
    elif case == "unknown_code":
        response = post_webhook(app, body | {"events": [event("teleported", shipped_at)]})
    elif case == "naive_time":
        response = post_webhook(app, body | {"events": [event("delivered", shipped_at.replace(tzinfo=None))]})
    else:
        response = post_webhook(app, body | {"events": []})
    assert response.status_code == 400 and "error" in response.json
    order = reload(number)
    assert scan_count() == 0 and order.status == "shipped" and order.delivered_at is None
    assert mails(app, "order_delivered") == []


def test_a_webhook_for_an_unknown_parcel_is_404(app, stores):
    number = buy(app)
    shipped_at = ship(number, "JD0146000062", carrier="dhl", days_ago=5)
    scan = [event("accepted", shipped_at)]
    for carrier, tracking in (("dhl", "JD9999999999"), ("ups", "JD0146000062")):
        response = post_webhook(app, {"carrier": carrier, "tracking_number": tracking, "events": scan})
        assert response.status_code == 404 and response.json == {"error": "unknown tracking number"}
    assert scan_count() == 0


# --- the pages -----------------------------------------------------------------------------------

def buy_keeping_the_browser(app) -> tuple:
    """A guest buys and pays in Spanish; returns their browser (which may see the order) and the order number."""
    client = app.test_client()
    placed = place(client, "EB-1", locale="es")
    client.post("/testpay/pay/" + placed.headers["Location"].split("/testpay/pay/")[1], data=CARD,
                follow_redirects=True)
    db.session.rollback()
    return client, reload_latest()


def reload_latest() -> str:
    db.session.rollback()
    return db.session.scalars(select(Order.number).order_by(Order.id.desc())).first()


def timeline(html: str) -> list[str]:
    """The tracking timeline's items as text, in page order."""
    items = re.search(r'data-testid="tracking-timeline".*?</ol>', html, re.S).group(0)
    return [re.sub(r"<[^>]+>|\s+", " ", item).strip()
            for item in re.findall(r'data-testid="tracking-event"[^>]*>(.*?)</li>', items, re.S)]


def test_the_buyer_sees_the_parcels_timeline_newest_first(app, stores, shopper, owner):
    browser, number = buy_keeping_the_browser(app)
    before = browser.get(f"/es/orders/{number}").data.decode()
    assert 'data-testid="tracking-timeline"' not in before  # not shipped: no tracking at all
    shipped_at = ship(number)
    assert 'data-testid="tracking-empty"' in browser.get(f"/es/orders/{number}").data.decode()

    whole = story(number)
    poll_shipments(db.session, app.extensions["tracking_adapter"], whole[3].at)
    page = browser.get(f"/es/orders/{number}")
    html = page.data.decode()
    assert page.status_code == 200 and shipped_at < whole[3].at
    items = timeline(html)
    assert len(items) == 4 == html.count('data-testid="tracking-event"')
    assert re.findall(r'data-code="(\w+)"', html) == [u.code for u in reversed(whole[:4])]
    assert "España" in items[0] and "China" in items[-1]      # country names in the buyer's language
    assert "Paso 3 de 5" in html or "Step 3 of 5" in html     # progress: arrived in the destination country
    assert '<ol reversed class="timeline" data-testid="tracking-timeline">' in html

    assert shopper.get(f"/es/orders/{number}").status_code == 404       # another buyer
    assert app.test_client().get(f"/es/orders/{number}").status_code == 404
    seller_page = owner.get(f"/en/seller/orders/{number}").data.decode()
    assert len(timeline(seller_page)) == 4 and "Spain" in timeline(seller_page)[0]
