"""The mail outbox: emails written with the change that caused them, sent at least once by the mail job with a
stable Message-ID, retried with backoff, then listed as failed for the admin."""
from __future__ import annotations

import socket
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import select, update

from storefront.core.effects import after_commit
from storefront.core.mail import send_mail
from storefront.core.mail_outbox import OutboxMail
from storefront.extensions import db
from storefront.jobs import huey
from storefront.jobs.models import JobFailure
from storefront.jobs.work import send_outbox_mail
from tests.builders import place
from tests.outbox import outbox_mails


def rows(session) -> list[OutboxMail]:
    session.rollback()  # see other transactions' commits
    return list(session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def eml_files(app) -> list[Path]:
    return sorted(Path(app.config["MAIL_OUTBOX"]).glob("*.eml"))


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_due(session) -> None:
    """What waiting does: every pending email's next attempt is now due."""
    session.execute(update(OutboxMail).values(next_attempt_at=datetime.now(timezone.utc) - timedelta(seconds=1)))
    session.commit()


def test_an_email_of_a_rolled_back_change_is_never_written_or_sent(app, session, client, stores):
    place(client, "EB-1")
    assert send_outbox_mail(app) == 1
    session.rollback()
    session.get(OutboxMail, 1).template = "changed"  # a service's change, in its open transaction
    add_listing_and_mail(session, "ana@example.com")
    assert session.new  # the row waits in the caller's transaction
    session.rollback()
    assert [(r.recipient, r.template) for r in rows(session)] == [("lucia@example.com", "order_received")]
    assert send_outbox_mail(app) == 0 and len(eml_files(app)) == 1


def add_listing_and_mail(session, to: str) -> None:
    """A service's write with its email queued in the same transaction (the order-received email)."""
    from storefront.orders.models import Checkout

    checkout = session.scalar(select(Checkout))
    send_mail(to, "order_received", "en", checkout=checkout, link="https://shop.example/c/x")


def test_placed_order_writes_its_email_with_the_order_and_the_job_sends_it_once(app, session, client, stores):
    huey.flush()
    place(client, "EB-1")
    [row] = rows(session)
    assert row.template == "order_received" and row.status == "pending" and row.attempts == 0
    assert row.message_id.startswith("<") and f"Message-ID: {row.message_id}" in row.message
    assert "mail_outbox" in [task.name for task in (huey.dequeue() for _ in range(huey.pending_count()))]

    assert send_outbox_mail(app) == 1
    [path] = eml_files(app)
    assert f"Message-ID: {row.message_id}" in path.read_text()
    [row] = rows(session)
    assert (row.status, row.attempts) == ("sent", 1) and row.sent_at is not None
    assert send_outbox_mail(app) == 0 and len(eml_files(app)) == 1  # a second run sends nothing twice
    assert outbox_mails("order_received")[0]["Message-ID"] == row.message_id


def test_an_email_sent_from_an_after_commit_effect_is_committed_on_its_own(app, session, client, stores):
    place(client, "EB-1")
    make_due(session)
    send_outbox_mail(app)
    session.execute(update(OutboxMail).values(template="older"))
    session.commit()
    after_commit(session, add_listing_and_mail, session, "late@example.com")  # e.g. a password-reset email
    session.commit()
    assert [r.recipient for r in rows(session) if r.template == "order_received"] == ["late@example.com"]


def test_a_failing_transport_is_retried_with_growing_delays_then_listed_for_the_admin(app, session, client,
                                                                                        stores, runner):
    place(client, "EB-1")
    app.config.update(MAIL_SMTP_HOST="127.0.0.1", MAIL_SMTP_PORT=str(closed_port()), MAIL_MAX_ATTEMPTS=3)
    delays = []
    for attempt in (1, 2, 3):
        assert send_outbox_mail(app) == 0
        [row] = rows(session)
        assert row.attempts == attempt and "ConnectionRefusedError" in row.last_error
        if attempt < 3:
            assert row.status == "pending"
            due = row.next_attempt_at.replace(tzinfo=timezone.utc)
            delays.append(due - datetime.now(timezone.utc))
            assert send_outbox_mail(app) == 0 and rows(session)[0].attempts == attempt  # not due yet
            make_due(session)
    assert delays[0] < delays[1]  # backoff grows (30 s, then 1 min)
    assert row.status == "failed"
    [failure] = session.scalars(select(JobFailure)).all()
    assert failure.job == "mail_outbox" and row.message_id in failure.error and "ConnectionRefused" in failure.error
    make_due(session)
    assert send_outbox_mail(app) == 0 and rows(session)[0].attempts == 3  # a failed email stays failed
    assert "mail_outbox" in runner.invoke(args=["jobs", "failures"]).output


def test_an_email_claimed_by_a_killed_sender_is_sent_again_with_the_same_message_id(app, session, client, stores):
    place(client, "EB-1")
    # A sender claimed the row (its lease runs two minutes) and died before marking it sent.
    session.execute(update(OutboxMail).values(attempts=1, next_attempt_at=datetime.now(timezone.utc)
                                              + timedelta(minutes=2)))
    session.commit()
    assert send_outbox_mail(app) == 0  # the lease holds: nobody else sends it meanwhile
    make_due(session)  # the lease ran out
    assert send_outbox_mail(app) == 1
    [row] = rows(session)
    assert row.status == "sent" and row.attempts == 2
    assert f"Message-ID: {row.message_id}" in eml_files(app)[0].read_text()


def test_two_workers_sending_at_once_send_each_email_once(app, session, client, stores):
    for _ in range(3):
        place(client, "EB-1")
    assert len(rows(session)) == 3
    barrier, sent = threading.Barrier(2), []

    def worker():
        with app.app_context():
            barrier.wait()
            sent.append(send_outbox_mail(app))
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(sent) == 3
    assert [(r.status, r.attempts) for r in rows(session)] == [("sent", 1)] * 3
    assert len(eml_files(app)) == 3


def test_an_email_sent_after_a_commit_once_the_session_read_again_is_committed_on_its_own(app, session, client,
                                                                                          stores):
    """What a view does: commit its change, read something back, then send the email."""
    place(client, "EB-1")
    session.execute(update(OutboxMail).values(template="older"))
    session.commit()
    session.get(OutboxMail, 1).template  # a read begins a new transaction that writes nothing
    add_listing_and_mail(session, "view@example.com")
    session.rollback()  # the request ends without another commit
    assert [r.recipient for r in rows(session) if r.template == "order_received"] == ["view@example.com"]
