"""Every success metric, defined once: name, formula (shown in the dashboard), stakeholder group,
which direction is better, guardrail threshold, and how its value is made from a source's parts.

Which orders count, once for all metrics: an order counts as sold when it is paid (its `paid_at`), in the
period that contains that moment. GMV is gross: order totals (items + shipping + tax) converted to US
dollars at the rate recorded on the checkout when it was placed, with nothing taken off for later
refunds, which the refund rate measures instead. Rates over paid orders (refunds, cancellations,
disputes) follow the orders paid in the period, whenever the refund or dispute happened.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l

from .stats import FIGURE_PLACES, MONEY_PLACES, percentile, ratio, rounded, seconds_to_days

GROUPS = ("north_star", "buyers", "sellers", "logistics", "payments", "guardrails")
GROUP_NAMES = {
    "north_star": _l("North star"), "buyers": _l("Buyers"), "sellers": _l("Sellers"),
    "logistics": _l("Logistics"), "payments": _l("Payments"), "guardrails": _l("Guardrails"),
}
KINDS = ("count", "money", "rate", "days", "stars")


@dataclass(frozen=True)
class Metric:
    """One success metric. `value` turns a source's parts (see queries.SOURCES) into the figure."""

    id: str
    name: Any            # lazy translated string
    formula: Any         # lazy translated string, shown under the figure
    group: str
    source: str
    value: Callable[[dict], Decimal | int | None]
    kind: str = "count"  # how it is formatted: count, money (USD), rate (0..1), days, stars
    higher_is_better: bool = True
    threshold: Decimal | None = None

    @property
    def in_points(self) -> bool:
        """Rates change in percentage points; other figures in per cent of the previous value."""
        return self.kind == "rate"


def _count(name: str) -> Callable[[dict], int]:
    return lambda parts: int(parts.get(name) or 0)


def _share(part: str, whole: str) -> Callable[[dict], Decimal | None]:
    return lambda parts: ratio(parts.get(part) or 0, parts.get(whole) or 0)


def _days(q: float) -> Callable[[dict], Decimal | None]:
    return lambda parts: seconds_to_days(percentile(parts.get("seconds") or [], q))


def _gmv(parts: dict) -> Decimal:
    return rounded(parts.get("gmv_usd") or 0, MONEY_PLACES)


def _aov(parts: dict) -> Decimal | None:
    return ratio(parts.get("gmv_usd") or 0, parts.get("priced") or 0, MONEY_PLACES)


def _average_rating(parts: dict) -> Decimal | None:
    return ratio(parts.get("rating_sum") or 0, parts.get("reviews") or 0, FIGURE_PLACES)


def _payment_share(status: str) -> Callable[[dict], Decimal | None]:
    return lambda parts: ratio(parts.get(status) or 0, (parts.get("succeeded") or 0) + (parts.get("failed") or 0))


def _conversion(parts: dict) -> Decimal | None:
    return ratio(parts.get("paid") or 0, parts.get("sessions") or 0)


METRICS: tuple[Metric, ...] = (
    # North star
    Metric("gmv_usd", _l("GMV (USD)"), _l(
        "Sum of the totals (items, shipping and tax) of the orders paid in the period, each converted to "
        "US dollars at the rate recorded when it was placed. Gross: later refunds are not subtracted."),
        "north_star", "paid_orders", _gmv, kind="money"),
    Metric("completed_orders", _l("Completed orders"), _l(
        "Orders completed in the period: receipt confirmed by the buyer or confirmed automatically when the "
        "buyer-protection window ended."),
        "north_star", "completed_orders", _count("completed")),
    Metric("paid_orders", _l("Paid orders"), _l(
        "Orders (one per seller in a checkout) whose payment succeeded in the period."),
        "north_star", "paid_orders", _count("orders")),
    # Buyers
    Metric("sessions", _l("Visits"), _l(
        "Anonymous browsing sessions started in the period (bots excluded)."),
        "buyers", "funnel", _count("sessions")),
    Metric("conversion_rate", _l("Conversion rate"), _l(
        "Visits started in the period that went through every funnel step and placed a checkout that has "
        "been paid, divided by the visits started in the period."),
        "buyers", "funnel", _conversion, kind="rate"),
    Metric("aov_usd", _l("Average order value (USD)"), _l(
        "GMV divided by the number of orders paid in the period (orders with a recorded rate)."),
        "buyers", "paid_orders", _aov, kind="money"),
    Metric("repeat_purchase_rate", _l("Repeat-purchase rate"), _l(
        "Buyers (an account, or a guest's e-mail address) with an order paid in the period who had already "
        "paid for an earlier checkout, divided by all buyers with an order paid in the period."),
        "buyers", "buyers", _share("repeat_buyers", "buyers"), kind="rate"),
    Metric("search_zero_result_rate", _l("Searches with no results"), _l(
        "Searches in the period (each results page shown for a typed query) that found nothing, divided by "
        "all searches in the period."),
        "buyers", "searches", _share("zero_results", "searches"), kind="rate", higher_is_better=False),
    Metric("search_click_rate", _l("Search-to-click rate"), _l(
        "Searches clicked through to a product in the period (distinct searches with at least one click), "
        "divided by the searches in the period that found something."),
        "buyers", "searches", _share("clicked", "with_results"), kind="rate"),
    Metric("average_rating", _l("Average review rating"), _l(
        "Mean of the product stars (1 to 5) of the reviews written in the period."),
        "buyers", "reviews", _average_rating, kind="stars"),
    # Sellers
    Metric("active_sellers", _l("Active sellers"), _l(
        "Sellers with at least one order paid in the period."),
        "sellers", "paid_orders", _count("sellers")),
    Metric("on_time_handling_rate", _l("On-time handling"), _l(
        "Orders whose handling deadline fell in the period and that were shipped by it, divided by the orders "
        "whose deadline fell in the period and that were shipped or cancelled for missing it."),
        "sellers", "handling", _share("on_time", "due"), kind="rate"),
    Metric("cancellation_rate", _l("Cancellation rate"), _l(
        "Orders paid in the period that were then cancelled (by the seller, or for missing the handling "
        "deadline), divided by the orders paid in the period."),
        "sellers", "paid_orders", _share("cancelled", "orders"), kind="rate", higher_is_better=False),
    Metric("positive_feedback_rate", _l("Positive feedback"), _l(
        "Reviews written in the period with 4 or 5 stars, divided by all reviews written in the period."),
        "sellers", "reviews", _share("positive", "reviews"), kind="rate"),
    # Logistics
    Metric("delivered_orders", _l("Deliveries"), _l(
        "Orders delivered in the period (the carrier's delivery scan)."),
        "logistics", "deliveries", _count("delivered")),
    Metric("delivery_days_median", _l("Delivery time, median"), _l(
        "Median time from shipping to delivery of the orders delivered in the period, in days."),
        "logistics", "deliveries", _days(0.5), kind="days", higher_is_better=False),
    Metric("delivery_days_p90", _l("Delivery time, 90th percentile"), _l(
        "Time from shipping to delivery within which 90 percent of the orders delivered in the period arrived, in "
        "days (linear interpolation between the closest deliveries)."),
        "logistics", "deliveries", _days(0.9), kind="days", higher_is_better=False),
    # Payments
    Metric("payment_success_rate", _l("Payment success rate"), _l(
        "Payment attempts started in the period that succeeded, divided by those that succeeded or failed "
        "(abandoned attempts, still pending, are left out)."),
        "payments", "payments", _payment_share("succeeded"), kind="rate"),
    # Guardrails
    Metric("refund_rate", _l("Refund rate"), _l(
        "Orders paid in the period with money returned to the buyer (a full or partial refund, a cancellation "
        "included), divided by the orders paid in the period."),
        "guardrails", "paid_orders", _share("refunded", "orders"), kind="rate", higher_is_better=False,
        threshold=Decimal("0.05")),
    Metric("dispute_rate", _l("Dispute rate"), _l(
        "Orders paid in the period on which the buyer opened a dispute, divided by the orders paid in the "
        "period."),
        "guardrails", "paid_orders", _share("disputed", "orders"), kind="rate", higher_is_better=False,
        threshold=Decimal("0.02")),
    Metric("late_delivery_rate", _l("Late-delivery rate"), _l(
        "Orders delivered in the period on a day after the last day of the delivery range promised at "
        "checkout, divided by the orders delivered in the period that had a promised range."),
        "guardrails", "deliveries", _share("late", "promised"), kind="rate", higher_is_better=False,
        threshold=Decimal("0.10")),
    Metric("payment_failure_rate", _l("Payment failure rate"), _l(
        "Payment attempts started in the period that failed, divided by those that succeeded or failed."),
        "guardrails", "payments", _payment_share("failed"), kind="rate", higher_is_better=False,
        threshold=Decimal("0.15")),
)
BY_ID: dict[str, Metric] = {m.id: m for m in METRICS}

# What each dashboard section shows: its own group's metrics, and others' that belong in the picture.
SECTIONS: dict[str, tuple[str, ...]] = {
    "north_star": ("gmv_usd", "completed_orders", "paid_orders"),
    "buyers": ("sessions", "conversion_rate", "aov_usd", "repeat_purchase_rate", "search_zero_result_rate",
               "search_click_rate", "average_rating", "dispute_rate"),
    "sellers": ("active_sellers", "on_time_handling_rate", "cancellation_rate", "positive_feedback_rate"),
    "logistics": ("delivered_orders", "delivery_days_median", "delivery_days_p90", "late_delivery_rate"),
    "payments": ("payment_success_rate", "payment_failure_rate"),
    "guardrails": ("refund_rate", "dispute_rate", "late_delivery_rate", "payment_failure_rate"),
}

FUNNEL_STEPS = ("sessions", "browsed", "carted", "checked_out", "paid")
FUNNEL_STEP_NAMES = {
    "sessions": _l("Visit"), "browsed": _l("Searched or viewed a product"), "carted": _l("Added to cart"),
    "checked_out": _l("Started checkout"), "paid": _l("Paid"),
}
FUNNEL_FORMULA = _l(
    "Visits started in the period (session_start) and, among them, those that searched or viewed a product, "
    "then added to the cart, started checkout and placed a checkout that has been paid, each step counting "
    "only visits that reached every earlier one; drop-off is the share lost from the step before. A visit "
    "counts in the period it started in, with its steps up to the end of the range shown.")
SELLER_FORMULA = _l(
    "Per seller with orders paid in the period: disputes opened on those orders divided by them, worst "
    "first; cancellations likewise.")
DELIVERY_FORMULA = _l(
    "Orders delivered in the period, by the checkout's destination country or by shipping method: median "
    "and 90th-percentile days from shipping to delivery, and the share delivered after the promised range.")
PAYMENT_FORMULA = _l(
    "Payment attempts started in the period by method (bank transfer, or the card gateway) and failed "
    "attempts by the reason the provider gave.")
