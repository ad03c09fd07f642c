"""Playwright journeys against a live server seeded with the demo store, in Debian's Chromium."""
from __future__ import annotations

import os
import threading

import pytest
from werkzeug.serving import make_server

from storefront import create_app
from storefront.cli import upgrade_database
from storefront.catalog.indexing import rebuild_index
from storefront.demo.seed import seed_demo_store
from storefront.extensions import db

PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def live_server_db(tmp_path_factory) -> str:
    """The live server's database URL (journeys read ids from it)."""
    return f"sqlite:///{tmp_path_factory.mktemp('live') / 'live.db'}"


@pytest.fixture(scope="session")
def live_app(live_server_db, tmp_path_factory):
    """The live server's app, seeded with the demo store: journeys run its commands (the scheduler's
    `orders tick`) and read its mail outbox."""
    base = tmp_path_factory.mktemp("live-files")
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": live_server_db,
        "MEDIA_PATH": str(base / "media"),
        "SEARCH_INDEX_PATH": str(base / "index"),
        "MAIL_OUTBOX": str(base / "mail"),
        "PER_PAGE": 12,
    })
    with app.app_context():
        upgrade_database()
        seed_demo_store(db.session)
        rebuild_index(db.session, app.extensions["search"])
        db.session.remove()
    return app


@pytest.fixture(scope="session")
def live_server(live_app):
    """The demo shop on a free local port, for the whole session."""
    app = live_app
    # E2E_PORT pins the port (machines where each engineer has a port range); 0 picks a free one.
    server = make_server("127.0.0.1", int(os.environ.get("E2E_PORT", "0")), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium: nothing is downloaded at run time."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": ["--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A small phone."""
    return {**browser_context_args, "viewport": PHONE, "device_scale_factor": 2, "is_mobile": True,
            "has_touch": True, "locale": "es-ES"}


@pytest.fixture
def no_js_page(browser, browser_context_args):
    """A page in a context with JavaScript disabled."""
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(autouse=True)
def real_time(request):
    """Journeys that move the shop's clock (tests/e2e/shop.py travel/tick) get it put back afterwards."""
    yield
    if "live_app" in request.fixturenames:
        from datetime import timedelta

        request.getfixturevalue("live_app").config["CLOCK_OFFSET"] = timedelta(0)


CSP_VIOLATIONS: list[str] = []


@pytest.fixture(scope="session")
def browser(browser):
    """The session's browser; every context opened on it (by pytest-playwright or a journey) reports the
    page's Content-Security-Policy violations, which `no_csp_violations` then refuses."""
    open_context = browser.new_context

    def new_context(*args, **kwargs):
        context = open_context(*args, **kwargs)
        context.on("console", lambda message: "Content Security Policy" in message.text
                   and CSP_VIOLATIONS.append(f"{message.page.url if message.page else '?'}: {message.text}"))
        return context

    browser.new_context = new_context
    return browser


@pytest.fixture(autouse=True)
def no_csp_violations(request):
    """Every journey runs without a single Content-Security-Policy violation in the browser's console."""
    CSP_VIOLATIONS.clear()
    yield
    if "browser" in request.fixturenames or "page" in request.fixturenames:
        assert CSP_VIOLATIONS == [], "\n".join(CSP_VIOLATIONS)
