"""The order state machine: every status change goes through transition(), which refuses illegal ones."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session, selectinload

from ..core.clock import utcnow
from ..catalog.models import Product, queue_reindex
from ..core.versions import CATALOG, bump_after_commit
from ..core.errors import DomainError, NotFound
from ..extensions import begin_write
from ..core.events import record_system_event
from ..sellers.models import Variant
from ..payments.models import Payout
from .models import Checkout, Order, OrderEvent, OrderLine

TRANSITIONS: dict[str, frozenset[str]] = {
    "awaiting_payment": frozenset({"paid", "cancelled"}),
    "paid": frozenset({"shipped", "cancelled", "refunded"}),
    "shipped": frozenset({"delivered", "disputed", "completed"}),
    "delivered": frozenset({"completed", "disputed"}),
    # A dispute ends in a full refund, in completion (partial refund, or rejected), or, withdrawn by the
    # buyer, back where it was.
    "disputed": frozenset({"completed", "refunded", "shipped", "delivered"}),
    "completed": frozenset(),
    "cancelled": frozenset(),
    "refunded": frozenset(),
}
STATES = tuple(TRANSITIONS)


BUYER_CANCELLED = "buyer_cancelled"  # cancel_reason of an order its buyer cancelled before paying

# Orders whose units count as sold ("N sold" on product cards): paid and not cancelled or refunded since.
SOLD = ("paid", "shipped", "delivered", "disputed", "completed")


class IllegalTransition(DomainError):
    """The order cannot move from its status to the one asked for."""


def transition(session: Session, order: Order, to: str, *, actor: str, note: str = "",
               now: datetime | None = None) -> None:
    """Move an order to status `to`, recording when and by whom.

    :raises IllegalTransition: when the state machine does not allow it; nothing changes then.
    """
    if to not in TRANSITIONS.get(order.status, ()):
        raise IllegalTransition(f"{order.number}: {order.status} -> {to}")
    order.events.append(OrderEvent(from_status=order.status, to_status=to, actor=actor[:40], note=note[:500],
                                   at=now or utcnow()))
    record_system_event(session, f"order_{to}", at=order.events[-1].at, order=order, seller_id=order.seller_id,
                        **{"from": order.status}, actor=actor[:40])
    if to == "paid" or (to in ("cancelled", "refunded") and order.status in SOLD):
        count_sold(session, order, 1 if to == "paid" else -1)
    if to == "paid":
        from .fulfilment import handling_deadline  # fulfilment builds on this module

        order.paid_at = now or utcnow()
        order.ship_by = handling_deadline(order)  # payment starts the seller's handling clock
    elif to == "delivered" and order.delivered_at is None:
        order.delivered_at = now or utcnow()
    elif to == "completed":
        order.completed_at = now or utcnow()
        # The seller is owed what the buyer paid less what went back; only now, never before.
        session.add(Payout(order_id=order.id, seller_id=order.seller_id, amount=order.total - order.refunded_total,
                           currency=order.currency, due_at=order.completed_at))
    order.status = to
    session.flush()


def count_sold(session: Session, order: Order, sign: int) -> None:
    """Add (sign 1) or take back (sign -1) the order's units in its products' sold counts, and queue the
    products for the search index (popularity sorts use the count)."""
    by_product: dict[int, int] = {}
    for line in order.lines:
        if line.product_id is not None:
            by_product[line.product_id] = by_product.get(line.product_id, 0) + line.quantity
    for product_id, quantity in sorted(by_product.items()):
        counted = Product.orders_count + sign * quantity
        session.execute(update(Product).where(Product.id == product_id)
                        .values(orders_count=case((counted < 0, 0), else_=counted))
                        .execution_options(synchronize_session=False))
    queue_reindex(session, by_product)


def restore_stock(session: Session, order: Order) -> None:
    """Give an order's units back to stock (variants locked in id order, like placement)."""
    wanted: dict[int, int] = {}
    for line in order.lines:
        if line.variant_id is not None:
            wanted[line.variant_id] = wanted.get(line.variant_id, 0) + line.quantity
    if not wanted:
        return
    variants = session.scalars(
        select(Variant).where(Variant.id.in_(sorted(wanted))).order_by(Variant.id).with_for_update()
        .execution_options(populate_existing=True)
    )
    for variant in variants:
        variant.stock += wanted[variant.id]
    session.flush()


def release_unpaid(session: Session, now: datetime) -> int:
    """Cancel orders still awaiting payment past their checkout's deadline and release their stock.

    Driven by `flask orders tick`; `now` is injected so tests can move time. Returns how many
    orders were cancelled.
    """
    begin_write(session)
    due = session.scalars(
        select(Order).join(Checkout).where(Order.status == "awaiting_payment", Checkout.pay_by < now)
        .order_by(Order.id).with_for_update(of=Order).options(selectinload(Order.lines))
    ).all()
    for order in due:
        restore_stock(session, order)
        transition(session, order, "cancelled", actor="system", note="payment not received in time", now=now)
    session.commit()
    return len(due)


def cancel_unpaid(session: Session, order: Order, *, actor: str, now: datetime) -> Order:
    """The buyer cancels an order still awaiting payment: its stock is released at once. Commits.

    The checkout's other orders stay as they are; what is left to pay for them is their sum, and the
    caller closes any payment session opened for the old amount (payments.expire_open_payments).

    :raises IllegalTransition: the order is not awaiting payment (paid meanwhile, or cancelled already);
        nothing changes then.
    """
    order_id = order.id
    begin_write(session)
    locked = session.scalar(select(Order).where(Order.id == order_id).with_for_update(of=Order)
                            .options(selectinload(Order.lines)).execution_options(populate_existing=True))
    if locked.status != "awaiting_payment":
        session.rollback()
        raise IllegalTransition(f"{locked.number}: {locked.status} -> cancelled")
    restore_stock(session, locked)
    locked.cancel_reason = BUYER_CANCELLED
    transition(session, locked, "cancelled", actor=actor, note="cancelled by the buyer before paying", now=now)
    session.commit()
    return locked


def payable(order: Order, now: datetime) -> bool:
    """True while the buyer can still pay this order by card: awaiting payment, before its checkout's deadline."""
    pay_by = order.checkout.pay_by
    pay_by = pay_by if pay_by.tzinfo else pay_by.replace(tzinfo=timezone.utc)  # SQLite hands back naive UTC
    return order.status == "awaiting_payment" and order.checkout.payment_method == "card" and pay_by > now


def order_for_buyer(session: Session, number: str, *, user_id: int | None, checkout_refs: list[str]) -> Order:
    """An order its buyer may see: their own account's, or one of this browser's guest checkouts.

    :raises NotFound: otherwise (the same answer as for a number that does not exist).
    """
    order = session.scalar(
        select(Order).where(Order.number == number).options(selectinload(Order.lines),
                                                            selectinload(Order.checkout))
    )
    if order is None:
        raise NotFound(number)
    if user_id is not None and order.user_id == user_id:
        return order
    if order.checkout.reference in checkout_refs:
        return order
    raise NotFound(number)


def recount_sold(session: Session) -> None:
    """Set every product's sold count (Product.orders_count) from its orders: units in orders that were
    paid and are not cancelled or refunded. transition() keeps it up to date afterwards."""
    units = (select(func.coalesce(func.sum(OrderLine.quantity), 0)).join(Order, Order.id == OrderLine.order_id)
             .where(OrderLine.product_id == Product.id, Order.status.in_(SOLD)).scalar_subquery())
    session.execute(update(Product).values(orders_count=units).execution_options(synchronize_session=False))
    bump_after_commit(session, CATALOG)  # every card's "N sold" may have changed
