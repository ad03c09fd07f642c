"""A guest on a phone asks a seller a question on the product page; the seller answers from the seller
center; the guest sees the answer. With JavaScript (the block loads as it scrolls into view) and without."""
import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.shop import in_stock_product_of, log_in, query


def answer_from_seller_center(browser: Browser, browser_context_args, base: str, question: str, text: str) -> None:
    seller = browser.new_context(**browser_context_args).new_page()
    log_in(seller, base, "seller@demo.test", locale="en")
    seller.goto(f"{base}/en/seller/questions")
    card = seller.get_by_test_id("waiting-question").filter(has_text=question)
    card.locator("textarea").fill(text)
    card.get_by_test_id("answer-submit").click()
    expect(seller.get_by_test_id("answered-question").filter(has_text=text)).to_be_visible()
    assert seller.evaluate("document.documentElement.scrollWidth") <= 360
    seller.context.close()


def test_a_guest_asks_and_reads_the_sellers_answer(page: Page, browser: Browser, browser_context_args, live_server,
                                                    live_server_db):
    product = in_stock_product_of(live_server_db, "seller@demo.test")
    page.goto(f"{live_server}/en/p/{product}")
    block = page.locator("#questions")
    block.scroll_into_view_if_needed()
    form = page.get_by_test_id("ask-form")
    expect(form).to_be_visible(timeout=10_000)  # swapped in by htmx when revealed
    form.get_by_test_id("ask-submit").click()  # empty: every problem at once, in place
    expect(page.locator("#questions .error")).to_have_count(2)
    form = page.get_by_test_id("ask-form")
    form.locator("textarea[name=body]").fill("Does the case charge wirelessly?")
    form.locator("input[name=email]").fill("guest.question@example.com")
    form.get_by_test_id("ask-submit").click()
    expect(page.get_by_test_id("question-sent")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert query(live_server_db, "SELECT count(*) FROM questions WHERE email = :e",
                 e="guest.question@example.com")[0] == 1

    answer_from_seller_center(browser, browser_context_args, live_server, "Does the case charge wirelessly?",
                              "Yes, on any Qi charger.")
    page.reload()
    page.locator("#questions").scroll_into_view_if_needed()
    answered = page.get_by_test_id("question").filter(has_text="Does the case charge wirelessly?")
    expect(answered.get_by_test_id("answer")).to_contain_text("Yes, on any Qi charger.")


def test_without_javascript_in_arabic_the_questions_page_works(no_js_page: Page, live_server, live_server_db):
    product = in_stock_product_of(live_server_db, "seller@demo.test")
    no_js_page.goto(f"{live_server}/ar/p/{product}")
    no_js_page.get_by_test_id("questions-link").click()
    expect(no_js_page).to_have_url(re.compile(rf"/ar/p/{product}/questions"))
    expect(no_js_page.locator("html")).to_have_attribute("dir", "rtl")
    no_js_page.locator("textarea[name=body]").fill("شاحن؟")
    no_js_page.get_by_test_id("ask-submit").click()  # too short and no email: both said, text kept
    expect(no_js_page.locator(".error")).to_have_count(2)
    expect(no_js_page.locator("textarea[name=body]")).to_have_value("شاحن؟")
    no_js_page.locator("textarea[name=body]").fill("هل يأتي مع شاحن سريع في العلبة؟")
    no_js_page.locator("input[name=email]").fill("arabic.question@example.com")
    no_js_page.get_by_test_id("ask-submit").click()
    expect(no_js_page.get_by_test_id("question-sent")).to_be_visible()
    assert no_js_page.evaluate("document.documentElement.scrollWidth") <= 360
