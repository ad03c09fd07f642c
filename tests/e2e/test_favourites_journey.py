"""Phone journeys for the ways back to what a shopper liked: a guest favourites a product, logs in and finds it
(with JavaScript, in Arabic; and with JavaScript off); three products viewed show under "Recently viewed", which
can be cleared; buyer protection from the product page to its policy page. Every page fits 360 px."""
import re

from playwright.sync_api import Page, expect

from tests.e2e.shop import all_rows, in_stock_product_of, log_in

PHONE_WIDTH = 360


def fits(page: Page, name: str) -> None:
    """The page does not scroll sideways on the phone."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{name} is {width}px wide"


def product_title(page: Page) -> str:
    return page.get_by_test_id("product-title").inner_text().strip()


def test_guest_favourites_a_product_logs_in_and_finds_it_in_arabic(page: Page, live_server, live_server_db):
    base = live_server
    product = in_stock_product_of(live_server_db, "seller@demo.test")
    page.goto(f"{base}/ar/p/{product}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    fits(page, "product")
    title = product_title(page)
    heart = page.locator(f"#fav-{product} button")
    box = heart.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24  # a touch target
    expect(heart).to_have_attribute("aria-pressed", "false")
    heart.click()
    # HTMX swapped the heart in place: same page, pressed now.
    expect(page.locator(f"#fav-{product} button")).to_have_attribute("aria-pressed", "true")
    expect(page).to_have_url(re.compile(rf"/ar/p/{product}"))

    log_in(page, base, "shopper@demo.test", locale="ar")
    page.get_by_test_id("favourites-link").click()
    expect(page).to_have_url(re.compile(r"/ar/favourites"))
    favourite = page.get_by_test_id("favourite").filter(has_text=title)
    expect(favourite).to_have_count(1)
    fits(page, "favourites")
    favourite.get_by_role("link").click()
    expect(page.locator(f"#fav-{product} button")).to_have_attribute("aria-pressed", "true")


def test_with_javascript_off_the_heart_is_a_form_and_favourites_survive_login(no_js_page: Page, live_server,
                                                                                live_server_db):
    page, base = no_js_page, live_server
    product = in_stock_product_of(live_server_db, "seller@demo.test", skip=1)
    page.goto(f"{base}/es/p/{product}")
    title = product_title(page)
    page.locator(f"#fav-{product} button").click()
    expect(page).to_have_url(re.compile(rf"/es/p/{product}"))  # back where the shopper was
    expect(page.locator(f"#fav-{product} button")).to_have_attribute("aria-pressed", "true")
    log_in(page, base, "admin@demo.test")
    page.goto(f"{base}/es/favourites")
    expect(page.get_by_test_id("favourite").filter(has_text=title)).to_have_count(1)
    fits(page, "favourites-no-js")


def test_three_products_viewed_show_under_recently_viewed_and_can_be_cleared(page: Page, live_server,
                                                                              live_server_db):
    base = live_server
    titles = []
    three = all_rows(live_server_db, "SELECT id FROM products WHERE min_price_usd IS NOT NULL ORDER BY id DESC LIMIT 3")
    for (product,) in three:
        page.goto(f"{base}/zh/p/{product}")
        titles.append(product_title(page))
    page.goto(f"{base}/zh/")
    section = page.get_by_test_id("recently-viewed")
    expect(section).to_be_visible()
    shown = [t.strip() for t in section.locator(".title").all_inner_texts()]
    assert shown[:3] == list(reversed(titles))
    fits(page, "home")
    section.get_by_test_id("recent-clear").click()
    expect(page.get_by_test_id("recent-cleared")).to_be_visible()
    page.reload()
    expect(page.get_by_test_id("recently-viewed")).to_have_count(0)


def test_buyer_protection_from_the_product_page_to_its_policy(page: Page, live_server, live_server_db):
    base = live_server
    page.goto(f"{base}/ar/p/{in_stock_product_of(live_server_db, 'seller@demo.test')}")
    protection = page.get_by_test_id("buyer-protection")
    expect(protection).to_be_visible()
    protection.get_by_test_id("protection-link").click()
    expect(page.get_by_test_id("policy-page")).to_have_attribute("data-page", "buyer-protection")
    expect(page.locator("h1")).to_have_text("حماية المشتري")
    fits(page, "policy")
    page.get_by_test_id("footer-returns").click()
    expect(page.get_by_test_id("policy-page")).to_have_attribute("data-page", "returns")
