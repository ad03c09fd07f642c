"""My data: download it as JSON, or delete my account (with the reasons when that is not possible yet)."""
from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.credentials import WrongPassword
from ..accounts.web_session import end_session
from ..core.clock import utcnow
from ..core.htmx import render_page
from ..extensions import db
from . import services
from .forms import DeleteAccountForm

bp = Blueprint("privacy", __name__, url_prefix="/<lang:locale>/account/data")


def refusal_messages(reasons: list[tuple[str, str]]) -> list[str]:
    """Why the account cannot be deleted yet, one translated sentence per reason."""
    texts = {
        "open_order": lambda d: _("Order %(number)s is still open: it must be completed, cancelled or refunded "
                                  "first.", number=d),
        "open_dispute": lambda d: _("The dispute about order %(number)s is still open.", number=d),
        "store_owner": lambda d: _("You own the store %(name)s: please ask the shop's support to close or hand "
                                   "it over first.", name=d),
    }
    return [texts[code](detail) for code, detail in reasons]


def _page(form: DeleteAccountForm, status: int = 200):
    try:
        services.check_deletable(db.session, current_user)
        refusals: list[str] = []
    except services.CannotDelete as exc:
        refusals = refusal_messages(exc.reasons)
    return render_page("privacy/my_data.html", form=form, refusals=refusals), status


@bp.get("/")
@login_required
def my_data():
    """What we keep about me, the download, and account deletion."""
    return _page(DeleteAccountForm())


@bp.get("/export.json")
@login_required
def export():
    """Download everything about me as one JSON file."""
    now = utcnow()
    data = services.export_data(db.session, current_user, now)
    body = json.dumps(data, ensure_ascii=False, indent=1)
    name = f"storefront-my-data-{now.date().isoformat()}.json"
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/delete")
@login_required
def delete():
    """Delete my account: refused with the reasons while something of mine is open."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            services.delete_account(db.session, current_user._get_current_object(), form.password.data)
        except WrongPassword:
            form.password.errors.append(_("This is not your password."))
        except services.CannotDelete:
            db.session.rollback()
            return _page(form, 409)  # the page lists the reasons
        else:
            db.session.commit()
            end_session()
            flash(_("Your account has been deleted. Thank you for shopping with us."), "success")
            return redirect(url_for("catalog.home"), 303)
    return _page(form, 400)
