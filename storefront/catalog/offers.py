"""Offers of one product as the shopper sees them: the landed cost to their door, from every seller."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ..core.money import Money
from ..currency.services import Rates
from ..sellers.models import Offer, Variant
from ..shipping.parcel import ParcelItem, price_parcel
from ..shipping.services import ShippingQuote
from ..shipping.taxes import TaxEstimate

OFFER_SORTS = ("landed", "fastest", "rating")
MAX_QUANTITY = 999


@dataclass
class OfferRow:
    """One seller's offer priced for the shopper: item, shipping, tax estimate and landed total."""

    offer: Offer
    variant: Variant
    quantity: int
    item: Money | None          # unit price in the shopper's currency; None when no rate
    original: Money             # unit price as the seller set it
    shipping: ShippingQuote | None
    methods: list[ShippingQuote]
    tax: TaxEstimate | None
    landed: Money | None
    badges: set[str] = field(default_factory=set)

    @property
    def ships(self) -> bool:
        """False when no method reaches the shopper's country."""
        return bool(self.methods)

    @property
    def option_args(self) -> dict[str, str]:
        """The variant's options as product-page query arguments (o_Color=Black...)."""
        return {f"o_{name}": value for name, value in self.variant.options.items()}

    @property
    def in_stock(self) -> bool:
        """True when the variant can be bought."""
        return self.variant.stock > 0


def option_names(variants: list[Variant]) -> list[str]:
    """Option names used by any variant, in first-seen order (Color, Size...)."""
    names: list[str] = []
    for v in variants:
        for name in v.options:
            if name not in names:
                names.append(name)
    return names


def option_values(variants: list[Variant]) -> dict[str, list[str]]:
    """For each option name, its values in first-seen order."""
    out: dict[str, list[str]] = {name: [] for name in option_names(variants)}
    for v in variants:
        for name, value in v.options.items():
            if value not in out[name]:
                out[name].append(value)
    return out


@dataclass(frozen=True)
class OptionChoice:
    """One value of one option on the product page's picker, across every seller's variants."""

    value: str
    checked: bool
    offered: bool       # some seller has it together with the options chosen before it
    sold_out: bool      # offered, but none of those variants is in stock


def option_picker(variants: list[Variant], selected: Mapping[str, str]) -> dict[str, list[OptionChoice]]:
    """The picker for every seller's `variants`: each option's values, the chosen ones checked.

    Options narrow in order (Color, then Size): a value is offered when some variant has it with the
    values chosen for the options before it, so any offered value is one tap away and leads to a
    combination that exists; the rest are shown disabled rather than snapping back after a choice.
    """
    names, values = option_names(variants), option_values(variants)
    picker: dict[str, list[OptionChoice]] = {}
    for i, name in enumerate(names):
        before = {n: selected[n] for n in names[:i] if n in selected}
        choices = []
        for value in values[name]:
            wanted = {**before, name: value}
            having = [v for v in variants if all(v.options.get(k) == val for k, val in wanted.items())]
            choices.append(OptionChoice(value=value, checked=selected.get(name) == value, offered=bool(having),
                                        sold_out=bool(having) and all(v.stock <= 0 for v in having)))
        picker[name] = choices
    return picker


def choose_options(variants: list[Variant], wanted: Mapping[str, str]) -> tuple[dict[str, str], bool]:
    """The existing option combination closest to `wanted`; returns (combination, known).

    Earlier options win (a new colour keeps the colour and finds a size that exists in it), then
    combinations in stock, then the order sellers listed them in. `known` is False when a wanted
    value exists nowhere (an old or edited link), which the page says; a later option adapting to
    an earlier choice is what the picker promised, and needs no notice.
    """
    names, values = option_names(variants), option_values(variants)
    wanted = {k: v for k, v in wanted.items() if v}
    known = all(k in values and v in values[k] for k, v in wanted.items())

    def closeness(v: Variant):
        prefix = 0
        for name in names:
            if name not in wanted or v.options.get(name) != wanted[name]:
                break
            prefix += 1
        return (prefix, sum(v.options.get(k) == val for k, val in wanted.items()), v.stock > 0)

    if not variants:
        return {}, known
    best = max(variants, key=closeness)  # max keeps the first of equals: the order sellers listed them
    return dict(best.options or {}), known


def offers_with(offers: list[Offer], combination: Mapping[str, str]) -> set[int]:
    """Ids of the offers that have a variant with exactly this option combination."""
    return {o.id for o in offers if any(dict(v.options or {}) == dict(combination) for v in o.variants)}


def pick_variant(variants: list[Variant], wanted: dict[str, str]) -> tuple[Variant, bool]:
    """The variant matching `wanted` options, else the closest one; returns (variant, exact).

    Closest means most options in common, then in stock, then cheapest, so an unknown choice
    lands on something buyable.
    """
    wanted = {k: v for k, v in wanted.items() if v}
    for v in variants:
        if wanted and all(v.options.get(k) == val for k, val in wanted.items()) and len(wanted) >= len(v.options):
            return v, True
    if not wanted:
        in_stock = [v for v in variants if v.stock > 0] or variants
        return min(in_stock, key=lambda v: v.price), True
    best = max(variants, key=lambda v: (sum(v.options.get(k) == val for k, val in wanted.items()),
                                        v.stock > 0, -v.price))
    return best, False


def clamp_quantity(raw: str | None, stock: int) -> tuple[int, bool]:
    """A buyable quantity from user input; returns (quantity, changed)."""
    try:
        wanted = int(raw) if raw not in (None, "") else 1
    except ValueError:
        return 1, True
    limit = max(1, min(stock, MAX_QUANTITY))
    quantity = min(max(1, wanted), limit)
    return quantity, quantity != wanted


def price_offer(offer: Offer, variant: Variant, quantity: int, *, country: str, currency: str, rates: Rates,
                today: date) -> OfferRow:
    """Price one offer for the shopper: converted item price, cheapest shipping, tax, landed total."""
    original = Money(variant.price, variant.currency)
    parcel = price_parcel([ParcelItem(original, quantity, offer.weight_grams, offer.handling_days,
                                      tuple(offer.free_shipping or []))],
                          origin=offer.ships_from, free_over=offer.free_shipping_over, country=country,
                          currency=currency, rates=rates, today=today)
    if not parcel.complete:
        return OfferRow(offer, variant, quantity, None, original, None, parcel.quotes, None, None)
    return OfferRow(offer, variant, quantity, parcel.units[0], original, parcel.method, parcel.methods, parcel.tax,
                    parcel.landed)


def compare_offers(offers: list[Offer], wanted: dict[str, str], quantity: int, *, country: str, currency: str,
                   rates: Rates, today: date, sort: str = "landed",
                   positive: Mapping[int, Decimal | None] | None = None) -> list[OfferRow]:
    """Every offer priced for the shopper, matched to the chosen options, sorted and badged.

    `positive` maps seller ids to their positive-feedback share (reviews), for the "rating" sort.
    """
    rows = []
    for offer in offers:
        if not offer.variants:
            continue
        variant, _exact = pick_variant(list(offer.variants), wanted)
        rows.append(price_offer(offer, variant, quantity, country=country, currency=currency, rates=rates,
                                today=today))
    buyable = [r for r in rows if r.landed is not None and r.in_stock]
    if buyable:
        min(buyable, key=lambda r: r.landed.amount).badges.add("best_price")
        min(buyable, key=lambda r: (r.shipping.latest, r.shipping.earliest)).badges.add("fastest")
    return sort_rows(rows, sort, positive)


def sort_rows(rows: list[OfferRow], sort: str, positive: Mapping[int, Decimal | None] | None = None) -> list[OfferRow]:
    """Sort rows; unbuyable ones (no rate, no shipping, sold out) always go last.

    "rating" puts the best positive-feedback share first, sellers without ratings after those with
    some, and the landed price decides ties.
    """
    far = date.max
    shares = positive or {}

    def by_rating(r: OfferRow):
        share = shares.get(r.offer.seller_id)
        return (share is None, -(share or 0))

    def unbuyable(r: OfferRow) -> bool:
        return r.landed is None or not r.in_stock

    def by_landed(r: OfferRow):
        return r.landed.amount if r.landed is not None else 0

    keys = {
        "landed": lambda r: (unbuyable(r), by_landed(r)),
        "fastest": lambda r: (unbuyable(r), r.shipping.latest if r.shipping else far, by_landed(r)),
        "rating": lambda r: (unbuyable(r), *by_rating(r), by_landed(r)),
    }
    return sorted(rows, key=keys.get(sort, keys["landed"]))
