"""Webhook delivery: in-process through the app, signed, once per event, retried with backoff, and from the CLI."""
from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storefront.core.clock import utcnow
from storefront.extensions import db
from storefront.payments.testgateway.delivery import MAX_ATTEMPTS, deliver_pending, retry_delay
from storefront.payments.testgateway.models import SandboxWebhookEvent
from tests.integration.payments.merchant import pay


def paid(merchant, client, number="4242424242424242"):
    """Pay one session without letting the hosted page deliver (the response is left open)."""
    _, start = merchant.start()
    response = pay(client, start, number)
    assert response.status_code == 303
    return start


def test_pending_events_are_delivered_once_however_often_delivery_runs(merchant, client, runner):
    paid(merchant, client)
    assert deliver_pending(merchant.app).delivered == 1
    assert deliver_pending(merchant.app).delivered == 0
    result = runner.invoke(args=["payments", "deliver-webhooks"])
    assert result.exit_code == 0 and "0 webhook events delivered" in result.output
    assert len(merchant.webhooks) == 1


def test_cli_delivers_what_is_pending(merchant, client, runner):
    paid(merchant, client)
    paid(merchant, client, "4000000000000002")
    result = runner.invoke(args=["payments", "deliver-webhooks"])
    assert result.exit_code == 0, result.output
    assert "2 webhook events delivered, 0 failed" in result.output
    assert sorted(w.status for w in merchant.webhooks) == ["failed", "succeeded"]


def test_a_replayed_event_id_cannot_be_queued_twice(merchant, client):
    paid(merchant, client)
    [event] = merchant.events()
    with Session(db.engine) as s, pytest.raises(IntegrityError):
        s.add(SandboxWebhookEvent(event_id=event.event_id, session_id=event.session_id, type=event.type,
                                  body=event.body, attempts=0))
        s.commit()
    deliver_pending(merchant.app)
    deliver_pending(merchant.app, retry_now=True)
    assert [w.event_id for w in merchant.webhooks] == [event.event_id]


def test_concurrent_deliverers_send_each_event_once(merchant, client):
    for _ in range(3):
        paid(merchant, client)
    barrier = threading.Barrier(4)

    def run():
        barrier.wait()
        deliver_pending(merchant.app)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(w.event_id for w in merchant.webhooks) == sorted(e.event_id for e in merchant.events())
    assert all(e.delivered_at is not None and e.attempts == 1 for e in merchant.events())


def test_failed_delivery_is_retried_after_backoff(merchant, client):
    paid(merchant, client)
    merchant.webhook_status = 503
    report = deliver_pending(merchant.app)
    assert (report.delivered, report.failed) == (0, 1)
    [event] = merchant.events()
    assert event.delivered_at is None and event.attempts == 1 and event.last_error.startswith("HTTP 503")
    assert event.next_attempt_at is not None

    merchant.webhook_status = None
    assert deliver_pending(merchant.app).delivered == 0  # not due yet
    later = utcnow() + retry_delay(1) + timedelta(seconds=1)
    assert deliver_pending(merchant.app, now=later).delivered == 1
    [event] = merchant.events()
    assert event.delivered_at is not None and event.attempts == 2 and event.last_error is None
    assert len(merchant.webhooks) == 1


def test_delivery_gives_up_after_max_attempts_unless_forced(merchant, client, runner):
    paid(merchant, client)
    merchant.webhook_status = 500
    now = utcnow()
    for attempt in range(MAX_ATTEMPTS):
        now += retry_delay(attempt + 1) + timedelta(seconds=1)
        assert deliver_pending(merchant.app, now=now).failed == 1
    merchant.webhook_status = None
    assert deliver_pending(merchant.app, now=now + timedelta(days=30)).delivered == 0
    result = runner.invoke(args=["payments", "deliver-webhooks", "--retry-now"])
    assert "1 webhook events delivered" in result.output
    assert merchant.events()[0].attempts == MAX_ATTEMPTS + 1


def test_an_exception_in_the_shops_webhook_view_counts_as_a_failed_attempt(merchant, client):
    paid(merchant, client)
    merchant.webhook_raises = True
    assert deliver_pending(merchant.app).failed == 1
    assert merchant.events()[0].last_error == "RuntimeError: shop bug"


def test_a_webhook_the_shop_cannot_verify_stays_undelivered(merchant, client):
    start = paid(merchant, client)
    merchant.gateway.secret = b"rotated"  # the shop now verifies with another secret: it answers 400
    assert deliver_pending(merchant.app).failed == 1
    assert merchant.rejected == ["webhook signature does not match"]
    assert "HTTP 400" in merchant.events()[0].last_error
    assert merchant.provider_session(start.provider_ref).status == "succeeded"


def test_unreachable_webhook_url_is_recorded_not_raised(merchant, client):
    _, start = merchant.start(webhook_url="http://localhost/nowhere")
    response = pay(client, start, "4242424242424242")
    response.close()  # delivery after the response fails quietly
    [event] = merchant.events()
    assert event.delivered_at is None and "HTTP 404" in event.last_error


def test_webhook_body_carries_the_documented_fields(merchant, client):
    start = paid(merchant, client, "4000000000000002")
    body = json.loads(merchant.events()[0].body)
    assert body["id"].startswith("evt_") and body["type"] == "payment.failed" and isinstance(body["created"], int)
    assert body["data"] == {"reference": merchant.provider_session(start.provider_ref).reference,
                            "provider_ref": start.provider_ref, "amount": "25.00", "currency": "USD",
                            "failure_reason": "declined"}
