"""Every page of a purchase fits a 360 px phone in Spanish, Arabic (right to left) and Chinese: cart, checkout
with the longest country name, review, the payment page, confirmation and the order page; and confirming
receipt asks first. Set E2E_SHOTS to a folder to keep a screenshot of each page."""
import os

import pytest
from playwright.sync_api import Page, expect

from storefront.core.i18n import country_choices
from storefront.shipping.services import ships_to
from tests.e2e.shop import in_stock_product_of, pay_with, ship

PHONE_WIDTH = 360
PHONE = {"width": PHONE_WIDTH, "height": 780}
SHOTS = os.environ.get("E2E_SHOTS")


def longest_country(locale: str) -> str:
    """The ship-to country with the longest name in `locale` (the widest option of the country select)."""
    return max((pair for pair in country_choices(locale) if ships_to(pair[0])), key=lambda pair: len(pair[1]))[0]


def fits(page: Page, name: str) -> None:
    """The page does not scroll sideways on the phone."""
    page.wait_for_load_state("networkidle")
    width = page.evaluate("document.documentElement.scrollWidth")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)
    assert width <= PHONE_WIDTH, f"{name} is {width}px wide"


@pytest.mark.parametrize("index,locale", [(0, "es"), (1, "ar"), (2, "zh")])
def test_a_purchase_fits_a_phone_in_every_language(page: Page, browser, browser_context_args, live_server,
                                                     live_server_db, index, locale):
    base = live_server
    page.set_viewport_size(PHONE)
    product = in_stock_product_of(live_server_db, "seller@demo.test", skip=index % 2)
    page.goto(f"{base}/{locale}/p/{product}")
    fits(page, f"{locale}-1-product")
    page.get_by_test_id("add-to-cart").click()
    expect(page.get_by_test_id("cart-count")).to_have_text("1")
    page.goto(f"{base}/{locale}/cart/")
    expect(page.get_by_test_id("tax-summary")).to_be_visible()
    fits(page, f"{locale}-2-cart")

    page.get_by_test_id("go-checkout").click()
    page.get_by_test_id("email").fill(f"width-{locale}@example.com")
    page.get_by_test_id("country").select_option(longest_country(locale))
    page.wait_for_load_state("networkidle")
    fits(page, f"{locale}-3-checkout")
    page.get_by_test_id("full_name").fill("Amal Haddad")
    page.get_by_test_id("line1").fill("12 Long Street")
    page.get_by_test_id("city").fill("Capital City")
    page.get_by_test_id("to-review").click()
    expect(page.get_by_test_id("place-order")).to_be_visible()
    expect(page.get_by_test_id("tax-summary")).to_be_visible()
    fits(page, f"{locale}-4-review")

    page.get_by_test_id("place-order").click()
    expect(page.get_by_test_id("card-form")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", locale)
    fits(page, f"{locale}-5-payment")
    pay_with(page, name="Amal Haddad")
    expect(page.get_by_test_id("order-number")).to_have_count(1)
    fits(page, f"{locale}-6-confirmation")

    number = page.get_by_test_id("order-number").inner_text().strip()
    seller = ship(browser, browser_context_args, base, number, f"LP{index}0{index}123456CN")
    seller.context.close()
    page.goto(f"{base}/{locale}/orders/{number}")
    status = page.get_by_test_id("order-status").inner_text()
    fits(page, f"{locale}-7-order")
    page.get_by_test_id("confirm-receipt").click()  # not ticked: the browser asks for the box, nothing is sent
    expect(page.get_by_test_id("order-status")).to_have_text(status)
    assert page.get_by_test_id("confirm-receipt-check").evaluate("box => !box.validity.valid")
    page.get_by_test_id("confirm-receipt-check").check()
    page.get_by_test_id("confirm-receipt").click()
    expect(page.get_by_test_id("confirm-receipt")).to_have_count(0)
    expect(page.get_by_test_id("order-status")).not_to_have_text(status)
    fits(page, f"{locale}-8-completed")


def test_checkout_without_javascript_fits_a_phone_in_arabic(no_js_page: Page, live_server, live_server_db):
    page = no_js_page
    page.set_viewport_size(PHONE)
    product = in_stock_product_of(live_server_db, "seller@demo.test", skip=1)
    page.goto(f"{live_server}/ar/p/{product}")
    page.get_by_test_id("add-to-cart").click()
    page.goto(f"{live_server}/ar/cart/")
    fits(page, "ar-nojs-cart")
    page.get_by_test_id("go-checkout").click()
    country = longest_country("ar")
    page.get_by_test_id("country").select_option(country)
    page.locator("button[name=refresh][value=country]").click()  # without JS the fields change on a post
    expect(page.get_by_test_id("country")).to_have_value(country)
    fits(page, "ar-nojs-checkout")


def test_the_browser_tells_the_shop_its_time_zone(browser, browser_context_args, live_server):
    context = browser.new_context(**browser_context_args, timezone_id="America/Sao_Paulo")
    page = context.new_page()
    page.goto(f"{live_server}/es/")
    page.wait_for_load_state("networkidle")
    assert {"name": "tz", "value": "America%2FSao_Paulo"}.items() <= next(
        c for c in context.cookies() if c["name"] == "tz").items()
    context.close()
