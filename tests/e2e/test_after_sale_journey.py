"""After the sale on a phone: the seller ships, the parcel is tracked as the carrier scans it, the buyer
confirms receipt and reviews what they bought."""
import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.shop import outbox_messages, buy_and_pay, in_stock_product_of, query, ship, stored_time, tick, timedelta, write_review


def test_order_is_shipped_tracked_confirmed_and_reviewed(page: Page, browser: Browser, browser_context_args,
                                                         live_app, live_server, live_server_db):
    product = in_stock_product_of(live_server_db, "seller@demo.test")
    number = buy_and_pay(page, live_server, product, guest_email="marta.tracking@example.com")
    page.get_by_test_id("order-number").click()
    order_url = page.url

    seller = ship(browser, browser_context_args, live_server, number, "lp 0047 1122 cn")
    expect(seller.get_by_test_id("tracking-number")).to_have_text("LP00471122CN")
    page.reload()
    expect(page.get_by_test_id("order-status")).to_have_text("Enviado")
    expect(page.get_by_test_id("tracking-empty")).to_be_visible()

    # Two days on, the carrier has scanned the parcel at the origin.
    shipped = stored_time(live_server_db, "SELECT shipped_at FROM orders WHERE number = :n", n=number)
    tick(live_app, shipped + timedelta(days=2))
    page.reload()
    scans = page.get_by_test_id("tracking-event")
    expect(scans.last).to_have_attribute("data-code", "accepted")  # newest first: the first scan is last
    assert scans.count() >= 2
    expect(page.get_by_test_id("tracking-progress")).to_contain_text(re.compile(r"Paso \d+ de \d+"))
    expect(page.get_by_test_id("open-dispute")).to_have_count(0)  # too early to claim it never came
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # Well within the protection window the parcel has been delivered; the buyer is told by email.
    ends = stored_time(live_server_db, "SELECT protection_ends_at FROM orders WHERE number = :n", n=number)
    tick(live_app, ends - timedelta(days=1))
    page.goto(order_url)
    expect(page.get_by_test_id("order-status")).to_have_text("Entregado")
    expect(scans.first).to_have_attribute("data-code", "delivered")
    mails = outbox_messages(live_server_db)
    assert any("marta.tracking@example.com" in m and number in m and "entreg" in m.lower() for m in mails)

    page.get_by_test_id("confirm-receipt").click()  # asks first: the browser will not send it unticked
    expect(page.get_by_test_id("order-status")).to_have_text("Entregado")
    page.get_by_test_id("confirm-receipt-check").check()
    page.get_by_test_id("confirm-receipt").click()
    expect(page.get_by_test_id("order-status")).to_have_text("Completado")
    assert query(live_server_db, "SELECT p.status FROM payouts p JOIN orders o ON o.id = p.order_id "
                                 "WHERE o.number = :n", n=number)[0] == "due"
    seller.reload()
    expect(seller.get_by_test_id("order-status")).to_have_text("Completado")

    page.get_by_test_id("write-review").first.click()
    write_review(page, "Llegó bien embalado y antes de lo previsto.")
    expect(page).to_have_url(re.compile(r"/p/\d+-.*#review-\d+"))
    expect(page.get_by_text("Llegó bien embalado y antes de lo previsto.")).to_be_visible()
