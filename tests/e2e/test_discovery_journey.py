"""A shopper on a phone finds things even when a word matches nothing; crawlers find the shop's pages."""
from playwright.sync_api import Page, expect


def test_a_word_nothing_matches_is_left_out_with_a_note(page: Page, live_server):
    page.goto(f"{live_server}/en/search?q=wireless+earbuds+zzzz")
    note = page.get_by_test_id("relaxed")
    expect(note).to_contain_text("zzzz")
    expect(note).not_to_contain_text("earbuds")
    expect(page.get_by_test_id("product-card").first).to_be_visible()
    assert "earbud" in page.get_by_test_id("product-card").first.inner_text().lower()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_without_javascript_in_arabic_the_note_reads_right_to_left(no_js_page: Page, live_server):
    no_js_page.goto(f"{live_server}/ar/search?q=wireless+earbuds+zzzz")
    expect(no_js_page.locator("html")).to_have_attribute("dir", "rtl")
    expect(no_js_page.get_by_test_id("relaxed")).to_contain_text("zzzz")
    expect(no_js_page.get_by_test_id("product-card").first).to_be_visible()


def test_crawlers_get_robots_and_a_sitemap_of_every_language(page: Page, live_server):
    robots = page.request.get(f"{live_server}/robots.txt")
    assert robots.ok and "Disallow: /en/checkout" in robots.text()
    assert f"Sitemap: {live_server}/sitemap.xml" in robots.text()
    index = page.request.get(f"{live_server}/sitemap.xml")
    assert index.ok and f"{live_server}/sitemaps/ar-1.xml" in index.text()
    arabic = page.request.get(f"{live_server}/sitemaps/ar-1.xml").text()
    assert arabic.count("<url>") > 300 and 'hreflang="x-default"' in arabic and f"{live_server}/ar/p/" in arabic
