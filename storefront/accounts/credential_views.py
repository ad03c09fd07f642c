"""Account security pages: the account page, email confirmation, forgotten password, changing the password."""
from __future__ import annotations

import logging

from flask import Blueprint, flash, g, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.clock import utcnow
from ..core.htmx import render_page
from ..core.limits import configured, limiter
from ..extensions import db
from . import credentials
from .forms import ChangePasswordForm, ForgotPasswordForm, NewPasswordForm
from .web_session import start_session

log = logging.getLogger(__name__)
bp = Blueprint("credentials", __name__, url_prefix="/<lang:locale>/account")


@bp.get("/")
@login_required
def overview():
    """My account: email and whether it is confirmed, password, addresses, my data."""
    return render_page("accounts/overview.html")


@bp.get("/check-email")
def check_email():
    """What registration and "forgot password" answer, whatever the address: look in your inbox."""
    return render_page("accounts/check_email.html")


@bp.get("/confirm/<token>")
def confirm_email(token: str):
    """Open the emailed confirmation link: the address is confirmed and this browser logged in."""
    try:
        user, now_confirmed = credentials.confirm_email(db.session, token, utcnow())
    except credentials.InvalidLink:
        return render_page("accounts/link_invalid.html", kind="confirm"), 400
    db.session.commit()
    if not now_confirmed:  # a link is not a password: once used it only says so
        flash(_("Your email address was already confirmed. Please log in."), "success")
        return redirect(url_for("accounts.login"), 303)
    start_session(user)
    flash(_("Thank you: your email address is confirmed."), "success")
    return redirect(url_for("credentials.overview"), 303)


@bp.post("/confirm/resend")
@login_required
@limiter.limit(configured("RATELIMIT_PASSWORD_RESET"), methods=["POST"])
def resend_confirmation():
    """Send the confirmation link again."""
    if not current_user.email_verified:
        credentials.send_confirmation(db.session, current_user, g.shopper.locale, utcnow())
        db.session.commit()
    flash(_("We sent the link again to %(email)s.", email=current_user.email), "success")
    return redirect(url_for("credentials.overview"), 303)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(configured("RATELIMIT_PASSWORD_RESET"), methods=["POST"])
def forgot_password():
    """Ask for a reset link; the answer is the same whether an account has this email or not."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        credentials.request_password_reset(db.session, form.email.data, g.shopper.locale, utcnow())
        db.session.commit()
        return redirect(url_for("credentials.check_email"), 303)
    return render_page("accounts/forgot_password.html", form=form), (400 if form.errors else 200)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password through an emailed link; every other session ends and this one logs in."""
    try:
        user = credentials.reset_target(db.session, token, utcnow())
    except credentials.InvalidLink:
        return render_page("accounts/link_invalid.html", kind="reset"), 400
    form = NewPasswordForm()
    form.email_for_rule, form.name_for_rule = user.email, user.name
    if form.validate_on_submit():
        user = credentials.reset_password(db.session, token, form.password.data, utcnow())
        db.session.commit()
        start_session(user)
        flash(_("Your password is changed, and you are logged in. Other devices were logged out."), "success")
        return redirect(url_for("credentials.overview"), 303)
    return render_page("accounts/reset_password.html", form=form), (400 if form.errors else 200)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change my password (the current one first); my other devices are logged out, this one stays."""
    form = ChangePasswordForm()
    form.email_for_rule, form.name_for_rule = current_user.email, current_user.name
    if form.validate_on_submit():
        try:
            credentials.change_password(db.session, current_user, form.current_password.data, form.password.data)
        except credentials.WrongPassword:
            form.current_password.errors.append(_("This is not your current password."))
        else:
            db.session.commit()
            start_session(current_user._get_current_object())
            flash(_("Your password is changed. Other devices were logged out."), "success")
            return redirect(url_for("credentials.overview"), 303)
    return render_page("accounts/change_password.html", form=form), (400 if form.errors else 200)
