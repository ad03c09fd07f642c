"""Helpers for after-sale tests: a shopper buys and pays through the real checkout and sandbox gateway, the
seller ships at a chosen time, and the clock moves; plus the emails written to the outbox."""
from __future__ import annotations

import email
from datetime import datetime, timedelta

from sqlalchemy import func, select

from storefront.accounts.models import User
from storefront.core.clock import utcnow
from storefront.extensions import db
from storefront.orders.fulfilment import mark_shipped
from storefront.orders.models import Dispute, Order
from storefront.payments.models import Payout, Refund
from tests.builders import CARD, place, reload
from tests.outbox import outbox_count, outbox_mails

TRACKING = "LP00123456789CN"


def bought(client, sku: str = "EB-1", qty: int = 1, *, locale: str = "es") -> str:
    """`client` (a logged-in shopper, or a guest browser) buys and pays by card; returns the order number."""
    placed = place(client, sku, qty, locale=locale)
    page = "/testpay/pay/" + placed.headers["Location"].split("/testpay/pay/")[1]
    client.post(page, data=CARD, follow_redirects=True)
    db.session.rollback()
    return db.session.scalars(select(Order.number).order_by(Order.id.desc())).first()


def ship(number: str, *, days_ago: float = 0, at: datetime | None = None) -> datetime:
    """The seller ships the order now, `days_ago` days ago, or `at`; returns when."""
    shipped_at = at or utcnow().replace(microsecond=0) - timedelta(days=days_ago)
    mark_shipped(db.session, reload(number), carrier="cainiao", tracking_number=TRACKING, actor="seller:1",
                 now=shipped_at)
    return shipped_at


def dispute_of(number: str) -> Dispute | None:
    """The order's dispute as the database has it now."""
    db.session.rollback()
    return db.session.scalar(select(Dispute).join(Order).where(Order.number == number))


def payout_of(number: str) -> Payout | None:
    """The seller's payout for the order, if one is due."""
    db.session.rollback()
    return db.session.scalar(select(Payout).join(Order, Payout.order_id == Order.id).where(Order.number == number))


def refunds_of(number: str) -> list:
    """The refund amounts recorded for the order, oldest first."""
    db.session.rollback()
    return list(db.session.scalars(select(Refund.amount).join(Order, Refund.order_id == Order.id)
                                   .where(Order.number == number).order_by(Refund.id)))


def snapshot(number: str) -> tuple:
    """Everything an illegal or refused action must leave as it was."""
    order = reload(number)
    dispute = dispute_of(number)
    order = reload(number)
    return (order.status, order.refunded_total, order.protection_ends_at, order.protection_extended,
            order.completed_at, len(order.events), payout_of(number) is not None, len(refunds_of(number)),
            None if dispute is None else (dispute.status, dispute.offer_amount, dispute.respond_by,
                                          len(dispute.messages)))


def mails(app, template: str) -> list[email.message.EmailMessage]:
    """The emails written to this test's mail outbox from `template`."""
    return outbox_mails(template)


def mail_count(app) -> int:
    """How many emails the outbox holds."""
    return outbox_count()


def set_locale(email_address: str, locale: str) -> None:
    """Store an account's preferred language."""
    db.session.rollback()
    db.session.scalar(select(User).where(User.email == email_address)).locale = locale
    db.session.commit()


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))
