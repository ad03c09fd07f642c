"""What a parcel costs the shopper, to their door: the one pricing path for an offer on the product page and
for a seller's package in the cart, checkout and order (items converted, shipping, import tax, totals).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..core.money import Money
from ..currency.services import Rates
from .services import ShippingQuote, convert_quote, quote
from .taxes import TaxEstimate, estimate_import_tax


@dataclass(frozen=True)
class ParcelItem:
    """One line of a parcel as its seller prices it: unit price in the seller's currency, quantity, and the
    offer's shipping facts (weight per unit, handling days, countries it ships free to)."""

    price: Money
    quantity: int
    weight_grams: int
    handling_days: int
    free_shipping: tuple[str, ...] = ()


@dataclass(frozen=True)
class PricedParcel:
    """A parcel priced in the shopper's currency for their country.

    `units` are the items' unit prices converted (None without a rate); `quotes` every method in US
    dollars and `methods` the same converted (cheapest first); `method` the chosen one (or the cheapest).
    `total` is what the shopper pays us (items + shipping + tax collected at checkout) and `landed` what the
    parcel costs to their door (plus the estimate of what customs charges on delivery, when known). Money
    fields are None when a rate is missing or no method reaches the destination: never a guess.
    """

    units: list[Money | None]
    quotes: list[ShippingQuote]
    methods: list[ShippingQuote]
    method: ShippingQuote | None
    items: Money | None
    tax: TaxEstimate | None
    total: Money | None
    landed: Money | None

    @property
    def complete(self) -> bool:
        """True when every price and every method could be converted to the shopper's currency."""
        return all(u is not None for u in self.units) and len(self.methods) == len(self.quotes)


def price_parcel(items: list[ParcelItem], *, origin: str, free_over: Decimal | None, country: str,
                 currency: str, rates: Rates, today: date, method: str | None = None) -> PricedParcel:
    """Price items shipped together from `origin` to `country`, in `currency`.

    Free shipping applies where every item ships free to the country, or once the items reach
    `free_over` (in the items' own currency; only when they share one). `method` picks a shipping method
    by name; the cheapest otherwise.
    """
    units = []
    for item in items:
        unit = rates.convert(item.price, currency)
        units.append(unit.quantize() if unit is not None else None)
    currencies = {item.price.currency for item in items}
    original_total = None
    if len(currencies) == 1:
        original_total = Money(sum((i.price.amount * i.quantity for i in items), Decimal(0)), currencies.pop())
    free_countries = sorted(set.intersection(*(set(i.free_shipping) for i in items))) if items else []
    quotes = quote(origin=origin, destination=country, weight_grams=sum(i.weight_grams * i.quantity for i in items),
                   handling_days=max((i.handling_days for i in items), default=0), today=today,
                   free_countries=free_countries,
                   free_over=Money(free_over, original_total.currency) if free_over and original_total else None,
                   items_total=original_total)
    methods = [m for m in (convert_quote(q, currency, rates) for q in quotes) if m is not None]
    chosen = next((m for m in methods if m.method == method), methods[0] if methods else None)
    parcel = PricedParcel(units, quotes, methods, chosen, None, None, None, None)
    if chosen is None or not parcel.complete:
        return parcel
    goods = Money.zero(currency)
    for unit, item in zip(units, items):
        goods += unit * item.quantity
    tax = estimate_import_tax(origin, country, goods, chosen.cost, rates)
    due = tax.due
    total = goods + chosen.cost + (due.at_checkout or Money.zero(currency))
    landed = total + (due.delivery_estimate or Money.zero(currency))
    return PricedParcel(units, quotes, methods, chosen, goods, tax, total, landed)
