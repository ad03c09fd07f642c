"""The dashboard's figures as plain text, for `flask metrics report` (same numbers, same formatting)."""
from __future__ import annotations

from flask_babel import gettext as _

from . import display
from .dashboard import BREAKDOWN_NAMES, Dashboard, Table
from .definitions import GROUP_NAMES, GROUPS


def _columns(rows: list[list[str]], numeric: list[bool]) -> list[str]:
    """Rows of cells aligned in columns: text to the left, figures to the right."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = [cell.rjust(w) if numeric[i] else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))]
        out.append("  " + "  ".join(cells).rstrip())
    return out


def table_text(table: Table, locale: str) -> list[str]:
    """A table with a header line, every row included."""
    lines = [str(table.title)]
    if not table.rows:
        return lines + ["  " + _("No data for this period.") + " " + display.NO_DATA]
    header = [str(c.label) for c in table.columns]
    rows = [display.format_row(table, row, locale) for row in table.rows]
    return lines + _columns([header, *rows], [False] + [display.is_number(c) for c in table.columns[1:]])


def report_text(board: Dashboard, locale: str = "en") -> str:
    """The whole report: period, every section's figures with change and thresholds, then every table."""
    period, previous = board.period, board.previous
    lines = [_("Marketplace metrics %(first)s to %(last)s (%(days)s days), compared with %(pfirst)s to %(plast)s",
               first=period.start.isoformat(), last=period.last_day.isoformat(), days=period.days,
               pfirst=previous.start.isoformat(), plast=previous.last_day.isoformat())]
    if board.breakdown:
        lines.append(_("Breakdown: %(name)s", name=str(BREAKDOWN_NAMES[board.breakdown])))
    for group in GROUPS:
        lines += ["", str(GROUP_NAMES[group]).upper()]
        rows = []
        for tile in board.section(group):
            note = ""
            if tile.metric.threshold is not None:
                note = _("threshold %(value)s", value=display.format_value(tile.metric.threshold, tile.metric.kind,
                                                                             locale))
                if tile.crossed:
                    note += " " + _("CROSSED")
            rows.append([str(tile.metric.name), display.tile_value(tile, locale),
                         _("previous %(value)s", value=display.format_value(tile.previous, tile.metric.kind, locale)),
                         _("change %(value)s", value=display.format_change(tile.change, tile.metric.in_points, locale)),
                         note])
        lines += _columns(rows, [False, True, False, False, False])
        for table in board.section_tables(group):
            lines += [""] + table_text(table, locale)
    return "\n".join(lines) + "\n"
