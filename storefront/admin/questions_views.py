"""The platform admin's moderation of questions before buying: hide what should not be public."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..core.clock import utcnow
from ..core.errors import NotFound
from ..extensions import db
from ..questions import services
from .access import admin_required

bp = Blueprint("admin_questions", __name__, url_prefix="/<lang:locale>/admin")


@bp.get("/questions")
@admin_required
def question_list():
    """The latest questions, answered or not, with a hide/show switch each."""
    return render_template("questions/admin.html", questions=services.moderation_list(db.session))


@bp.post("/questions/<int:question_id>/visibility")
@admin_required
def visibility(question_id: int):
    """Hide a question (and its answer) from shoppers, or show it again."""
    hide = request.form.get("hide") == "1"
    try:
        services.set_hidden(db.session, question_id, hide, now=utcnow())
        db.session.commit()
    except NotFound:
        db.session.rollback()
        abort(404)
    flash(_("The question is hidden from shoppers.") if hide else _("The question is shown again."), "ok")
    return redirect(url_for("admin_questions.question_list"), 303)
