"""Review input: the buyer's review form, the seller's reply form, and the product page's review filters."""
from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, MultipleFileField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length

from .ratings import SORTS, STARS, ReviewFilters
from . import services
from .services import FEEDBACK_WINDOW, MAX_PHOTOS, REPLY_MAX, TEXT_MAX

STAR_VALUES = [str(n) for n in STARS]
SORT_LABELS = {"helpful": _l("Most helpful"), "newest": _l("Newest")}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def stars_field(label, required_message) -> RadioField:
    """A 1-5 choice; anything else (0, 6, 'x') gets the same translated message."""
    message = _l("Please choose from 1 to 5 stars.")
    return RadioField(label, choices=[SelectChoice(v) for v in STAR_VALUES], validate_choice=False,
                      validators=[InputRequired(required_message), AnyOf(STAR_VALUES, message)])


class ReviewForm(FlaskForm):
    """Stars and words about the product, optional photos, and three ratings of the seller."""

    rating = stars_field(_l("Your rating of the product"), _l("Please rate the product."))
    text = TextAreaField(
        _l("Your review"), filters=[_strip],
        validators=[DataRequired(_l("Please write a few words about the product.")),
                    Length(max=TEXT_MAX, message=_l("Please keep your review under %(num)s characters.",
                                                    num=TEXT_MAX))],
        render_kw={"rows": 6, "maxlength": TEXT_MAX},
    )
    photos = MultipleFileField(_l("Photos (optional, up to 3)"),
                               render_kw={"accept": "image/jpeg,image/png,image/webp"})
    item_as_described = stars_field(_l("Item as described"), _l("Please rate how the item matched its description."))
    communication = stars_field(_l("Communication"), _l("Please rate the seller's communication."))
    shipping_speed = stars_field(_l("Shipping speed"), _l("Please rate the shipping speed."))
    edit = HiddenField()  # "1" on the edit form, so a re-sent first review never uses up the edit


class ReplyForm(FlaskForm):
    """The seller's public answer to a review."""

    reply = TextAreaField(
        _l("Your public reply"), filters=[_strip],
        validators=[DataRequired(_l("Please write your reply.")),
                    Length(max=REPLY_MAX, message=_l("Please keep your reply under %(num)s characters.",
                                                     num=REPLY_MAX))],
        render_kw={"rows": 4, "maxlength": REPLY_MAX},
    )


def parse_filters(args: Mapping[str, str]) -> ReviewFilters:
    """Review filters from r_* query arguments; invalid values are ignored."""
    stars = args.get("r_stars", "")
    page = args.get("r_page", "")
    return ReviewFilters(
        stars=int(stars) if stars in {str(n) for n in STARS} else None,
        photos=args.get("r_photos") == "1",
        my_language=args.get("r_lang") == "1",
        sort=args.get("r_sort") if args.get("r_sort") in SORTS else "helpful",
        page=int(page) if page.isdigit() and len(page) <= 5 and int(page) > 0 else 1,
    )


STARS_MESSAGE = _l("Please choose from 1 to 5 stars.")
FIELD_ERRORS = {
    ("text", "required"): _l("Please write a few words about the product."),
    ("text", "too_long"): _l("Please keep your review under %(num)s characters.", num=services.TEXT_MAX),
    ("photos", "too_many"): _l("Please add at most %(num)s photos.", num=MAX_PHOTOS),
    ("photos", "too_large"): _l("Each photo must be smaller than 5 MB."),
    ("photos", "not_an_image"): _l("Please add photos as JPEG, PNG or WebP files."),
    ("photos", "too_many_pixels"): _l("That photo has too many pixels; please send a smaller one."),
    ("reply", "required"): _l("Please write your reply."),
    ("reply", "too_long"): _l("Please keep your reply under %(num)s characters.", num=services.REPLY_MAX),
}
REFUSALS = {
    "not_completed": _l("You can review this item once the order is completed."),
    "window_closed": _l("Reviews can be written up to %(days)s days after the order is completed; that time has "
                        "passed.", days=FEEDBACK_WINDOW.days),
    "already_reviewed": _l("You have already reviewed this item. You can edit your review once."),
    "edit_used": _l("You have already edited this review, so it cannot be changed again."),
    "already_replied": _l("You have already replied to this review."),
}


def field_error(form, exc) -> None:
    """Show a review rule's refusal (an InvalidReview) as a translated error on its field."""
    message = FIELD_ERRORS.get((exc.field, exc.code), STARS_MESSAGE)
    form[exc.field].errors = [*form[exc.field].errors, str(message)]
