"""Checkouts and orders: one order per seller under one checkout and one payment; lines snapshot prices."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.money_sql import Amount, Rate
from ..extensions import db
from ..core.money import Money
from ..shipping.carriers import carrier_name
from ..shipping.taxes import TaxDue, combine_due


class Checkout(db.Model):
    """What the shopper placed at once: the shared reference of its orders and what one payment covers."""

    __tablename__ = "checkouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(8))
    currency: Mapped[str] = mapped_column(String(3))
    country: Mapped[str] = mapped_column(String(2))
    address: Mapped[dict] = mapped_column(JSON)
    payment_method: Mapped[str] = mapped_column(String(20))
    items_total: Mapped[Decimal] = mapped_column(Amount())
    shipping_total: Mapped[Decimal] = mapped_column(Amount())
    tax_total: Mapped[Decimal] = mapped_column(Amount())
    total: Mapped[Decimal] = mapped_column(Amount())
    # US dollars per unit of `currency` at placement: GMV is reported in USD at each sale's own rate.
    usd_rate: Mapped[Decimal | None] = mapped_column(Rate(24, 10))
    pay_by: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    orders: Mapped[list["Order"]] = relationship(back_populates="checkout", order_by="Order.id")

    @property
    def tax_due(self) -> TaxDue:
        """Import taxes of all its orders: paid with them, and what customs may charge on delivery."""
        return combine_due([o.tax_due for o in self.orders], self.currency)


class Order(db.Model):
    """One seller's part of a checkout; its status changes only through orders.services."""

    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    checkout_id: Mapped[int] = mapped_column(ForeignKey("checkouts.id"), index=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(20), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    items_total: Mapped[Decimal] = mapped_column(Amount())
    shipping_total: Mapped[Decimal] = mapped_column(Amount())
    tax_total: Mapped[Decimal] = mapped_column(Amount())
    tax_collected: Mapped[str] = mapped_column(String(12), default="none")
    # When customs collects on delivery: our estimate of what they charge (not part of `total`).
    tax_delivery_estimate: Mapped[Decimal | None] = mapped_column(Amount())
    total: Mapped[Decimal] = mapped_column(Amount())
    refunded_total: Mapped[Decimal] = mapped_column(Amount(), default=Decimal(0))
    shipping_method: Mapped[str] = mapped_column(String(20))
    ships_from: Mapped[str] = mapped_column(String(2))
    delivery_earliest: Mapped[datetime | None]
    delivery_latest: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(index=True)
    # Fulfilment: the seller must ship by ship_by (set on payment) or the order is cancelled and refunded.
    ship_by: Mapped[datetime | None] = mapped_column(index=True)
    shipped_at: Mapped[datetime | None]
    carrier: Mapped[str | None] = mapped_column(String(20))
    tracking_number: Mapped[str | None] = mapped_column(String(40), index=True)  # carriers' pushes find it
    cancel_reason: Mapped[str | None] = mapped_column(String(30))
    # Set while a cancellation waits for the payment provider's refund; shipping is refused meanwhile.
    cancelling_since: Mapped[datetime | None]
    # The buyer asked to cancel this paid order: the seller accepts (refund) or ships; silence accepts it.
    cancel_requested_at: Mapped[datetime | None] = mapped_column(index=True)
    # After shipping: the carrier's delivery scan, the buyer's protection window (auto-confirm when it
    # ends; the buyer may extend it once) and completion (confirmed receipt or auto-confirm).
    delivered_at: Mapped[datetime | None] = mapped_column(index=True)
    protection_ends_at: Mapped[datetime | None] = mapped_column(index=True)
    protection_extended: Mapped[bool] = mapped_column(default=False)
    completed_at: Mapped[datetime | None] = mapped_column(index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    checkout: Mapped[Checkout] = relationship(back_populates="orders")
    seller: Mapped["Seller"] = relationship()  # noqa: F821
    lines: Mapped[list["OrderLine"]] = relationship(back_populates="order", cascade="all, delete-orphan",
                                                    order_by="OrderLine.id")
    events: Mapped[list["OrderEvent"]] = relationship(back_populates="order", cascade="all, delete-orphan",
                                                      order_by="OrderEvent.id")
    tracking_events: Mapped[list["TrackingEvent"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="(TrackingEvent.at, TrackingEvent.id)")
    dispute: Mapped["Dispute | None"] = relationship(back_populates="order", cascade="all, delete-orphan",
                                                     uselist=False)

    @property
    def tax_due(self) -> TaxDue:
        """Import taxes of this order as the buyer meets them: paid with it, or charged on delivery."""
        estimate = (Money(self.tax_delivery_estimate, self.currency)
                    if self.tax_delivery_estimate is not None else None)
        return TaxDue(Money(self.tax_total, self.currency), self.tax_collected == "delivery", estimate)

    @property
    def carrier_name(self) -> str:
        """The carrier's name as people know it ('' before shipping)."""
        return carrier_name(self.carrier) if self.carrier else ""


class OrderLine(db.Model):
    """What was bought, frozen at placement: later edits to the listing never change it."""

    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("variants.id", ondelete="SET NULL"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    sku: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    options: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    quantity: Mapped[int]
    unit_price: Mapped[Decimal] = mapped_column(Amount())        # in the seller's currency
    price_currency: Mapped[str] = mapped_column(String(3))
    rate: Mapped[Decimal] = mapped_column(Rate(24, 10))             # paid currency per seller currency unit
    unit_price_paid: Mapped[Decimal] = mapped_column(Amount())   # in the order's currency
    line_total: Mapped[Decimal] = mapped_column(Amount())

    order: Mapped[Order] = relationship(back_populates="lines")
    # The product as it is now, for the line's thumbnail and link; the snapshot above stays the record.
    product: Mapped["Product | None"] = relationship(viewonly=True)  # noqa: F821


class OrderEvent(db.Model):
    """A status change of an order: from, to, when and by whom."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(String(500), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[Order] = relationship(back_populates="events")


class TrackingEvent(db.Model):
    """One scan of a shipped parcel, from the simulated carrier or a real carrier's webhook.

    `code` is one of shipping.tracking.EVENT_CODES (accepted, departed_origin, customs, arrived_destination,
    out_for_delivery, delivered, exception); `external_id` is the carrier's id for the scan, unique per order,
    so a replayed webhook or a second tick records nothing twice.
    """

    __tablename__ = "tracking_events"
    __table_args__ = (UniqueConstraint("order_id", "external_id", name="uq_tracking_events_order_external"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime]
    location: Mapped[str] = mapped_column(String(80), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    source: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[Order] = relationship(back_populates="tracking_events")


class Dispute(db.Model):
    """A buyer's claim on a shipped order (not received / not as described); at most one per order.

    status: open (the seller must answer by respond_by), offered (the seller offered a partial refund,
    the buyer decides), escalated (the platform admin decides), resolved. resolution: full_refund,
    partial_refund, rejected or withdrawn.
    """

    __tablename__ = "disputes"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    reason: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), index=True)
    requested: Mapped[str] = mapped_column(String(16))                   # full_refund / partial_refund
    requested_amount: Mapped[Decimal] = mapped_column(Amount())   # in the order's currency
    offer_amount: Mapped[Decimal | None] = mapped_column(Amount())
    respond_by: Mapped[datetime | None] = mapped_column(index=True)
    resolution: Mapped[str | None] = mapped_column(String(16))
    refund_amount: Mapped[Decimal | None] = mapped_column(Amount())
    resolved_by: Mapped[str | None] = mapped_column(String(40))
    previous_status: Mapped[str] = mapped_column(String(20))            # the order's status when opened
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    escalated_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]

    order: Mapped[Order] = relationship(back_populates="dispute")
    messages: Mapped[list["DisputeMessage"]] = relationship(back_populates="dispute", cascade="all, delete-orphan",
                                                            order_by="DisputeMessage.id")


class DisputeMessage(db.Model):
    """What buyer, seller, admin (or the system) said in a dispute; shown as text, never as HTML."""

    __tablename__ = "dispute_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(10))                     # buyer / seller / admin / system
    body: Mapped[str] = mapped_column(String(2000))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    dispute: Mapped[Dispute] = relationship(back_populates="messages")


class OrderMessage(db.Model):
    """Buyer and seller talking about an order outside a dispute ("contact the seller"); shown as text."""

    __tablename__ = "order_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id"), index=True)  # for response figures
    author: Mapped[str] = mapped_column(String(10))  # buyer / seller
    body: Mapped[str] = mapped_column(String(2000))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
