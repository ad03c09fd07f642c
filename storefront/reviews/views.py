"""Feedback pages: the buyer's review form, 'helpful' votes, the seller's reply, and the product page's
reviews block (its context is built here; the block lives in catalog/product.html)."""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from flask import Blueprint, abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.clock import utcnow
from ..catalog.models import Product
from ..core.errors import NotFound
from ..core.i18n import language_label
from ..core.page_parts import provide
from ..core.htmx import hx_target, render_page
from ..core.limits import client_address, configured, limiter
from ..extensions import db
from ..sellers.access import my_store
from ..sellers.images import ImageRejected, read_upload, thumbnail_path
from . import ratings, services
from .forms import REFUSALS, SORT_LABELS, ReviewForm, field_error, parse_filters
from .models import Review
from .services import FEEDBACK_WINDOW, MAX_PHOTOS, FeedbackRefused, InvalidReview

bp = Blueprint("reviews", __name__, url_prefix="/<lang:locale>")


@bp.record_once
def provide_page_parts(state) -> None:
    """The product page's reviews block and every seller's ratings come from here (see core/page_parts)."""
    provide(state.app, "product_reviews", review_context)
    provide(state.app, "seller_stats", ratings.seller_stats)

PAGE_ARGS = ("offer", "qty", "sort")  # product-page choices that review links and votes keep

def current_buyer() -> services.Buyer:
    """This visitor as a buyer: their account, and the guest checkouts this browser placed."""
    refs = tuple(r for r in session.get("checkouts", []) if isinstance(r, str))
    if current_user.is_authenticated:
        return services.Buyer(current_user.id, refs, current_user.name)
    return services.Buyer(None, refs)


def visitor_id() -> str:
    """Who votes: 'u:<account id>', or for anonymous visitors 'ip:<keyed digest of the client address>'.

    Keyed on the address rather than the session: fresh sessions are free (10 of them used to add 10 votes),
    addresses are not. The digest keeps raw addresses out of the table.
    """
    if current_user.is_authenticated:
        return f"u:{current_user.id}"
    key = current_app.config["SECRET_KEY"].encode()
    return "ip:" + hmac.new(key, client_address().encode(), hashlib.sha256).hexdigest()[:32]


def page_args(args: Mapping[str, str]) -> dict[str, str]:
    """The product page's own choices (offer, options, quantity, offer sort) from a query or a form."""
    return {k: v for k, v in args.items() if k in PAGE_ARGS or k.startswith("o_")}


def review_context(product: Product, args: Mapping[str, str]) -> dict:
    """What the product page's `reviews` block needs, from the query string's r_* choices."""
    filters = parse_filters(args)
    page = ratings.product_reviews(db.session, product.id, filters, g.shopper.locale)
    keep = page_args(args)
    store = my_store() if current_user.is_authenticated and current_user.is_seller else None
    return {
        "reviews": page,
        "review_filters": filters,
        "review_url": lambda **changes: url_for("catalog.product", product_id=product.id, slug=product.slug,
                                                _anchor="reviews", **keep, **filters.args(**changes)),
        "vote_args": keep | filters.args(page=page.page),
        "my_votes": ratings.voted_reviews(db.session, visitor_id(), [r.id for r in page.items]),
        "my_store_id": store.id if store else None,
        "review_prompt": services.reviewable_line(db.session, product.id, current_buyer(), now=utcnow()),
        "review_language": lambda code: language_label(code, g.shopper.locale),
        "review_thumb": thumbnail_path,
        "review_sorts": SORT_LABELS,
    }


def _product_url(review: Review, args: Mapping[str, str] | None = None) -> str:
    product = review.product
    return url_for("catalog.product", product_id=product.id, slug=product.slug, _anchor=f"review-{review.id}",
                   **(args or {}))


def _form_prefill(review: Review | None) -> dict:
    if review is None:
        return {}
    return {"rating": str(review.rating), "text": review.text, "edit": "1",
            **{name: str(getattr(review, name)) for name in ratings.SELLER_RATINGS}}


def _review_input(form: ReviewForm) -> services.ReviewInput:
    """The service's input from a validated form; photo files are read here (size-checked while reading).

    :raises InvalidReview: too many photos, or one too large.
    """
    files = [f for f in (form.photos.data or []) if getattr(f, "filename", "")]
    if len(files) > MAX_PHOTOS:
        raise InvalidReview("photos", "too_many")
    try:
        photos = tuple(read_upload(f.stream) for f in files)
    except ImageRejected as exc:
        raise InvalidReview("photos", exc.reason) from None
    return services.ReviewInput(
        rating=form.rating.data, text=form.text.data, item_as_described=form.item_as_described.data,
        communication=form.communication.data, shipping_speed=form.shipping_speed.data,
        language=g.shopper.locale, photos=photos,
    )


@bp.route("/orders/<number>/review/<int:line_id>", methods=["GET", "POST"])
def write(number: str, line_id: int):
    """Review one line of my completed order (and edit that review once), within the feedback window."""
    buyer = current_buyer()
    try:
        order, line = services.buyer_line(db.session, number, line_id, buyer)
    except NotFound:
        abort(404)
    review = services.review_of_line(db.session, line.id)
    now = utcnow()
    problem = None
    try:
        services.check_feedback_open(order, now)
    except FeedbackRefused as exc:
        problem = exc.reason
    if problem is None and review is not None and review.edited_at is not None:
        problem = "edit_used"
    # Prefill only the page: on a submit, what was sent is all that counts (a missing field stays missing).
    form = ReviewForm(data=_form_prefill(review) if request.method == "GET" else None)
    status = 200
    if request.method == "POST":
        editing = form.edit.data == "1"
        if problem is None and review is not None and not editing:
            problem = "already_reviewed"  # a re-sent first review must not use up the one edit
        if problem is not None:
            status = 409
        elif not form.validate():
            status = 422
        else:
            save = services.edit_review if editing else services.write_review
            try:
                saved = save(db.session, number, line.id, buyer, _review_input(form), now=now,
                             media_root=current_app.config["MEDIA_PATH"])
                db.session.commit()
            except InvalidReview as exc:
                db.session.rollback()
                field_error(form, exc)
                status = 422
            except FeedbackRefused as exc:
                db.session.rollback()
                problem, status = exc.reason, 409
            except NotFound:
                db.session.rollback()
                abort(404)
            else:
                flash(_("Your review is updated.") if editing else _("Thank you! Your review is published."), "ok")
                return redirect(_product_url(saved, {"r_sort": "newest"}), 303)  # newest first: theirs is on top
            order, line = services.buyer_line(db.session, number, line_id, buyer)
            review = services.review_of_line(db.session, line.id)
    response = render_page("reviews/write.html", order=order, line=line, review=review, form=form,
                           problem=REFUSALS.get(problem), can_edit=problem is None,
                           window_days=FEEDBACK_WINDOW.days)
    response.status_code = status
    return response


@bp.post("/reviews/<int:review_id>/helpful")
@limiter.limit(configured("RATELIMIT_HELPFUL_VOTE"))
def helpful(review_id: int):
    """Count a 'helpful' vote once per account or client address; HTMX gets the reviews block back, others
    the product page."""
    voter = visitor_id()
    try:
        services.vote_helpful(db.session, review_id, voter)
        db.session.commit()
    except NotFound:
        db.session.rollback()
        abort(404)
    review = db.session.get(Review, review_id)
    args = {k: v for k, v in request.form.items() if k != "csrf_token"}
    if hx_target() == "reviews":
        return render_page("catalog/product.html", blocks=("reviews",), product=review.product,
                           **review_context(review.product, args))
    filters = parse_filters(args)
    return redirect(_product_url(review, page_args(args) | filters.args(page=filters.page)), 303)
