"""`flask users ...`: the first platform admin on a production install, and listing, promoting, disabling accounts."""
from __future__ import annotations

import sys

import click
from email_validator import EmailNotValidError, validate_email
from flask import Flask
from flask.cli import AppGroup
from flask_babel import force_locale

from ..core.clock import utcnow
from ..core.errors import InvalidInput, NotFound
from ..extensions import db
from . import services

users = AppGroup("users", help="Accounts: create the first admin, list, promote, disable.")


def _read_password() -> str:
    """Prompt twice on a terminal; otherwise read one line from stdin (scripts: `echo $PW | flask users ...`)."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


@users.command("create-admin")
@click.argument("email")
@click.option("--name", default="Admin", show_default=True, help="Display name.")
def create_admin(email: str, name: str) -> None:
    """Create a platform admin account; the password is prompted for (or read from stdin)."""
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise click.BadParameter(str(exc), param_hint="EMAIL") from exc
    password = _read_password()
    try:
        with force_locale("en"):  # the rule's reasons, in the operator's language
            services.check_password_rule(password, email=email, name=name)
        user = services.register_user(db.session, name=name, email=email, password=password, role="admin")
        user.email_verified_at = utcnow()  # whoever runs the command vouches for the address
    except services.EmailTaken as exc:
        db.session.rollback()
        raise click.ClickException(f"An account with {exc} exists already; use `users promote` to make it an admin.")
    except services.WeakPassword as exc:
        raise click.ClickException(f"Password refused: {exc}") from exc
    db.session.commit()
    click.echo(f"Admin {user.email} created.")


@users.command("list")
def list_users() -> None:
    """Every account: email, role, whether it is disabled, when it was created."""
    for user in services.list_users(db.session):
        state = "disabled" if user.disabled_at else "active"
        click.echo(f"{user.email}\t{user.role}\t{state}\t{user.created_at.date().isoformat()}")


@users.command("promote")
@click.argument("email")
@click.option("--role", type=click.Choice(["seller", "admin"]), required=True)
def promote(email: str, role: str) -> None:
    """Give an account the seller or admin role."""
    try:
        user = services.set_role(db.session, email, role)
    except (NotFound, InvalidInput) as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"{user.email} is now {role}.")


@users.command("disable")
@click.argument("email")
def disable(email: str) -> None:
    """Stop an account from logging in (its open sessions end at their next page)."""
    try:
        user = services.disable_user(db.session, email, utcnow())
    except NotFound as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"{user.email} is disabled.")


@users.command("enable")
@click.argument("email")
def enable(email: str) -> None:
    """Let a disabled account log in again."""
    try:
        user = services.enable_user(db.session, email)
    except NotFound as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"{user.email} can log in again.")


def register_cli(app: Flask) -> None:
    """Add the `users` command group."""
    app.cli.add_command(users)
