"""`flask users ...`: the first admin of a production install, listing, promoting and disabling accounts."""
from __future__ import annotations

from sqlalchemy import select

from storefront.accounts.models import User
from tests.factories import PASSWORD, account


def user(session, email):
    session.commit()
    return session.scalar(select(User).where(User.email == email))


def log_in(app, email, password="kettle-moss-harbour-71", locale="en"):
    client = app.test_client()
    return client, client.post(f"/{locale}/account/login", data={"email": email, "password": password})


def test_create_admin_reads_the_password_from_stdin_and_applies_the_registration_rule(app, session, runner):
    result = runner.invoke(args=["users", "create-admin", "Boss@Example.com"], input="kettle-moss-harbour-71\n")
    assert result.exit_code == 0, result.output
    boss = user(session, "boss@example.com")
    assert boss.role == "admin" and boss.is_active
    client, response = log_in(app, "boss@example.com")
    assert response.status_code == 303 and client.get("/en/admin/metrics").status_code == 200

    short = runner.invoke(args=["users", "create-admin", "short@example.com"], input="nine99999\n")
    assert short.exit_code != 0 and "at least 10 characters" in short.output and user(session, "short@example.com") is None
    common = runner.invoke(args=["users", "create-admin", "common@example.com"], input="password123\n")
    assert common.exit_code != 0 and "most common passwords" in common.output and user(session, "common@example.com") is None
    personal = runner.invoke(args=["users", "create-admin", "rosalind@example.com", "--name", "Rosalind Franklin"],
                             input="Franklin-1920!\n")
    assert personal.exit_code != 0 and "your name or email" in personal.output
    again = runner.invoke(args=["users", "create-admin", "boss@example.com"], input="kettle-moss-harbour-71\n")
    assert again.exit_code != 0 and "users promote" in again.output
    bad = runner.invoke(args=["users", "create-admin", "not-an-email"], input="kettle-moss-harbour-71\n")
    assert bad.exit_code != 0 and "EMAIL" in bad.output


def test_list_and_promote(app, session, runner):
    account(app, "sam@example.com")
    assert "sam@example.com\tshopper\tactive" in runner.invoke(args=["users", "list"]).output
    assert runner.invoke(args=["users", "promote", "sam@example.com", "--role", "seller"]).exit_code == 0
    assert user(session, "sam@example.com").role == "seller"
    assert runner.invoke(args=["users", "promote", "sam@example.com", "--role", "emperor"]).exit_code != 0
    missing = runner.invoke(args=["users", "promote", "nobody@example.com", "--role", "admin"])
    assert missing.exit_code != 0 and "no account" in missing.output


def test_a_disabled_account_cannot_log_in_and_its_open_session_ends(app, session, runner):
    open_session = account(app, "sam@example.com")
    assert open_session.get("/en/account/addresses").status_code == 200
    assert runner.invoke(args=["users", "disable", "sam@example.com"]).exit_code == 0
    assert "sam@example.com\tshopper\tdisabled" in runner.invoke(args=["users", "list"]).output
    assert open_session.get("/en/account/addresses").status_code == 302  # logged out: sent to the login page
    _, refused = log_in(app, "sam@example.com", PASSWORD, locale="es")
    assert refused.status_code == 400
    assert "Esta cuenta ha sido desactivada" in refused.data.decode()
    _, wrong = log_in(app, "sam@example.com", password="wrong-password")
    assert "Email or password is not right." in wrong.data.decode()  # the password is checked first
    assert runner.invoke(args=["users", "enable", "sam@example.com"]).exit_code == 0
    assert log_in(app, "sam@example.com", PASSWORD)[1].status_code == 303
