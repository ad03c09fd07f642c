"""The test provider's hosted payment page at /testpay: "another website" the shopper is sent to.

No locale prefix and none of the shop's layout. Each outcome is written in the provider's own
Session, then the shopper is sent back (303) to the merchant's return URL with signed parameters,
and the new webhook event is delivered once that response has gone out.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm import Session

from ...core.clock import utcnow
from ...config import LOCALES, RTL_LOCALES
from ...core.money import Money, format_money
from ...extensions import db
from . import provider
from .delivery import deliver_after
from .forms import AuthenticateForm, CardForm
from .models import SandboxSession
from .signing import secret_from_config

bp = Blueprint("testgateway", __name__, url_prefix="/testpay")


def _open(token: str) -> tuple[Session, SandboxSession]:
    """The provider's own DB session and the payment session behind `token`, or a 404."""
    s = Session(db.engine, expire_on_commit=False)
    payment = provider.find_session(s, token)
    if payment is None:
        s.close()
        abort(404)
    s.commit()  # end the read: the outcome's write must start a fresh transaction (SQLite WAL)
    return s, payment


@bp.route("/pay/<token>", methods=["GET", "POST"])
def pay(token: str):
    """Show the card form; on a valid submit, charge the card and send the shopper back or on to 3-D Secure."""
    s, payment = _open(token)
    with s:
        if payment.status == "requires_action":
            return redirect(url_for(".authenticate", token=token), 303)
        if payment.is_final:
            return _finished(payment)
        form = CardForm()
        if form.validate_on_submit():
            try:
                event = provider.pay(s, payment, form.card_number, utcnow())
                s.commit()
            except provider.Refused:  # a second submit lost the race: show where the first one went
                s.rollback()
                return redirect(url_for(".pay", token=token), 303)
            if event is None:
                return redirect(url_for(".authenticate", token=token), 303)
            return _back_to_shop(payment, event.event_id)
        form.number.data = form.cvc.data = ""  # never echo card data; name and expiry are kept
        return _render("testgateway/pay.html", payment, form=form, cards=provider.TEST_CARDS), (
            400 if form.errors else 200)


@bp.route("/authenticate/<token>", methods=["GET", "POST"])
def authenticate(token: str):
    """The simulated 3-D Secure step: complete it (payment succeeds) or fail it (authentication_failed)."""
    s, payment = _open(token)
    with s:
        if payment.is_final:
            return _finished(payment)
        if payment.status != "requires_action":
            return redirect(url_for(".pay", token=token), 303)
        form = AuthenticateForm()
        if form.validate_on_submit() and (form.complete.data or form.fail.data):
            try:
                event = provider.authenticate(s, payment, approved=not form.fail.data, now=utcnow())
                s.commit()
            except provider.Refused:
                s.rollback()
                return redirect(url_for(".authenticate", token=token), 303)
            return _back_to_shop(payment, event.event_id)
        return _render("testgateway/authenticate.html", payment, form=form)


def _back_to_shop(payment: SandboxSession, event_id: str):
    """303 to the signed return URL; the webhook goes out after this response is sent."""
    response = redirect(provider.signed_return_url(payment, _secret(), utcnow()), 303)
    return deliver_after(response, [event_id])


def _finished(payment: SandboxSession):
    """A payment that already ended: say how, and link back with its signed result."""
    return _render("testgateway/finished.html", payment,
                   return_url=provider.signed_return_url(payment, _secret(), utcnow()))


def page_locale(requested: str | None) -> str:
    """The language the merchant asked for ('es', 'es-MX', 'zh_Hans'...) if the page speaks it, else English."""
    language = (requested or "").replace("_", "-").split("-")[0].lower()
    return language if language in LOCALES else "en"


def _render(template: str, payment: SandboxSession, **context) -> str:
    """A hosted page in the language the merchant passed with the payment (PaymentRequest.locale)."""
    locale = page_locale(payment.locale)
    with force_locale(locale):
        return render_template(template, payment=payment, amount=_amount(payment), page_locale=locale,
                               page_dir="rtl" if locale in RTL_LOCALES else "ltr", **context)


def _secret() -> bytes:
    """The signing key, from the same config the adapter reads."""
    return secret_from_config(current_app.config)


def _amount(payment: SandboxSession) -> str:
    """The amount formatted for the merchant's locale, falling back to English."""
    money = Money(payment.amount, payment.currency)
    try:
        return format_money(money, payment.locale.replace("-", "_"))
    except (ValueError, LookupError):
        return format_money(money, "en")


@bp.after_request
def no_store(response):
    """Payment pages are never cached, nor their token-bearing URL leaked to other sites."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    return response


NOT_FOUND = (_l("Payment not found"), _l("This payment link is not valid. Go back to the shop and start again."))
FORM_EXPIRED = (_l("Please try again"), _l("This form expired. Go back, reload the page and submit it again."))


@bp.errorhandler(404)
def not_found(error):
    """The provider's own 'no such payment' page (not the shop's), in the browser's language."""
    return _problem(*NOT_FOUND), 404


@bp.errorhandler(CSRFError)
def csrf_failed(error):
    """An expired or missing form token: ask to reload rather than showing the shop's error page."""
    return _problem(*FORM_EXPIRED), 400


def _problem(title, message) -> str:
    """A problem page in the language the browser asks for (no payment, hence no merchant's locale, is known)."""
    locale = page_locale(request.accept_languages.best_match(LOCALES))
    with force_locale(locale):
        return render_template("testgateway/problem.html", title=str(title), message=str(message),
                               page_locale=locale, page_dir="rtl" if locale in RTL_LOCALES else "ltr")
