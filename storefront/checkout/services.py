"""Placing orders: one transaction, an idempotency key, stock locked in a fixed order, one order per seller."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..cart.models import Cart, CartLine
from ..cart.services import CartSummary, Package, load_cart_lines, price_cart
from ..core.effects import before_commit
from ..core.errors import InvalidInput
from ..core.i18n import localized
from ..core.money import Money
from ..currency.services import Rates
from ..extensions import begin_write
from ..orders import notifications
from ..orders.models import Checkout, Order, OrderEvent, OrderLine
from ..sellers.models import Variant

PAYMENT_METHODS = ("card", "bank_transfer")
PAY_WITHIN = {"card": timedelta(minutes=30), "bank_transfer": timedelta(days=3)}
NUMBER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


class CheckoutProblem(InvalidInput):
    """The cart cannot be placed as it is; `code` says why ('empty', 'cart', 'total')."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


class OutOfStock(CheckoutProblem):
    """Stock ran out between the cart and placement; `skus` lists what is short."""

    def __init__(self, skus: list[str]) -> None:
        super().__init__("stock", ", ".join(skus))
        self.skus = skus


@dataclass(frozen=True)
class CheckoutDetails:
    """What the checkout form collected (already validated)."""

    email: str
    address: dict[str, str]
    payment_method: str
    locale: str
    currency: str

    @property
    def country(self) -> str:
        """The destination country: the address's."""
        return self.address["country"]


def order_number() -> str:
    """An unguessable order number, easy to read aloud: 'SO-' and 10 characters (about 50 bits)."""
    return "SO-" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(10))


def checkout_reference() -> str:
    """A reference people read aloud and type into a bank transfer: 8 characters without look-alikes
    (no 0/O, 1/I/L), grouped by four, e.g. 'K7QX-4MX2' (40 bits)."""
    chars = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def new_checkout_reference(session: Session) -> str:
    """A checkout reference no checkout has yet (older, longer 'CK-...' references stay valid).

    Two placements racing for the same fresh reference (one chance in 2^40) would meet the unique index.

    :raises RuntimeError: when ten draws in a row are taken (the space is effectively full).
    """
    for _ in range(10):
        reference = checkout_reference()
        if session.scalar(select(Checkout.id).where(Checkout.reference == reference)) is None:
            return reference
    raise RuntimeError("no free checkout reference after 10 draws")


def new_idempotency_key() -> str:
    """A key for one checkout form; every submit of that form carries it."""
    return secrets.token_urlsafe(24)


def summarize(session: Session, cart: Cart, details: CheckoutDetails, rates: Rates, today: date) -> CartSummary:
    """The cart priced for the checkout's destination and currency."""
    load_cart_lines(session, cart)
    return price_cart(cart, country=details.country, currency=details.currency, rates=rates, today=today)


def package_tax_columns(pkg: Package) -> dict:
    """An order's import-tax columns from its priced package: what is paid with it (part of the total), how
    it is collected, and the estimate of what customs charges on delivery (not part of the total)."""
    due = pkg.tax.due
    return {"tax_total": due.at_checkout.amount if due.at_checkout is not None else Decimal(0),
            "tax_collected": pkg.tax.collected,
            "tax_delivery_estimate": due.delivery_estimate.amount if due.delivery_estimate is not None else None}


def usd_rate(rates: Rates, currency: str) -> Decimal | None:
    """US dollars per unit of `currency` in `rates` (recorded on the checkout for GMV), None if unknown."""
    converted = rates.convert(Money(Decimal(1), currency), "USD")
    return converted.amount.quantize(Decimal("0.0000000001")) if converted is not None else None


def _midnight(day: date, tz) -> datetime:
    return datetime.combine(day, datetime.min.time(), tz)


def checkout_values(summary: CartSummary, details: CheckoutDetails, *, reference: str, idempotency_key: str,
                    user_id: int | None, rates: Rates, now: datetime) -> dict:
    """A placed checkout's columns: what place_order writes, and what the demo history writes in bulk."""
    return {
        "reference": reference, "idempotency_key": idempotency_key, "user_id": user_id, "email": details.email,
        "locale": details.locale, "currency": details.currency, "country": details.country,
        "address": dict(details.address), "payment_method": details.payment_method,
        "items_total": summary.items.amount, "shipping_total": summary.shipping.amount,
        "tax_total": summary.tax.amount, "total": summary.total.amount,
        "pay_by": now + PAY_WITHIN[details.payment_method], "created_at": now,
        "usd_rate": usd_rate(rates, details.currency),
    }


def order_values(pkg, details: CheckoutDetails, *, number: str, user_id: int | None, now: datetime) -> dict:
    """The columns of one seller package's order at placement (awaiting payment)."""
    return {
        "number": number, "seller_id": pkg.seller.id, "user_id": user_id, "email": details.email,
        "status": "awaiting_payment", "currency": details.currency, "items_total": pkg.items.amount,
        "shipping_total": pkg.method.cost.amount,
        **package_tax_columns(pkg), "total": pkg.total.amount, "refunded_total": Decimal(0),
        "shipping_method": pkg.method.method, "ships_from": pkg.offer_ships_from, "created_at": now,
        "updated_at": now, "delivery_earliest": _midnight(pkg.method.earliest, now.tzinfo),
        "delivery_latest": _midnight(pkg.method.latest, now.tzinfo), "protection_extended": False,
    }


def line_values(pkg, locale: str) -> list[dict]:
    """The package's order lines, each snapshotting title, options, price, currency and the rate used."""
    out = []
    for p in pkg.lines:
        variant, product = p.variant, p.variant.offer.product
        out.append({
            "variant_id": variant.id, "product_id": product.id, "sku": variant.sku,
            "title": localized(product.titles, locale)[0][:200], "options": dict(variant.options),
            "quantity": p.line.quantity, "unit_price": variant.price, "price_currency": variant.currency,
            "rate": (p.unit.amount / variant.price).quantize(Decimal("0.0000000001")),
            "unit_price_paid": p.unit.amount, "line_total": p.total.amount,
        })
    return out


def _tell_received(session: Session, checkout_id: int) -> None:
    notifications.order_received(session.get(Checkout, checkout_id))


def place_order(
    session: Session,
    cart: Cart,
    details: CheckoutDetails,
    idempotency_key: str,
    *,
    expected_total: Decimal | None,
    user_id: int | None,
    rates: Rates,
    today: date,
    now: datetime,
) -> tuple[Checkout, bool]:
    """Turn the cart into one checkout with one order per seller, or change nothing.

    Returns (checkout, created): created is False when the key had already placed it.

    The same idempotency key always returns the checkout it first created (double submits, retries,
    two tabs). Stock rows are locked in id order (SELECT ... FOR UPDATE on PostgreSQL) and
    decremented; prices, shipping and taxes are recomputed here, never taken from the form. The
    caller commits on success and rolls back on error.

    :raises CheckoutProblem: empty cart, a line to fix, or a total different from the one reviewed.
    :raises OutOfStock: when another buyer took the last units.
    """
    begin_write(session)
    existing = session.scalar(select(Checkout).where(Checkout.idempotency_key == idempotency_key))
    if existing is not None:
        return existing, False
    summary = summarize(session, cart, details, rates, today)
    if summary.empty:
        raise CheckoutProblem("empty")
    if summary.problems:
        raise CheckoutProblem("cart")
    if expected_total is not None and summary.total.amount != expected_total:
        raise CheckoutProblem("total", f"{expected_total} -> {summary.total.amount}")
    seen = {p.variant.id: (p.variant.price, p.variant.currency) for pkg in summary.packages for p in pkg.lines}

    checkout = Checkout(**checkout_values(summary, details, reference=new_checkout_reference(session),
                                          idempotency_key=idempotency_key, user_id=user_id, rates=rates, now=now))
    session.add(checkout)
    try:
        with session.begin_nested():
            session.flush()  # a concurrent submit of the same key waits here, then fails the unique check
    except IntegrityError:
        session.rollback()
        winner = session.scalar(select(Checkout).where(Checkout.idempotency_key == idempotency_key))
        if winner is None:
            raise
        return winner, False

    wanted: dict[int, int] = {}
    for pkg in summary.packages:
        for p in pkg.lines:
            wanted[p.variant.id] = wanted.get(p.variant.id, 0) + p.line.quantity
    locked = {
        v.id: v
        for v in session.scalars(
            select(Variant).where(Variant.id.in_(sorted(wanted))).order_by(Variant.id).with_for_update()
            .execution_options(populate_existing=True)
        )
    }
    short = sorted(locked[i].sku if i in locked else str(i) for i, qty in wanted.items()
                   if i not in locked or locked[i].stock < qty)
    if short:
        raise OutOfStock(short)
    if any((locked[i].price, locked[i].currency) != seen[i] for i in wanted):
        raise CheckoutProblem("total", "a price changed while placing the order")
    for variant_id, qty in wanted.items():
        locked[variant_id].stock -= qty

    for pkg in summary.packages:
        order = Order(**order_values(pkg, details, number=order_number(), user_id=user_id, now=now),
                      checkout=checkout)
        session.add(order)
        order.lines = [OrderLine(**values) for values in line_values(pkg, details.locale)]
        order.events.append(OrderEvent(from_status=None, to_status="awaiting_payment", actor="buyer", at=now))
    bought = [p.line.id for pkg in summary.packages for p in pkg.lines]
    session.execute(delete(CartLine).where(CartLine.id.in_(bought)))
    session.flush()
    # "Order received: awaiting payment", with a link that pays it, once the caller commits the placement.
    before_commit(session, _tell_received, session, checkout.id)
    session.expire(cart, ["lines"])
    return checkout, True
