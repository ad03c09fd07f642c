"""Account pages: register, log in, log out, the address book (passwords and confirmation: credential_views)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from datetime import timedelta

from flask_babel import format_timedelta, gettext as _
from flask_login import current_user, login_required

from ..core.clock import utcnow
from ..core.errors import NotFound
from ..core.htmx import render_page
from ..core.limits import client_address, configured, limiter
from ..core.security import safe_next
from ..core.i18n import country_choices
from ..extensions import db, login_manager
from . import credentials, services, throttle
from .forms import AddressForm, LoginForm, RegisterForm
from .models import User
from .web_session import end_session, start_session, user_for_session

bp = Blueprint("accounts", __name__, url_prefix="/<lang:locale>/account")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Flask-Login: the user a session or remember cookie names ("<id>-<session version>"); a revoked
    session (logout, password change or reset elsewhere) or a disabled account is logged out."""
    return user_for_session(user_id)


@login_manager.unauthorized_handler
def unauthorized():
    """Send anonymous visitors to the login page, coming back afterwards."""
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_REGISTER"), methods=["POST"])
def register():
    """Create an account and email its confirmation link; a taken email gets the same answer (its owner is
    emailed instead), so this page never tells anyone which addresses have accounts."""
    form = RegisterForm()
    if form.validate_on_submit():
        shopper = g.shopper
        credentials.register(db.session, name=form.name.data, email=form.email.data, password=form.password.data,
                             locale=shopper.locale, currency=shopper.currency, country=shopper.country,
                             now=utcnow())
        db.session.commit()
        return redirect(url_for("credentials.check_email"), 303)
    return render_page("accounts/register.html", form=form), (400 if form.errors else 200)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with email and password."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        address = client_address()
        wait = throttle.login_wait(address, form.email.data)
        if wait:  # the password is not even checked, so guessing on gains nothing
            form.password.errors.append(_("Too many failed attempts. For your security, please wait %(wait)s "
                                          "and try again.", wait=format_timedelta(timedelta(seconds=wait))))
            return render_page("accounts/login.html", form=form), 429, {"Retry-After": str(wait)}
        user = services.authenticate(db.session, form.email.data, form.password.data)
        if user is None:
            throttle.record_failure(address, form.email.data)
            form.password.errors.append(_("Email or password is not right."))
        elif not user.is_active:
            form.email.errors.append(_("This account has been disabled. If you think this is a mistake, "
                                       "please write to the shop's support."))
        else:
            throttle.record_success(form.email.data)
            start_session(user, remember=form.remember.data)  # a fresh session: nothing from before carries over
            return redirect(safe_next(form.next.data, url_for("catalog.home")), 303)
    return render_page("accounts/login.html", form=form), (400 if form.errors else 200)


@bp.post("/logout")
def logout():
    """Log out (a POST, so a link elsewhere cannot log anyone out), everywhere: copies of this session and
    every remember cookie stop working too."""
    if current_user.is_authenticated:
        credentials.revoke_sessions(current_user)
        db.session.commit()
    end_session()
    return redirect(url_for("catalog.home"), 303)


def _address_form(address=None) -> AddressForm:
    form = AddressForm(obj=address)
    form.country.choices = [("", "—")] + country_choices(g.shopper.locale)
    if request.method == "GET" and address is None:
        form.country.data = request.args.get("country") or g.shopper.country
    form.apply_country_labels()
    return form


@bp.get("/addresses")
@login_required
def addresses():
    """The address book."""
    return render_page("accounts/addresses.html", addresses=current_user.addresses)


@bp.route("/addresses/new", methods=["GET", "POST"])
@bp.route("/addresses/<int:address_id>", methods=["GET", "POST"])
@login_required
def address_form(address_id: int | None = None):
    """Add or edit an address; changing the country re-labels the fields (in place with HTMX)."""
    address = None
    if address_id is not None:
        try:
            address = services.get_address(db.session, current_user, address_id)
        except NotFound:
            abort(404)
    form = _address_form(address)
    refreshing = request.form.get("refresh") == "country"  # only re-label the fields for a new country
    if request.method == "POST" and not refreshing and form.validate_on_submit():
        services.save_address(db.session, current_user, form.data, address)
        db.session.commit()
        flash(_("Address saved."), "success")
        return redirect(url_for("accounts.addresses"), 303)
    status = 400 if any(f.errors for f in form) else 200
    return render_page("accounts/address_form.html", blocks=("address_fields",), form=form, address=address), status


@bp.post("/addresses/<int:address_id>/delete")
@login_required
def delete_address(address_id: int):
    """Delete one of my addresses."""
    try:
        services.delete_address(db.session, current_user, address_id)
    except NotFound:
        abort(404)
    db.session.commit()
    flash(_("Address deleted."), "success")
    return redirect(url_for("accounts.addresses"), 303)
