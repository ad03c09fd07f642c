"""A seller misses the handling deadline: the timer cancels the order, the buyer gets everything back."""
import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.shop import outbox_messages, buy_and_pay, in_stock_product_of, log_in, order_money, query, stored_time, tick, timedelta


def test_order_not_shipped_in_time_is_cancelled_and_refunded(page: Page, browser: Browser, browser_context_args,
                                                             live_app, live_server, live_server_db):
    product = in_stock_product_of(live_server_db, "seller@demo.test", skip=1)
    number = buy_and_pay(page, live_server, product, guest_email="lucia.deadline@example.com")
    page.get_by_test_id("order-number").click()
    expect(page.get_by_test_id("order-status")).to_have_text(re.compile("Pagad"))

    # The seller sees the deadline on their phone, and lets it pass.
    seller = browser.new_context(**browser_context_args).new_page()
    log_in(seller, live_server, "seller@demo.test")
    seller.goto(f"{live_server}/es/seller/orders/{number}")
    expect(seller.get_by_test_id("ship-by")).to_be_visible()

    ship_by = stored_time(live_server_db, "SELECT ship_by FROM orders WHERE number = :n", n=number)
    before = tick(live_app, ship_by - timedelta(minutes=5))
    assert query(live_server_db, "SELECT status FROM orders WHERE number = :n", n=number)[0] == "paid", before
    tick(live_app, ship_by + timedelta(minutes=5))

    page.reload()
    expect(page.get_by_test_id("order-status")).to_have_text("Cancelado")
    total, refunded, _ = order_money(live_server_db, number)
    assert refunded == total > 0
    expect(page.get_by_test_id("order-history")).to_contain_text(re.compile("Cancelado", re.I))
    seller.reload()
    expect(seller.get_by_test_id("order-status")).to_have_text("Cancelado")
    expect(seller.get_by_test_id("ship-submit")).to_have_count(0)

    # The buyer was told, in Spanish, why and how much came back.
    mails = outbox_messages(live_server_db)
    mine = [m for m in mails if "lucia.deadline@example.com" in m and number in m]
    assert any("cancel" in m.lower() for m in mine), [m[:300] for m in mine]
