"""A shopper compares sellers of one product on a phone: ship-to changes, sorting, variants, compare list."""
import re

from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, text


def multi_seller_products(live_server_db: str, count: int = 2) -> list[str]:
    engine = create_engine(live_server_db)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT id, slug FROM products WHERE offer_count >= 3 ORDER BY id LIMIT :n"), {"n": count}).all()
    engine.dispose()
    return [f"/en/p/{pid}-{slug}" for pid, slug in rows]


def landed_totals(page: Page) -> list[str]:
    return page.get_by_test_id("row-landed").all_inner_texts()


def test_product_journey_with_javascript(page: Page, live_server, live_server_db):
    first, second = multi_seller_products(live_server_db)
    page.goto(live_server + first)
    assert page.get_by_test_id("offer-row").count() >= 3

    page.get_by_test_id("ship-to").select_option("DE")
    expect(page.locator("#ship-h")).to_have_text("Delivery to Germany")
    germany = landed_totals(page)
    page.get_by_test_id("ship-to").select_option("BR")
    expect(page.locator("#ship-h")).to_have_text("Delivery to Brazil")
    brazil = landed_totals(page)
    assert germany != brazil

    # The comparison is the heart of the page on phones: nothing may scroll sideways at 360 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_test_id("sort-fastest").click()
    expect(page).to_have_url(re.compile("sort=fastest"))
    page.get_by_test_id("sort-landed").click()
    expect(page).to_have_url(re.compile("sort=landed"))
    totals = [float(re.sub(r"[^\d.]", "", t.replace(",", ""))) for t in landed_totals(page)]
    buyable = totals[: len([t for t in totals if t])]
    assert buyable == sorted(buyable)

    chips = page.locator("[data-testid^=option-] label.chip")
    if chips.count() > 1:
        sku_before = page.get_by_test_id("sku").inner_text()
        chips.last.click()
        expect(page.get_by_test_id("sku")).not_to_have_text(sku_before)

    page.get_by_test_id("compare-add").click()
    expect(page.get_by_test_id("compare-remove")).to_be_visible()
    page.goto(live_server + second)
    page.get_by_test_id("compare-add").click()
    page.get_by_test_id("compare-link").click()
    expect(page.get_by_test_id("compare-landed")).to_have_count(2)


def test_product_journey_without_javascript(no_js_page: Page, live_server, live_server_db):
    page = no_js_page
    first, second = multi_seller_products(live_server_db)
    page.goto(live_server + first)
    page.get_by_test_id("ship-to").select_option("DE")
    page.locator("form.ship-to button").click()
    expect(page.locator("#ship-h")).to_have_text("Delivery to Germany")
    page.get_by_test_id("sort-landed").click()
    expect(page).to_have_url(re.compile("sort=landed"))
    page.get_by_test_id("qty").fill("2")
    page.get_by_test_id("update-choice").click()
    expect(page.get_by_test_id("landed-total")).to_contain_text("2 items")
    page.get_by_test_id("compare-add").click()
    page.goto(live_server + second)
    page.get_by_test_id("compare-add").click()
    page.goto(live_server + "/en/compare")
    expect(page.get_by_test_id("compare-landed")).to_have_count(2)
