"""Paying on a slow phone in Spanish: "Pay" pressed twice charges once; after a declined card, "Pay now" from
the order list pays later. Throttled with Chrome's network emulation (400 ms latency, 50 kB/s)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.shop import in_stock_product_of, log_in, pay_with, query

PHONE = {"width": 360, "height": 780}
SHOTS = "/tmp/h3-shots"
DECLINED = "4000000000000002"


@pytest.fixture
def phone(browser, browser_context_args):
    """A 360×780 phone in Spanish on a throttled connection."""
    context = browser.new_context(**(browser_context_args | {"viewport": PHONE}))
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 400, "downloadThroughput": 50000,
                                                  "uploadThroughput": 50000})
    yield page
    context.close()


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def place_card_order(page: Page, base: str, product_id: int, locale: str = "es") -> None:
    """One unit in the cart, checked out to a Spanish address, "Place order": lands on the provider's page."""
    page.goto(f"{base}/{locale}/p/{product_id}")
    # The demo shopper's account cart may hold what other journeys left in it: one more unit, whatever was there.
    before = int(page.get_by_test_id("cart-count").inner_text() or 0)
    page.get_by_test_id("add-to-cart").click()
    expect(page.get_by_test_id("cart-count")).to_have_text(str(before + 1))
    page.goto(f"{base}/{locale}/checkout/")
    page.get_by_test_id("email").fill("lucia@example.com")  # the demo's own @demo.test is not deliverable
    if page.get_by_test_id("full_name").count():
        if page.get_by_test_id("country").input_value() != "ES":
            page.get_by_test_id("country").select_option("ES")
            page.wait_for_load_state("networkidle")
        page.get_by_test_id("full_name").fill("Lucía Gómez")
        page.get_by_test_id("line1").fill("Calle Mayor 1")
        page.get_by_test_id("city").fill("Madrid")
        page.get_by_test_id("postal_code").fill("28013")
    page.get_by_test_id("pay-card").check()
    page.get_by_test_id("to-review").click()
    page.get_by_test_id("place-order").click()
    expect(page.locator("input[name=number]")).to_be_visible()


def charges(db_url: str, reference: str) -> tuple[int, int]:
    """(succeeded payments in the shop, succeeded sessions at the provider) for a checkout."""
    shop = query(db_url, "SELECT count(*) FROM payments p JOIN checkouts c ON c.id = p.checkout_id "
                         "WHERE c.reference = :ref AND p.status = 'succeeded'", ref=reference)[0]
    provider = query(db_url, "SELECT count(*) FROM testgw_sessions s JOIN payments p ON p.reference = s.reference "
                             "JOIN checkouts c ON c.id = p.checkout_id WHERE c.reference = :ref "
                             "AND s.status = 'succeeded'", ref=reference)[0]
    return shop, provider


def test_pay_pressed_twice_charges_once(phone: Page, live_server, live_server_db):
    page = phone
    place_card_order(page, live_server, in_stock_product_of(live_server_db, "seller@demo.test", skip=0))
    page.get_by_test_id("cancel-link").click()  # back to the shop without paying
    expect(page.get_by_test_id("pay-now")).to_be_visible()
    reference = page.get_by_test_id("checkout-reference").inner_text().split()[1]
    page.screenshot(path=f"{SHOTS}/pay-twice-before.png", full_page=True)
    page.get_by_test_id("pay-now").dblclick()  # two presses on a slow connection
    expect(page.locator("input[name=number]")).to_be_visible()
    pay_with(page, name="Lucía Gómez")
    expect(page.get_by_test_id("payment-state")).to_contain_text("Pago recibido")
    expect(page.get_by_test_id("confirmation-title")).to_have_text("Gracias por tu pedido")
    no_sideways_scroll(page)
    page.screenshot(path=f"{SHOTS}/pay-twice-paid.png", full_page=True)
    assert charges(live_server_db, reference) == (1, 1)
    sessions = query(live_server_db, "SELECT count(*) FROM payments p JOIN checkouts c ON c.id = p.checkout_id "
                                     "WHERE c.reference = :ref", ref=reference)[0]
    assert sessions == 1  # the second press reused the open session


def test_declined_card_then_pay_now_from_the_order_list(phone: Page, live_server, live_server_db):
    page = phone
    log_in(page, live_server, "shopper@demo.test")
    place_card_order(page, live_server, in_stock_product_of(live_server_db, "seller@demo.test", skip=1))
    pay_with(page, DECLINED, name="Lucía Gómez")
    expect(page.get_by_test_id("confirmation-title")).to_have_text("Pago no completado")
    expect(page).to_have_title(re.compile("Pago no completado"))
    no_sideways_scroll(page)
    page.screenshot(path=f"{SHOTS}/declined.png", full_page=True)
    number = page.get_by_test_id("order-number").first.inner_text().strip()
    reference = page.get_by_test_id("checkout-reference").inner_text().split()[1]
    # Later, from "My orders".
    page.goto(f"{live_server}/es/orders/")
    row = page.get_by_test_id("order-list").locator("li", has_text=number)
    expect(row.get_by_test_id("pay-now")).to_be_visible()
    no_sideways_scroll(page)
    page.screenshot(path=f"{SHOTS}/orders-pay-now.png", full_page=True)
    row.get_by_test_id("pay-now").click()
    pay_with(page, name="Lucía Gómez")
    expect(page.get_by_test_id("payment-state")).to_contain_text("Pago recibido")
    assert charges(live_server_db, reference) == (1, 1)
    page.goto(f"{live_server}/es/orders/{number}")
    expect(page.get_by_test_id("pay-now")).to_have_count(0)
    page.screenshot(path=f"{SHOTS}/order-paid.png", full_page=True)


def test_unpaid_order_page_in_arabic_without_javascript(no_js_page: Page, live_server, live_server_db):
    """Right to left, no JavaScript: the unpaid order's page offers Pay now and cancelling, and fits 360 px."""
    page = no_js_page
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "shopper@demo.test", locale="ar")
    place_card_order(page, live_server, in_stock_product_of(live_server_db, "seller@demo.test", skip=0), locale="ar")
    pay_with(page, DECLINED, name="Lucía Gómez")
    expect(page.get_by_test_id("confirmation-title")).to_have_text("لم يكتمل الدفع")
    number = page.get_by_test_id("order-number").first.inner_text().strip()
    page.screenshot(path=f"{SHOTS}/ar-declined.png", full_page=True)
    page.goto(f"{live_server}/ar/orders/{number}")
    expect(page.get_by_test_id("pay-now")).to_be_visible()
    no_sideways_scroll(page)
    page.get_by_test_id("cancel-unpaid-open").click()
    page.screenshot(path=f"{SHOTS}/ar-order-unpaid.png", full_page=True)
    page.get_by_test_id("cancel-unpaid").click()
    expect(page.get_by_test_id("order-status")).to_have_text(re.compile(".+"))
    assert query(live_server_db, "SELECT status FROM orders WHERE number = :n", n=number)[0] == "cancelled"
    expect(page.get_by_test_id("pay-now")).to_have_count(0)
    page.screenshot(path=f"{SHOTS}/ar-order-cancelled.png", full_page=True)
