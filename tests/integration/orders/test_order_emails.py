"""Emails that tell the truth: "received, awaiting payment" with a pay link when placed, "payment received" when
paid, amounts in the buyer's locale, and links that open the order (and pay it) in any browser until they expire.
Also: a failure to open the payment page is logged and shown, never swallowed."""
from __future__ import annotations

import logging
import re
import sqlite3
from datetime import timedelta

from sqlalchemy import create_engine, event, select, text

from storefront.core.money import Money, format_money
from storefront.extensions import db
from storefront.orders.models import Checkout, Order
from tests.integration.orders.after_sale import mails
from tests.builders import CARD, place, reload

LINK = re.compile(r"http://localhost/es/checkout/open/[A-Za-z0-9_.\-]+")


def body(message) -> str:
    return message.get_body().get_content()


def checkout() -> Checkout:
    db.session.rollback()
    return db.session.scalars(select(Checkout).order_by(Checkout.id.desc())).first()


def test_placed_unpaid_email_has_a_pay_link_and_amounts_in_the_buyers_locale(app, stores):
    client = app.test_client()
    client.set_cookie("currency", "BRL")
    place(client, "EB-1")
    placed = checkout()
    assert placed.currency == "BRL"
    (mail,) = mails(app, "order_received")
    text = body(mail)
    assert mail["Subject"] == f"Pedido {placed.reference} recibido: pendiente de pago"
    assert mail["To"] == "lucia@example.com" and mail["Content-Language"] == "es"
    total = format_money(Money(placed.total, "BRL"), "es")  # Babel's Spanish: "1.323,45 BRL"
    assert re.fullmatch(r"[\d.]+,\d\d\xa0BRL", total)
    assert f"Total: {total}" in text and " BRL\n" not in text.replace("\xa0BRL", "")
    assert "Paga aquí" in text and LINK.search(text)
    assert mails(app, "payment_received") == []  # nothing says "paid" before it is


def test_paid_email_once_the_payment_arrives(app, stores):
    client = app.test_client()
    placed = place(client, "EB-1")
    page = "/testpay/pay/" + placed.headers["Location"].split("/testpay/pay/")[1]
    client.post(page, data=CARD, follow_redirects=True)  # the return and the webhook both arrive
    paid = checkout()
    (mail,) = mails(app, "payment_received")
    text = body(mail)
    assert mail["Subject"] == f"Pago recibido de tu pedido {paid.reference}"
    assert format_money(Money(paid.total, paid.currency), "es") in text
    assert paid.orders[0].number in text and LINK.search(text)


def test_email_link_opens_and_pays_a_guest_order_in_a_fresh_browser(app, stores):
    place(app.test_client(), "EB-1")
    link = LINK.search(body(mails(app, "order_received")[0])).group(0).replace("http://localhost", "")
    number = checkout().orders[0].number
    phone = app.test_client()  # another device: no cookies at all
    assert phone.get(f"/es/orders/{number}").status_code == 404
    opened = phone.get(link)
    assert opened.status_code == 303
    page = phone.get(opened.headers["Location"]).data.decode()
    assert number in page and 'data-testid="pay-now"' in page
    assert 'data-testid="pay-now"' in phone.get(f"/es/orders/{number}").data.decode()
    pay = phone.post(f"/es/checkout/done/{checkout().reference}/pay")
    hosted = "/testpay/pay/" + pay.headers["Location"].split("/testpay/pay/")[1]
    phone.post(hosted, data=CARD, follow_redirects=True)
    assert reload(number).status == "paid"


def test_expired_or_tampered_links_are_404_and_grant_nothing(app, stores):
    place(app.test_client(), "EB-1")
    link = LINK.search(body(mails(app, "order_received")[0])).group(0).replace("http://localhost", "")
    number = checkout().orders[0].number
    stranger = app.test_client()
    head, _, signature = link.rpartition(".")
    tampered = head + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    assert stranger.get(tampered).status_code == 404
    assert stranger.get("/es/checkout/open/not-a-token").status_code == 404
    app.config["CLOCK_OFFSET"] = timedelta(days=31)
    try:
        assert stranger.get(link).status_code == 404
    finally:
        app.config["CLOCK_OFFSET"] = timedelta(0)
    assert stranger.get(f"/es/orders/{number}").status_code == 404
    assert stranger.get(link).status_code == 303  # still valid today


def test_a_database_failure_opening_the_payment_is_logged_and_shown_not_swallowed(app, stores, caplog):
    """Another writer holds the lock longer than we wait (SQLite's write lock; the checkout's row on
    PostgreSQL): the buyer is told their order is saved and to try again, and the error is logged with the
    checkout's reference."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    client = app.test_client()
    place(client, "EB-1")
    reference = checkout().reference
    db.session.commit()
    db.engine.dispose()  # new connections wait only briefly for the lock
    if url.startswith("sqlite"):
        event.listen(db.engine, "connect", lambda conn, _record: conn.execute("PRAGMA busy_timeout = 200"))
        writer = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        release = lambda: (writer.execute("ROLLBACK"), writer.close())  # noqa: E731
    else:
        def short_lock_wait(conn, _record):
            conn.autocommit = True
            conn.execute("SET lock_timeout = '200ms'")
            conn.autocommit = False

        event.listen(db.engine, "connect", short_lock_wait)
        holder = create_engine(url).connect()
        holder.execute(text("SELECT id FROM checkouts WHERE reference = :r FOR UPDATE"), {"r": reference})
        release = lambda: (holder.rollback(), holder.close())  # noqa: E731
    try:
        with caplog.at_level(logging.ERROR, logger="storefront.checkout.views"):
            response = client.post(f"/es/checkout/done/{reference}/pay")
    finally:
        release()
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/es/checkout/done/{reference}")
    assert any(reference in r.getMessage() and r.exc_info for r in caplog.records)
    page = client.get(response.headers["Location"]).data.decode()
    assert "Tu pedido está guardado" in page and 'data-testid="pay-now"' in page
    assert reload(db.session.scalar(select(Order.number))).status == "awaiting_payment"
