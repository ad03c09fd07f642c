"""Cart rules: adding, changing and saving lines, merging a guest cart, and pricing it per seller package."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ..core.errors import InvalidInput, NotFound
from ..core.money import Money
from ..currency.services import Rates
from ..extensions import begin_write
from ..sellers.models import Offer, Seller, Variant
from ..shipping.parcel import ParcelItem, price_parcel
from ..shipping.services import ShippingQuote
from ..shipping.taxes import TaxDue, TaxEstimate, combine_due
from .models import BUY_NOW, CART, Cart, CartAddToken, CartLine

MAX_LINE_QUANTITY = 999
ADD_TOKEN_KEEP = timedelta(days=2)  # a replay older than this is a new add (and the table stays small)


class SoldOut(InvalidInput):
    """The variant has no stock."""


class CombinationUnavailable(InvalidInput):
    """The chosen seller has no variant with the chosen options (another seller may have it)."""


def new_cart(session: Session, user_id: int | None = None, kind: str = CART) -> Cart:
    """An empty cart with a fresh unguessable token."""
    cart = Cart(token=secrets.token_urlsafe(18)[:24], user_id=user_id, shipping_choices={}, kind=kind)
    session.add(cart)
    session.flush()
    return cart


def find_cart(session: Session, *, user_id: int | None, token: str | None) -> Cart | None:
    """The user's cart, or the guest cart for this token."""
    if user_id is not None:
        return session.scalar(select(Cart).where(Cart.user_id == user_id, Cart.kind == CART))
    if token:
        return session.scalar(select(Cart).where(Cart.token == token, Cart.user_id.is_(None), Cart.kind == CART))
    return None


def find_buy_now_cart(session: Session, token: str | None) -> Cart | None:
    """The "Buy now" cart this browser session holds the token of, or None."""
    if not token:
        return None
    return session.scalar(select(Cart).where(Cart.token == token, Cart.kind == BUY_NOW))


def new_add_token() -> str:
    """A token for one rendering of an add-to-cart form; every submit of that rendering carries it."""
    return secrets.token_urlsafe(18)


def valid_add_token(token: str | None) -> bool:
    """True when `token` looks like one new_add_token made (anything else is ignored, not stored)."""
    return bool(token) and 16 <= len(token) <= 64 and all(c.isalnum() or c in "-_" for c in token)


def resolve_variant(session: Session, offer_id: int, options: dict[str, str]) -> Variant:
    """The offer's variant with exactly these options (the ones the shopper chose on the add form).

    An offer whose variants have no options resolves to its only variant.

    :raises NotFound: unknown or unpublished offer.
    :raises CombinationUnavailable: this offer has no variant with these options (another seller may).
    """
    offer = session.scalar(select(Offer).where(Offer.id == offer_id).options(selectinload(Offer.variants)))
    if offer is None or not offer.is_published or not offer.variants:
        raise NotFound("offer")
    chosen = {k: v for k, v in options.items() if v}
    matches = [v for v in offer.variants if dict(v.options or {}) == chosen]
    if len(matches) != 1:
        raise CombinationUnavailable(f"offer {offer_id} has no variant {chosen}")
    return matches[0]


def claim_add_token(session: Session, cart: Cart, token: str, now: datetime) -> bool:
    """Record `token` as used for this cart; False when it already was (a replayed or double submit).

    Runs in the caller's transaction, before the add: a concurrent submit of the same token waits
    on the unique index (PostgreSQL) or on the write lock (SQLite) and then finds it taken.
    """
    session.execute(delete(CartAddToken).where(CartAddToken.cart_id == cart.id,
                                               CartAddToken.used_at < now - ADD_TOKEN_KEEP))
    if session.scalar(select(CartAddToken.id).where(CartAddToken.cart_id == cart.id, CartAddToken.token == token)):
        return False
    try:
        with session.begin_nested():
            session.add(CartAddToken(cart_id=cart.id, token=token, used_at=now))
    except IntegrityError:
        return False
    return True


def _buyable_variant(session: Session, variant_id: int) -> Variant:
    variant = session.scalar(
        select(Variant).where(Variant.id == variant_id).options(selectinload(Variant.offer))
    )
    if variant is None or not variant.offer.is_published:
        raise NotFound("variant")
    return variant


def add_item(session: Session, cart: Cart, variant_id: int, quantity: int, *, token: str | None = None,
             now: datetime | None = None) -> CartLine | None:
    """Put a variant in the cart (or add to its line), up to the stock available.

    With a `token` (the add form's idempotency token) the same form submitted twice adds once:
    the replay changes nothing and returns None. The caller commits.

    :raises NotFound: unknown or unpublished variant.
    :raises SoldOut: no stock.
    :raises InvalidInput: quantity below 1 or more than the stock.
    """
    if token is not None:
        begin_write(session)  # SQLite: a concurrent submit of the same form waits here, then sees the token
    variant = _buyable_variant(session, variant_id)
    if variant.stock <= 0:
        raise SoldOut("sold out")
    if token is not None:
        if now is None:
            raise TypeError("add_item needs `now` with a token")
        if not claim_add_token(session, cart, token, now):
            return None
    line = next((ln for ln in cart.lines if ln.variant_id == variant.id), None)
    wanted = quantity + (line.quantity if line and not line.saved_for_later else 0)
    if quantity < 1 or wanted > min(variant.stock, MAX_LINE_QUANTITY):
        raise InvalidInput(f"quantity must be 1 to {min(variant.stock, MAX_LINE_QUANTITY)}")
    if line is None:
        line = CartLine(variant_id=variant.id, quantity=0)
        cart.lines.append(line)
    line.quantity, line.saved_for_later = wanted, False
    line.seen_price, line.seen_currency = variant.price, variant.currency
    session.flush()
    return line


def buy_now(session: Session, cart: Cart, variant_id: int, quantity: int) -> CartLine:
    """Make a "Buy now" cart hold exactly this one line (whatever it held before).

    :raises NotFound: unknown or unpublished variant.
    :raises SoldOut: no stock.
    :raises InvalidInput: quantity below 1 or more than the stock; not a "Buy now" cart.
    """
    if cart.kind != BUY_NOW:
        raise InvalidInput("not a buy-now cart")
    cart.lines.clear()
    session.flush()
    return add_item(session, cart, variant_id, quantity)


def _line(cart: Cart, line_id: int) -> CartLine:
    line = next((ln for ln in cart.lines if ln.id == line_id), None)
    if line is None:
        raise NotFound("cart line")
    return line


def set_quantity(session: Session, cart: Cart, line_id: int, quantity: int) -> CartLine | None:
    """Change a line's quantity; 0 removes it.

    :raises NotFound: the line is not in this cart.
    :raises InvalidInput: negative, or more than the stock.
    """
    line = _line(cart, line_id)
    if quantity == 0:
        cart.lines.remove(line)
        session.flush()
        return None
    limit = min(line.variant.stock, MAX_LINE_QUANTITY)
    if quantity < 0 or quantity > limit:
        raise InvalidInput(f"quantity must be 0 to {limit}")
    line.quantity = quantity
    line.seen_price, line.seen_currency = line.variant.price, line.variant.currency
    session.flush()
    return line


def remove_line(session: Session, cart: Cart, line_id: int) -> None:
    """Take a line out of the cart.

    :raises NotFound: the line is not in this cart.
    """
    cart.lines.remove(_line(cart, line_id))
    session.flush()


def save_for_later(session: Session, cart: Cart, line_id: int, saved: bool) -> None:
    """Move a line to "saved for later" (not bought at checkout), or back into the cart.

    :raises NotFound: the line is not in this cart.
    """
    line = _line(cart, line_id)
    line.saved_for_later = saved
    if not saved:
        line.seen_price, line.seen_currency = line.variant.price, line.variant.currency
    session.flush()


def choose_shipping(session: Session, cart: Cart, seller_id: int, method: str) -> None:
    """Remember the shipping method chosen for one seller's package (checked when priced)."""
    cart.shipping_choices = {**(cart.shipping_choices or {}), str(seller_id): method}
    session.flush()


def merge_carts(session: Session, guest: Cart, into: Cart) -> None:
    """Move a guest cart's lines into the user's cart at login (quantities add up, capped by stock)."""
    for line in list(guest.lines):
        existing = next((ln for ln in into.lines if ln.variant_id == line.variant_id), None)
        if existing is None:
            guest.lines.remove(line)
            into.lines.append(CartLine(variant_id=line.variant_id, quantity=line.quantity,
                                       saved_for_later=line.saved_for_later, seen_price=line.seen_price,
                                       seen_currency=line.seen_currency))
        else:
            existing.quantity = min(existing.quantity + line.quantity, max(line.variant.stock, 1),
                                    MAX_LINE_QUANTITY)
            existing.saved_for_later = existing.saved_for_later and line.saved_for_later
    into.shipping_choices = {**(guest.shipping_choices or {}), **(into.shipping_choices or {})}
    session.delete(guest)
    session.flush()


@dataclass
class PricedLine:
    """A cart line priced for the shopper, with what changed since it was added."""

    line: CartLine
    variant: Variant
    unit: Money | None          # in the shopper's currency
    total: Money | None
    price_changed: bool
    sold_out: bool
    short_stock: bool           # wants more than the stock left

    @property
    def ok(self) -> bool:
        """True when the line can be bought as it is."""
        return self.unit is not None and not self.sold_out and not self.short_stock


@dataclass
class Package:
    """One seller's part of the cart: shipped together, priced together, becomes one order."""

    seller: Seller
    offer_ships_from: str
    lines: list[PricedLine]
    methods: list[ShippingQuote]
    method: ShippingQuote | None
    items: Money | None
    tax: TaxEstimate | None
    total: Money | None

    @property
    def ships(self) -> bool:
        """False when no method reaches the destination."""
        return bool(self.methods)


@dataclass
class CartSummary:
    """The cart priced for the shopper's country and currency."""

    currency: str
    country: str
    packages: list[Package] = field(default_factory=list)
    saved: list[CartLine] = field(default_factory=list)
    items: Money | None = None
    shipping: Money | None = None
    tax: Money | None = None            # import tax paid at checkout (part of the total)
    tax_due: TaxDue | None = None       # the same with what customs may charge on delivery
    total: Money | None = None

    @property
    def count(self) -> int:
        """Units in the cart (not saved for later)."""
        return sum(p.line.quantity for pkg in self.packages for p in pkg.lines)

    @property
    def problems(self) -> bool:
        """True when something must be fixed before checkout (a changed price counts as seen once shown)."""
        return any(not p.ok for pkg in self.packages for p in pkg.lines) or any(
            not pkg.ships for pkg in self.packages) or self.total is None

    @property
    def empty(self) -> bool:
        """True when nothing is to be bought."""
        return not self.packages


def load_cart_lines(session: Session, cart: Cart) -> list[CartLine]:
    """Load the cart's lines with their variants, offers, sellers and products in five statements, whatever the
    number of lines, and make them the cart's `lines`.

    The loaded list must be kept: the session holds objects only weakly, so lines loaded and dropped are gone
    by the time `cart.lines` is read, which then costs four statements per line.
    """
    lines = list(session.scalars(
        select(CartLine).where(CartLine.cart_id == cart.id).order_by(CartLine.id).options(
            selectinload(CartLine.variant).selectinload(Variant.offer).selectinload(Offer.seller),
            selectinload(CartLine.variant).selectinload(Variant.offer).selectinload(Offer.product),
        )
    ))
    set_committed_value(cart, "lines", lines)
    return lines


def price_cart(cart: Cart, *, country: str, currency: str, rates: Rates, today: date) -> CartSummary:
    """Price every line and seller package for the shopper, re-checking prices and stock now."""
    summary = CartSummary(currency=currency, country=country)
    by_seller: dict[int, list[CartLine]] = {}
    for line in cart.lines:
        if line.saved_for_later:
            summary.saved.append(line)
        else:
            by_seller.setdefault(line.variant.offer.seller_id, []).append(line)
    zero = Money.zero(currency)
    items_sum, shipping_sum, tax_sum, complete = zero, zero, zero, True
    for seller_lines in by_seller.values():
        package = _price_package(cart, seller_lines, country=country, currency=currency, rates=rates, today=today)
        summary.packages.append(package)
        if package.total is None:
            complete = False
            continue
        items_sum += package.items
        shipping_sum += package.method.cost
        tax_sum += package.tax.due.at_checkout or zero
    if complete:
        summary.items, summary.shipping, summary.tax = items_sum, shipping_sum, tax_sum
        summary.tax_due = combine_due([pkg.tax.due for pkg in summary.packages], currency)
        summary.total = items_sum + shipping_sum + tax_sum
    return summary


def _price_package(cart: Cart, lines: list[CartLine], *, country: str, currency: str, rates: Rates,
                   today: date) -> Package:
    # A seller's lines travel as one parcel from the first offer's warehouse; free shipping applies
    # where every offer in it ships free, or past the first offer's threshold in its currency.
    first_offer = lines[0].variant.offer
    parcel = price_parcel(
        [ParcelItem(Money(ln.variant.price, ln.variant.currency), ln.quantity, ln.variant.offer.weight_grams,
                    ln.variant.offer.handling_days, tuple(ln.variant.offer.free_shipping or [])) for ln in lines],
        origin=first_offer.ships_from, free_over=first_offer.free_shipping_over, country=country, currency=currency,
        rates=rates, today=today, method=(cart.shipping_choices or {}).get(str(first_offer.seller_id)))
    priced = [PricedLine(
        line=line, variant=line.variant, unit=unit, total=unit * line.quantity if unit else None,
        price_changed=(line.variant.price, line.variant.currency) != (line.seen_price, line.seen_currency),
        sold_out=line.variant.stock <= 0, short_stock=0 < line.variant.stock < line.quantity,
    ) for line, unit in zip(lines, parcel.units)]
    # Only tax collected at checkout is paid to us (parcel.total); customs charges the rest on delivery.
    return Package(seller=first_offer.seller, offer_ships_from=first_offer.ships_from, lines=priced,
                   methods=parcel.methods, method=parcel.method, items=parcel.items, tax=parcel.tax,
                   total=parcel.total)


def line_count(session: Session, cart: Cart | None) -> int:
    """Units in the cart, for the header's mini-cart (one cheap query)."""
    if cart is None:
        return 0
    from sqlalchemy import func

    return session.scalar(select(func.coalesce(func.sum(CartLine.quantity), 0)).where(
        CartLine.cart_id == cart.id, CartLine.saved_for_later.is_(False))) or 0

