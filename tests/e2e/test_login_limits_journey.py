"""Logging in safely on a phone: weak passwords refused with the reasons, repeated wrong passwords locked with a message."""
import pytest
from playwright.sync_api import Page, expect


@pytest.fixture
def fresh_limits(live_app):
    """This journey's failed logins must not lock other journeys (all come from 127.0.0.1): clear the counts."""
    from storefront.core.limits import limiter

    yield
    with live_app.app_context():
        limiter.reset()


def test_a_weak_password_is_refused_with_the_reasons_without_javascript(no_js_page: Page, live_server, fresh_limits):
    page = no_js_page
    page.goto(f"{live_server}/es/account/register")
    page.fill("input[name=name]", "Lucía Gómez")
    page.fill("input[name=email]", "lucia@example.com")
    page.fill("input[name=password]", "password12")
    page.fill("input[name=confirm]", "password12")
    page.get_by_role("button", name="Crear cuenta").click()
    expect(page.get_by_text("Esta contraseña es demasiado fácil de adivinar.")).to_be_visible()
    expect(page.get_by_text("Es una de las contraseñas más comunes")).to_be_visible()
    expect(page.locator("input[name=email]")).to_have_value("lucia@example.com")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_five_wrong_passwords_lock_the_login_with_a_message(page: Page, live_server, fresh_limits):
    page.goto(f"{live_server}/es/account/login")
    for attempt in range(6):
        page.fill("input[name=email]", "admin@demo.test")
        page.fill("input[name=password]", f"not-the-password-{attempt}")
        page.get_by_test_id("login-form").locator("button[type=submit]").click()
        page.wait_for_load_state()
    expect(page.get_by_text("Demasiados intentos fallidos")).to_be_visible()
    expect(page.get_by_text("espera")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
