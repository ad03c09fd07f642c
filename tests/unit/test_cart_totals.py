"""Cart totals without a database: packages per seller, shipping choice, free shipping, taxes, flags."""
from datetime import date
from decimal import Decimal

from storefront.cart.models import Cart, CartLine
from storefront.cart.services import price_cart
from storefront.core.money import Money
from storefront.currency.services import Rates
from storefront.sellers.models import Offer, Seller, Variant

RATES = Rates({"EUR": Decimal(1), "USD": Decimal("1.25")})
TODAY = date(2026, 11, 27)


def line(seller_id, price, currency="USD", qty=1, stock=10, ships_from="CN", free=(), seen=None):
    seller = Seller(id=seller_id, handle=f"s{seller_id}", name=f"Seller {seller_id}", country=ships_from)
    offer = Offer(seller=seller, seller_id=seller_id, ships_from=ships_from, handling_days=2, weight_grams=250,
                  free_shipping=list(free), free_shipping_over=None, is_published=True)
    variant = Variant(sku=f"V{seller_id}-{price}", options={}, price=Decimal(price), currency=currency, stock=stock,
                      offer=offer)
    return CartLine(variant=variant, quantity=qty, saved_for_later=False,
                    seen_price=Decimal(seen or price), seen_currency=currency)


def test_packages_per_seller_and_totals_add_up():
    cart = Cart(shipping_choices={}, lines=[line(1, "10.00", qty=2), line(2, "8.00", "EUR", ships_from="DE")])
    summary = price_cart(cart, country="DE", currency="EUR", rates=RATES, today=TODAY)
    assert len(summary.packages) == 2 and not summary.problems
    china, germany = summary.packages
    assert china.items.amount == Decimal("16.00")  # 2 × 10 USD = 2 × 8.00 EUR
    assert china.tax.collected == "checkout" and germany.tax.collected == "none"
    assert summary.total == summary.items + summary.shipping + summary.tax
    assert summary.items.amount == Decimal("24.00") and summary.count == 3


def test_chosen_method_is_used_and_free_shipping_applies_to_the_cheapest():
    cart = Cart(shipping_choices={}, lines=[line(1, "10.00", free=["*"])])
    free = price_cart(cart, country="BR", currency="USD", rates=RATES, today=TODAY)
    assert free.packages[0].method.free and free.shipping.amount == 0
    cart.shipping_choices = {"1": "express"}
    express = price_cart(cart, country="BR", currency="USD", rates=RATES, today=TODAY)
    assert express.packages[0].method.method == "express" and express.shipping.amount > 0


def test_price_change_sold_out_and_short_stock_are_flagged():
    cart = Cart(shipping_choices={}, lines=[line(1, "10.00", seen="9.00"), line(2, "5.00", stock=0),
                                            line(3, "5.00", qty=4, stock=2)])
    summary = price_cart(cart, country="US", currency="USD", rates=RATES, today=TODAY)
    flags = [(p.price_changed, p.sold_out, p.short_stock) for pkg in summary.packages for p in pkg.lines]
    assert flags == [(True, False, False), (False, True, False), (False, False, True)]
    assert summary.problems


def test_unserved_destination_blocks_checkout():
    summary = price_cart(Cart(shipping_choices={}, lines=[line(1, "10.00")]), country="AQ", currency="USD",
                         rates=RATES, today=TODAY)
    assert not summary.packages[0].ships and summary.total is None and summary.problems


def test_the_product_page_and_the_cart_price_one_parcel_the_same_way():
    """One pricing path: an offer on the product page and the same item alone in the cart cost the same,
    for a destination that collects tax at checkout (EU) and one where customs charges on delivery (US)."""
    from storefront.catalog.offers import price_offer

    for country, currency in (("DE", "EUR"), ("US", "USD"), ("BR", "USD")):
        cart_line = line(1, "120.00", qty=3)
        cart = Cart(shipping_choices={}, lines=[cart_line])
        package = price_cart(cart, country=country, currency=currency, rates=RATES, today=TODAY).packages[0]
        offer = cart_line.variant.offer
        row = price_offer(offer, cart_line.variant, 3, country=country, currency=currency, rates=RATES, today=TODAY)
        assert row.shipping == package.method and row.tax == package.tax
        assert row.item * 3 == package.items
        estimate = package.tax.due.delivery_estimate
        assert row.landed == package.total + (estimate or Money.zero(currency))  # to the door: plus customs
