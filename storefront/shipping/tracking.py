"""Parcel tracking: the CarrierAdapter protocol, the registry picking one, and the signed webhook format.

A carrier reports scans of a parcel (TrackingUpdate) in one of two ways: the storefront polls it
(`updates`, run by `flask orders tick`), or it pushes them to POST /tracking/webhook, signed
(`parse_webhook`). orders/tracking.py records what either brings, once.

A real carrier plugs in as one module: a class implementing CarrierAdapter (its API calls in
`updates`, its signature scheme in `parse_webhook`) registered in ADAPTERS under a name, selected
with TRACKING_PROVIDER=name. The default, "simulated" (shipping/simulated.py), tells every parcel
a realistic, deterministic story from its shipping lane's transit days, and accepts pushes in the
storefront's own signed webhook format (parse_signed_webhook, documented below), which any
adapter may reuse.

Pure: no Flask, no database.

Webhook format
--------------

``POST /tracking/webhook`` with the header
``Tracking-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">``, keyed with
TRACKING_WEBHOOK_SECRET (default: derived from SECRET_KEY), accepted when |now - t| is at most
TRACKING_WEBHOOK_TOLERANCE seconds (default 300). Several v1 entries may be sent while rolling a
secret; one must match. The body is JSON::

    {"carrier": "dhl",                       # one of shipping.carriers.CARRIERS
     "tracking_number": "JD0146000062",      # as the seller entered it; spaces and case do not matter
     "events": [                             # 1 to 100 scans, any order
       {"id": "evt-1",                       # the carrier's id for the scan, 1-64 characters
        "code": "arrived_destination",       # one of EVENT_CODES
        "at": "2026-12-10T08:15:00Z",        # ISO 8601 with a time zone
        "location": "Madrid",                # optional, up to 80 characters
        "country": "ES"}                     # optional ISO 3166 alpha-2 code
     ]}

Answers: 200 ``{"received": true, "recorded": <new scans>}`` (a replay records nothing and still
answers 200); 400 ``{"error": ...}`` for a bad signature, a stale timestamp or a malformed body
(nothing is written); 404 ``{"error": "unknown tracking number"}`` when no shipped order has that
carrier and tracking number. A ``delivered`` scan moves a shipped order to delivered and emails
the buyer.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol

from ..core.errors import DomainError, InvalidInput
from ..core.registry import Registry
from ..core.untrusted import load_json
from ..core.signing import SignatureError, derived_secret, sign, verify
from .carriers import normalize_tracking_number, valid_tracking_number

EVENT_CODES = ("accepted", "departed_origin", "customs", "arrived_destination", "out_for_delivery", "delivered",
               "exception")
# The steps a buyer sees progress through; customs counts as part of the way to the destination country,
# and an exception (a failed attempt, a held parcel) does not move the parcel on.
PROGRESS_STEPS = ("accepted", "departed_origin", "arrived_destination", "out_for_delivery", "delivered")
_STEP_OF = {code: i + 1 for i, code in enumerate(PROGRESS_STEPS)} | {"customs": 2}

SIGNATURE_HEADER = "Tracking-Signature"
DEFAULT_WEBHOOK_TOLERANCE = 300
MAX_EVENTS = 100
LOCATION_MAX = 80
EXTERNAL_ID_MAX = 64

_COUNTRY = re.compile(r"[A-Z]{2}")


class TrackingError(DomainError):
    """The carrier could not be reached or answered nonsense; try again on the next tick."""


class InvalidWebhookSignature(TrackingError):
    """A pushed request whose signature, timestamp or header does not verify: ignore it."""


class InvalidWebhookPayload(InvalidInput):
    """A verified push whose body is not a tracking update (bad JSON, unknown code, missing field)."""


@dataclass(frozen=True)
class TrackingUpdate:
    """One scan as a carrier reports it; external_id is the carrier's id for it (unique per parcel)."""

    code: str
    at: datetime
    location: str
    country: str
    external_id: str


@dataclass(frozen=True)
class Shipment:
    """What a carrier needs to know about a parcel: who carries it, from where to where, by which method."""

    carrier: str
    tracking_number: str
    shipped_at: datetime
    origin: str                               # ISO country the parcel left from
    destination: str                          # ISO country it goes to
    method: str = "standard"                  # economy / standard / express
    destination_city: str = ""                # the buyer's city, as they typed it
    delivery_earliest: datetime | None = None  # the window promised at checkout (a fallback for transit days)
    delivery_latest: datetime | None = None


@dataclass(frozen=True)
class TrackingPush:
    """Scans a carrier pushed for one parcel."""

    carrier: str
    tracking_number: str
    updates: tuple[TrackingUpdate, ...]


class CarrierAdapter(Protocol):
    """A carrier (or tracking aggregator) adapter."""

    name: str

    def updates(self, shipment: Shipment, now: datetime) -> list[TrackingUpdate]:
        """Every scan of this parcel up to `now`, oldest first (recording de-duplicates repeats).

        A carrier that only pushes returns [].

        :raises TrackingError: when the carrier cannot be reached or answers nonsense.
        """
        ...

    def parse_webhook(self, body: bytes, headers: Mapping[str, str], now: datetime) -> TrackingPush:
        """Verify a pushed request from its raw body and headers, then read its scans.

        :raises InvalidWebhookSignature: when the signature or timestamp does not verify.
        :raises InvalidWebhookPayload: when the verified body is not a tracking update.
        """
        ...


ADAPTERS: Registry[CarrierAdapter] = Registry("TRACKING_PROVIDER")
register = ADAPTERS.register


def create_adapter(name: str, config: Mapping) -> CarrierAdapter:
    """The configured carrier adapter.

    :raises RuntimeError: naming TRACKING_PROVIDER when the name is unknown.
    """
    from . import simulated  # noqa: F401  (the built-in carrier registers itself)

    return ADAPTERS.create(name, config)


def tracking_adapter() -> CarrierAdapter:
    """The running app's carrier adapter (created at start-up from TRACKING_PROVIDER)."""
    from flask import current_app

    return current_app.extensions["tracking_adapter"]


def progress(codes: list[str] | tuple[str, ...]) -> tuple[int, int]:
    """(step reached, steps in all) for a parcel with scans of these codes, e.g. (3, 5); (0, 5) before any."""
    return max((_STEP_OF.get(code, 0) for code in codes), default=0), len(PROGRESS_STEPS)


def as_utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive one (SQLite gives them back so) already is."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


# --- the signed webhook format -------------------------------------------------------------------

def webhook_secret(config: Mapping) -> bytes:
    """TRACKING_WEBHOOK_SECRET, or a key derived from SECRET_KEY with HMAC so it never equals it.

    :raises RuntimeError: when neither is set (a webhook nobody can sign must not start).
    """
    return derived_secret(config, "TRACKING_WEBHOOK_SECRET", "tracking webhook")


def webhook_tolerance(config: Mapping) -> int:
    """TRACKING_WEBHOOK_TOLERANCE in seconds.

    :raises RuntimeError: when it is not a positive whole number.
    """
    try:
        tolerance = int(config.get("TRACKING_WEBHOOK_TOLERANCE", DEFAULT_WEBHOOK_TOLERANCE))
    except (TypeError, ValueError):
        tolerance = -1
    if tolerance <= 0:
        raise RuntimeError("TRACKING_WEBHOOK_TOLERANCE must be a positive number of seconds")
    return tolerance


def sign_webhook(secret: str | bytes, body: bytes, ts: int) -> str:
    """The Tracking-Signature header value for a raw body sent at unix time ts: 't=<ts>,v1=<hex>'."""
    return sign(secret, body, ts)


def verify_webhook(secret: str | bytes, body: bytes, header: str | None, now: float, tolerance: int) -> int:
    """Check a Tracking-Signature header against the raw body; returns its timestamp (core/signing.verify).

    :raises InvalidWebhookSignature: on a missing or malformed header, no matching signature, or
        |now - t| > tolerance.
    """
    try:
        return verify(secret, body, header, now, tolerance, header_name=SIGNATURE_HEADER, what="tracking")
    except SignatureError as exc:
        raise InvalidWebhookSignature(str(exc)) from exc


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by name, case-insensitively, from Werkzeug headers or a plain dict."""
    value = headers.get(name)
    if value is not None:
        return value
    return next((v for k, v in headers.items() if k.lower() == name.lower()), None)


def parse_payload(body: bytes) -> TrackingPush:
    """Read a push's JSON body (see the module docstring).

    :raises InvalidWebhookPayload: naming the first thing wrong with it.
    """
    try:
        data = load_json(body)
    except json.JSONDecodeError:
        raise InvalidWebhookPayload("body is not JSON") from None
    except ValueError as exc:  # nested too deeply, a NUL character, or not UTF-8 (UnicodeDecodeError)
        raise InvalidWebhookPayload(f"body is not usable JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidWebhookPayload("body is not a JSON object")
    carrier, number, events = data.get("carrier"), data.get("tracking_number"), data.get("events")
    if not isinstance(carrier, str) or not carrier:
        raise InvalidWebhookPayload("carrier is missing")
    number = normalize_tracking_number(number) if isinstance(number, str) else ""
    if not valid_tracking_number(number):
        raise InvalidWebhookPayload("tracking_number is missing or malformed")
    if not isinstance(events, list) or not 1 <= len(events) <= MAX_EVENTS:
        raise InvalidWebhookPayload(f"events must be a list of 1 to {MAX_EVENTS} scans")
    return TrackingPush(carrier=carrier, tracking_number=number, updates=tuple(_event(e) for e in events))


def _event(event) -> TrackingUpdate:
    """One scan of a push body."""
    if not isinstance(event, dict):
        raise InvalidWebhookPayload("an event is not a JSON object")
    external_id, code, at = event.get("id"), event.get("code"), event.get("at")
    location, country = event.get("location") or "", event.get("country") or ""
    if not isinstance(external_id, str) or not 1 <= len(external_id) <= EXTERNAL_ID_MAX:
        raise InvalidWebhookPayload(f"event id must be 1 to {EXTERNAL_ID_MAX} characters")
    if code not in EVENT_CODES:
        raise InvalidWebhookPayload(f"unknown event code {code!r}")
    try:
        moment = datetime.fromisoformat(at) if isinstance(at, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InvalidWebhookPayload("event at must be an ISO 8601 time with a time zone")
    if not isinstance(location, str) or len(location) > LOCATION_MAX:
        raise InvalidWebhookPayload(f"event location must be text of at most {LOCATION_MAX} characters")
    if not isinstance(country, str) or (country and not _COUNTRY.fullmatch(country)):
        raise InvalidWebhookPayload("event country must be an ISO 3166 alpha-2 code")
    return TrackingUpdate(code=code, at=as_utc(moment), location=" ".join(location.split()), country=country,
                          external_id=external_id)


def parse_signed_webhook(body: bytes, headers: Mapping[str, str], *, secret: bytes, now: datetime,
                         tolerance: int) -> TrackingPush:
    """Verify and read a push in the storefront's own format: the signature first, then the body.

    :raises InvalidWebhookSignature: when the signature or timestamp does not verify.
    :raises InvalidWebhookPayload: when the verified body is not a tracking update.
    """
    verify_webhook(secret, body, _header(headers, SIGNATURE_HEADER), as_utc(now).timestamp(), tolerance)
    return parse_payload(body)
