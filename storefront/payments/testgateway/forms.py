"""The hosted page's forms: the card form and the authentication step (CSRF-protected like every form)."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length, ValidationError

from ...core.clock import utcnow
from .provider import cvc_valid, expiry_valid, luhn_valid, normalise_number, parse_expiry


class CardForm(FlaskForm):
    """Card details. The number and CVC are never rendered back into the page."""

    number = StringField(_l("Card number"), validators=[DataRequired(_l("Enter the card number."))])
    expiry = StringField(_l("Expiry date (MM/YY)"), validators=[DataRequired(_l("Enter the expiry date.")), Length(max=7)])
    cvc = StringField(_l("Security code (CVC)"), validators=[DataRequired(_l("Enter the security code."))])
    name = StringField(_l("Name on card"), validators=[DataRequired(_l("Enter the name on the card.")), Length(max=120)])

    def __init__(self, *args, today: date | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or utcnow().date()

    @property
    def card_number(self) -> str:
        """The number's digits only."""
        return normalise_number(self.number.data)

    def validate_number(self, field) -> None:
        """A number the Luhn checksum accepts."""
        if not luhn_valid(self.card_number):
            raise ValidationError(_l("This card number is not valid. Check it and try again."))

    def validate_expiry(self, field) -> None:
        """MM/YY, this month or later."""
        if parse_expiry(field.data) is None:
            raise ValidationError(_l("Enter the expiry date as MM/YY, for example 12/34."))
        if not expiry_valid(field.data, self.today):
            raise ValidationError(_l("This card has expired."))

    def validate_cvc(self, field) -> None:
        """Three or four digits."""
        if not cvc_valid(field.data):
            raise ValidationError(_l("The security code is the 3 or 4 digits on the card."))


class AuthenticateForm(FlaskForm):
    """The simulated 3-D Secure challenge: one button passes it, the other fails it."""

    complete = SubmitField(_l("Complete authentication"))
    fail = SubmitField(_l("Fail authentication"))
