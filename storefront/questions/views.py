"""A product's questions and answers, and asking one: a page of its own that the product page lazy-loads."""
from __future__ import annotations

from flask import Blueprint, abort, g, redirect, request, url_for
from flask_login import current_user

from ..catalog.models import Product
from ..core.clock import utcnow
from ..core.errors import NotFound
from ..core.htmx import hx_target, render_page
from ..core.untrusted import small_int
from ..extensions import db
from . import services
from .forms import AskForm, show_errors

bp = Blueprint("questions", __name__, url_prefix="/<lang:locale>")


def _page(product: Product, form: AskForm, status: int = 200, sent: bool = False):
    """The questions page, or its block alone for HTMX (the product page's lazy section and the ask form)."""
    offers = services.askable_offers(db.session, product.id)
    form.offer.choices = [(o.id, o.seller.name) for o in offers]
    if form.offer.data is None and offers:
        form.offer.data = small_int(request.args.get("offer")) or offers[0].id
    response = render_page("questions/product.html", blocks=("questions",), product=product, form=form,
                           questions=services.public_questions(db.session, product.id),
                           can_ask=bool(offers), sent=sent)
    response.status_code = status
    return response


@bp.get("/p/<int:product_id>/questions")
def product_questions(product_id: int):
    """Answered questions about a product, and the form to ask one."""
    product = db.session.get(Product, product_id)
    if product is None:
        abort(404)
    return _page(product, AskForm(formdata=None), sent=request.args.get("sent") == "1")


@bp.post("/p/<int:product_id>/questions")
def ask(product_id: int):
    """Send a question to the seller of the chosen listing; every problem is shown at once, nothing is lost."""
    product = db.session.get(Product, product_id)
    if product is None:
        abort(404)
    form = AskForm()
    email = current_user.email if current_user.is_authenticated else form.email.data
    try:
        services.ask(db.session, product.id, offer_id=small_int(request.form.get("offer")), body=form.body.data,
                     locale=g.shopper.locale, user_id=current_user.id if current_user.is_authenticated else None,
                     email=email, now=utcnow())
        db.session.commit()
    except services.QuestionProblems as exc:
        db.session.rollback()
        show_errors(form, exc.problems)
        return _page(product, form, 422)
    except NotFound:
        db.session.rollback()
        abort(404)
    if hx_target() == "questions":
        return _page(product, AskForm(formdata=None), sent=True)
    return redirect(url_for("questions.product_questions", product_id=product.id, sent=1), 303)
