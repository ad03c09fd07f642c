"""Everything the dashboard and the report show for one period and breakdown, as raw values:
headline figures with their previous-period values, the funnel, the time series and every table.

Formatting (locale, currency symbols, "—" for no data) happens at the edge: metrics/display.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from . import queries
from .definitions import (
    BY_ID, DELIVERY_FORMULA, FUNNEL_FORMULA, FUNNEL_STEP_NAMES, FUNNEL_STEPS, GROUP_NAMES, GROUPS, METRICS,
    PAYMENT_FORMULA, SECTIONS, SELLER_FORMULA, Metric,
)
from .periods import BREAKDOWNS, TIME_BREAKDOWNS, Period
from .stats import MONEY_PLACES, change, crossed, percentile, ratio, rounded, seconds_to_days, trend

SELLERS_SHOWN = 20


@dataclass(frozen=True)
class Column:
    """A table column: a stable id (CSV header), a translated label, and how its values are formatted
    (a metric kind, or a label kind such as country, locale, device, day, week, step)."""

    id: str
    label: Any
    kind: str


@dataclass
class Table:
    """A table of raw values (numbers unformatted, codes untranslated): rendered, charted, exported."""

    id: str
    title: Any
    columns: tuple[Column, ...]
    rows: list[tuple]
    formula: Any = None
    shown: int | None = None  # how many rows the page shows (the CSV has them all)

    @property
    def visible_rows(self) -> list[tuple]:
        """The rows the page shows."""
        return self.rows if self.shown is None else self.rows[:self.shown]


@dataclass(frozen=True)
class Tile:
    """A headline figure: the period's value, the previous period's, the change, and the threshold state."""

    metric: Metric
    value: Decimal | int | None
    previous: Decimal | int | None

    @property
    def change(self) -> Decimal | None:
        """Change versus the previous period (percentage points for rates, else relative)."""
        return change(self.value, self.previous, in_points=self.metric.in_points)

    @property
    def trend(self) -> str:
        """'good', 'bad' or 'flat'."""
        return trend(self.change, higher_is_better=self.metric.higher_is_better)

    @property
    def crossed(self) -> bool:
        """True when a guardrail is on the wrong side of its threshold."""
        return crossed(self.value, self.metric.threshold, lower_is_better=not self.metric.higher_is_better)


@dataclass
class Dashboard:
    """The figures of one period with one breakdown (or none)."""

    period: Period
    breakdown: str | None
    unit: str                                   # the time series' step: day or week
    tiles: dict[str, Tile]
    tables: dict[str, Table] = field(default_factory=dict)

    @property
    def previous(self) -> Period:
        """The period the changes are measured against."""
        return self.period.previous()

    def section(self, group: str) -> list[Tile]:
        """The tiles of a dashboard section."""
        return [self.tiles[metric_id] for metric_id in SECTIONS[group]]

    def section_tables(self, group: str) -> list[Table]:
        """The tables shown in a section, in order."""
        ids = SECTION_TABLES[group] + ((f"{group}_by",) if self.breakdown else ())
        if group == "buyers" and self.breakdown:
            ids += ("funnel_by",)
        return [self.tables[i] for i in ids if i in self.tables]


SECTION_TABLES: dict[str, tuple[str, ...]] = {
    "north_star": ("timeseries",),
    "buyers": ("funnel",),
    "sellers": ("sellers",),
    "logistics": ("delivery_by_country", "delivery_by_method"),
    "payments": ("payments_by_method", "payment_failures"),
    "guardrails": (),
}


def headline_tiles(session: Session, period: Period) -> tuple[dict[str, Tile], dict[str, queries.Parts]]:
    """Every metric for the period and the previous one (one pass per source over both), and the
    period's parts by source."""
    names = sorted({m.source for m in METRICS})
    both = Period(period.previous().start, period.end)
    split = {name: queries.SOURCES[name](session, both, queries.Split(period.bounds()[0])) for name in names}
    current = {name: split[name].get("current", {}) for name in names}
    before = {name: split[name].get("previous", {}) for name in names}
    return {m.id: Tile(m, m.value(current[m.source]), m.value(before[m.source])) for m in METRICS}, current


FIXED_TABLES = {
    "timeseries": lambda session, period, breakdown: series_table(session, period, period.series_unit(breakdown)),
    "sellers": lambda session, period, _breakdown: seller_table(session, period),
    "delivery_by_country": lambda session, period, _breakdown: delivery_table(session, period, "country"),
    "delivery_by_method": lambda session, period, _breakdown: delivery_table(session, period, "method"),
    "payments_by_method": lambda session, period, _breakdown: payment_table(session, period),
    "payment_failures": lambda session, period, _breakdown: failure_table(session, period),
}


def build_dashboard(session: Session, period: Period, breakdown: str | None = None) -> Dashboard:
    """Compute every figure and table for `period`, broken down by `breakdown` when given.

    :raises ValueError: an unknown breakdown.
    """
    check_breakdown(breakdown)
    tiles, current = headline_tiles(session, period)
    board = Dashboard(period, breakdown, period.series_unit(breakdown), tiles)
    board.tables["summary"] = summary_table(tiles)
    board.tables["funnel"] = funnel_table(current["funnel"])
    for table_id, build in FIXED_TABLES.items():
        board.tables[table_id] = build(session, period, breakdown)
    if breakdown:
        board.tables.update(breakdown_tables(session, period, breakdown, GROUPS, funnel=True))
    return board


def build_table(session: Session, period: Period, breakdown: str | None, table_id: str) -> Table | None:
    """One of the dashboard's tables, computing only what it needs (CSV export); None if there is no
    such table for this breakdown.

    :raises ValueError: an unknown breakdown.
    """
    check_breakdown(breakdown)
    if table_id == "summary":
        return summary_table(headline_tiles(session, period)[0])
    if table_id == "funnel":
        return funnel_table(queries.SOURCES["funnel"](session, period, None)[None])
    if table_id in FIXED_TABLES:
        return FIXED_TABLES[table_id](session, period, breakdown)
    group = table_id.removesuffix("_by")
    if breakdown and table_id.endswith("_by") and (group in GROUPS or group == "funnel"):
        groups = (group,) if group in GROUPS else ()
        return breakdown_tables(session, period, breakdown, groups, funnel=group == "funnel")[table_id]
    return None


def check_breakdown(breakdown: str | None) -> None:
    """:raises ValueError: an unknown breakdown."""
    if breakdown is not None and breakdown not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {breakdown!r}")


def breakdown_tables(session: Session, period: Period, breakdown: str, groups, *, funnel: bool) -> dict[str, Table]:
    """The sections' figures per bucket of the breakdown (and the funnel's steps per bucket)."""
    names = {BY_ID[i].source for group in groups for i in SECTIONS[group]} | ({"funnel"} if funnel else set())
    by = {name: queries.SOURCES[name](session, period, breakdown) for name in sorted(names)}
    tables = {}
    for group in groups:
        sources = {BY_ID[i].source for i in SECTIONS[group]}
        keys = bucket_keys(period, breakdown, [by[name] for name in sources])
        tables[f"{group}_by"] = breakdown_table(group, breakdown, keys, by)
    if funnel:
        tables["funnel_by"] = funnel_breakdown_table(breakdown, bucket_keys(period, breakdown, [by["funnel"]]),
                                                     by["funnel"])
    return tables


def bucket_keys(period: Period, breakdown: str, found: list[queries.Grouped]) -> list[str]:
    """The rows of a breakdown table: every day or week of the period, or every value its sources saw."""
    if breakdown in TIME_BREAKDOWNS:
        return period.buckets(breakdown)
    seen = {key for grouped in found for key in grouped}
    return sorted(seen, key=lambda key: (key == "", key))  # unknown ('') last


def summary_table(tiles: dict[str, Tile]) -> Table:
    """Every headline figure with its previous value and change."""
    rows = [(t.metric.id, t.metric.group, t.value, t.previous, t.change) for t in tiles.values()]
    return Table("summary", _l("All figures"), (
        Column("metric", _l("Metric"), "metric"), Column("group", _l("Group"), "group"),
        Column("value", _l("This period"), "figure"), Column("previous", _l("Previous period"), "figure"),
        Column("change", _l("Change vs previous period"), "change")), rows)


def funnel_steps(parts: dict) -> list[tuple]:
    """(step, visits, share of visits, lost from the previous step, share lost) for each funnel step."""
    counts = [int(parts.get(step) or 0) for step in FUNNEL_STEPS]
    rows, before = [], None
    for step, count in zip(FUNNEL_STEPS, counts):
        lost = None if before is None else before - count
        rows.append((step, count, ratio(count, counts[0]), lost, None if before is None else ratio(lost, before)))
        before = count
    return rows


def funnel_table(parts: dict) -> Table:
    """The conversion funnel with drop-off per step."""
    return Table("funnel", _l("Conversion funnel"), (
        Column("step", _l("Step"), "step"), Column("visits", _l("Visits"), "count"),
        Column("share_of_visits", _l("Share of visits"), "rate"), Column("drop_off", _l("Lost"), "count"),
        Column("drop_off_rate", _l("Drop-off"), "rate")), funnel_steps(parts), FUNNEL_FORMULA)


def series_table(session: Session, period: Period, unit: str) -> Table:
    """Paid orders and GMV per day or week."""
    rows = [(p["bucket"], int(p["orders"] or 0), rounded(p["gmv_usd"] or 0, MONEY_PLACES))
            for p in queries.time_series(session, period, unit)]
    title = _l("GMV and paid orders by day") if unit == "day" else _l("GMV and paid orders by week")
    return Table("timeseries", title, (
        Column("period", _l("Day") if unit == "day" else _l("Week"), unit),
        Column("paid_orders", BY_ID["paid_orders"].name, "count"), Column("gmv_usd", BY_ID["gmv_usd"].name, "money")),
        rows, BY_ID["gmv_usd"].formula)


def seller_table(session: Session, period: Period) -> Table:
    """Sellers by dispute rate, worst first (then most disputes, most orders, name)."""
    rows = []
    for r in queries.seller_rows(session, period):
        orders, disputes, cancelled = int(r["orders"]), int(r["disputes"]), int(r["cancelled"] or 0)
        rows.append((r["name"], r["handle"], orders, disputes, ratio(disputes, orders), cancelled,
                     ratio(cancelled, orders)))
    rows.sort(key=lambda row: (-(row[4] or 0), -row[3], -row[2], row[0].casefold(), row[1]))
    return Table("sellers", _l("Dispute rate per seller, worst first"), (
        Column("seller", _l("Seller"), "text"), Column("handle", _l("Store handle"), "text"),
        Column("paid_orders", BY_ID["paid_orders"].name, "count"), Column("disputes", _l("Disputes"), "count"),
        Column("dispute_rate", BY_ID["dispute_rate"].name, "rate"), Column("cancelled", _l("Cancelled"), "count"),
        Column("cancellation_rate", BY_ID["cancellation_rate"].name, "rate")), rows, SELLER_FORMULA,
        shown=SELLERS_SHOWN)


def delivery_table(session: Session, period: Period, dimension: str) -> Table:
    """Delivery times and lateness by destination country or shipping method, most deliveries first."""
    rows = [(r["key"], int(r["delivered"]), seconds_to_days(percentile(r["seconds"], 0.5)),
             seconds_to_days(percentile(r["seconds"], 0.9)), int(r["late"]), ratio(r["late"], r["promised"]))
            for r in queries.delivery_rows(session, period, dimension)]
    rows.sort(key=lambda row: (-row[1], row[0]))
    if dimension == "country":
        table_id, title, first = "delivery_by_country", _l("Delivery by destination country"), \
            Column("country", _l("Country"), "country")
    else:
        table_id, title, first = "delivery_by_method", _l("Delivery by shipping method"), \
            Column("method", _l("Shipping method"), "method")
    return Table(table_id, title, (
        first, Column("delivered", _l("Deliveries"), "count"), Column("median_days", _l("Median days"), "days"),
        Column("p90_days", _l("90th percentile days"), "days"), Column("late", _l("Late"), "count"),
        Column("late_rate", BY_ID["late_delivery_rate"].name, "rate")), rows, DELIVERY_FORMULA)


def payment_table(session: Session, period: Period) -> Table:
    """Payment attempts and success rate per method."""
    rows = [(r["method"], int(r["succeeded"] or 0) + int(r["failed"] or 0), int(r["succeeded"] or 0),
             int(r["failed"] or 0), ratio(r["succeeded"] or 0, int(r["succeeded"] or 0) + int(r["failed"] or 0)))
            for r in queries.payment_rows(session, period)]
    return Table("payments_by_method", _l("Payment success by method"), (
        Column("method", _l("Payment method"), "payment_method"), Column("attempts", _l("Attempts"), "count"),
        Column("succeeded", _l("Succeeded"), "count"), Column("failed", _l("Failed"), "count"),
        Column("success_rate", BY_ID["payment_success_rate"].name, "rate")), rows, PAYMENT_FORMULA)


def failure_table(session: Session, period: Period) -> Table:
    """Failed payment attempts by reason, with each reason's share of the failures."""
    found = queries.failure_rows(session, period)
    total = sum(int(r["failures"]) for r in found)
    rows = [(r["reason"], int(r["failures"]), ratio(r["failures"], total)) for r in found]
    return Table("payment_failures", _l("Payment failures by reason"), (
        Column("reason", _l("Reason"), "reason"), Column("failures", _l("Failures"), "count"),
        Column("share", _l("Share of failures"), "rate")), rows, PAYMENT_FORMULA)


def breakdown_table(group: str, breakdown: str, keys: list[str], by: dict[str, queries.Grouped]) -> Table:
    """A section's figures per bucket of the breakdown."""
    metrics = [BY_ID[i] for i in SECTIONS[group]]
    rows = [(key, *(m.value(by[m.source].get(key, {})) for m in metrics)) for key in keys]
    return Table(f"{group}_by", _l("%(section)s, %(by)s", section=GROUP_NAMES[group], by=BREAKDOWN_BY[breakdown]), (
        Column("bucket", BREAKDOWN_NAMES[breakdown], breakdown),
        *(Column(m.id, m.name, m.kind) for m in metrics)), rows)


def funnel_breakdown_table(breakdown: str, keys: list[str], by: queries.Grouped) -> Table:
    """Visits reaching each funnel step, and the conversion rate, per bucket."""
    rows = []
    for key in keys:
        parts = by.get(key, {})
        rows.append((key, *(int(parts.get(step) or 0) for step in FUNNEL_STEPS), BY_ID["conversion_rate"].value(parts)))
    return Table("funnel_by", _l("%(section)s, %(by)s", section=_l("Conversion funnel"), by=BREAKDOWN_BY[breakdown]), (
        Column("bucket", BREAKDOWN_NAMES[breakdown], breakdown),
        *(Column(step, FUNNEL_STEP_NAMES[step], "count") for step in FUNNEL_STEPS),
        Column("conversion_rate", BY_ID["conversion_rate"].name, "rate")), rows, FUNNEL_FORMULA)


BREAKDOWN_NAMES = {
    "day": _l("Day"), "week": _l("Week"), "country": _l("Country"), "locale": _l("Language"),
    "currency": _l("Currency"), "device": _l("Device"),
}
BREAKDOWN_BY = {
    "day": _l("by day"), "week": _l("by week"), "country": _l("by country"), "locale": _l("by language"),
    "currency": _l("by currency"), "device": _l("by device"),
}
