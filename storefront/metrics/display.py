"""Metrics at the edge: figures and labels formatted for a locale ("—" for no data), and chart data.

Shared by the dashboard pages and the text report, so both print the same figures.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..config import RTL_LOCALES
from ..core.display import method_label
from ..core.i18n import country_name, language_name
from . import charts
from .dashboard import BREAKDOWN_BY, Dashboard, Table, Tile
from .definitions import BY_ID, FUNNEL_STEP_NAMES, GROUP_NAMES

NO_DATA = "—"
DEVICE_NAMES = {"mobile": _l("Phone"), "tablet": _l("Tablet"), "desktop": _l("Computer")}
PAYMENT_METHOD_NAMES = {"bank_transfer": _l("Bank transfer"), "test": _l("Card (sandbox gateway)")}
FAILURE_NAMES = {
    "declined": _l("Declined"), "insufficient_funds": _l("Insufficient funds"),
    "authentication_failed": _l("Authentication failed"), "processing_error": _l("Processing error"),
    "provider_unavailable": _l("Provider unavailable"),
}
CHARTED_ROWS = 10


def format_value(value, kind: str, locale: str) -> str:
    """A figure of a metric kind (count, money, rate, days, stars) for display; None is "—"."""
    if value is None:
        return NO_DATA
    if kind == "money":
        return format_currency(Decimal(value), "USD", locale=locale)
    if kind == "rate":
        return format_percent(Decimal(value), "#,##0.0%", locale=locale)
    if kind in ("days", "stars"):
        return format_decimal(Decimal(value), "#,##0.0#", locale=locale)
    return format_decimal(value, locale=locale)


def format_change(value: Decimal | None, in_points: bool, locale: str) -> str:
    """A change versus the previous period: '+2.5 pts' for rates, '+12.0%' otherwise; "—" when unknown.

    In right-to-left languages the signed number is isolated left-to-right (Unicode LRI ... PDI), so
    the sign stays in front of it.
    """
    if value is None:
        return NO_DATA
    if in_points:
        number = format_decimal(value * 100, "+#,##0.0;-#,##0.0", locale=locale)
    else:
        number = format_percent(value, "+#,##0.0%;-#,##0.0%", locale=locale)
    if locale in RTL_LOCALES:
        number = f"\u2066{number}\u2069"
    return _("%(points)s pts", points=number) if in_points else number


def tile_value(tile: Tile, locale: str) -> str:
    """A tile's figure with its unit where the number alone would be unclear."""
    text = format_value(tile.value, tile.metric.kind, locale)
    if tile.value is not None and tile.metric.kind == "days":
        return _("%(days)s days", days=text)
    if tile.value is not None and tile.metric.kind == "stars":
        return _("%(stars)s / 5", stars=text)
    return text


def label(value, kind: str, locale: str) -> str:
    """A code (country, language, device, day...) as people read it in `locale`."""
    if value is None or value == "":
        return _("Unknown")
    if kind == "country":
        return country_name(value, locale)
    if kind == "locale":
        return language_name(value)
    if kind == "device":
        return str(DEVICE_NAMES.get(value, value))
    if kind == "day":
        return format_date(date.fromisoformat(value), "medium", locale=locale)
    if kind == "week":
        return _("Week of %(date)s", date=format_date(date.fromisoformat(value), "medium", locale=locale))
    if kind == "step":
        return str(FUNNEL_STEP_NAMES[value])
    if kind == "method":
        return method_label(value)
    if kind == "payment_method":
        return str(PAYMENT_METHOD_NAMES.get(value, value))
    if kind == "reason":
        return str(FAILURE_NAMES.get(value, value.replace("_", " ")))
    if kind == "metric":
        return str(BY_ID[value].name)
    if kind == "group":
        return str(GROUP_NAMES[value])
    return str(value)


NUMBER_KINDS = ("count", "money", "rate", "days", "stars")


def format_row(table: Table, row: tuple, locale: str) -> list[str]:
    """A table row's cells as text; summary rows take their metric's kind for value cells."""
    metric = BY_ID.get(row[0]) if table.id == "summary" else None
    out = []
    for column, value in zip(table.columns, row):
        if column.kind == "figure":
            out.append(format_value(value, metric.kind, locale))
        elif column.kind == "change":
            out.append(format_change(value, metric.in_points, locale))
        elif column.kind in NUMBER_KINDS:
            out.append(format_value(value, column.kind, locale))
        else:
            out.append(label(value, column.kind, locale))
    return out


def is_number(column) -> bool:
    """True for columns of figures (aligned to the end of the cell)."""
    return column.kind in NUMBER_KINDS or column.kind in ("figure", "change")


# --- charts -----------------------------------------------------------------------------------------

def _series_desc(table: Table, column: int, locale: str) -> str:
    values = [row[column] for row in table.rows]
    kind = table.columns[column].kind
    best = max(table.rows, key=lambda row: row[column] or 0) if table.rows else None
    total = sum((v or 0) for v in values)
    return _("%(count)s periods from %(first)s to %(last)s; total %(total)s; highest %(best)s on %(when)s. "
             "The table below lists every value.",
             count=len(values), first=label(table.rows[0][0], table.columns[0].kind, locale) if table.rows else "",
             last=label(table.rows[-1][0], table.columns[0].kind, locale) if table.rows else "",
             total=format_value(total, kind, locale), best=format_value(best[column] if best else None, kind, locale),
             when=label(best[0], table.columns[0].kind, locale) if best else "")


def _listing(bars: list[tuple[str, float | None, str]]) -> str:
    return "; ".join(f"{name}: {text}" for name, _value, text in bars) or NO_DATA


@dataclass(frozen=True)
class Chart:
    """A chart's visible caption and its SVG (which carries the same title and a text description)."""

    title: str
    svg: str


def dashboard_charts(board: Dashboard, locale: str, rtl: bool) -> dict[str, Chart]:
    """The dashboard's SVG charts by id, each with a title and a text description of its data."""
    out = {}
    series = board.tables["timeseries"]
    unit = BREAKDOWN_BY[board.unit]
    for column, chart_id in ((2, "chart-gmv"), (1, "chart-orders")):
        title = f"{series.columns[column].label}, {unit}"
        points = [(label(row[0], series.columns[0].kind, locale), float(row[column] or 0),
                   format_value(row[column], series.columns[column].kind, locale)) for row in series.rows]
        out[chart_id] = Chart(title, charts.column_chart(chart_id, title, _series_desc(series, column, locale), points))
    funnel = board.tables["funnel"]
    steps = [(label(row[0], "step", locale), float(row[1]), format_value(row[1], "count", locale)) for row in funnel.rows]
    out["chart-funnel"] = Chart(str(funnel.title), charts.funnel_chart("chart-funnel", str(funnel.title),
                                                                       _listing(steps), steps))
    for chart_id, table_id, value_column in (("chart-sellers", "sellers", 4),
                                             ("chart-delivery", "delivery_by_country", 2),
                                             ("chart-payments", "payments_by_method", 4)):
        table = board.tables[table_id]
        kind = table.columns[value_column].kind
        bars = [(label(row[0], table.columns[0].kind, locale),
                 None if row[value_column] is None else float(row[value_column]),
                 format_value(row[value_column], kind, locale)) for row in table.rows[:CHARTED_ROWS]]
        title = _("%(what)s: %(figure)s", what=str(table.title), figure=str(table.columns[value_column].label))
        out[chart_id] = Chart(title, charts.bar_chart(chart_id, title, _listing(bars), bars, rtl=rtl,
                                                      scale_max=1.0 if kind == "rate" else None))
    return out
