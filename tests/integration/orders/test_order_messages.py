"""Contact the seller: a message thread per order between its buyer and its seller, both emailed, and each
seller's response rate and time computed from real threads."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from storefront.orders import messages
from storefront.orders.models import Order, OrderMessage
from tests.builders import place, reload
from tests.integration.orders.after_sale import mails


def placed_order(client, session) -> Order:
    assert place(client, "EB-1", locale="en").status_code == 303
    session.rollback()
    return session.scalars(select(Order).order_by(Order.id.desc())).first()


def test_buyer_and_seller_write_to_each_other_and_each_is_emailed(app, client, session, stores, owner):
    order = placed_order(client, session)
    refused = client.post(f"/en/orders/{order.number}/messages", data={"message": "   "})
    assert refused.status_code == 422 and 'data-testid="order-messages"' in refused.data.decode()
    assert session.scalar(select(func.count(OrderMessage.id))) == 0
    sent = client.post(f"/en/orders/{order.number}/messages", data={"message": "Can you ship it in a gift box?"})
    assert sent.status_code == 303 and sent.headers["Location"].endswith("#order_messages")
    seller_page = owner.get(f"/en/seller/orders/{order.number}").data.decode()
    assert "Can you ship it in a gift box?" in seller_page
    [to_seller] = mails(app, "order_message")
    assert to_seller["To"] == "owner@example.com" and "Can you ship it in a gift box?" in to_seller.get_content()
    assert owner.post(f"/en/seller/orders/{order.number}/messages",
                      data={"message": "Yes, at no charge."}).status_code == 303
    page = client.get(f"/en/orders/{order.number}").data.decode()
    assert page.index("Can you ship it in a gift box?") < page.index("Yes, at no charge.")
    to_buyer = [m for m in mails(app, "order_message") if m["To"] == reload(order.number).email]
    assert len(to_buyer) == 1 and "Yes, at no charge." in to_buyer[0].get_content()


def test_nobody_else_can_read_or_write_the_thread(app, client, session, stores, other_seller):
    order = placed_order(client, session)
    client.post(f"/en/orders/{order.number}/messages", data={"message": "Is it the black one?"})
    stranger = app.test_client()
    assert stranger.post(f"/en/orders/{order.number}/messages", data={"message": "Hi"}).status_code == 404
    assert stranger.get(f"/en/orders/{order.number}").status_code == 404
    assert other_seller.post(f"/en/seller/orders/{order.number}/messages", data={"message": "Hi"}).status_code == 404
    assert session.scalar(select(func.count(OrderMessage.id))) == 1


def test_response_rate_and_time_come_from_real_threads(app, client, session, stores, owner):
    start = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)
    orders = [placed_order(app.test_client(), session) for _ in range(4)]
    replies = [timedelta(hours=2), timedelta(hours=5), timedelta(hours=60), None]  # the third is too late
    for order, wait in zip(orders, replies):
        messages.post(session, order, author="buyer", body="Question?", now=start)
        messages.post(session, order, author="buyer", body="Anyone?", now=start + timedelta(hours=1))
        if wait is not None:
            messages.post(session, order, author="seller", body="Answer.", now=start + wait)
    session.commit()
    seller_id = orders[0].seller_id
    figures = messages.response_figures(session, [seller_id], now=start + timedelta(days=3))[seller_id]
    assert (figures.threads, figures.rate, figures.median_hours) == (4, 50, 5)  # 2 of 4 within 48 h; median 5 h
    assert messages.response_figures(session, [seller_id], now=start + timedelta(days=91)) == {}  # too old
    app.config["CLOCK_OFFSET"] = (start + timedelta(days=3)) - datetime.now(timezone.utc)
    store = client.get("/en/store/sz-audio").data.decode()
    assert "Replies to 50% of messages, usually within 5 h" in store
    assert "response-figures" not in client.get("/en/store/berlin").data.decode()  # no threads: nothing claimed
