"""Redis (the job queue) down: the shop still serves pages and takes orders, keeps the work in database rows,
says so in the logs and on the admin dashboard, and the work goes out once the queue answers again."""
from __future__ import annotations

import logging
import socket

import pytest
from huey.storage import RedisStorage
from sqlalchemy import func, select

from storefront.core.mail_outbox import OutboxMail
from storefront.jobs import QUEUE_NAME, huey, redis_pool
from storefront.jobs.tasks import trigger
from storefront.jobs.work import send_outbox_mail
from storefront.orders.models import Order
from tests.builders import place
from tests.factories import account


@pytest.fixture
def redis_down():
    """The queue on Redis at a port where nothing listens (a real client, a refused connection)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    working = huey.storage
    huey.storage = RedisStorage(QUEUE_NAME, connection_pool=redis_pool(f"redis://127.0.0.1:{port}/7"))
    yield
    huey.storage = working


def test_with_redis_down_pages_answer_and_orders_are_placed_with_their_work_kept(app, session, client, stores,
                                                                                 redis_down, caplog):
    caplog.set_level(logging.INFO)
    assert client.get("/en/").status_code == 200
    placed = place(client, "EB-1")
    assert placed.status_code == 303
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Order)) == 1
    assert session.scalar(select(OutboxMail.status)) == "pending"  # the email waits in its row
    assert "job mail_outbox not queued" in caplog.text and "ConnectionError" in caplog.text

    admin = account(app, "admin@example.com", role="admin")
    html = admin.get("/en/admin/metrics").data.decode()
    assert 'data-testid="queue-status"' in html and "does not answer" in html
    ready = client.get("/readyz")
    assert ready.status_code == 200 and "error" in ready.get_json()["queue"]


def test_when_redis_returns_the_triggers_resume_and_the_waiting_work_goes_out(app, session, client, stores,
                                                                              redis_down):
    place(client, "EB-1")
    working = huey.storage
    huey.storage = RedisStorage(QUEUE_NAME, connection_pool=redis_pool("redis://127.0.0.1:6379/7"))  # Redis is back
    try:
        huey.flush()
        assert trigger("mail_outbox") and huey.pending_count() == 1
        admin = account(app, "admin@example.com", role="admin")
        assert 'data-testid="queue-status"' not in admin.get("/en/admin/metrics").data.decode()
        # what the triggered job does: the order's email, and the confirmation link of the admin signed up above
        assert send_outbox_mail(app) == 2
    finally:
        huey.flush()
        huey.storage = working
