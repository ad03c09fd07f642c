"""The carriers a seller may ship with, and what a tracking number looks like."""
from __future__ import annotations

import re

# Code -> name as people know it. Names are brands: the same in every language.
CARRIERS: dict[str, str] = {
    "cainiao": "Cainiao",
    "china_post": "China Post",
    "yanwen": "Yanwen",
    "4px": "4PX",
    "dhl": "DHL",
    "ups": "UPS",
    "fedex": "FedEx",
    "usps": "USPS",
    "deutsche_post": "Deutsche Post",
}
TRACKING_NUMBER = re.compile(r"[A-Z0-9-]{6,40}")


def carrier_name(code: str) -> str:
    """A carrier's name; an unknown code is shown as it is."""
    return CARRIERS.get(code, code)


def normalize_tracking_number(text: str) -> str:
    """A tracking number as carriers print it: upper case, without the spaces people paste in."""
    return re.sub(r"\s+", "", text or "").upper()


def valid_tracking_number(text: str) -> bool:
    """True for 6 to 40 characters of A-Z, 0-9 and '-' (after normalizing)."""
    return TRACKING_NUMBER.fullmatch(text) is not None
