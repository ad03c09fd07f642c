"""Prices as the shopper sees them: converted to their currency at the current rates, formatted for their locale."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask import Flask, g
from markupsafe import Markup

from ..core.money import Money, format_money
from .services import current_rates


@dataclass(frozen=True)
class DisplayPrice:
    """A price as the shopper sees it, with the seller's original when it was converted."""

    text: str
    original: str | None
    converted: bool

    def __str__(self) -> str:
        return self.text

    def __html__(self) -> str:
        """In a page, the price is isolated from the text around it (it may sit in right-to-left text)."""
        return Markup("<bdi>%s</bdi>") % self.text


def price_display(amount: Decimal | Money | None, currency: str | None = None) -> DisplayPrice | None:
    """Convert to the shopper's currency and format; a missing rate shows the original, never a guess."""
    if amount is None:
        return None
    money = amount if isinstance(amount, Money) else Money(Decimal(amount), currency or "USD")
    shopper = g.shopper
    converted = current_rates().convert(money, shopper.currency)
    original = format_money(money, shopper.format_locale)
    if converted is None:
        return DisplayPrice(original, None, False)
    if converted.currency == money.currency:
        return DisplayPrice(original, None, False)
    return DisplayPrice(format_money(converted, shopper.format_locale), original, True)


def init_display(app: Flask) -> None:
    """Give every template `price(...)` and the current `rates`."""

    @app.context_processor
    def price_globals() -> dict:
        if g.get("without_database"):  # an error page while the database fails: no rates, no footer line
            return {"price": price_display, "rates": None}
        return {"price": price_display, "rates": current_rates()}
