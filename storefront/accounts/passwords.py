"""Password strength: at least 10 characters, and not guessable (zxcvbn score 3 or more, knowing the person's
email and name). `password_problems` explains in the visitor's language what is wrong; `StrongPassword` is the
WTForms validator every form that sets a password uses (registration, change, reset)."""
from __future__ import annotations

import re
import unicodedata

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn

MIN_LENGTH = 10
MAX_LENGTH = 128
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable: moderate protection from an offline slow-hash scenario"
SCORED_PREFIX = 72  # zxcvbn refuses longer input (its time grows with length); the rest only adds strength

# What made zxcvbn find it guessable, in the visitor's words (the first match of each kind is explained).
_PATTERN_REASONS = {
    "passwords": _l("It is one of the most common passwords, or close to one."),
    "user_inputs": _l("It contains your name or email address."),
    "english_wikipedia": _l("Common words on their own are easy to guess."),
    "us_tv_and_film": _l("Common words on their own are easy to guess."),
    "female_names": _l("Names on their own are easy to guess."),
    "male_names": _l("Names on their own are easy to guess."),
    "surnames": _l("Names on their own are easy to guess."),
    "spatial": _l("Keyboard patterns such as “qwerty” are easy to guess."),
    "repeat": _l("Repeated characters such as “aaa” or “abcabc” are easy to guess."),
    "sequence": _l("Sequences such as “abcd” or “1234” are easy to guess."),
    "date": _l("Dates and years are easy to guess."),
    "regex": _l("Dates and years are easy to guess."),
}


def _fold(text: str) -> str:
    """Lower case without accents, so 'Pérez' and 'perez' compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _personal_words(email: str | None, name: str | None) -> list[str]:
    """The parts of the email and name long enough to matter in a password (4 characters or more)."""
    words = []
    if email:
        local = email.split("@", 1)[0]
        words += [local, *re.split(r"[^\w]+", local)]
    if name:
        words += re.split(r"\W+", name)
    return sorted({_fold(w) for w in words if len(w) >= 4}, key=len, reverse=True)


def password_problems(password: str, *, email: str | None = None, name: str | None = None) -> list[str]:
    """Why this password is refused, as translated sentences; an empty list when it is strong enough."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return [_("Use at least %(count)d characters.", count=MIN_LENGTH)]
    if len(password) > MAX_LENGTH:
        return [_("Use at most %(count)d characters.", count=MAX_LENGTH)]
    folded = _fold(password)
    if any(word in folded for word in _personal_words(email, name)):
        return [_("It contains your name or email address."), _advice()]
    result = zxcvbn(password[:SCORED_PREFIX], user_inputs=[v for v in (email, name) if v])
    if result["score"] >= MIN_SCORE:
        return []
    reasons: list[str] = []
    for match in result["sequence"]:
        reason = _PATTERN_REASONS.get(match.get("dictionary_name") or match["pattern"])
        if reason is not None and str(reason) not in reasons:
            reasons.append(str(reason))
    return [_("This password is too easy to guess."), *reasons[:2], _advice()]


def _advice() -> str:
    """What makes a password strong, said once under the reasons."""
    return _("Try three or four unrelated words with a number or symbol between them.")


class StrongPassword:
    """WTForms validator: the field's password must pass password_problems, knowing the form's email and name.

    `email_field` / `name_field` name sibling fields; or pass `email` / `name` callables; or, for a form about
    a known account (a reset link's, the logged-in person's), the view sets `form.email_for_rule` and
    `form.name_for_rule`.
    """

    field_flags = {"minlength": MIN_LENGTH, "maxlength": MAX_LENGTH}

    def __init__(self, email_field: str | None = "email", name_field: str | None = "name", *,
                 email=None, name=None) -> None:
        """Remember where the person's email and name come from."""
        self.email_field, self.name_field = email_field, name_field
        self.email, self.name = email, name

    def _value(self, form, field_name: str | None, given) -> str | None:
        """The email or name: from the callable given, else from the sibling field, else None."""
        if given is not None:
            return given()
        if field_name and field_name in form:
            return form[field_name].data or None
        return None

    def __call__(self, form, field) -> None:
        """Add every problem to the field's errors (all at once, so one correction fixes them)."""
        from wtforms.validators import StopValidation

        problems = password_problems(
            field.data or "",
            email=self._value(form, self.email_field, self.email) or getattr(form, "email_for_rule", None),
            name=self._value(form, self.name_field, self.name) or getattr(form, "name_for_rule", None))
        if problems:
            field.errors.extend(problems[:-1])
            raise StopValidation(problems[-1])
