"""After-sale input: the buyer's dispute and replies, the seller's answer, the platform's decision.

The forms only hold what people typed; the rules are orders.dispute_rules'. Its (field, code) problems
become translated errors on the right fields through `show_problems`.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired

from ..core.errors import DomainError, InvalidInput
from ..payments.gateway import PaymentError
from .dispute_mail import REASON_LABELS, REQUEST_LABELS
from .dispute_rules import MESSAGE_MAX, REASONS, REQUESTS, DisputeBusy
from .services import IllegalTransition

AMOUNT_ATTRS = {"inputmode": "decimal", "autocomplete": "off", "maxlength": 20}
MESSAGE_ATTRS = {"rows": 5, "maxlength": MESSAGE_MAX}
FIELD_ERRORS = {
    ("reason", "unknown"): _l("Please choose what went wrong."),
    ("requested", "unknown"): _l("Please choose what you ask for."),
    ("amount", "required"): _l("Please enter the amount."),
    ("amount", "format"): _l("Please enter an amount such as 5.50."),
    ("amount", "not_positive"): _l("Please enter an amount above zero."),
    ("message", "required"): _l("Please write a message."),
    ("message", "too_long"): _l("Please keep the message under %(num)s characters.", num=MESSAGE_MAX),
    ("decision", "unknown"): _l("Please choose a decision."),
}


def problem_message(field: str, code: str, left: str = "") -> str:
    """The translated error for one of the rules' (field, code) problems; `left` is what is left to refund."""
    if (field, code) == ("amount", "too_much"):
        return _("The most that can be refunded is %(amount)s.", amount=left)
    return str(FIELD_ERRORS.get((field, code), _l("Please check this field.")))


def show_problems(form: FlaskForm, problems: list[tuple[str, str]], left: str = "") -> bool:
    """Put the rules' problems on the form's fields (one message per field); True when there were none."""
    for field, code in problems:
        if field in form and not form[field].errors:
            form[field].errors = list(form[field].errors) + [problem_message(field, code, left)]
    return not problems


def refusal(exc: DomainError) -> dict:
    """A dispute action the services refused, as the page's `problem` and `status`; nothing changed then.

    :raises DomainError: `exc` again when it is not one a dispute action raises.
    """
    if isinstance(exc, PaymentError):
        return {"problem": _("The payment service did not answer, so nothing was refunded and nothing changed. "
                             "Please try again in a moment."), "status": 503}
    if isinstance(exc, DisputeBusy):
        return {"problem": _("A refund for this dispute is being made right now. Reload the page in a moment."),
                "status": 409}
    if isinstance(exc, IllegalTransition):
        return {"problem": _("This can no longer be done: the dispute or the order has moved on. "
                             "The page shows where it stands now."), "status": 409}
    if isinstance(exc, InvalidInput):
        return {"problem": _("No payment is on record for this order, so nothing can be refunded."), "status": 409}
    raise exc


class DisputeForm(FlaskForm):
    """What went wrong, what the buyer asks for (and how much, for a partial refund), and their words."""

    reason = RadioField(_l("What went wrong?"), choices=[SelectChoice(r, REASON_LABELS[r]) for r in REASONS],
                        validate_choice=False)
    requested = RadioField(_l("What do you ask for?"), choices=[SelectChoice(r, REQUEST_LABELS[r]) for r in REQUESTS],
                           default="full_refund", validate_choice=False)
    amount = StringField(_l("Amount (for a partial refund)"), render_kw=AMOUNT_ATTRS)
    message = TextAreaField(_l("Tell the seller what happened"), render_kw=MESSAGE_ATTRS)


class MessageForm(FlaskForm):
    """A reply in a dispute's thread."""

    message = TextAreaField(_l("Your message"), render_kw=MESSAGE_ATTRS)


class DeclineForm(FlaskForm):
    """Turning the seller's offer down, with an optional word why."""

    message = TextAreaField(_l("Why not? (optional)"), render_kw={"rows": 3, "maxlength": MESSAGE_MAX})


class ConfirmForm(FlaskForm):
    """An explicit yes before something that cannot be undone (withdrawing, refunding)."""

    confirm = BooleanField(_l("Yes, I am sure"), validators=[DataRequired(_l("Please confirm."))])


class ReceiptForm(FlaskForm):
    """Confirming receipt ends the right to dispute, so the buyer ticks that they know it (JS or not)."""

    confirm = BooleanField(
        _l("I received the item; this ends my right to open a dispute"),
        validators=[DataRequired(_l("Tick the box to confirm that you received the item, or open a dispute "
                                    "if something is wrong."))],
        render_kw={"required": True, "data-testid": "confirm-receipt-check"})


class OfferForm(FlaskForm):
    """The seller's partial refund offer and an optional message."""

    amount = StringField(_l("Refund amount"), render_kw=AMOUNT_ATTRS)
    message = TextAreaField(_l("Message to the buyer (optional)"), render_kw={"rows": 3, "maxlength": MESSAGE_MAX})


class RejectForm(FlaskForm):
    """The seller's refusal, which must say why: the platform reads it to decide."""

    message = TextAreaField(_l("Why do you reject the claim?"), render_kw=MESSAGE_ATTRS)


class DecisionForm(FlaskForm):
    """The platform admin's decision on an escalated dispute."""

    decision = RadioField(_l("Decision"), validate_choice=False, choices=[
        SelectChoice("full_refund", _l("Full refund to the buyer")),
        SelectChoice("partial_refund", _l("Partial refund to the buyer")),
        SelectChoice("rejected", _l("Reject the claim: the seller is paid")),
    ])
    amount = StringField(_l("Amount (for a partial refund)"), render_kw=AMOUNT_ATTRS)
    message = TextAreaField(_l("Note for buyer and seller (optional)"),
                            render_kw={"rows": 3, "maxlength": MESSAGE_MAX})
