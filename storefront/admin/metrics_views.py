"""The platform's metrics dashboard (admins only): range and breakdown pickers, tiles, charts, tables, CSV."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask import Blueprint, Response, abort, g, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from ..core.clock import today
from ..core.htmx import render_page
from ..core.l10n import format_days
from ..extensions import db
from ..jobs.work import worker_status
from .access import admin_required
from ..metrics import display
from ..metrics.dashboard import BREAKDOWN_NAMES, build_dashboard, build_table
from ..metrics.definitions import GROUP_NAMES, GROUPS
from ..metrics.periods import BREAKDOWNS, DEFAULT_DAYS, EARLIEST, LATEST, MAX_DAYS, PRESETS, Period, range_problem

bp = Blueprint("metrics", __name__, url_prefix="/<lang:locale>/admin/metrics")

BODY = "metrics_body"  # the block, and the element id, that a range or breakdown change swaps
SECTION_CHARTS = {"north_star": ("chart-gmv", "chart-orders"), "buyers": ("chart-funnel",),
                  "sellers": ("chart-sellers",), "logistics": ("chart-delivery",), "payments": ("chart-payments",)}



@dataclass
class RangeChoice:
    """The range and breakdown asked for, as typed (to re-show them), and what was wrong with them."""

    start: str
    end: str
    breakdown: str
    period: Period | None = None
    errors: dict[str, str] = field(default_factory=dict)

    def args(self, **changes) -> dict[str, str]:
        """Query arguments for this choice with `changes` applied (empty ones left out)."""
        values = {"from": self.start, "to": self.end, "breakdown": self.breakdown} | changes
        return {key: value for key, value in values.items() if value}


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_range(args: MultiDict, now: date) -> RangeChoice:
    """Read ?from=YYYY-MM-DD&to=YYYY-MM-DD (to excluded) &breakdown=...; no dates means the last 30 days."""
    start, end = (args.get("from") or "").strip()[:10], (args.get("to") or "").strip()[:10]
    breakdown = (args.get("breakdown") or "").strip()
    choice = RangeChoice(start, end, breakdown)
    if breakdown and breakdown not in BREAKDOWNS:
        choice.errors["breakdown"] = _("Please choose a breakdown from the list.")
    if not start and not end:
        default = Period.last(DEFAULT_DAYS, now)
        choice.start, choice.end = default.start.isoformat(), default.end.isoformat()
    first, last = _day(choice.start), _day(choice.end)
    for name, text, day in (("from", choice.start, first), ("to", choice.end, last)):
        if not text:
            choice.errors[name] = _("Please choose a date, or one of the preset ranges.")
        elif day is None:
            choice.errors[name] = _("Please enter a date as YYYY-MM-DD.")
    if first and last and "from" not in choice.errors and "to" not in choice.errors:
        problem = range_problem(first, last)
        if problem == "order":
            choice.errors["to"] = _("The end date must be after the start date.")
        elif problem == "too_long":
            choice.errors["to"] = _("Please choose at most %(days)s days.", days=MAX_DAYS)
        elif problem == "bounds":
            choice.errors["from"] = _("Please choose dates between %(first)s and %(last)s.",
                                      first=EARLIEST.year, last=LATEST.year - 1)
        else:
            choice.period = Period(first, last)
    return choice


def _span(period: Period, locale: str) -> str:
    """'first day – last day' of a period, with CLDR's interval format ("Dec 1 – 7, 2026")."""
    return format_days(period.start, period.last_day, locale, "yMMMd")


def _presets(choice: RangeChoice, now: date) -> list[tuple[int, str, bool]]:
    """(days, URL, is current) for each preset range, keeping the breakdown."""
    out = []
    for days in PRESETS:
        period = Period.last(days, now)
        args = choice.args(**{"from": period.start.isoformat(), "to": period.end.isoformat()})
        out.append((days, url_for("metrics.dashboard", **args), period == choice.period))
    return out


@bp.get("")
@admin_required
def dashboard():
    """The dashboard, or only its body when HTMX changes the range or breakdown."""
    now = today()
    choice = parse_range(request.args, now)
    locale = g.shopper.locale
    board = charts = None
    if not choice.errors:
        board = build_dashboard(db.session, choice.period, choice.breakdown or None)
        charts = display.dashboard_charts(board, locale, g.shopper.direction == "rtl")
    response = render_page(
        "metrics/dashboard.html", blocks=(BODY,), choice=choice, board=board, charts=charts,
        presets=_presets(choice, now), breakdowns=[(key, BREAKDOWN_NAMES[key]) for key in BREAKDOWNS],
        groups=GROUPS, group_names=GROUP_NAMES, section_charts=SECTION_CHARTS, fmt=display, locale=locale,
        period_text=_span(board.period, locale) if board else "",
        previous_text=_span(board.previous, locale) if board else "",
        worker=worker_status(db.session),
    )
    if choice.errors:
        response.status_code = 400
    return response


def _csv_cell(value, kind: str) -> str:
    """A raw value for CSV: plain numbers, codes as stored, text guarded against spreadsheet formulas."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    text = str(value)
    if kind == "text" and text[:1] in ("=", "+", "-", "@"):
        return "'" + text
    return text


@bp.get("/<table_id>.csv")
@admin_required
def export(table_id: str):
    """One table of the dashboard as CSV, for the same range and breakdown (numbers unformatted)."""
    choice = parse_range(request.args, today())
    if choice.errors:
        abort(400)
    table = build_table(db.session, choice.period, choice.breakdown or None, table_id)
    if table is None:
        abort(404)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.id for column in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(value, column.kind) for column, value in zip(table.columns, row)])
    name = f"metrics-{table_id}-{choice.period.start.isoformat()}-{choice.period.end.isoformat()}.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
