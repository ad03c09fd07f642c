"""A dispute on a phone: the item is not as described, the seller offers part of the money back, the buyer
accepts, and the order completes with a partial refund and a smaller payout."""
import re
from decimal import Decimal

from playwright.sync_api import Browser, Page, expect

from tests.e2e.shop import buy_and_pay, in_stock_product_of, order_money, query, ship, stored_time, tick, timedelta

CLAIM = "<b>The strap</b> arrived torn at one end."


def test_dispute_ends_in_a_partial_refund(page: Page, browser: Browser, browser_context_args,
                                          live_app, live_server, live_server_db):
    product = in_stock_product_of(live_server_db, "seller@demo.test", skip=1)
    number = buy_and_pay(page, live_server, product, guest_email="rosa.dispute@example.com")
    page.get_by_test_id("order-number").click()
    order_url = page.url
    seller = ship(browser, browser_context_args, live_server, number, "LP00990011CN")
    ends = stored_time(live_server_db, "SELECT protection_ends_at FROM orders WHERE number = :n", n=number)
    tick(live_app, ends - timedelta(days=1))  # delivered by then

    page.goto(order_url)
    expect(page.get_by_test_id("order-status")).to_have_text("Entregado")
    page.get_by_test_id("open-dispute").click()
    form = page.get_by_test_id("dispute-form")
    form.get_by_test_id("submit-dispute").click()  # nothing filled in: told what is missing, nothing opened
    expect(page.get_by_test_id("dispute-form")).to_be_visible()
    assert query(live_server_db, "SELECT count(*) FROM disputes d JOIN orders o ON o.id = d.order_id "
                                 "WHERE o.number = :n", n=number)[0] == 0
    form.locator("input[name=reason][value=not_as_described]").check()
    form.locator("input[name=requested][value=full_refund]").check()
    form.locator("textarea[name=message]").fill(CLAIM)
    form.get_by_test_id("submit-dispute").click()
    expect(page.get_by_test_id("dispute-thread")).to_contain_text(CLAIM)  # shown as text, not as markup
    assert page.locator("[data-testid=dispute-thread] b").count() == 0

    seller.reload()
    panel = seller.get_by_test_id("dispute-panel")
    expect(panel).to_contain_text(CLAIM)
    panel.locator("summary", has_text=re.compile("parcial|partial", re.I)).click()  # opens the offer form
    panel.locator("input[name=offer-amount]").fill("5")
    panel.get_by_test_id("offer-refund").click()
    expect(seller.get_by_test_id("dispute-panel")).to_be_visible()

    page.reload()
    expect(page.get_by_test_id("dispute-offer-box")).to_be_visible()
    page.get_by_test_id("accept-offer").click()
    page.goto(order_url)
    expect(page.get_by_test_id("order-status")).to_have_text("Completado")
    total, refunded, payout = order_money(live_server_db, number)
    assert refunded == Decimal("5")
    assert payout == total - Decimal("5")
    resolution = query(live_server_db, "SELECT d.resolution, d.status FROM disputes d JOIN orders o "
                                       "ON o.id = d.order_id WHERE o.number = :n", n=number)
    assert tuple(resolution) == ("partial_refund", "resolved")
