"""What the account tests share: reading the mail outbox, following emailed links, copying cookies."""
from __future__ import annotations

import email
import re
from urllib.parse import urlsplit

from flask.testing import FlaskClient

from tests.outbox import outbox_mails


def mails(app, template: str) -> list[email.message.EmailMessage]:
    """The emails written to the mail outbox from `template`, oldest first (what the mail job sends)."""
    return outbox_mails(template)


def link_in(message: email.message.EmailMessage, marker: str) -> str:
    """The path (and query) of the first link in an email whose URL contains `marker`."""
    body = message.get_content()
    url = next(u for u in re.findall(r"https?://\S+", body) if marker in u)
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def copy_cookie(source: FlaskClient, target: FlaskClient, name: str) -> str:
    """Give `target` the exact cookie `source` holds (as someone who copied it from the browser would)."""
    cookie = source.get_cookie(name)
    assert cookie is not None, f"{name} cookie missing"
    target.set_cookie(name, cookie.value)
    return cookie.value
