"""The seller's answers to reviews of their orders: one public reply each."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _

from ..core.clock import utcnow
from ..core.errors import NotFound
from ..core.htmx import render_page
from ..extensions import db
from ..reviews import services as review_services
from ..reviews.forms import REFUSALS, ReplyForm, field_error
from ..reviews.services import FeedbackRefused, InvalidReview
from .access import seller_required

bp = Blueprint("seller_reviews", __name__, url_prefix="/<lang:locale>/seller")


@bp.route("/reviews/<int:review_id>/reply", methods=["GET", "POST"])
@seller_required
def reply(review_id: int):
    """The seller's one public reply to a review of their order (another store's review is a 404)."""
    try:
        review = review_services.seller_review(db.session, g.store, review_id)
    except NotFound:
        abort(404)
    form = ReplyForm()
    problem = "already_replied" if review.reply_text is not None else None
    status = 200
    if request.method == "POST":
        if problem is not None:
            status = 409
        elif not form.validate():
            status = 422
        else:
            try:
                review_services.reply(db.session, g.store, review, form.reply.data, now=utcnow())
                db.session.commit()
            except InvalidReview as exc:
                db.session.rollback()
                field_error(form, exc)
                status = 422
            except FeedbackRefused as exc:
                db.session.rollback()
                problem, status = exc.reason, 409
            else:
                flash(_("Your reply is published."), "ok")
                return redirect(url_for("seller_reviews.reply", review_id=review.id), 303)  # the review with the reply
            review = review_services.seller_review(db.session, g.store, review_id)
    response = render_page("reviews/reply.html", review=review, form=form, can_reply=review.reply_text is None,
                           problem=REFUSALS.get(problem) if request.method == "POST" else None)
    response.status_code = status
    return response
