"""Forgot password, change password, email confirmation, and a registration page that reveals no account."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from storefront.accounts.models import User
from tests.factories import PASSWORD, sign_up

from .helpers import copy_cookie, link_in, mails

NEW_PASSWORD = "copper-meadow-violin-77"


def register(client, email, password=PASSWORD, locale="en"):
    return client.post(f"/{locale}/account/register", data={"name": "Ana", "email": email, "password": password,
                                                            "confirm": password})


def user(session, email="ana@example.com") -> User:
    session.rollback()
    return session.scalar(select(User).where(User.email == email))


def test_registration_answers_the_same_for_a_taken_email_and_emails_its_owner(app, session):
    sign_up(app.test_client(), "Ana", "ana@example.com")
    hash_before = user(session).password_hash
    fresh, taken = register(app.test_client(), "new@example.com"), register(app.test_client(), "ANA@example.com",
                                                                             password="attacker-password-1")
    assert (fresh.status_code, fresh.headers["Location"]) == (taken.status_code, taken.headers["Location"])
    assert fresh.data == taken.data
    assert session.scalar(select(func.count(User.id))) == 2 and user(session).password_hash == hash_before
    [owner_mail] = mails(app, "account_exists")
    assert owner_mail["To"] == "ana@example.com" and "/account/password/reset/" in owner_mail.get_content()
    assert [m["To"] for m in mails(app, "confirm_email")] == ["ana@example.com", "new@example.com"]


def test_the_confirmation_link_confirms_logs_in_once_and_refuses_tampering(app, session):
    register(app.test_client(), "ana@example.com", locale="es")
    [message] = mails(app, "confirm_email")
    assert message["Subject"] == "Confirma tu dirección de correo" and message["Content-Language"] == "es"
    link = link_in(message, "/account/confirm/")
    assert link.startswith("/es/account/confirm/")
    browser = app.test_client()
    assert browser.get(link[:-3] + "xyz").status_code == 400
    opened = browser.get(link)
    assert opened.status_code == 303 and user(session).email_verified_at is not None
    assert browser.get("/en/account/").status_code == 200  # logged in by the link
    again = app.test_client().get(link)
    assert again.status_code == 303 and "/account/login" in again.headers["Location"]  # a used link logs nobody in


def test_an_expired_confirmation_link_is_refused_and_can_be_sent_again(app, session):
    client = app.test_client()
    sign_up(client, "Ana", "ana@example.com")
    link = link_in(mails(app, "confirm_email")[0], "/account/confirm/")
    app.config["CLOCK_OFFSET"] = timedelta(days=8)
    assert app.test_client().get(link).status_code == 400
    page = client.get("/en/account/").data.decode()
    assert 'data-testid="email-unconfirmed"' in page
    client.post("/en/account/confirm/resend")
    assert client.get(link_in(mails(app, "confirm_email")[-1], "/account/confirm/")).status_code == 303
    assert user(session).email_verified_at is not None


def test_forgot_password_answers_the_same_whether_the_email_exists(app, session):
    sign_up(app.test_client(), "Ana", "ana@example.com")
    known = app.test_client().post("/en/account/password/forgot", data={"email": "ana@example.com"})
    unknown = app.test_client().post("/en/account/password/forgot", data={"email": "nobody@example.com"})
    assert (known.status_code, known.headers["Location"], known.data) == (
        unknown.status_code, unknown.headers["Location"], unknown.data)
    assert [m["To"] for m in mails(app, "password_reset")] == ["ana@example.com"]
    bad = app.test_client().post("/en/account/password/forgot", data={"email": "not an email"})
    assert bad.status_code == 400 and 'value="not an email"' in bad.data.decode()


def test_reset_sets_a_new_password_logs_in_and_ends_every_other_session(app, session):
    phone = app.test_client()
    sign_up(phone, "Ana", "ana@example.com")
    thief = app.test_client()
    copy_cookie(phone, thief, "session")
    app.test_client().post("/en/account/password/forgot", data={"email": "ana@example.com"})
    link = link_in(mails(app, "password_reset")[0], "/account/password/reset/")
    laptop = app.test_client()
    assert laptop.get(link).status_code == 200
    weak = laptop.post(link, data={"password": "short", "confirm": "short"})
    assert weak.status_code == 400 and "at least 10 characters" in weak.data.decode()
    done = laptop.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 303
    assert laptop.get("/en/orders/").status_code == 200
    assert phone.get("/en/orders/").status_code == 302 and thief.get("/en/orders/").status_code == 302
    assert user(session).email_verified_at is not None  # the link reached the address
    login = app.test_client().post("/en/account/login", data={"email": "ana@example.com", "password": PASSWORD})
    assert login.status_code == 400
    assert laptop.get(link).status_code == 400  # single use: the password it was made for is gone
    assert mails(app, "password_changed")[0]["To"] == "ana@example.com"


def test_a_reset_link_expires_after_an_hour(app, session):
    sign_up(app.test_client(), "Ana", "ana@example.com")
    app.test_client().post("/en/account/password/forgot", data={"email": "ana@example.com"})
    link = link_in(mails(app, "password_reset")[0], "/account/password/reset/")
    app.config["CLOCK_OFFSET"] = timedelta(minutes=61)
    response = app.test_client().post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 400 and 'data-testid="link-invalid"' in response.data.decode()


def test_change_password_asks_the_current_one_and_ends_other_sessions(app, session):
    client = app.test_client()
    sign_up(client, "Ana", "ana@example.com")
    other = app.test_client()
    copy_cookie(client, other, "session")
    wrong = client.post("/en/account/password", data={"current_password": "not-it", "password": NEW_PASSWORD,
                                                      "confirm": NEW_PASSWORD})
    assert wrong.status_code == 400 and "This is not your current password." in wrong.data.decode()
    both = client.post("/en/account/password", data={"current_password": "", "password": "short",
                                                     "confirm": "other"})
    assert both.status_code == 400 and both.data.decode().count('class="error"') == 3  # every message at once
    ok = client.post("/en/account/password", data={"current_password": PASSWORD, "password": NEW_PASSWORD,
                                                   "confirm": NEW_PASSWORD})
    assert ok.status_code == 303
    assert client.get("/en/orders/").status_code == 200 and other.get("/en/orders/").status_code == 302
    relogin = app.test_client().post("/en/account/login", data={"email": "ana@example.com",
                                                                "password": NEW_PASSWORD})
    assert relogin.status_code == 303


def test_account_pages_need_login(app):
    for path in ("/en/account/", "/en/account/password"):
        assert app.test_client().get(path).status_code == 302
    assert app.test_client().post("/en/account/confirm/resend").status_code == 302
