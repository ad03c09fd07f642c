"""Account forms: registration, login, addresses (validated on the server, re-rendered with input)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from .address_formats import address_format, postal_code_ok
from .passwords import StrongPassword


class RegisterForm(FlaskForm):
    """Create a shopper account."""

    name = StringField(_l("Your name"), validators=[DataRequired(_l("Please enter your name.")), Length(max=120)])
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(_l("Please enter your email.")),
                    Email(_l("Please enter a valid email address."), check_deliverability=False),
                    Length(max=254)],
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Please choose a password.")), StrongPassword()],
    )
    confirm = PasswordField(
        _l("Repeat password"), validators=[EqualTo("password", _l("The two passwords do not match."))]
    )


class LoginForm(FlaskForm):
    """Log in with email and password."""

    email = EmailField(_l("Email"), validators=[DataRequired(_l("Please enter your email.")), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Please enter your password."))])
    remember = BooleanField(_l("Keep me logged in"))
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    """Ask for a password reset link by email."""

    email = EmailField(
        _l("Email"),
        validators=[DataRequired(_l("Please enter your email.")),
                    Email(_l("Please enter a valid email address."), check_deliverability=False),
                    Length(max=254)],
    )


class NewPasswordForm(FlaskForm):
    """Choose a new password (after a reset link), typed twice."""

    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Please choose a password.")),
                                                             StrongPassword()])
    confirm = PasswordField(
        _l("Repeat new password"), validators=[EqualTo("password", _l("The two passwords do not match."))]
    )


class ChangePasswordForm(NewPasswordForm):
    """Change the password while logged in: the current one first."""

    current_password = PasswordField(_l("Current password"),
                                     validators=[DataRequired(_l("Please enter your current password."))])


class AddressForm(FlaskForm):
    """A delivery address; labels and rules follow the chosen country."""

    full_name = StringField(_l("Full name"), validators=[DataRequired(_l("Please enter the recipient's name.")),
                                                          Length(max=120)])
    country = SelectField(_l("Country / region"), validators=[DataRequired()])
    line1 = StringField(_l("Street address"), validators=[DataRequired(_l("Please enter the street address.")),
                                                          Length(max=200)])
    line2 = StringField(_l("Apartment, suite, etc. (optional)"), validators=[Optional(), Length(max=200)])
    city = StringField(_l("City"), validators=[DataRequired(_l("Please enter the city.")), Length(max=120)])
    # No Optional() here: it would stop the country-dependent checks below on empty input.
    region = StringField(_l("State / Province / Region"), validators=[Length(max=120)])
    postal_code = StringField(_l("Postal code"), validators=[Length(max=20)])
    phone = StringField(_l("Phone (for the courier)"), validators=[Optional(), Length(max=32)])
    is_default = BooleanField(_l("Use as my default address"))

    def apply_country_labels(self) -> None:
        """Rename the region and postcode fields for the selected country."""
        fmt = address_format(self.country.data or "")
        self.postal_code.label.text = fmt.postal_label
        self.region.label.text = fmt.region_label
        self.postal_code.flags.required = fmt.postal_required
        self.region.flags.required = fmt.region_required
        self.postal_example = fmt.postal_example

    def validate_country(self, field) -> None:
        from ..core.i18n import valid_country

        if not valid_country(field.data):
            raise ValidationError(_l("Please choose a country."))

    def validate_postal_code(self, field) -> None:
        country = self.country.data or ""
        if not field.data and address_format(country).postal_required:
            raise ValidationError(_l("Please enter the %(label)s.", label=address_format(country).postal_label))
        if field.data and not postal_code_ok(country, field.data):
            raise ValidationError(
                _l("This does not look like a valid %(label)s (e.g. %(example)s).",
                   label=address_format(country).postal_label, example=address_format(country).postal_example)
            )

    def validate_region(self, field) -> None:
        fmt = address_format(self.country.data or "")
        if fmt.region_required and not (field.data or "").strip():
            raise ValidationError(_l("Please enter the %(label)s.", label=fmt.region_label))
