"""Issue 16 in a real browser, in Arabic on a 360 px phone: every price is direction-isolated and reads
"US$ 29.99" (never "$US"), the cart's shipping choices keep price and delivery dates apart, and the review
page's address is upright with Arabic separators. A screenshot of each page is checked for width and kept
in E2E_SHOTS when set."""
import os

from babel import Locale
from PIL import Image
from playwright.sync_api import Page, expect

from storefront.config import CURRENCIES
from tests.e2e.shop import in_stock_product_of

PHONE_WIDTH = 360
SCALE = 2  # conftest's device_scale_factor

UNISOLATED_PRICES = """(symbols) => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, text = node.textContent;
    if (!/[0-9]/.test(text) || !symbols.some((s) => text.includes(s))) continue;
    if (node.parentElement.closest('select, script, style, template')) continue;
    if (!node.parentElement.closest('bdi')) out.push(text.trim());
  }
  return out;
}"""

# Where each character of an element's text is drawn: "US$ 29.99" must have U left of $, and $ left of the digits.
GLYPH_X = """(el) => {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  const node = walker.nextNode(), text = node.textContent;
  const x = (i) => { const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
                     return r.getBoundingClientRect().left; };
  return {u: x(text.indexOf('U')), dollar: x(text.indexOf('$')), digit: x(text.search(/[0-9]/))};
}"""

BOXES = """(el) => Array.from(el.querySelectorAll('bdi')).map((b) => {
  const r = b.getBoundingClientRect(); return {left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                                               text: b.textContent};
})"""


def symbols() -> list[str]:
    """The currency symbols Arabic pages write (US$, €, R$…)."""
    names = Locale.parse("ar").currency_symbols
    return sorted({names.get(code, code) for code in CURRENCIES})


def screenshot_fits(page: Page, name: str, tmp_path) -> None:
    """A full-page screenshot is exactly the phone's width (nothing pushes the page sideways)."""
    page.wait_for_load_state("networkidle")
    path = os.path.join(os.environ.get("E2E_SHOTS") or str(tmp_path), f"{name}.png")
    page.screenshot(path=path, full_page=True)
    with Image.open(path) as shot:
        assert shot.width == PHONE_WIDTH * SCALE, f"{name}: {shot.width / SCALE}px wide"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def assert_prices_isolated(page: Page) -> None:
    """No text with an amount and a currency symbol outside a <bdi>."""
    assert page.evaluate(UNISOLATED_PRICES, symbols()) == []


def assert_reads_us_dollar_first(page: Page, test_id: str) -> None:
    """The price drawn left to right as "US$ 29.99" (U, then $, then the digits)."""
    x = page.get_by_test_id(test_id).locator("bdi").first.evaluate(GLYPH_X)
    assert x["u"] < x["dollar"] < x["digit"], x


def test_arabic_prices_are_isolated_and_read_the_same_everywhere(browser, browser_context_args, live_server,
                                                                  live_server_db, tmp_path):
    context = browser.new_context(**{**browser_context_args, "locale": "ar-SA"})
    context.add_cookies([{"name": "ship_to", "value": "SA", "url": live_server},
                         {"name": "currency", "value": "USD", "url": live_server}])
    page = context.new_page()
    base = f"{live_server}/ar"
    product = in_stock_product_of(live_server_db, "seller@demo.test")  # nothing is bought here

    page.goto(f"{base}/")
    expect(page.get_by_test_id("price").first).to_be_visible()
    assert_prices_isolated(page)
    screenshot_fits(page, "ar-home", tmp_path)

    page.goto(f"{base}/p/{product}")
    assert_prices_isolated(page)
    assert_reads_us_dollar_first(page, "unit-price")
    screenshot_fits(page, "ar-product", tmp_path)
    page.get_by_test_id("add-to-cart").click()
    expect(page.get_by_test_id("cart-count")).to_have_text("1")

    page.goto(f"{base}/cart/")
    assert_prices_isolated(page)
    assert_reads_us_dollar_first(page, "cart-total")
    choices = page.locator("label.check", has=page.locator("[data-testid^=ship-]"))
    paid = [boxes for boxes in (choices.nth(i).evaluate(BOXES) for i in range(choices.count())) if len(boxes) == 2]
    assert paid, "no paid shipping choice to look at"  # a free one shows only its dates
    for price, dates in paid:
        assert "US$" in price["text"] and "US$" not in dates["text"]
        # price and dates are two separate runs on the line: their boxes do not overlap
        assert price["right"] <= dates["left"] or dates["right"] <= price["left"], (price, dates)
    screenshot_fits(page, "ar-cart", tmp_path)

    page.get_by_test_id("go-checkout").click()
    page.get_by_test_id("email").fill("bidi@example.com")
    page.get_by_test_id("full_name").fill("Amal Haddad")
    page.get_by_test_id("line1").fill("12 King Fahd Road")
    if page.get_by_test_id("line2").count():
        page.get_by_test_id("line2").fill("Floor 3")
    page.get_by_test_id("city").fill("Riyadh")
    if page.get_by_test_id("postal_code").count():
        page.get_by_test_id("postal_code").fill("11564")
    page.get_by_test_id("to-review").click()
    expect(page.get_by_test_id("place-order")).to_be_visible()
    assert_prices_isolated(page)
    assert_reads_us_dollar_first(page, "review-total")
    address = page.get_by_test_id("review-address")
    assert address.evaluate("(el) => getComputedStyle(el).fontStyle") == "normal"
    assert "12 King Fahd Road، Floor 3" in address.inner_text()
    # a Latin line keeps its own direction: the house number is drawn left of the street, not after it
    street = address.locator("bdi", has_text="King Fahd").evaluate("""(el) => {
      const node = el.firstChild, text = node.textContent;
      const x = (i) => { const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
                         return r.getBoundingClientRect().left; };
      return {number: x(text.indexOf('12')), street: x(text.indexOf('K'))};
    }""")
    assert street["number"] < street["street"], street
    screenshot_fits(page, "ar-review", tmp_path)
    context.close()
