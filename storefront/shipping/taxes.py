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
