"""The platform admin's dispute pages: the escalated disputes, and one dispute with its thread and the decision."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.clock import utcnow
from ..core.errors import DomainError
from ..core.htmx import render_page
from ..core.display import shopper_money
from ..extensions import db
from ..orders import dispute_mail, disputes
from ..orders.dispute_rules import InvalidDispute, amount_problem, left_to_refund, message_problem
from ..orders.forms import DecisionForm, MessageForm, refusal, show_problems
from ..orders.models import Order
from .access import admin_required

bp = Blueprint("admin", __name__, url_prefix="/<lang:locale>/admin")


def _actor() -> str:
    return f"admin:{current_user.id}"


def _order(number: str) -> Order:
    """Any disputed order by number (admins see every store's); 404 when it has no dispute."""
    order = db.session.scalar(select(Order).where(Order.number == number)
                              .options(selectinload(Order.seller), selectinload(Order.checkout)))
    if order is None or order.dispute is None:
        abort(404)
    return order


def _dispute_page(number: str, *, form: DecisionForm | None = None, message_form: MessageForm | None = None,
                  problem: str | None = None, status: int = 200):
    order = _order(number)
    response = render_page("admin/dispute.html", order=order, dispute=disputes.thread(db.session, order),
                           form=form or DecisionForm(), message_form=message_form or MessageForm(prefix="ask"),
                           problem=problem, left=shopper_money(left_to_refund(order)))
    response.status_code = status
    return response


@bp.get("/disputes")
@admin_required
def dispute_list():
    """Disputes waiting for the platform's decision, the longest waiting first."""
    return render_page("admin/disputes.html", disputes=disputes.escalated_disputes(db.session))


@bp.get("/disputes/<number>")
@admin_required
def dispute(number: str):
    """One dispute: the order, what was asked and offered, the thread, and the decision form when escalated."""
    return _dispute_page(number)


@bp.post("/disputes/<number>/decide")
@admin_required
def decide(number: str):
    """Decide an escalated dispute: full refund, partial refund of an amount, or reject (the seller is paid)."""
    order = _order(number)
    form = DecisionForm()
    left = left_to_refund(order)
    problems = [] if form.decision.data in ("full_refund", "partial_refund", "rejected") else [("decision", "unknown")]
    if form.decision.data == "partial_refund" and (problem := amount_problem(form.amount.data, left)):
        problems.append(problem)
    if problem := message_problem(form.message.data, required=False):
        problems.append(problem)
    if not (form.validate() and show_problems(form, problems, shopper_money(left))):
        return _dispute_page(number, form=form, status=422)
    try:
        decided = disputes.admin_decide(db.session, current_app.extensions["payment_gateway"], order,
                                        decision=form.decision.data, amount=form.amount.data,
                                        note=form.message.data, actor=_actor(), now=utcnow())
    except InvalidDispute as exc:
        show_problems(form, [(exc.field, exc.code)], shopper_money(left))
        return _dispute_page(number, form=form, status=422)
    except DomainError as exc:
        return _dispute_page(number, form=form, **refusal(exc))
    flash(_("Decided: %(outcome)s. Buyer and seller have been emailed.",
            outcome=dispute_mail.dispute_status_label(decided)), "success")
    return redirect(url_for("admin.dispute", number=number), 303)


@bp.post("/disputes/<number>/message")
@admin_required
def message(number: str):
    """Ask buyer or seller something in the thread without deciding yet."""
    order = _order(number)
    form = MessageForm(prefix="ask")
    try:
        disputes.add_message(db.session, order, author="admin", body=form.message.data, now=utcnow())
    except InvalidDispute as exc:
        show_problems(form, [(exc.field, exc.code)])
        return _dispute_page(number, message_form=form, status=422)
    except DomainError as exc:
        return _dispute_page(number, message_form=form, **refusal(exc))
    flash(_("Your message was added."), "success")
    return redirect(url_for("admin.dispute", number=number), 303)
