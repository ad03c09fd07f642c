"""Import tax estimates per destination, from the rules in data/import_taxes.json."""
from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from ..core.money import Money
from ..currency.services import Rates

DATA = Path(__file__).parent / "data" / "import_taxes.json"
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class TaxEstimate:
    """What import taxes an order is likely to meet.

    `collected` is 'checkout' (included in what the shopper pays us), 'delivery' (customs or the
    courier charge it; `amount` is then only an indication, or None when unknown), or 'none'.
    """

    amount: Money | None
    collected: str
    rule_id: str | None
    rate: Decimal | None
    source: str

    @property
    def due(self) -> TaxDue:
        """The estimate as the shopper meets it: paid with the order, or charged on delivery."""
        currency = self.amount.currency if self.amount is not None else None
        if self.collected == "checkout" and self.amount is not None:
            return TaxDue(self.amount, False, None)
        if self.collected == "delivery":
            return TaxDue(None if currency is None else Money.zero(currency), True, self.amount)
        return TaxDue(None if currency is None else Money.zero(currency), False, None)


@dataclass(frozen=True)
class TaxDue:
    """Import taxes as the shopper meets them, for one package or several.

    `at_checkout` is included in what the shopper pays us (None only when an estimate had no amount
    and nothing is paid at checkout). `on_delivery` says customs or the courier may charge more on
    delivery; `delivery_estimate` is then how much, when every such package has an estimate. Every
    summary shows it through the one template macro (templates/components/tax.html), so "charged on
    delivery" is never shown as a zero.
    """

    at_checkout: Money | None
    on_delivery: bool
    delivery_estimate: Money | None

    @property
    def paid_now(self) -> bool:
        """True when some import tax is included in the total paid at checkout."""
        return self.at_checkout is not None and self.at_checkout.amount > 0


def combine_due(parts: list[TaxDue], currency: str) -> TaxDue:
    """Several packages' import taxes as one summary line (amounts in `currency`)."""
    at_checkout = Money.zero(currency)
    estimate: Money | None = Money.zero(currency)
    on_delivery = False
    for part in parts:
        if part.at_checkout is not None:
            at_checkout += part.at_checkout
        if part.on_delivery:
            on_delivery = True
            estimate = estimate + part.delivery_estimate if (
                estimate is not None and part.delivery_estimate is not None) else None
    return TaxDue(at_checkout, on_delivery, estimate if on_delivery else None)


@lru_cache(maxsize=1)
def tax_rules() -> dict:
    """The rules file, parsed once."""
    return json.loads(DATA.read_text())


def _members(destinations) -> set[str]:
    unions = tax_rules()["customs_unions"]
    if isinstance(destinations, str):
        return set(unions[destinations])
    return set(destinations)


def rule_for(destination: str) -> dict | None:
    """The rule that covers a destination country, if any."""
    for rule in tax_rules()["rules"]:
        if destination in _members(rule["destinations"]):
            return rule
    return None


def same_customs_territory(origin: str, destination: str) -> bool:
    """True when a parcel crosses no customs border (same country or both inside one union)."""
    if origin == destination:
        return True
    return any(origin in members and destination in members
               for members in map(set, tax_rules()["customs_unions"].values()))


def estimate_import_tax(origin: str, destination: str, goods: Money, shipping: Money, rates: Rates) -> TaxEstimate:
    """Estimate import taxes for goods (plus shipping) sent from origin to destination.

    Amounts are in the goods' currency. Thresholds compare the goods' value alone, converted to the
    rule's currency; when that rate is missing the estimate says so instead of guessing.
    """
    if same_customs_territory(origin, destination):
        return TaxEstimate(Money.zero(goods.currency), "none", None, None, "")
    rule = rule_for(destination)
    if rule is None:
        return TaxEstimate(None, "delivery", None, None, tax_rules()["default"]["source"])
    threshold = Money(Decimal(rule["threshold"]["amount"]), rule["threshold"]["currency"])
    value = rates.convert(goods, threshold.currency)
    if value is None:
        return TaxEstimate(None, "delivery", rule["id"], None, rule["source"])
    band = "at_or_below" if value.amount <= threshold.amount else "above"
    vat_rate = Decimal(rule["rates"][destination])
    base = goods + shipping
    if rule["kind"] == "vat":
        amount = base * (vat_rate / HUNDRED)
    else:  # duty, then VAT charged "por dentro" on value plus duty (Brazil's ICMS)
        duty_rate = Decimal(rule["duty"][band])
        duty = base * (duty_rate / HUNDRED)
        if band == "above":
            deduction = rates.convert(Money(Decimal(rule["duty"]["above_deduction"]["amount"]),
                                            rule["duty"]["above_deduction"]["currency"]), goods.currency)
            if deduction is not None:
                duty = Money(max(Decimal(0), duty.amount - deduction.amount), goods.currency)
        taxed = base + duty
        vat = Money(taxed.amount / (1 - vat_rate / HUNDRED) - taxed.amount, goods.currency)
        amount = duty + vat
    return TaxEstimate(amount.quantize(), rule["collected"][band], rule["id"], vat_rate, rule["source"])
