"""Sessions can be revoked: logout, password change and reset end every copy of a session cookie and every
"Keep me logged in" cookie, with real cookies copied into another client; login starts a fresh session."""
from __future__ import annotations

from sqlalchemy import select

from storefront import create_app
from storefront.accounts.models import User
from storefront.accounts.web_session import parse_session_id
from tests.factories import PASSWORD, sign_up

from .helpers import copy_cookie

ORDERS = "/en/orders/"


def logged_in(app, email="ana@example.com", *, remember=False):
    """A client that registered and logged in (with "Keep me logged in" when remember)."""
    client = app.test_client()
    client.post("/en/account/register", data={"name": "Ana", "email": email, "password": PASSWORD,
                                              "confirm": PASSWORD})
    data = {"email": email, "password": PASSWORD} | ({"remember": "y"} if remember else {})
    assert client.post("/en/account/login", data=data).status_code == 303
    return client


def test_a_copied_session_cookie_stops_opening_orders_after_logout(app, session):
    victim = logged_in(app)
    thief = app.test_client()
    copy_cookie(victim, thief, "session")
    assert thief.get(ORDERS).status_code == 200  # the copy works while the session lives...
    victim.post("/en/account/logout")
    response = thief.get(ORDERS)
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]  # ...not after


def test_a_remember_cookie_stops_working_after_logout(app, session):
    victim = logged_in(app, remember=True)
    before = app.test_client()
    copy_cookie(victim, before, "remember_token")
    assert before.get(ORDERS).status_code == 200  # a browser with only the remember cookie is logged in
    victim.post("/en/account/logout")
    after = app.test_client()
    copy_cookie(before, after, "remember_token")
    assert after.get(ORDERS).status_code == 302
    assert before.get(ORDERS).status_code == 302  # and the session it had opened from it ends too


def test_logging_in_again_after_logout_works(app, session):
    client = logged_in(app)
    client.post("/en/account/logout")
    client.post("/en/account/login", data={"email": "ana@example.com", "password": PASSWORD})
    assert client.get(ORDERS).status_code == 200


def test_login_starts_a_fresh_session(app, session):
    sign_up(app.test_client(), "Ana", "ana@example.com")
    client = app.test_client()
    client.get("/en/account/login")  # the page puts a CSRF token in the session
    planted = client.get_cookie("session").value
    serializer = app.session_interface.get_signing_serializer(app)
    token_before = serializer.loads(planted)["csrf_token"]
    client.post("/en/account/login", data={"email": "ana@example.com", "password": PASSWORD})
    client.get("/en/account/")
    after = serializer.loads(client.get_cookie("session").value)
    assert after.get("csrf_token") != token_before and after["_user_id"].startswith(str(
        session.scalar(select(User.id))))
    fixer = app.test_client()  # who planted or saw the pre-login cookie gets nothing from the login
    fixer.set_cookie("session", planted)
    assert fixer.get(ORDERS).status_code == 302


def test_a_session_from_before_versions_is_logged_out(app, session):
    client = logged_in(app)
    user_id = session.scalar(select(User.id))
    with client.session_transaction() as stored:
        stored["_user_id"] = str(user_id)  # the old format: the bare id
    assert client.get(ORDERS).status_code == 302
    assert parse_session_id(str(user_id)) is None and parse_session_id(f"{user_id}-1") == (user_id, 1)


def test_disabling_an_account_still_ends_its_sessions(app, session, runner):
    client = logged_in(app)
    runner.invoke(args=["users", "disable", "ana@example.com"])
    assert client.get(ORDERS).status_code == 302


def test_remember_cookie_is_lax_httponly_and_secure_behind_https(app, session, database_url, tmp_path):
    response = logged_in(app, remember=True).post(
        "/en/account/login", data={"email": "ana@example.com", "password": PASSWORD, "remember": "y"})
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token="))
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie and "Secure" not in cookie
    https = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True, "WTF_CSRF_ENABLED": False,
                        "SESSION_COOKIE_SECURE": True, "MAIL_OUTBOX": str(tmp_path / "mail"),
                        "SEARCH_INDEX_PATH": str(tmp_path / "index"), "MEDIA_PATH": str(tmp_path / "media")})
    secure = https.test_client().post("/en/account/login", data={"email": "ana@example.com", "password": PASSWORD,
                                                                  "remember": "y"})
    cookie = next(h for h in secure.headers.getlist("Set-Cookie") if h.startswith("remember_token="))
    assert "Secure" in cookie and "SameSite=Lax" in cookie and "HttpOnly" in cookie


def test_a_copied_session_cookie_does_not_open_the_accounts_order_pages_after_logout(app, stores, session):
    from storefront.orders.models import Order
    from tests.builders import place

    buyer = logged_in(app)
    place(buyer, "EB-1", payment_method="bank_transfer", locale="en")
    number = session.scalar(select(Order.number))
    thief = app.test_client()
    copy_cookie(buyer, thief, "session")
    assert thief.get(f"/en/orders/{number}").status_code == 200
    buyer.post("/en/account/logout")
    assert thief.get(f"/en/orders/{number}").status_code in (302, 404)
    assert buyer.get(f"/en/orders/{number}").status_code in (302, 404)
