"""Template filters for regional dates and bidi isolation. Each isolates its output: a `<bdi>` in pages
(autoescaped templates), Unicode isolates in plain-text emails written right to left."""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from flask_babel import get_locale, to_user_timezone
from jinja2 import pass_eval_context
from markupsafe import Markup

from .l10n import bdi, format_day, format_days, isolate_text, list_join


def current_format_locale() -> str:
    """The locale Flask-Babel formats with now: the shopper's regional one, or an email's."""
    return str(get_locale() or "en")


def isolated(eval_ctx, value) -> Markup | str:
    """`value` isolated for the template being rendered: `<bdi>` in HTML, FSI…PDI in right-to-left text."""
    if value is None or value == "":
        return ""
    if eval_ctx.autoescape:
        return bdi(value)
    return isolate_text(str(value), current_format_locale())


def _day_of(value: date | datetime, rebase: bool) -> date:
    """The calendar day a stored moment falls on for the shopper (their zone), or the date itself."""
    if isinstance(value, datetime):
        return (to_user_timezone(value) if rebase else value).date()
    return value


@pass_eval_context
def bdi_filter(eval_ctx, value):
    """Jinja `bdi`: an order number, tracking number, code or name isolated from the text around it."""
    return isolated(eval_ctx, value)


@pass_eval_context
def day_filter(eval_ctx, value, skeleton: str = "yMMMd", rebase: bool = True):
    """Jinja `day`: a day from a CLDR skeleton in the shopper's regional locale ("7 dic 2026"), isolated.
    `rebase=False` for moments stored as a plain calendar day (delivery estimates)."""
    if value is None:
        return ""
    return isolated(eval_ctx, format_day(_day_of(value, rebase), current_format_locale(), skeleton))


@pass_eval_context
def days_filter(eval_ctx, start, end, skeleton: str = "MMMd", rebase: bool = True):
    """Jinja `days`: a range of days with CLDR's interval format ("Dec 11 – 14", "12月11日至14日"), isolated."""
    if start is None or end is None:
        return ""
    text = format_days(_day_of(start, rebase), _day_of(end, rebase), current_format_locale(), skeleton)
    return isolated(eval_ctx, text)


def list_join_filter(values) -> str:
    """Jinja `list_join`: values joined with the current locale's list separator ("a, b"; "a، b"; "a、b")."""
    return list_join([str(v) for v in values], current_format_locale())


def init_template_formats(app: Flask) -> None:
    """Register the filters on the app's Jinja environment."""
    app.add_template_filter(list_join_filter, "list_join")
    app.add_template_filter(bdi_filter, "bdi")
    app.add_template_filter(day_filter, "day")
    app.add_template_filter(days_filter, "days")
