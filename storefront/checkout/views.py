"""Checkout: details (address, shipping per package, payment), review, place order, pay, confirmation."""
from __future__ import annotations

import logging
from decimal import Decimal, InvalidOperation

from flask import Blueprint, abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from ..core.clock import today, utcnow
from ..cart.current import BUY_NOW_KEY, checkout_cart, remember_count
from ..core.htmx import render_page
from ..core.i18n import COOKIE_COUNTRY, COOKIE_MAX_AGE, ShopperContext, country_choices
from ..core.errors import InvalidInput
from ..currency.services import current_rates
from ..extensions import db
from ..core.events import record_event
from ..orders import links
from ..orders.fulfilment import as_utc
from ..orders.models import Checkout
from ..orders.services import BUYER_CANCELLED
from ..payments.gateway import PaymentError
from ..payments.services import ReturnUrls, amount_due, checkout_paid, start_payment
from . import services
from .forms import CheckoutForm

log = logging.getLogger(__name__)
bp = Blueprint("checkout", __name__, url_prefix="/<lang:locale>/checkout")
STATE = "checkout"          # session key: details between the form and the review
MINE = "checkouts"          # session key: references this browser placed (guest access)



def _form() -> CheckoutForm:
    form = CheckoutForm()
    form.country.choices = [("", "—")] + country_choices(g.shopper.locale)
    addresses = current_user.addresses if current_user.is_authenticated else []
    form.saved_address.choices = [(str(a.id), f"{a.full_name}, {a.line1}, {a.city}") for a in addresses] + [
        ("new", _("A new address"))]
    if request.method == "GET":
        state = session.get(STATE) or {}
        default = next((a for a in addresses if a.is_default), None)
        form.email.data = state.get("email") or (current_user.email if current_user.is_authenticated else "")
        form.payment_method.data = state.get("payment_method", "card")
        for name, value in (state.get("address") or {}).items():
            if name in form:
                form[name].data = value
        form.saved_address.data = state.get("saved_address") or (str(default.id) if default else "new")
        if not form.country.data:
            form.country.data = default.country if default else g.shopper.country
    form.apply_country_labels()
    return form


def _address_from(form: CheckoutForm) -> dict[str, str] | None:
    """The chosen saved address, or None when the new-address fields should be used."""
    if current_user.is_authenticated and form.saved_address.data not in (None, "", "new"):
        chosen = next((a for a in current_user.addresses if str(a.id) == form.saved_address.data), None)
        if chosen is not None:
            return {k: getattr(chosen, k) or "" for k in ("full_name", "line1", "line2", "city", "region",
                                                          "postal_code", "country", "phone")}
    return None


@bp.route("/", methods=["GET", "POST"])
def start():
    """Step 1: where to deliver, how to pay. Every field is checked here, and kept on errors."""
    cart = checkout_cart()
    if cart is None or not cart.lines:
        return redirect(url_for("cart.show"))
    form = _form()
    if request.method == "GET":
        record_event("checkout_start")
    if request.method == "POST":
        saved = _address_from(form)
        if saved is not None:  # a saved address needs no address fields
            for name, value in saved.items():
                form[name].data = value
            form.apply_country_labels()
        refreshing = request.form.get("refresh") == "country"
        if not refreshing and form.validate():
            address = saved or {k: (form[k].data or "").strip() for k in (
                "full_name", "line1", "line2", "city", "region", "postal_code", "country", "phone")}
            previous = session.get(STATE) or {}
            session[STATE] = {
                "email": form.email.data.strip().lower(), "address": address,
                "payment_method": form.payment_method.data, "saved_address": form.saved_address.data,
                "key": previous.get("key") or services.new_idempotency_key(),
            }
            response = redirect(url_for("checkout.review"), 303)
            response.set_cookie(COOKIE_COUNTRY, address["country"], max_age=COOKIE_MAX_AGE, samesite="Lax",
                                httponly=True)
            return response
    status = 400 if any(f.errors for f in form) else 200
    return render_page("checkout/checkout.html", blocks=("address_fields",), form=form), status


def _details() -> services.CheckoutDetails | None:
    state = session.get(STATE)
    if not state:
        return None
    return services.CheckoutDetails(email=state["email"], address=state["address"],
                                    payment_method=state["payment_method"], locale=g.shopper.locale,
                                    currency=g.shopper.currency)


@bp.get("/review")
def review():
    """Step 2: everything recomputed now (prices, stock, shipping, taxes), then "Place order"."""
    cart, details = checkout_cart(), _details()
    if cart is None or details is None:
        return redirect(url_for("checkout.start"))
    g.shopper = ShopperContext(g.shopper.locale, g.shopper.currency, details.country)
    summary = services.summarize(db.session, cart, details, current_rates(), today())
    remember_count(cart, summary)
    if summary.empty or summary.problems:
        flash(_("Please check your cart: something changed or cannot be shipped."), "error")
        return redirect(url_for("cart.show"))
    return render_page("checkout/review.html", summary=summary, details=details, key=session[STATE]["key"])


@bp.post("/place")
def place():
    """Place the orders once, however often this is submitted; then pay or show bank details."""
    cart, details = checkout_cart(), _details()
    key = request.form.get("idempotency_key", "")
    if details is None or not (16 <= len(key) <= 64):
        existing = db.session.scalar(select(Checkout).where(Checkout.idempotency_key == key)) if key else None
        if existing is not None and existing.reference in session.get(MINE, []):
            return redirect(url_for("checkout.confirmation", reference=existing.reference), 303)
        return redirect(url_for("checkout.start"), 303)
    try:
        expected = Decimal(request.form.get("expected_total", ""))
    except InvalidOperation:
        expected = None
    if expected is not None and not expected.is_finite():  # NaN, sNaN, Infinity: no total is ever that
        abort(400)
    try:
        checkout, created = services.place_order(
            db.session, cart, details, key, expected_total=expected,
            user_id=current_user.id if current_user.is_authenticated else None, rates=current_rates(),
            today=today(), now=utcnow(),
        )
        db.session.commit()
    except services.OutOfStock as exc:
        db.session.rollback()
        flash(_("Sorry, these items sold out while you were checking out: %(skus)s. Nothing was charged.",
                skus=", ".join(exc.skus)), "error")
        return redirect(url_for("cart.show"), 303)
    except services.CheckoutProblem as exc:
        db.session.rollback()
        if exc.code == "total":
            flash(_("Prices or shipping changed. Please review the new total."), "error")
            return redirect(url_for("checkout.review"), 303)
        return redirect(url_for("cart.show"), 303)
    mine = session.get(MINE, [])
    owner = current_user.is_authenticated and checkout.user_id == current_user.id
    if not created and checkout.reference not in mine and not owner:
        return redirect(url_for("checkout.start"), 303)  # someone else's key: reveal nothing
    if checkout.reference not in mine and not owner:
        # Only guests need the browser grant: an account's order opens through the login, so a copy of this
        # session cookie opens nothing of it once the account logs out (accounts/web_session.py).
        session[MINE] = (mine + [checkout.reference])[-20:]
    session.pop(STATE, None)
    session.pop(BUY_NOW_KEY, None)  # a Buy now checkout is done; the next checkout buys the cart
    if created:
        record_event("order_placed", checkout=checkout.reference, orders=len(checkout.orders),
                     total=str(checkout.total), currency=checkout.currency)
    if checkout.payment_method == "card" and not checkout_paid(db.session, checkout):
        return _pay(checkout)
    return redirect(url_for("checkout.confirmation", reference=checkout.reference), 303)


def _pay(checkout: Checkout):
    """Send the shopper to the provider's page for what is due; on any trouble, back to the checkout's page
    with what happened and what to do (the orders are saved whatever happens here)."""
    gateway = current_app.extensions["payment_gateway"]
    reference = checkout.reference
    urls = ReturnUrls(
        return_url=url_for("payments.returned", gateway_name=gateway.name, locale=checkout.locale, _external=True),
        cancel_url=url_for("checkout.confirmation", reference=reference, _external=True),
        webhook_url=url_for("payments.webhook", gateway_name=gateway.name, _external=True),
    )
    try:
        target = start_payment(db.session, gateway, checkout, urls, _("Order %(ref)s", ref=reference))
    except PaymentError as exc:
        log.warning("payment for checkout %s not started, provider said: %s", reference, exc)
        flash(_("The payment service is not answering. Your order is saved; please try paying again in a moment."),
              "error")
    except InvalidInput as exc:
        # Paid meanwhile, nothing left to pay, or a newer press of "Pay" opened the page: the checkout's
        # page says what is true now.
        db.session.rollback()
        log.info("payment for checkout %s not started: %s", reference, exc)
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("payment for checkout %s not started: database error", reference)
        flash(_("We could not open the payment page just now. Your order is saved; please try paying again."),
              "error")
    else:
        return redirect(target, 303)
    return redirect(url_for("checkout.confirmation", reference=reference), 303)


def _own_checkout(reference: str) -> Checkout:
    checkout = db.session.scalar(select(Checkout).where(Checkout.reference == reference))
    mine = reference in session.get(MINE, []) or (
        checkout is not None and current_user.is_authenticated and checkout.user_id == current_user.id)
    if checkout is None or not mine:
        abort(404)
    return checkout


@bp.get("/done/<reference>")
def confirmation(reference: str):
    """The checkout's page: orders placed, payment state, bank details or a pay/retry button, titled for what
    happened (paid, payment not completed, awaiting payment, cancelled)."""
    checkout = _own_checkout(reference)
    from ..payments.models import Payment

    payments = db.session.scalars(select(Payment).where(Payment.checkout_id == checkout.id)
                                  .order_by(Payment.id.desc())).all()
    paid = any(p.status == "succeeded" for p in payments)
    awaiting = [o for o in checkout.orders if o.status == "awaiting_payment"]
    declined = not paid and bool(awaiting) and bool(payments) and payments[0].status == "failed"
    if paid:
        heading = _("Thank you for your order")
    elif declined:
        heading = _("Payment not completed")
    elif awaiting:
        heading = _("Order received: awaiting payment")
    else:
        heading = _("Order cancelled")
    return render_page("checkout/confirmation.html", checkout=checkout, payments=payments, paid=paid,
                       awaiting=awaiting, declined=declined, heading=heading, due=amount_due(checkout),
                       can_pay=as_utc(checkout.pay_by) > utcnow(),
                       buyer_cancelled=all(o.cancel_reason == BUYER_CANCELLED for o in checkout.orders))


@bp.get("/open/<token>")
def open_link(token: str):
    """An email's link: give this browser access to the checkout it names (its orders, paying them), then
    show it. A tampered or expired link is a 404, like a checkout that does not exist."""
    try:
        reference = links.reference_from(token, utcnow())
    except links.InvalidLink:
        abort(404)
    if db.session.scalar(select(Checkout.id).where(Checkout.reference == reference)) is None:
        abort(404)
    mine = session.get(MINE, [])
    if reference not in mine:
        session[MINE] = (mine + [reference])[-20:]
    return redirect(url_for("checkout.confirmation", reference=reference), 303)


@bp.post("/done/<reference>/pay")
def pay(reference: str):
    """Pay (or retry paying) a checkout by card."""
    checkout = _own_checkout(reference)
    if checkout_paid(db.session, checkout) or not any(o.status == "awaiting_payment" for o in checkout.orders):
        return redirect(url_for("checkout.confirmation", reference=reference), 303)
    return _pay(checkout)
