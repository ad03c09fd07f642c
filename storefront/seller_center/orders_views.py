"""The seller center's fulfilment pages: the dashboard, my orders, one order, and shipping or cancelling it."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..core.clock import utcnow
from ..core.collation import collate
from ..core.untrusted import small_int
from ..core.display import seller_price, shopper_money, status_label
from ..core.errors import DomainError, InvalidInput, NotFound
from ..core.htmx import hx_target, render_page
from ..core.money import Money
from ..extensions import db
from ..orders import disputes, fulfilment, notifications
from ..orders import messages as order_messages
from ..questions import services as questions
from ..orders.dispute_rules import InvalidDispute, amount_problem, left_to_refund, message_problem
from ..orders.forms import ConfirmForm, MessageForm, OfferForm, RejectForm, refusal, show_problems
from ..orders.models import Order
from ..orders.services import IllegalTransition
from ..payments.gateway import PaymentError
from ..shipping.carriers import CARRIERS
from .access import seller_required

bp = Blueprint("seller_orders", __name__, url_prefix="/<lang:locale>/seller")

ACTIONS = "order_actions"  # the block, and the element id, that ship and cancel swap in place
TABS = ("paid", "awaiting_payment", "shipped", "delivered", "completed", "disputed", "cancelled", "refunded")
FIELD_ERRORS = {
    ("carrier", "unknown"): _l("Please choose the carrier from the list."),
    ("tracking_number", "format"): _l("Use 6 to 40 letters, digits or dashes, as printed on the label."),
    ("reason", "unknown"): _l("Please choose a reason."),
    ("note", "required"): _l("Please tell the buyer why."),
    ("note", "too_long"): _l("Please keep the message under 300 characters."),
}


class ShipForm(FlaskForm):
    """Carrier and tracking number; their rules live in orders.fulfilment, which the view asks."""

    carrier = SelectField(_l("Carrier"), choices=[], validate_choice=False,
                          validators=[DataRequired(_l("Please choose the carrier."))])
    tracking_number = StringField(_l("Tracking number"),
                                  validators=[DataRequired(_l("Please enter the tracking number.")), Length(max=80)])


class CancelForm(FlaskForm):
    """Why the seller cancels, a message for the buyer, and an explicit confirmation."""

    reason = SelectField(_l("Reason"), choices=[], validate_choice=False,
                         validators=[DataRequired(_l("Please choose a reason."))])
    note = TextAreaField(_l("Message to the buyer (optional)"),
                         validators=[Length(max=fulfilment.NOTE_MAX,
                                            message=_l("Please keep the message under 300 characters."))])
    confirm = BooleanField(_l("Yes, cancel this order and refund the buyer"),
                           validators=[DataRequired(_l("Please confirm the cancellation."))])


def _ship_form() -> ShipForm:
    form = ShipForm()
    form.carrier.choices = [("", "—")] + collate(CARRIERS.items(), g.shopper.locale, key=lambda item: str(item[1]))
    return form


def _cancel_form() -> CancelForm:
    form = CancelForm()
    form.reason.choices = [("", "—")] + [(code, notifications.cancel_reason_label(code))
                                          for code in fulfilment.CANCEL_REASONS]
    return form


def _my_order(number: str) -> Order:
    """One of the current store's orders; anyone else's is a 404, like a number that does not exist."""
    try:
        return fulfilment.order_for_seller(db.session, g.store.id, number)
    except NotFound:
        abort(404)


def _checked(form: FlaskForm, problems: list[tuple[str, str]]) -> bool:
    """Validate the form, then add the service's own rules' errors, so a submit shows every problem at once."""
    valid = form.validate()
    for field, code in problems:
        if not form[field].errors:  # "please choose" already says it for an empty field
            form[field].errors.append(str(FIELD_ERRORS[field, code]))
        valid = False
    return valid


def _actor() -> str:
    return f"seller:{current_user.id}"


def _order_page(order: Order, *, ship_form: ShipForm | None = None, cancel_form: CancelForm | None = None,
                problem: str | None = None, done: str | None = None, status: int = 200,
                dispute_forms: dict | None = None, dispute_problem: str | None = None,
                message_form: MessageForm | None = None):
    """The order page, or only its action block when HTMX asked for it.

    HTMX swaps only 2xx answers, so the action block comes back as 200 even with errors in it.
    """
    now = utcnow()
    response = render_page(
        "sellers/center/order.html", blocks=(ACTIONS,), store=g.store, order=order,
        ship_form=ship_form or _ship_form(), cancel_form=cancel_form or _cancel_form(), problem=problem, done=done,
        overdue=fulfilment.is_overdue(order, now), reason_label=notifications.cancel_reason_label,
        refund_due=seller_price(Money(order.total - order.refunded_total, order.currency)),
        dispute=disputes.thread(db.session, order), dispute_problem=dispute_problem,
        dispute_forms=_dispute_forms() | (dispute_forms or {}),
        messages=order_messages.thread(db.session, order), message_form=message_form or MessageForm(formdata=None),
    )
    return response, (200 if hx_target() == ACTIONS else status)


def _after_action(number: str, message: str):
    """After a successful ship or cancel: the fresh action block for HTMX, else back to the order (PRG)."""
    if hx_target() == ACTIONS:
        return _order_page(_my_order(number), done=message)
    flash(message, "success")
    return redirect(url_for("seller_orders.order", number=number), 303)


@bp.get("/")
@seller_required
def dashboard():
    """What needs the seller now: orders to ship (overdue first), variants running out, counts per status."""
    now = utcnow()
    return render_page(
        "sellers/center/dashboard.html", store=g.store,
        to_ship=fulfilment.orders_to_ship(db.session, g.store.id),
        low_stock=fulfilment.low_stock(db.session, g.store.id), threshold=fulfilment.LOW_STOCK,
        counts=fulfilment.status_counts(db.session, g.store.id),
        is_overdue=lambda order: fulfilment.is_overdue(order, now),
        to_answer=disputes.disputes_to_answer(db.session, g.store.id),
        questions_waiting=questions.waiting_count(db.session, g.store.id),
    )


@bp.get("/orders")
@seller_required
def orders():
    """My orders, one status per tab (links), newest first; orders to ship by deadline."""
    status = request.args.get("status")
    status = status if status in TABS else None
    page = small_int(request.args.get("page")) or 1
    rows, more = fulfilment.seller_orders(db.session, g.store.id, status=status, page=page)
    now = utcnow()
    return render_page(
        "sellers/center/orders.html", blocks=("order_list",), store=g.store, orders=rows, more=more, page=page,
        status=status, tabs=TABS, counts=fulfilment.status_counts(db.session, g.store.id),
        is_overdue=lambda order: fulfilment.is_overdue(order, now),
    )


@bp.get("/orders/<number>")
@seller_required
def order(number: str):
    """One order: where it goes, what is in it, what it cost, its history, and what to do next."""
    return _order_page(_my_order(number))


@bp.post("/orders/<number>/messages")
@seller_required
def message(number: str):
    """Write to the order's buyer ("contact the seller" thread); they are emailed."""
    order = _my_order(number)
    form = MessageForm()
    try:
        order_messages.post(db.session, order, author="seller", body=form.message.data, now=utcnow())
        db.session.commit()
    except order_messages.InvalidMessage as exc:
        db.session.rollback()
        show_problems(form, [(exc.field, exc.code)])
        return _order_page(order, message_form=form, status=422)
    flash(_("Your message was sent to the buyer."), "success")
    return redirect(url_for("seller_orders.order", number=number, _anchor="order_messages"), 303)


@bp.post("/orders/<number>/ship")
@seller_required
def ship(number: str):
    """Mark a paid order shipped with its carrier and tracking number; the buyer is emailed."""
    order = _my_order(number)
    form = _ship_form()
    problem, status = None, 400
    problems = fulfilment.shipment_problems(form.carrier.data or "", form.tracking_number.data or "")
    # An order that can no longer ship shows no form to put errors on: let the service say why instead.
    if _checked(form, problems) or order.status != "paid":
        try:
            fulfilment.mark_shipped(db.session, order, carrier=form.carrier.data or "",
                                    tracking_number=form.tracking_number.data or "", actor=_actor(), now=utcnow())
        except fulfilment.InvalidShipment as exc:
            form[exc.field].errors.append(str(FIELD_ERRORS[exc.field, exc.code]))
        except IllegalTransition:
            problem, status = _("This order cannot be shipped: it is “%(status)s”.",
                                status=status_label(order.status)), 409
        except fulfilment.OrderBusy:
            problem, status = _("This order is being cancelled, so it cannot be shipped."), 409
        else:
            return _after_action(number, _("Marked as shipped. The buyer has been emailed the tracking number."))
    return _order_page(_my_order(number), ship_form=form, problem=problem, status=status)


def _cancel_refused(exc: DomainError, order) -> tuple[str, int]:
    """Why a cancellation (the seller's, or accepting the buyer's request) changed nothing, and the status."""
    if isinstance(exc, IllegalTransition):
        return _("This order cannot be cancelled: it is “%(status)s”.", status=status_label(order.status)), 409
    if isinstance(exc, fulfilment.OrderBusy):
        return _("This order is already being cancelled. Reload the page in a moment."), 409
    if isinstance(exc, PaymentError):
        return _("The payment service did not answer, so nothing was refunded and the order is unchanged. "
                 "Please try again in a moment."), 503
    if isinstance(exc, InvalidInput):
        return _("No payment is on record for this order, so it cannot be refunded."), 409
    raise exc


def _cancelled(number: str, cancellation):
    return _after_action(number, _("Order cancelled. %(amount)s was refunded and the buyer has been emailed.",
                                   amount=shopper_money(cancellation.refunded)))


@bp.post("/orders/<number>/cancel")
@seller_required
def cancel(number: str):
    """Cancel a paid order after an explicit confirmation: refund the buyer in full, restock, email them."""
    order = _my_order(number)
    form = _cancel_form()
    problem, status = None, 400
    problems = fulfilment.cancellation_problems(form.reason.data or "", form.note.data or "", actor=_actor())
    if _checked(form, problems) or order.status != "paid":  # as in ship()
        try:
            cancellation = fulfilment.cancel_by_seller(
                db.session, current_app.extensions["payment_gateway"], order, reason=form.reason.data or "",
                note=form.note.data or "", actor=_actor(), now=utcnow())
        except fulfilment.InvalidCancellation as exc:
            form[exc.field].errors.append(str(FIELD_ERRORS[exc.field, exc.code]))
        except DomainError as exc:
            problem, status = _cancel_refused(exc, order)
        else:
            return _cancelled(number, cancellation)
    return _order_page(_my_order(number), cancel_form=form, problem=problem, status=status)


@bp.post("/orders/<number>/accept-cancel")
@seller_required
def accept_cancel(number: str):
    """Accept the buyer's request to cancel: refund them in full and restock, in one step; they are emailed."""
    order = _my_order(number)
    try:
        cancellation = fulfilment.accept_cancel_request(db.session, current_app.extensions["payment_gateway"], order,
                                                        actor=_actor(), now=utcnow())
    except fulfilment.CancelRequestRefused:
        problem, status = _("The buyer has not asked to cancel this order."), 409
    except DomainError as exc:
        problem, status = _cancel_refused(exc, order)
    else:
        return _cancelled(number, cancellation)
    return _order_page(_my_order(number), problem=problem, status=status)


# --- answering a dispute: reply, accept, offer a partial refund, reject (then the platform decides) ---

def _dispute_forms() -> dict:
    """Blank forms for the dispute panel; prefixes keep the fields of its several forms apart."""
    return {"reply": MessageForm(), "offer": OfferForm(prefix="offer"), "reject": RejectForm(prefix="reject"),
            "accept": ConfirmForm(prefix="accept")}


def _dispute_refused(number: str, name: str, form: FlaskForm, exc: DomainError):
    """The order page again, with the refusal in the dispute panel and the seller's input kept."""
    answer = refusal(exc)
    return _order_page(_my_order(number), dispute_forms={name: form}, dispute_problem=answer["problem"],
                       status=answer["status"])


def _after_dispute(number: str, message: str):
    flash(message, "success")
    return redirect(url_for("seller_orders.order", number=number, _anchor="dispute"), 303)


@bp.post("/orders/<number>/dispute/reply")
@seller_required
def dispute_reply(number: str):
    """Write to the buyer in the dispute's thread; the buyer is emailed."""
    order = _my_order(number)
    form = MessageForm()
    try:
        disputes.add_message(db.session, order, author="seller", body=form.message.data, now=utcnow())
    except InvalidDispute as exc:
        show_problems(form, [(exc.field, exc.code)])
        return _order_page(_my_order(number), dispute_forms={"reply": form}, status=422)
    except DomainError as exc:
        return _dispute_refused(number, "reply", form, exc)
    return _after_dispute(number, _("Your message was sent to the buyer."))


@bp.post("/orders/<number>/dispute/accept")
@seller_required
def dispute_accept(number: str):
    """Give the buyer the refund they asked for, after an explicit confirmation; both sides are emailed."""
    order = _my_order(number)
    form = ConfirmForm(prefix="accept")
    if not form.validate():
        return _order_page(_my_order(number), dispute_forms={"accept": form}, status=422)
    try:
        dispute = disputes.seller_accept(db.session, current_app.extensions["payment_gateway"], order,
                                         actor=_actor(), now=utcnow())
    except DomainError as exc:
        return _dispute_refused(number, "accept", form, exc)
    order = _my_order(number)
    return _after_dispute(number, _("%(amount)s was refunded to the buyer and the dispute is closed.",
                                    amount=shopper_money(Money(dispute.refund_amount, order.currency))))


@bp.post("/orders/<number>/dispute/offer")
@seller_required
def dispute_offer(number: str):
    """Offer the buyer part of the money back; the buyer accepts or declines, and is emailed."""
    order = _my_order(number)
    form = OfferForm(prefix="offer")
    left = left_to_refund(order)
    problems = [p for p in (amount_problem(form.amount.data, left), message_problem(form.message.data, required=False))
                if p]
    if not (form.validate() and show_problems(form, problems, shopper_money(left))):
        return _order_page(_my_order(number), dispute_forms={"offer": form}, status=422)
    try:
        disputes.seller_offer(db.session, order, amount=form.amount.data, message=form.message.data,
                              actor=_actor(), now=utcnow())
    except InvalidDispute as exc:
        show_problems(form, [(exc.field, exc.code)], shopper_money(left))
        return _order_page(_my_order(number), dispute_forms={"offer": form}, status=422)
    except DomainError as exc:
        return _dispute_refused(number, "offer", form, exc)
    return _after_dispute(number, _("Your offer was sent to the buyer."))


@bp.post("/orders/<number>/dispute/reject")
@seller_required
def dispute_reject(number: str):
    """Reject the claim, saying why; the platform decides and the buyer is emailed."""
    order = _my_order(number)
    form = RejectForm(prefix="reject")
    try:
        disputes.seller_reject(db.session, order, message=form.message.data, actor=_actor(), now=utcnow())
    except InvalidDispute as exc:
        show_problems(form, [(exc.field, exc.code)])
        return _order_page(_my_order(number), dispute_forms={"reject": form}, status=422)
    except DomainError as exc:
        return _dispute_refused(number, "reject", form, exc)
    return _after_dispute(number, _("You rejected the claim. The platform will look at the dispute and decide."))
