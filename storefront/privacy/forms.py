"""The account deletion form: the password again, and a box saying the person understands."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired


class DeleteAccountForm(FlaskForm):
    """Delete my account for good."""

    password = PasswordField(_l("Your password"), validators=[DataRequired(_l("Please enter your password."))])
    understood = BooleanField(
        _l("I understand that my account, addresses and saved cart are deleted for good."),
        validators=[DataRequired(_l("Please tick the box to confirm."))],
    )
