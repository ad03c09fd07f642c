"""A shopper searches on a phone: a misspelled Spanish query, live results, keyboard autocomplete, facets."""
import re

from playwright.sync_api import Page, expect


def open_filters(page: Page) -> None:
    """Open the filter panel unless the page already shows it open."""
    box = page.locator("details.filter-box")
    if box.get_attribute("open") is None:
        box.locator("summary").click()


def test_search_journey_with_javascript(page: Page, live_server):
    page.goto(f"{live_server}/es/search?q=")
    box = page.get_by_test_id("search-input")
    box.fill("auriculares bluetoth")  # misspelled: one typo allowed in an 8-letter word
    expect(page).to_have_url(re.compile(r"q=auriculares(\+|%20)bluetoth"), timeout=10_000)  # no reload, URL follows
    expect(page.locator("#results h1")).to_contain_text("auriculares bluetoth")
    expect(page.get_by_test_id("product-card").first).to_be_visible()
    expect(page.locator("#results mark").first).to_be_visible()

    # Autocomplete: open the first suggestion with the keyboard.
    box.fill("auricu")
    expect(page.get_by_test_id("suggestion").first).to_be_visible(timeout=10_000)
    assert page.get_by_test_id("suggestion").count() <= 8
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "sugg-1")
    box.press("Enter")
    expect(page.get_by_test_id("product-title")).to_be_visible()
    page.go_back()

    # Facet and sort as plain links and selects, then open a product.
    page.goto(f"{live_server}/es/search?q=auriculares")
    open_filters(page)
    page.get_by_test_id("facet-brand").first.click()
    expect(page).to_have_url(re.compile(r"brand="))
    open_filters(page)
    page.get_by_test_id("sort").select_option("price_asc")
    expect(page).to_have_url(re.compile(r"sort=price_asc"))
    page.get_by_test_id("product-card").first.locator("a").first.click()
    expect(page.get_by_test_id("product-title")).to_be_visible()


def test_search_journey_without_javascript(no_js_page: Page, live_server):
    page = no_js_page
    page.goto(f"{live_server}/es/")
    page.get_by_test_id("search-input").fill("auriculares bluetoth")
    page.get_by_test_id("search-input").press("Enter")
    expect(page).to_have_url(re.compile(r"/es/search\?q=auriculares\+bluetoth"))
    expect(page.get_by_test_id("product-card").first).to_be_visible()
    open_filters(page)
    page.get_by_test_id("facet-brand").first.click()
    expect(page).to_have_url(re.compile(r"brand="))
    open_filters(page)
    page.get_by_test_id("sort").select_option("price_desc")
    page.get_by_role("button", name="Aplicar").click()
    expect(page).to_have_url(re.compile(r"sort=price_desc"))
    page.get_by_test_id("product-card").first.locator("a").first.click()
    expect(page.get_by_test_id("product-title")).to_be_visible()
