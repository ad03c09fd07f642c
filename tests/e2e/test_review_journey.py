"""Reviews on a phone: filter and sort in place, vote 'helpful' once, and the demo shopper writes a review."""
import re

from playwright.sync_api import Page, expect

from tests.e2e.shop import log_in, query, write_review


def test_filter_sort_and_vote_in_place(page: Page, live_server, live_server_db):
    pid, slug = query(live_server_db, "SELECT id, slug FROM products ORDER BY rating_count DESC, id LIMIT 1")
    page.goto(f"{live_server}/en/p/{pid}-{slug}")
    reviews = page.get_by_test_id("review")
    expect(reviews).to_have_count(5)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_test_id("filter-stars-5").click()
    expect(page).to_have_url(re.compile(r"r_stars=5"))
    expect(page.get_by_test_id("filter-stars-5")).to_have_attribute("aria-current", "true")
    for rating in page.locator("[data-testid=review]").evaluate_all("els => els.map(e => e.dataset.rating)"):
        assert rating == "5"

    page.get_by_test_id("review-sort-newest").click()
    expect(page).to_have_url(re.compile(r"r_sort=newest"))
    button = page.get_by_test_id("helpful").first
    before = int(re.search(r"\((\d+)\)", button.inner_text()).group(1))
    button.click()
    done = page.get_by_test_id("helpful-done").first
    expect(done).to_contain_text(f"({before + 1})")
    expect(done).to_be_disabled()
    expect(page).to_have_url(re.compile(r"r_stars=5"))  # the filters survived the vote


def test_demo_shopper_writes_a_review(page: Page, live_server, live_server_db):
    number, line_id, pid, slug = query(live_server_db, """
        SELECT o.number, l.id, p.id, p.slug FROM orders o JOIN users u ON u.id = o.user_id
        JOIN order_lines l ON l.order_id = o.id JOIN products p ON p.id = l.product_id
        LEFT JOIN reviews r ON r.order_line_id = l.id
        WHERE u.email = 'shopper@demo.test' AND o.status = 'completed' AND r.id IS NULL""")
    log_in(page, live_server, "shopper@demo.test", locale="en")
    page.goto(f"{live_server}/en/p/{pid}-{slug}")
    page.get_by_test_id("write-review").click()
    expect(page).to_have_url(re.compile(rf"/orders/{number}/review/{line_id}"))

    page.get_by_test_id("submit-review").click()  # nothing chosen: the browser or the server says what is missing
    write_review(page, "Clear sound, and the case closes with a nice click.", stars=4)
    expect(page).to_have_url(re.compile(rf"/p/{pid}-.*#review-\d+"))
    expect(page.get_by_text("Clear sound, and the case closes with a nice click.")).to_be_visible()
