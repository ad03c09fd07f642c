"""A shopper on a phone: Spanish home, Arabic, BRL, a category, a filter, load more, a seller's store."""
import re

from playwright.sync_api import Page, expect

CATEGORY = "women-s-clothing"


def cards(page: Page):
    return page.get_by_test_id("product-card")


def test_browse_journey_with_javascript(page: Page, live_server):
    page.goto(f"{live_server}/es/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_test_id("categories")).to_contain_text("Ropa de mujer")

    # Switch to Arabic from the footer: the whole layout turns right-to-left.
    page.locator('footer a[hreflang="ar"]').click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page).to_have_url(re.compile(r"/ar/$"))

    # Ship to / Language / Currency opens in place (HTMX) and sets BRL.
    page.get_by_test_id("prefs-link").click()
    page.get_by_test_id("pref-currency").select_option("BRL")
    page.get_by_test_id("pref-country").select_option("BR")
    page.get_by_test_id("pref-save").click()
    expect(page.get_by_test_id("prefs-summary")).to_contain_text("BRL")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")

    page.goto(f"{live_server}/ar/c/{CATEGORY}")
    expect(cards(page)).to_have_count(12)
    expect(cards(page).first.get_by_test_id("price")).to_contain_text("R$")

    # Filter without a reload: the address bar follows.
    page.locator("details.filter-box summary").click()
    page.get_by_test_id("sort").select_option("price_asc")
    expect(page).to_have_url(re.compile(r"sort=price_asc"))
    first_before = cards(page).first.inner_text()

    # Load more appends the next page to the same grid.
    page.get_by_test_id("load-more").click()
    expect(cards(page)).to_have_count(23, timeout=10_000)
    assert cards(page).first.inner_text() == first_before

    # Open a product, then its seller's store.
    cards(page).first.locator("a").first.click()
    expect(page.get_by_test_id("product-title")).to_be_visible()
    page.get_by_test_id("seller-card").locator("a").click()
    expect(page.get_by_test_id("store-head")).to_be_visible()
    expect(cards(page).first).to_be_visible()


def test_browse_journey_without_javascript(no_js_page: Page, live_server):
    page = no_js_page
    page.goto(f"{live_server}/es/")
    page.locator('footer a[hreflang="ar"]').click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")

    # Without JS the control is its own page with a plain form.
    page.get_by_test_id("prefs-link").click()
    expect(page).to_have_url(re.compile(r"/ar/preferences"))
    page.get_by_test_id("pref-currency").select_option("BRL")
    page.get_by_test_id("pref-save").click()
    expect(page.get_by_test_id("prefs-summary")).to_contain_text("BRL")

    page.goto(f"{live_server}/ar/c/{CATEGORY}")
    page.locator("details.filter-box summary").click()
    page.get_by_test_id("sort").select_option("price_asc")
    page.get_by_role("button", name=re.compile("تطبيق|Apply")).click()
    expect(page).to_have_url(re.compile(r"sort=price_asc"))
    expect(cards(page)).to_have_count(12)

    # "Load more" is a plain link to the next page.
    page.get_by_test_id("load-more").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(cards(page)).to_have_count(11)

    cards(page).first.locator("a").first.click()
    page.get_by_test_id("seller-card").locator("a").click()
    expect(page.get_by_test_id("store-head")).to_be_visible()
