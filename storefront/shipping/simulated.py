"""The built-in carrier, TRACKING_PROVIDER="simulated": every parcel tells a realistic story over time.

The story is deterministic (seeded from the tracking number) and follows the shipping method's
transit days on the parcel's lane, so tests and demos can move the clock and know what happens.
Pure: no Flask, no database.
"""
from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from datetime import datetime, time, timedelta, timezone

from .services import rate_table
from .tracking import (
    EVENT_CODES,
    EXTERNAL_ID_MAX,
    LOCATION_MAX,
    Shipment,
    TrackingPush,
    TrackingUpdate,
    as_utc,
    parse_signed_webhook,
    register,
    webhook_secret,
    webhook_tolerance,
)
from .zones import distance_class

DEFAULT_TRANSIT = (7, 20)  # when neither the rate table nor the order knows the lane

# Sorting hubs by country, so scans name plausible places; other countries show only their name.
HUBS: dict[str, tuple[str, ...]] = {
    "CN": ("Shenzhen", "Guangzhou", "Yiwu", "Shanghai", "Dongguan"), "HK": ("Hong Kong",),
    "TW": ("Taoyuan",), "JP": ("Tokyo", "Osaka"), "KR": ("Incheon",), "IN": ("Mumbai", "New Delhi"),
    "ID": ("Jakarta",), "SG": ("Singapore",), "TR": ("Istanbul",), "AE": ("Dubai",), "SA": ("Riyadh", "Jeddah"),
    "EG": ("Cairo",), "MA": ("Casablanca",), "DE": ("Leipzig", "Frankfurt"), "GB": ("London", "Coventry"),
    "FR": ("Paris", "Roissy"), "ES": ("Madrid", "Barcelona"), "IT": ("Milan", "Rome"), "NL": ("Amsterdam",),
    "BE": ("Liège",), "PL": ("Warsaw",), "SE": ("Stockholm",), "UA": ("Kyiv",), "RU": ("Moscow",),
    "US": ("Los Angeles", "Chicago", "New York"), "CA": ("Toronto", "Vancouver"), "MX": ("Mexico City",),
    "BR": ("São Paulo", "Curitiba"), "AR": ("Buenos Aires",), "CL": ("Santiago",), "CO": ("Bogotá",),
    "AU": ("Sydney", "Melbourne"), "NZ": ("Auckland",),
}


def lane_transit(shipment: Shipment) -> tuple[int, int]:
    """(min, max) calendar days in transit for the shipment's method on its lane.

    From the rate table; else from the delivery window promised at checkout, counted from the
    shipping day; else DEFAULT_TRANSIT.
    """
    row = rate_table()["methods"].get(shipment.method, {}).get(distance_class(shipment.origin,
                                                                              shipment.destination))
    if row is not None:
        low, high = int(row["transit"][0]), int(row["transit"][1])
    elif shipment.delivery_earliest is not None and shipment.delivery_latest is not None:
        shipped = as_utc(shipment.shipped_at).date()
        low = (as_utc(shipment.delivery_earliest).date() - shipped).days
        high = (as_utc(shipment.delivery_latest).date() - shipped).days
    else:
        low, high = DEFAULT_TRANSIT
    low = max(low, 1)
    return low, max(high, low)


def _rng(tracking_number: str) -> random.Random:
    """A random source seeded from the tracking number, so a parcel always tells the same story."""
    return random.Random(int.from_bytes(hashlib.sha256(tracking_number.encode()).digest()[:8], "big"))


def _minutes(delta: timedelta) -> timedelta:
    """`delta` cut to whole minutes (scans are stamped to the minute)."""
    return timedelta(minutes=int(delta.total_seconds() // 60))


def simulated_schedule(shipment: Shipment) -> list[TrackingUpdate]:
    """The whole story of a parcel, oldest first: the same for the same tracking number and lane.

    Accepted a few hours after shipping, departed the origin country about a day later, through
    customs (international lanes only) around mid-transit, arrived at the destination hub, out for
    delivery the morning of the delivery day and delivered that afternoon, between the lane's
    minimum and maximum transit days after shipping.
    """
    rng = _rng(shipment.tracking_number)
    low, high = lane_transit(shipment)
    shipped = as_utc(shipment.shipped_at)
    domestic = shipment.origin == shipment.destination

    # Delivered in the afternoon of a day within the transit range (the next day when that afternoon comes
    # too early), and never outside [low, high] days after shipping.
    days, afternoon = rng.randint(low, high), time(rng.randint(12, 17), rng.randint(0, 59))
    for day in (days, days + 1):
        wanted = _minutes(datetime.combine(shipped.date() + timedelta(days=day), afternoon, timezone.utc) - shipped)
        if wanted >= timedelta(days=low):
            break
    delivered_after = min(max(wanted, timedelta(days=low)), timedelta(days=high))
    span = delivered_after

    offsets = {
        "accepted": min(timedelta(hours=rng.uniform(2, 6)), span * 0.1),
        "departed_origin": min(timedelta(hours=rng.uniform(20, 30)), span * 0.25),
        "customs": span * rng.uniform(0.45, 0.55),
        "arrived_destination": span * rng.uniform(0.62, 0.75),
        "delivered": delivered_after,
    }
    # Out for delivery that morning, unless the morning is before arrival or too close to delivery.
    morning = datetime.combine((shipped + delivered_after).date(), time(rng.randint(7, 9), rng.randint(0, 59)),
                               timezone.utc) - shipped
    arrived = offsets["arrived_destination"]
    offsets["out_for_delivery"] = (morning if arrived < morning <= delivered_after - timedelta(hours=1)
                                   else arrived + (delivered_after - arrived) * 0.8)

    origin_hub = _hub(rng, shipment.origin)
    destination_hub = _hub(rng, shipment.destination)
    local = " ".join(shipment.destination_city.split())[:LOCATION_MAX] or destination_hub
    places = {
        "accepted": (origin_hub, shipment.origin),
        "departed_origin": (origin_hub, shipment.origin),
        "customs": (destination_hub, shipment.destination),
        "arrived_destination": (local if domestic else destination_hub, shipment.destination),
        "out_for_delivery": (local, shipment.destination),
        "delivered": (local, shipment.destination),
    }
    codes = [c for c in EVENT_CODES if c in offsets and not (domestic and c == "customs")]
    return [TrackingUpdate(code=code, at=shipped + _minutes(offsets[code]), location=places[code][0],
                           country=places[code][1],
                           external_id=f"sim-{shipment.tracking_number}-{code}"[:EXTERNAL_ID_MAX])
            for code in codes]


def _hub(rng: random.Random, country: str) -> str:
    """A plausible sorting hub in `country`, or '' when we know none (the country's name says enough)."""
    hubs = HUBS.get(country, ())
    return rng.choice(hubs) if hubs else ""


@register("simulated")
class SimulatedCarrier:
    """The built-in carrier: every parcel's scans come from simulated_schedule as time passes; pushes in
    the storefront's signed format are accepted too (TRACKING_WEBHOOK_SECRET, TRACKING_WEBHOOK_TOLERANCE)."""

    name = "simulated"

    def __init__(self, config: Mapping) -> None:
        self.secret = webhook_secret(config)
        self.tolerance = webhook_tolerance(config)

    def updates(self, shipment: Shipment, now: datetime) -> list[TrackingUpdate]:
        """The parcel's scans stamped at or before `now`."""
        now = as_utc(now)
        return [update for update in simulated_schedule(shipment) if update.at <= now]

    def parse_webhook(self, body: bytes, headers: Mapping[str, str], now: datetime) -> TrackingPush:
        """A push in the storefront's signed format (see shipping/tracking.py)."""
        return parse_signed_webhook(body, headers, secret=self.secret, now=now, tolerance=self.tolerance)
