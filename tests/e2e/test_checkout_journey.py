"""Buying on a phone: two sellers, one payment in BRL; a declined card then a retry; a cart merged at login;
and the whole checkout with JavaScript off."""
import re

from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, text

from storefront.demo.seed import DEMO_PASSWORD


def two_sellers_products(db_url: str) -> list[int]:
    """Two in-stock products, each sold by one seller only, from two different sellers."""
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT o.product_id, o.seller_id FROM offers o JOIN products p ON p.id = o.product_id "
            "JOIN variants v ON v.offer_id = o.id "
            "WHERE p.offer_count = 1 AND v.stock > 3 ORDER BY o.product_id")).all()
    engine.dispose()
    first = rows[0]
    second = next(r for r in rows if r.seller_id != first.seller_id)
    return [first.product_id, second.product_id]


def add_to_cart(page: Page, base: str, product_id: int, expected_count: int) -> None:
    page.goto(f"{base}/es/p/{product_id}")
    page.get_by_test_id("add-to-cart").click()
    expect(page.get_by_test_id("cart-count")).to_have_text(str(expected_count))


def fill_address(page: Page, email: str | None = "ana@example.com") -> None:
    if email:
        page.get_by_test_id("email").fill(email)
    page.get_by_test_id("country").select_option("BR")
    expect(page.locator("label[for=postal_code]")).to_contain_text("CEP")
    page.get_by_test_id("full_name").fill("Ana Souza")
    page.get_by_test_id("line1").fill("Rua Augusta 100")
    page.get_by_test_id("city").fill("São Paulo")
    page.get_by_test_id("region").fill("SP")
    page.get_by_test_id("postal_code").fill("01310-100")


def pay_with(page: Page, number: str) -> None:
    page.locator("input[name=number]").fill(number)
    page.locator("input[name=expiry]").fill("12/34")
    page.locator("input[name=cvc]").fill("123")
    page.locator("input[name=name]").fill("Ana Souza")
    page.locator("button[type=submit]").first.click()


def set_brl(page: Page, base: str) -> None:
    page.goto(f"{base}/es/preferences")
    page.get_by_test_id("pref-currency").select_option("BRL")
    page.get_by_test_id("pref-save").click()


def test_guest_buys_from_two_sellers_in_brl_with_one_payment(page: Page, live_server, live_server_db):
    set_brl(page, live_server)
    first, second = two_sellers_products(live_server_db)
    add_to_cart(page, live_server, first, 1)
    add_to_cart(page, live_server, second, 2)
    page.get_by_test_id("mini-cart").click()
    expect(page.get_by_test_id("package")).to_have_count(2)
    page.get_by_test_id("go-checkout").click()
    fill_address(page)
    page.get_by_test_id("to-review").click()
    expect(page.get_by_test_id("review-total")).to_contain_text(re.compile(r"R\$|BRL"))
    page.get_by_test_id("place-order").click()
    expect(page.locator("body")).to_contain_text("MODO DE PRUEBA")  # the sandbox speaks the shopper's language
    pay_with(page, "4242424242424242")
    expect(page.get_by_test_id("order-number")).to_have_count(2)
    expect(page.get_by_test_id("checkout-total")).to_contain_text(re.compile(r"R\$|BRL"))
    expect(page.get_by_test_id("pay-now")).to_have_count(0)


def test_declined_card_then_successful_retry(page: Page, live_server, live_server_db):
    first, _ = two_sellers_products(live_server_db)
    add_to_cart(page, live_server, first, 1)
    page.goto(f"{live_server}/es/checkout/")
    fill_address(page)
    page.get_by_test_id("to-review").click()
    page.get_by_test_id("place-order").click()
    pay_with(page, "4000000000000002")
    expect(page.get_by_test_id("pay-now")).to_be_visible()
    page.get_by_test_id("pay-now").click()
    pay_with(page, "4242424242424242")
    expect(page.get_by_test_id("pay-now")).to_have_count(0)
    expect(page.get_by_test_id("order-number")).to_have_count(1)


def test_guest_cart_merges_at_login(page: Page, live_server, live_server_db):
    first, second = two_sellers_products(live_server_db)
    add_to_cart(page, live_server, first, 1)
    page.goto(f"{live_server}/es/account/login")
    page.get_by_test_id("email").fill("shopper@demo.test")
    page.get_by_test_id("password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name=re.compile("Iniciar sesión|Log in")).click()
    count = int(page.get_by_test_id("cart-count").inner_text())
    assert count >= 1
    add_to_cart(page, live_server, second, count + 1)
    page.get_by_test_id("mini-cart").click()
    assert page.get_by_test_id("cart-line").count() >= 2


def test_checkout_without_javascript(no_js_page: Page, live_server, live_server_db):
    page = no_js_page
    first, second = two_sellers_products(live_server_db)
    for product_id in (first, second):
        page.goto(f"{live_server}/es/p/{product_id}")
        page.get_by_test_id("add-to-cart").click()  # plain POST, lands on the cart
    expect(page.get_by_test_id("package")).to_have_count(2)
    page.get_by_test_id("go-checkout").click()
    page.get_by_test_id("country").select_option("BR")
    page.get_by_role("button", name=re.compile("Actualizar campos|Update fields")).click()
    expect(page.locator("label[for=postal_code]")).to_contain_text("CEP")
    fill_address(page)
    page.get_by_test_id("pay-bank_transfer").check()
    page.get_by_test_id("to-review").click()
    page.get_by_test_id("place-order").click()
    expect(page.get_by_test_id("payment-state")).to_contain_text("IBAN")
    expect(page.get_by_test_id("order-number")).to_have_count(2)


def test_cart_error_is_shown_in_place(page: Page, live_server, live_server_db):
    """A refused change (here: more than the stock, past the browser's own check) swaps in its message."""
    first, _ = two_sellers_products(live_server_db)
    add_to_cart(page, live_server, first, 1)
    page.get_by_test_id("mini-cart").click()
    page.evaluate("document.querySelector('[data-testid=line-qty]').removeAttribute('max')")
    page.get_by_test_id("line-qty").fill("9999")
    page.locator("button[name=action][value=update]").first.click()
    expect(page.locator("#cart_body .flash.error")).to_be_visible()
    expect(page.get_by_test_id("line-qty")).to_have_value("1")
