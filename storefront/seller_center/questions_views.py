"""The seller's side of questions before buying: what shoppers asked about their listings, and answering."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from ..core.clock import utcnow
from ..core.errors import NotFound
from ..extensions import db
from ..questions import services
from ..questions.forms import AnswerForm, show_errors
from .access import seller_required

bp = Blueprint("seller_questions", __name__, url_prefix="/<lang:locale>/seller")


def _page(forms: dict[int, AnswerForm] | None = None, status: int = 200):
    waiting = services.questions_for_seller(db.session, g.store, answered=False)
    forms = forms or {}
    for question in waiting:
        forms.setdefault(question.id, AnswerForm(formdata=None, prefix=f"q{question.id}"))
    return render_template("questions/seller.html", waiting=waiting, forms=forms,
                           answered=services.questions_for_seller(db.session, g.store, answered=True, limit=20)), status


@bp.get("/questions")
@seller_required
def question_list():
    """Questions waiting for this store's answer (oldest first), and the latest answered."""
    return _page()


@bp.post("/questions/<int:question_id>/answer")
@seller_required
def answer(question_id: int):
    """Publish the answer (another store's question is a 404); a refused answer keeps its text."""
    form = AnswerForm(prefix=f"q{question_id}")
    try:
        services.answer(db.session, g.store, question_id, form.answer.data, now=utcnow())
        db.session.commit()
    except NotFound:
        db.session.rollback()
        abort(404)
    except services.InvalidQuestion as exc:
        db.session.rollback()
        show_errors(form, [exc])
        return _page({question_id: form}, 422)
    flash(_("Your answer is published on the product page."), "ok")
    return redirect(url_for("seller_questions.question_list"), 303)
