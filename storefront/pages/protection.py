"""What buyer protection promises, read from the rules the orders and disputes services enforce, so the
product page, cart, checkout and policy pages can never promise other numbers than the shop keeps."""
from __future__ import annotations

from dataclasses import dataclass

from ..orders import dispute_rules, protection


@dataclass(frozen=True)
class BuyerProtection:
    """The numbers of the promise: days after the latest delivery estimate, extension, dispute timings."""

    grace_days: int                 # protection ends this long after the latest delivery estimate
    extension_days: int             # what the buyer's one extension adds
    dispute_opens_after_days: int   # a "not received" dispute can be opened this long after shipment
    seller_response_days: int       # the seller's time to answer a dispute before the platform decides
    buyer_response_days: int        # the buyer's time to answer a seller's partial-refund offer
    default_transit_days: int       # the window's basis when no delivery estimate is known


def buyer_protection() -> BuyerProtection:
    """The buyer protection the shop enforces today (the orders' and disputes' own constants)."""
    return BuyerProtection(
        grace_days=protection.PROTECTION_GRACE_DAYS,
        extension_days=protection.EXTENSION_DAYS,
        dispute_opens_after_days=protection.DISPUTE_OPENS_AFTER_DAYS,
        seller_response_days=dispute_rules.SELLER_RESPONSE_DAYS,
        buyer_response_days=dispute_rules.BUYER_RESPONSE_DAYS,
        default_transit_days=protection.DEFAULT_TRANSIT_DAYS,
    )
