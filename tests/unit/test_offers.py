"""Offer rules without a database: variant matching, quantities, landed totals, sorting and badges."""
from datetime import date
from decimal import Decimal

from storefront.catalog.offers import clamp_quantity, compare_offers, option_values, pick_variant, price_offer
from storefront.currency.services import Rates
from storefront.sellers.models import Offer, Seller, Variant

RATES = Rates({"EUR": Decimal(1), "USD": Decimal("1.25"), "BRL": Decimal("6.25")})
TODAY = date(2026, 11, 27)


def offer(handle, ships_from, variants, handling=2, weight=250, free=()):
    o = Offer(seller=Seller(handle=handle, name=handle, country=ships_from), ships_from=ships_from,
              handling_days=handling, weight_grams=weight, free_shipping=list(free), free_shipping_over=None,
              is_published=True)
    for sku, options, price, currency, stock in variants:
        o.variants.append(Variant(sku=sku, options=options, price=Decimal(price), currency=currency, stock=stock))
    return o


def test_pick_variant_exact_then_closest_buyable():
    o = offer("a", "CN", [("B-S", {"Color": "Black", "Size": "S"}, "10", "USD", 0),
                          ("B-M", {"Color": "Black", "Size": "M"}, "11", "USD", 3),
                          ("W-M", {"Color": "White", "Size": "M"}, "9", "USD", 3)])
    assert pick_variant(o.variants, {"Color": "White", "Size": "M"}) == (o.variants[2], True)
    variant, exact = pick_variant(o.variants, {"Color": "Black", "Size": "XXL"})
    assert (variant.sku, exact) == ("B-M", False)  # shares Color, in stock
    assert pick_variant(o.variants, {})[0].sku == "W-M"  # cheapest in stock
    assert option_values(o.variants) == {"Color": ["Black", "White"], "Size": ["S", "M"]}


def test_quantity_is_clamped_to_stock_and_sane_numbers():
    assert clamp_quantity("3", 10) == (3, False)
    assert clamp_quantity("0", 10) == (1, True)
    assert clamp_quantity("-1", 10) == (1, True)
    assert clamp_quantity("1000000000", 10) == (10, True)
    assert clamp_quantity("abc", 10) == (1, True)
    assert clamp_quantity(None, 10) == (1, False)


def test_landed_total_is_item_plus_shipping_plus_tax_in_shopper_currency():
    o = offer("a", "CN", [("X", {}, "20.00", "USD", 5)])
    row = price_offer(o, o.variants[0], 2, country="DE", currency="EUR", rates=RATES, today=TODAY)
    assert row.item.amount == Decimal("16.00") and row.item.currency == "EUR"
    # 500 g intercontinental economy: 2.69 USD = 2.152 -> 2.15 EUR; EU VAT 19% of (32 + 2.15)
    assert row.shipping.cost.amount == Decimal("2.15")
    assert row.tax.amount.amount == Decimal("6.49") and row.tax.collected == "checkout"
    assert row.landed.amount == Decimal("32.00") + Decimal("2.15") + Decimal("6.49")


def test_missing_rate_gives_no_landed_total():
    o = offer("a", "CN", [("X", {}, "20.00", "USD", 5)])
    row = price_offer(o, o.variants[0], 1, country="JP", currency="JPY", rates=RATES, today=TODAY)
    assert row.item is None and row.landed is None and row.original.currency == "USD"


def test_compare_sorts_badges_and_puts_sold_out_last():
    cheap_slow = offer("cheap", "CN", [("C", {}, "10.00", "USD", 5)], handling=5)
    dear_fast = offer("dear", "DE", [("D", {}, "15.00", "EUR", 5)], handling=1)
    sold_out = offer("gone", "CN", [("G", {}, "1.00", "USD", 0)])
    rows = compare_offers([dear_fast, sold_out, cheap_slow], {}, 1, country="FR", currency="EUR", rates=RATES,
                          today=TODAY)
    assert [r.offer.seller.handle for r in rows] == ["cheap", "dear", "gone"]
    assert "best_price" in rows[0].badges and "fastest" in rows[1].badges and not rows[2].badges
    fastest = compare_offers([cheap_slow, dear_fast], {}, 1, country="FR", currency="EUR", rates=RATES, today=TODAY,
                             sort="fastest")
    assert fastest[0].offer.seller.handle == "dear"
