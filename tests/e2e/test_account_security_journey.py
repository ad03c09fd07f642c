"""Accounts on a phone: register and confirm by the emailed link; forgot password → emailed link → new password →
logged in, with the session on the other device revoked; then download my data and delete my account
(without JavaScript). Every page fits 360 px."""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

from tests.outbox import outbox_mails
from playwright.sync_api import Browser, Page, expect

PASSWORD = "violet-harbour-lantern-42"
NEW_PASSWORD = "copper-meadow-violin-77"


def emailed_link(live_app, to: str, template: str, marker: str) -> str:
    """The path of the link in the newest `template` email to `to` in the live server's outbox."""
    with live_app.app_context():
        messages = outbox_mails(template)
    body = [m for m in messages if m["To"] == to][-1].get_content()
    url = next(u for u in re.findall(r"https?://\S+", body) if marker in u)
    return urlsplit(url).path


def fits_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url


def register(page: Page, base: str, name: str, address: str) -> None:
    page.goto(f"{base}/es/account/register")
    page.fill("input[name=name]", name)
    page.fill("input[name=email]", address)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=confirm]", PASSWORD)
    page.get_by_test_id("register-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("check-email")).to_be_visible()
    fits_phone(page)


def test_forgot_password_journey_revokes_the_other_device(page: Page, browser: Browser, browser_context_args,
                                                          live_server, live_app):
    address = "lucia.journey@example.com"
    register(page, live_server, "Lucía Journey", address)
    page.goto(live_server + emailed_link(live_app, address, "confirm_email", "/account/confirm/"))
    expect(page.get_by_test_id("email-confirmed")).to_be_visible()
    fits_phone(page)

    other_device = browser.new_context(**browser_context_args)
    old = other_device.new_page()
    old.goto(f"{live_server}/es/account/login")
    old.fill("input[name=email]", address)
    old.fill("input[name=password]", PASSWORD)
    old.get_by_test_id("login-form").locator("button[type=submit]").click()
    old.goto(f"{live_server}/es/orders/")
    expect(old).to_have_url(re.compile(r"/es/orders/$"))

    forgot = browser.new_context(**browser_context_args).new_page()
    forgot.goto(f"{live_server}/es/account/login")
    forgot.get_by_test_id("forgot-link").click()
    forgot.fill("input[name=email]", address)
    forgot.get_by_test_id("forgot-form").locator("button[type=submit]").click()
    expect(forgot.get_by_test_id("check-email")).to_be_visible()
    forgot.goto(live_server + emailed_link(live_app, address, "password_reset", "/account/password/reset/"))
    fits_phone(forgot)
    forgot.fill("input[name=password]", "short")
    forgot.fill("input[name=confirm]", "short")
    forgot.get_by_test_id("reset-form").locator("button[type=submit]").click()
    expect(forgot.locator("p.error")).to_contain_text("10")
    forgot.fill("input[name=password]", NEW_PASSWORD)
    forgot.fill("input[name=confirm]", NEW_PASSWORD)
    forgot.get_by_test_id("reset-form").locator("button[type=submit]").click()
    expect(forgot).to_have_url(re.compile(r"/es/account/$"))
    expect(forgot.get_by_test_id("account-link")).to_be_visible()  # logged in with the new password

    old.goto(f"{live_server}/es/orders/")
    expect(old).to_have_url(re.compile(r"/es/account/login"))  # the other device's session was revoked
    other_device.close()


def test_download_my_data_and_delete_my_account_without_javascript(no_js_page: Page, live_server, live_app):
    page = no_js_page
    address = "maria.journey@example.com"
    register(page, live_server, "María Journey", address)
    page.goto(f"{live_server}/es/account/login")
    page.fill("input[name=email]", address)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-form").locator("button[type=submit]").click()
    page.get_by_test_id("account-link").click()
    page.get_by_test_id("my-data-link").click()
    fits_phone(page)
    with page.expect_download() as download:
        page.get_by_test_id("export-data").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["users"][0]["email"] == address and "password_hash" not in data["users"][0]

    form = page.get_by_test_id("delete-form")
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    expect(page.locator("p.error")).to_have_count(1)  # the box was not ticked
    form = page.get_by_test_id("delete-form")
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("input[name=understood]").check()
    form.locator("button[type=submit]").click()
    expect(page.locator("p.flash")).to_contain_text("eliminada")
    page.goto(f"{live_server}/es/account/login")
    page.fill("input[name=email]", address)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-form").locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/account/login"))  # the account is gone
