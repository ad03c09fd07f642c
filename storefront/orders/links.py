"""Signed links in emails that open a checkout (its orders, and paying them) in any browser, until they expire.

A guest's orders open only in the browser that placed them; a link from the order emails carries a signed,
expiring token naming the checkout, and the browser that opens it gets that checkout's access.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, url_for

from ..core.signing import SignatureError, derived_secret, link_token, read_link_token

PURPOSE = "checkout link"
LINK_VALID_FOR = timedelta(days=30)


class InvalidLink(SignatureError):
    """A link token that was tampered with, or has expired."""


def _secret() -> bytes:
    return derived_secret(current_app.config, "ORDER_LINK_SECRET", PURPOSE)


def checkout_token(reference: str, now: datetime) -> str:
    """A token granting access to checkout `reference` until LINK_VALID_FOR after `now`."""
    return link_token(_secret(), PURPOSE, reference, now + LINK_VALID_FOR)


def checkout_link(reference: str, locale: str, now: datetime) -> str:
    """The absolute URL an email gives for a checkout: it opens its page (orders, and Pay now) anywhere."""
    return url_for("checkout.open_link", locale=locale, token=checkout_token(reference, now), _external=True)


def reference_from(token: str, now: datetime) -> str:
    """The checkout reference a token grants.

    :raises InvalidLink: tampered with, or expired.
    """
    try:
        return read_link_token(_secret(), PURPOSE, token, now)
    except SignatureError as exc:
        raise InvalidLink(str(exc)) from None
