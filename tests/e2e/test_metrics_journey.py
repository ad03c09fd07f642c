"""The platform owner on a phone: opens the metrics dashboard, changes the range and the breakdown in place,
downloads a table as CSV; nobody else finds the page."""
import csv
import io
import re

from playwright.sync_api import Page, expect

from tests.e2e.shop import log_in


def test_admin_changes_range_and_breakdown_and_downloads_a_csv(page: Page, live_server):
    log_in(page, live_server, "admin@demo.test", locale="en")
    page.get_by_test_id("admin-metrics-link").click()
    expect(page).to_have_url(re.compile(r"/en/admin/metrics"))
    body = page.get_by_test_id("metrics-body")
    expect(body).to_be_visible()
    expect(page.get_by_test_id("chart-funnel")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    marker = page.evaluate("window.__kept = 'same page'")  # survives only if HTMX swaps in place
    page.get_by_test_id("preset-90").click()
    expect(page).to_have_url(re.compile(r"from=\d{4}-\d{2}-\d{2}"))
    expect(page.get_by_test_id("preset-90")).to_have_attribute("aria-current", "true")
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("breakdown-select").select_option("country")
    expect(page).to_have_url(re.compile(r"breakdown=country"))
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("table-north_star_by")).to_be_visible()
    assert page.evaluate("window.__kept") == "same page", marker
    expect(page.get_by_test_id("period")).to_contain_text("compared with")

    with page.expect_download() as download_info:
        page.get_by_test_id("csv-north_star_by").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(open(download.path(), encoding="utf-8").read())))
    assert len(rows) >= 1 and len(rows[0]) >= 2  # a header row of stable column ids, then one row per country


def test_the_dashboard_is_not_found_for_a_shopper(page: Page, live_server):
    log_in(page, live_server, "shopper@demo.test", locale="en")
    response = page.goto(f"{live_server}/en/admin/metrics")
    assert response.status == 404
    expect(page.get_by_test_id("admin-metrics-link")).to_have_count(0)
