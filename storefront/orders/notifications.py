"""Telling the buyer what happened to their order, in the language they bought in: placed and awaiting payment,
paid, shipped, cancelled, delivered.

Also holds the cancellation reasons' labels, which the seller center and the emails share.
"""
from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l

from ..core.clock import utcnow
from ..core.mail import mail_money, send_mail
from .fulfilment import OVERDUE, Cancellation
from .links import checkout_link
from .models import Checkout, Order
from .services import BUYER_CANCELLED

CANCEL_REASON_LABELS = {
    "out_of_stock": _l("Out of stock"),
    "cannot_ship_to_address": _l("Cannot ship to this address"),
    "buyer_asked": _l("The buyer asked to cancel"),
    "pricing_error": _l("Wrong price in the listing"),
    "other": _l("Another reason"),
    OVERDUE: _l("The seller did not ship in time"),
    BUYER_CANCELLED: _l("The buyer cancelled before paying"),
}


def cancel_reason_label(code: str | None) -> str:
    """A cancellation reason in the current language."""
    return str(CANCEL_REASON_LABELS.get(code or "", code or ""))


def order_received(checkout: Checkout) -> None:
    """Email the buyer that the order was placed and awaits payment, with a link that pays it on any device."""
    send_mail(checkout.email, "order_received", checkout.locale, checkout.country, checkout=checkout,
              link=checkout_link(checkout.reference, checkout.locale, utcnow()))


def payment_received(checkout: Checkout) -> None:
    """Email the buyer that their payment arrived: the orders it paid, what it came to, and a link to them."""
    orders = [o for o in checkout.orders if o.status == "paid"]
    send_mail(checkout.email, "payment_received", checkout.locale, checkout.country, checkout=checkout, orders=orders,
              paid_total=sum((o.total for o in orders), Decimal(0)),
              link=checkout_link(checkout.reference, checkout.locale, utcnow()))


def order_shipped(order: Order) -> None:
    """Email the buyer that their order is on its way, with the carrier and tracking number."""
    locale = order.checkout.locale
    send_mail(order.email, "order_shipped", locale, order.checkout.country, order=order)


def order_cancelled(cancellation: Cancellation) -> None:
    """Email the buyer that the seller (or the deadline) cancelled their order, why, and what was refunded."""
    order = cancellation.order
    locale = order.checkout.locale
    country = order.checkout.country
    send_mail(order.email, "order_cancelled", locale, country, order=order,
              reason=CANCEL_REASON_LABELS.get(cancellation.reason, cancellation.reason), note=cancellation.note,
              refunded=mail_money(cancellation.refunded, locale, country), overdue=cancellation.reason == OVERDUE)


def order_delivered(order: Order) -> None:
    """Email the buyer that the carrier delivered their order: confirm receipt, or open a dispute if something
    is wrong."""
    send_mail(order.email, "order_delivered", order.checkout.locale, order.checkout.country, order=order)
