"""The password rule for choosing a new password (reset, change).

A stand-in with the same signature as accounts/passwords.py's `password_problems` (issue 14 item 4, which
adds the common-password check): point `password_problems` there when both exist, and every form using
`NewPasswordRule` follows.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

MIN_LENGTH = 10
MAX_LENGTH = 128


def password_problems(password: str, *, email: str | None = None, name: str | None = None) -> list[str]:
    """What is wrong with `password` as a new password, as translated sentences (empty: acceptable)."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(str(_l("Use at least %(n)d characters.", n=MIN_LENGTH)))
    if len(password) > MAX_LENGTH:
        problems.append(str(_l("Use at most %(n)d characters.", n=MAX_LENGTH)))
    if email and password.strip().lower() == email.strip().lower():
        problems.append(str(_l("Do not use your email address as your password.")))
    return problems


class NewPasswordRule:
    """WTForms validator: the field's value must pass password_problems (the form's `email_for_rule` helps)."""

    def __call__(self, form, field) -> None:
        problems = password_problems(field.data or "", email=getattr(form, "email_for_rule", None))
        if problems:
            raise ValidationError(" ".join(problems))
