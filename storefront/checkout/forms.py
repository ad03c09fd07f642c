"""The checkout form: contact email, delivery address (country-aware), payment method."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, RadioField, SelectField
from wtforms.validators import DataRequired, Email, Length

from ..accounts.forms import AddressForm


class CheckoutForm(AddressForm):
    """Address fields plus email, a saved-address choice and the payment method."""

    email = EmailField(
        _l("Email for order updates"),
        validators=[DataRequired(_l("Please enter your email.")),
                    Email(_l("Please enter a valid email address."), check_deliverability=False), Length(max=254)],
    )
    saved_address = SelectField(_l("Deliver to"), choices=[], validate_choice=False)
    payment_method = RadioField(
        _l("Payment method"),
        choices=[("card", _l("Card (secure payment page)")), ("bank_transfer", _l("Pay later by bank transfer"))],
        default="card",
        validators=[DataRequired(_l("Please choose how to pay."))],
    )
