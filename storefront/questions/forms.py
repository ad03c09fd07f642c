"""Question input: a shopper's question on a product, a seller's answer. The services hold the rules; these
forms carry the fields and show the services' refusals as translated messages on them."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, TextAreaField

from .services import ANSWER_MAX, QUESTION_MAX, QUESTION_MIN, InvalidQuestion

MESSAGES = {
    ("body", "required"): _l("Please write your question."),
    ("body", "too_short"): _l("Please write at least %(num)s characters, so the seller knows what you mean.",
                              num=QUESTION_MIN),
    ("body", "too_long"): _l("Please keep your question under %(num)s characters.", num=QUESTION_MAX),
    ("email", "required"): _l("Please enter your email, so we can tell you when the seller answers."),
    ("email", "invalid"): _l("Please enter a valid email address."),
    ("offer", "unknown"): _l("Please choose a seller to ask."),
    ("answer", "required"): _l("Please write your answer."),
    ("answer", "too_long"): _l("Please keep your answer under %(num)s characters.", num=ANSWER_MAX),
}


class AskForm(FlaskForm):
    """The question, whom it goes to (one of the product's sellers) and, for guests, where to tell them."""

    offer = SelectField(_l("Ask"), coerce=int, validate_choice=False)
    body = TextAreaField(_l("Your question"), render_kw={"rows": 3, "maxlength": QUESTION_MAX})
    email = EmailField(_l("Your email"), render_kw={"autocomplete": "email", "maxlength": 254})


class AnswerForm(FlaskForm):
    """The seller's public answer."""

    answer = TextAreaField(_l("Your answer"), render_kw={"rows": 4, "maxlength": ANSWER_MAX})


def show_errors(form: FlaskForm, problems: list[InvalidQuestion]) -> None:
    """Put each refusal's translated message on its field."""
    for problem in problems:
        getattr(form, problem.field).errors = [*getattr(form, problem.field).errors, MESSAGES[problem.field, problem.code]]
