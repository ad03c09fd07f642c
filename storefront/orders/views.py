"""The buyer's order pages: my orders (with "Pay now"), one order's detail, cancelling an unpaid order or asking
to cancel a paid one, and after the sale: confirming receipt, extending the protection window, and a dispute
with its thread."""
from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from ..core.clock import utcnow
from ..core.display import shopper_day, shopper_money, status_label
from ..core.errors import DomainError, NotFound
from ..core.htmx import render_page
from ..core.page_parts import provide
from ..core.money import Money
from ..extensions import db
from ..payments.services import expire_open_payments
from . import messages as order_messages
from . import dispute_mail, disputes, fulfilment, protection, services
from .dispute_rules import DisputeRefused, InvalidDispute, dispute_problems, left_to_refund
from .forms import ConfirmForm, DeclineForm, DisputeForm, MessageForm, ReceiptForm, refusal, show_problems
from .models import Order
from .services import IllegalTransition, order_for_buyer, payable

log = logging.getLogger(__name__)
bp = Blueprint("orders", __name__, url_prefix="/<lang:locale>/orders")


@bp.record_once
def provide_page_parts(state) -> None:
    """How quickly each seller answers buyers' messages, for the store page (see core/page_parts)."""
    provide(state.app, "seller_response", order_messages.response_figures)


ACTOR = "buyer"

for _name, _helper in dispute_mail.TEMPLATE_HELPERS.items():  # the dispute words every page shares
    bp.add_app_template_global(_helper, _name)


@bp.get("/")
@login_required
def mine():
    """My orders, newest first."""
    orders = db.session.scalars(
        select(Order).where(Order.user_id == current_user.id).order_by(Order.id.desc())
        .options(selectinload(Order.lines), selectinload(Order.seller), selectinload(Order.checkout)).limit(100)
    ).all()
    now = utcnow()
    return render_page("orders/list.html", orders=orders, payable={o.id for o in orders if payable(o, now)})


def _my_order(number: str) -> Order:
    """One of this buyer's orders (their account's or this browser's guest checkouts'); anyone else's is a 404."""
    try:
        return order_for_buyer(db.session, number,
                               user_id=current_user.id if current_user.is_authenticated else None,
                               checkout_refs=session.get("checkouts", []))
    except NotFound:
        abort(404)


def _detail_page(order: Order, *, problem: str | None = None, payment_problem: str | None = None,
                 status: int = 200, receipt_form: ReceiptForm | None = None, message_form: MessageForm | None = None):
    now = utcnow()
    requested = order.cancel_requested_at
    response = render_page("orders/detail.html", order=order, after_sale=protection.after_sale(order, now),
                           after_sale_problem=problem, payment_problem=payment_problem, can_pay=payable(order, now),
                           cancel_deadline=requested and fulfilment.as_utc(requested)
                           + fulfilment.CANCEL_REQUEST_ANSWER_WITHIN,
                           receipt_form=receipt_form or ReceiptForm(formdata=None),
                           messages=order_messages.thread(db.session, order),
                           message_form=message_form or MessageForm(formdata=None),
                           response=order_messages.response_figures(db.session, [order.seller_id], now)
                           .get(order.seller_id))
    response.status_code = status
    return response


def _back_to(endpoint: str, number: str, message: str):
    """After a successful action: say so, and back to the page (POST-redirect-GET)."""
    flash(message, "success")
    return redirect(url_for(endpoint, number=number), 303)


@bp.get("/<number>")
def detail(number: str):
    """One order: status, lines, totals in the paid currency, payment, its history, and what to do after the sale."""
    return _detail_page(_my_order(number))


@bp.post("/<number>/messages")
def message(number: str):
    """Write to the order's seller ("contact the seller"); they are emailed."""
    order = _my_order(number)
    form = MessageForm()
    try:
        order_messages.post(db.session, order, author="buyer", body=form.message.data, now=utcnow())
        db.session.commit()
    except order_messages.InvalidMessage as exc:
        db.session.rollback()
        show_problems(form, [(exc.field, exc.code)])
        return _detail_page(order, message_form=form, status=422)
    flash(_("Your message was sent to the seller."), "success")
    return redirect(url_for("orders.detail", number=number, _anchor="order_messages"), 303)


@bp.post("/<number>/cancel")
def cancel_unpaid(number: str):
    """Cancel an order not paid yet: its items go back on sale at once; an open payment page for the old
    amount is closed, so "Pay now" charges what is left of the checkout."""
    order = _my_order(number)
    try:
        services.cancel_unpaid(db.session, order, actor=ACTOR, now=utcnow())
    except IllegalTransition:
        order = _my_order(number)
        return _detail_page(order, status=409, payment_problem=_(
            "This order cannot be cancelled here: it is “%(status)s”.", status=status_label(order.status)))
    order = _my_order(number)
    try:
        expire_open_payments(db.session, current_app.extensions["payment_gateway"], order.checkout)
    except SQLAlchemyError:
        # The order is cancelled and its stock released, which is what the buyer asked; an old payment page
        # may stay payable, and a payment on it is refunded for this order when it arrives.
        db.session.rollback()
        log.exception("order %s cancelled, but its checkout's open payments were not expired", number)
    return _back_to("orders.detail", number, _("Order cancelled. Nothing was charged, and the items are back "
                                               "on sale."))


@bp.post("/<number>/request-cancel")
def request_cancel(number: str):
    """Ask the seller to cancel a paid order that has not shipped; they accept (refund) or ship it."""
    order = _my_order(number)
    try:
        fulfilment.request_cancel(db.session, order, now=utcnow())
    except (IllegalTransition, fulfilment.OrderBusy, fulfilment.CancelRequestRefused) as exc:
        order = _my_order(number)
        if isinstance(exc, fulfilment.CancelRequestRefused):
            problem = _("You have already asked to cancel this order.")
        elif isinstance(exc, fulfilment.OrderBusy):
            problem = _("The seller is cancelling this order right now.")
        else:
            problem = _("This order cannot be cancelled any more: it is “%(status)s”.",
                        status=status_label(order.status))
        return _detail_page(order, status=409, payment_problem=problem)
    return _back_to("orders.detail", number, _("The seller has been asked to cancel your order. If they do not "
                                               "answer within 2 days, it is cancelled and refunded."))


@bp.post("/<number>/confirm-receipt")
def confirm_receipt(number: str):
    """The buyer has the item and is happy: the order completes and the seller's payout becomes due.

    Only with the box ticked that says this ends the right to dispute; otherwise nothing changes.
    """
    order = _my_order(number)
    form = ReceiptForm()
    if not form.validate():
        return _detail_page(order, status=422, receipt_form=form)
    try:
        protection.confirm_receipt(db.session, order, utcnow(), actor=ACTOR)
    except IllegalTransition:
        return _detail_page(_my_order(number), status=409, problem=_(
            "This order cannot be confirmed: it is “%(status)s”.", status=status_label(order.status)))
    return _back_to("orders.detail", number, _("Thank you! The order is complete and the seller will be paid."))


@bp.post("/<number>/extend-protection")
def extend_protection(number: str):
    """Extend the buyer protection window once, while it runs (a parcel held at customs, say)."""
    order = _my_order(number)
    try:
        order = protection.extend_protection(db.session, order, utcnow())
    except IllegalTransition:
        problem = _("The protection of this order cannot be extended: it is “%(status)s”.",
                    status=status_label(order.status))
    except protection.ProtectionRefused as exc:
        problem = (_("You have already extended the protection of this order once.")
                   if exc.reason == "already_extended" else _("The protection period of this order has ended."))
    else:
        return _back_to("orders.detail", number, _("Protection extended until %(date)s.",
                                                   date=shopper_day(order.protection_ends_at)))
    return _detail_page(_my_order(number), problem=problem, status=409)


def _why_not_dispute(order: Order) -> str | None:
    """Why this order cannot be disputed now, or None when it can."""
    now = utcnow()
    choices = protection.after_sale(order, now)
    if choices.can_dispute:
        return None
    if order.status not in protection.IN_TRANSIT:
        return _("This order cannot be disputed: it is “%(status)s”.", status=status_label(order.status))
    if choices.dispute_opens_at and now < choices.dispute_opens_at:
        return _("You can open a dispute from %(date)s, a few days after shipment: parcels need time to travel.",
                 date=shopper_day(choices.dispute_opens_at))
    return _("The protection period of this order has ended, so a dispute can no longer be opened.")


@bp.route("/<number>/dispute/new", methods=["GET", "POST"])
def dispute_new(number: str):
    """Open a dispute: what went wrong, a full or partial refund, and a message to the seller."""
    order = _my_order(number)
    if order.dispute is not None:
        return redirect(url_for("orders.dispute", number=number), 303)
    form = DisputeForm()
    left = left_to_refund(order)
    left_text = shopper_money(left)
    problem, status = _why_not_dispute(order), 200
    if request.method == "POST":
        status = 409 if problem else 422
        problems = dispute_problems(form.reason.data or "", form.requested.data or "", form.amount.data,
                                    form.message.data, left)
        if not problem and form.validate() and show_problems(form, problems, left_text):
            try:
                disputes.open_dispute(db.session, order, reason=form.reason.data, requested=form.requested.data,
                                      amount=form.amount.data, message=form.message.data, now=utcnow(), actor=ACTOR)
            except InvalidDispute as exc:
                show_problems(form, [(exc.field, exc.code)], left_text)
            except DisputeRefused as exc:
                if exc.reason == "already_disputed":
                    return redirect(url_for("orders.dispute", number=number), 303)
                problem, status = _why_not_dispute(_my_order(number)), 409
            except IllegalTransition:
                problem, status = _why_not_dispute(_my_order(number)), 409
            else:
                return _back_to("orders.dispute", number, _("Your dispute is open. The seller has been emailed and "
                                                            "has %(days)s days to answer.",
                                                            days=disputes.SELLER_RESPONSE_DAYS))
    response = render_page("orders/dispute_new.html", order=order, form=form, problem=problem, left=left_text,
                           response_days=disputes.SELLER_RESPONSE_DAYS)
    response.status_code = status
    return response


def _dispute_page(number: str, *, message_form: MessageForm | None = None, decline_form: DeclineForm | None = None,
                  withdraw_form: ConfirmForm | None = None, problem: str | None = None, status: int = 200):
    order = _my_order(number)
    dispute = disputes.thread(db.session, order)
    if dispute is None:
        abort(404)
    response = render_page(
        "orders/dispute.html", order=order, dispute=dispute, message_form=message_form or MessageForm(),
        decline_form=decline_form or DeclineForm(prefix="decline"), withdraw_form=withdraw_form or ConfirmForm(),
        problem=problem, left=shopper_money(left_to_refund(order)),
    )
    response.status_code = status
    return response


@bp.get("/<number>/dispute")
def dispute(number: str):
    """The dispute: where it stands, the seller's offer if any, the thread, and what the buyer can do."""
    return _dispute_page(number)


@bp.post("/<number>/dispute/message")
def dispute_message(number: str):
    """Add to the thread of an unresolved dispute."""
    order = _my_order(number)
    form = MessageForm()
    try:
        disputes.add_message(db.session, order, author="buyer", body=form.message.data, now=utcnow())
    except InvalidDispute as exc:
        show_problems(form, [(exc.field, exc.code)])
        return _dispute_page(number, message_form=form, status=422)
    except DomainError as exc:
        return _dispute_page(number, message_form=form, **refusal(exc))
    return _back_to("orders.dispute", number, _("Your message was added."))


@bp.post("/<number>/dispute/accept-offer")
def dispute_accept_offer(number: str):
    """Take the seller's offer: it is refunded and the order completes."""
    order = _my_order(number)
    try:
        settled = disputes.buyer_accept_offer(db.session, current_app.extensions["payment_gateway"], order,
                                              now=utcnow(), actor=ACTOR)
    except DomainError as exc:
        return _dispute_page(number, **refusal(exc))
    return _back_to("orders.dispute", number, _("You accepted the offer: %(amount)s is on its way back to you.",
                                                amount=shopper_money(_refunded(settled, order))))


@bp.post("/<number>/dispute/decline-offer")
def dispute_decline_offer(number: str):
    """Turn the seller's offer down: the platform decides."""
    order = _my_order(number)
    form = DeclineForm(prefix="decline")
    try:
        disputes.buyer_decline_offer(db.session, order, message=form.message.data, now=utcnow())
    except InvalidDispute as exc:
        show_problems(form, [(exc.field, exc.code)])
        return _dispute_page(number, decline_form=form, status=422)
    except DomainError as exc:
        return _dispute_page(number, decline_form=form, **refusal(exc))
    return _back_to("orders.dispute", number, _("You declined the offer. The platform will look at the dispute "
                                                "and decide."))


@bp.post("/<number>/dispute/withdraw")
def dispute_withdraw(number: str):
    """Drop the dispute after an explicit confirmation; it cannot be opened again."""
    order = _my_order(number)
    form = ConfirmForm()
    if not form.validate():
        return _dispute_page(number, withdraw_form=form, status=422)
    try:
        disputes.buyer_withdraw(db.session, order, now=utcnow(), actor=ACTOR)
    except DomainError as exc:
        return _dispute_page(number, withdraw_form=form, **refusal(exc))
    return _back_to("orders.detail", number, _("You withdrew the dispute."))


def _refunded(dispute, order: Order) -> Money:
    return Money(dispute.refund_amount or 0, order.currency)
