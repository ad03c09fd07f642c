"""Request limits (issue 14, item 1): login failures lock the address and the account for a growing while,
the owner on a clean address still gets in, registration and search suggestions are limited, and the client
address comes from X-Forwarded-For only behind TRUSTED_PROXY_HOPS trusted proxies."""
from __future__ import annotations

import time

import pytest

from storefront import create_app
from tests.conftest import IsolatedClient
from tests.factories import PASSWORD, account, client_at


def log_in(client, email, password, locale="en", **headers):
    """POST the login form."""
    return client.post(f"/{locale}/account/login", data={"email": email, "password": password}, headers=headers)


@pytest.fixture
def admin(app, stores):
    """A platform admin's account (logged out again: the tests log in themselves)."""
    client = account(app, "boss@example.com", role="admin")
    client.post("/en/account/logout")
    return "boss@example.com"


def test_five_wrong_passwords_lock_the_address_even_for_the_right_one_admin_included(app, admin):
    guesser = client_at(app, "198.51.100.20")
    for _ in range(5):
        assert log_in(guesser, admin, "wrong-guess-123").status_code == 400
    locked = log_in(guesser, admin, PASSWORD, locale="es")  # the right password, but after 5 failures
    html = locked.data.decode()
    assert locked.status_code == 429 and "Demasiados intentos fallidos" in html
    assert 0 < int(locked.headers["Retry-After"]) <= 60
    assert guesser.get("/en/admin/metrics").status_code != 200  # not logged in
    assert log_in(client_at(app, "198.51.100.21"), admin, PASSWORD).status_code == 303  # another address: fine


def test_the_lock_lifts_when_the_failures_leave_the_window(app, admin):
    app.config["RATELIMIT_LOGIN_ADDRESS"] = "5 per 2 seconds"  # the same mechanism with a window a test can wait for
    guesser = client_at(app, "198.51.100.30")
    for _ in range(5):
        log_in(guesser, admin, "wrong-guess-123")
    assert log_in(guesser, admin, PASSWORD).status_code == 429
    time.sleep(2.1)
    assert log_in(guesser, admin, PASSWORD).status_code == 303


def test_guesses_from_many_addresses_lock_the_account_but_not_its_owner(app, stores):
    account(app, "ana@example.com").post("/en/account/logout")
    for n in range(5):  # a botnet: one guess per address, below every address limit
        assert log_in(client_at(app, f"203.0.113.{n}"), "ana@example.com", "wrong-guess-123").status_code == 400
    second = client_at(app, "203.0.113.0")  # an address that has failed already meets the account's lock
    assert log_in(second, "ana@example.com", PASSWORD).status_code == 429
    fresh = client_at(app, "203.0.113.99")  # a fresh address gets one guess, then it is failing too
    assert log_in(fresh, "ana@example.com", "wrong-guess-456").status_code == 400
    assert log_in(fresh, "ana@example.com", "wrong-guess-789").status_code == 429
    owner = client_at(app, "192.0.2.10")  # the owner, who has not been failing, logs straight in
    assert log_in(owner, "ana@example.com", PASSWORD).status_code == 303
    assert log_in(client_at(app, "203.0.113.1"), "ana@example.com", PASSWORD).status_code == 303  # success cleared it


def test_registration_is_limited_per_address_with_a_translated_page(app, stores):
    visitor = client_at(app, "198.51.100.40")
    for n in range(10):  # each attempt counts, accepted or not: the form also tells whether an email exists
        assert visitor.post("/es/account/register", data={"name": "X", "email": f"x{n}@example.com",
                                                          "password": "short"}).status_code == 400
    refused = visitor.post("/es/account/register", data={"name": "X", "email": "y@example.com", "password": "short"})
    assert refused.status_code == 429 and "Demasiadas solicitudes" in refused.data.decode()
    assert "Retry-After" in refused.headers
    assert visitor.get("/es/account/register").status_code == 200  # only sending the form is limited


def test_search_suggestions_are_limited_and_htmx_gets_the_message_alone(app, stores):
    typist = client_at(app, "198.51.100.50")
    for _ in range(60):
        assert typist.get("/en/search/suggest?q=ear").status_code == 200
    refused = typist.get("/en/search/suggest?q=earb", headers={"HX-Request": "true", "HX-Target": "suggestions"})
    body = refused.data.decode()
    assert refused.status_code == 429 and 'data-testid="too-many-requests"' in body and "<html" not in body
    assert client_at(app, "198.51.100.51").get("/en/search/suggest?q=ear").status_code == 200


def test_limits_are_on_by_default():
    assert create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"}).config["RATELIMIT_ENABLED"] is True


@pytest.fixture
def behind_one_proxy(app, database_url, tmp_path):
    """The same shop configured for one trusted proxy (nginx), as production runs it."""
    proxied = create_app({**{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "MEDIA_PATH", "SEARCH_INDEX_PATH",
                                                        "MAIL_OUTBOX")},
                          "TESTING": True, "WTF_CSRF_ENABLED": False, "SERVER_NAME": None, "TRUSTED_PROXY_HOPS": 1})
    proxied.test_client_class = IsolatedClient
    return proxied


def test_without_trusted_proxies_a_spoofed_forwarded_for_is_ignored(app, admin):
    attacker = client_at(app, "198.51.100.60")
    for n in range(5):
        log_in(attacker, admin, "wrong-guess-123", **{"X-Forwarded-For": f"192.0.2.{n}"})
    assert log_in(attacker, admin, PASSWORD, **{"X-Forwarded-For": "192.0.2.200"}).status_code == 429


def test_behind_one_trusted_proxy_the_real_client_is_limited(app, admin, behind_one_proxy):
    nginx = client_at(behind_one_proxy, "127.0.0.1")  # every request arrives from the proxy
    for n in range(5):  # the attacker's own X-Forwarded-For value comes first; nginx appends the real address
        forwarded = {"X-Forwarded-For": f"192.0.2.{n}, 203.0.113.66", "X-Forwarded-Proto": "https"}
        assert log_in(nginx, admin, "wrong-guess-123", **forwarded).status_code == 400
    spoofed = {"X-Forwarded-For": "192.0.2.250, 203.0.113.66"}
    assert log_in(nginx, admin, PASSWORD, **spoofed).status_code == 429  # the real client is locked
    other = {"X-Forwarded-For": "203.0.113.67"}  # another client behind the same proxy is not
    assert log_in(nginx, admin, PASSWORD, **other).status_code == 303


def test_with_redis_storage_the_lock_holds_across_web_processes(app, admin):
    """Two apps on one Redis (DB 8, this engineer's) stand for two gunicorn processes: failures counted by one
    lock the address in the other."""
    settings = {k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "MEDIA_PATH", "SEARCH_INDEX_PATH", "MAIL_OUTBOX")}
    shared = {**settings, "TESTING": True, "WTF_CSRF_ENABLED": False, "SERVER_NAME": None,
              "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/8", "RATELIMIT_KEY_PREFIX": f"test-{time.time_ns()}"}
    first = create_app(shared)
    first.test_client_class = IsolatedClient
    try:
        for _ in range(5):
            assert log_in(client_at(first, "198.51.100.70"), admin, "wrong-guess-123").status_code == 400
        second = create_app(shared)  # started afterwards, with its own connection: in-memory counts would be empty
        second.test_client_class = IsolatedClient
        assert log_in(client_at(second, "198.51.100.70"), admin, PASSWORD).status_code == 429
    finally:
        from storefront.core.limits import limiter

        limiter.reset()  # empties the Redis DB's limit keys


def test_when_the_limits_storage_is_down_pages_still_work_and_it_is_logged(app, admin, caplog):
    """Redis unreachable (a closed port of this engineer's range): logging in, registering and suggestions
    work unthrottled rather than failing for everybody, and every failure is logged."""
    settings = {k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "MEDIA_PATH", "SEARCH_INDEX_PATH", "MAIL_OUTBOX")}
    broken = create_app({**settings, "TESTING": True, "WTF_CSRF_ENABLED": False, "SERVER_NAME": None,
                         "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:7899/8"})
    broken.test_client_class = IsolatedClient
    visitor = client_at(broken, "198.51.100.80")
    assert log_in(visitor, admin, "wrong-guess-123").status_code == 400
    assert log_in(visitor, admin, PASSWORD).status_code == 303
    assert client_at(broken, "198.51.100.81").get("/en/search/suggest?q=ear").status_code == 200
    assert any("login throttling skipped" in r.getMessage() for r in caplog.records)
