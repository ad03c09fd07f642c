"""Download my data and delete my account: one rule per table that holds data about an account.

Deleting keeps what sellers and tax records need: orders and checkouts stay, without the person (no account,
no email, an address reduced to country and region); reviews stay, shown as by a deleted user; the rest goes.
While an order or a dispute of the account is open, deletion is refused with the reason.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from ..accounts.credentials import WrongPassword
from ..accounts.models import Address, User
from ..cart.models import Cart
from ..core.effects import after_commit
from ..core.errors import DomainError
from ..core.events import Event
from ..core.mail import send_mail
from ..favourites.models import Favourite, RecentView
from ..orders.models import Checkout, Order, OrderMessage
from ..orders.services import TRANSITIONS
from ..questions.models import Question
from ..reviews.models import DELETED_AUTHOR, HelpfulVote, Review
from ..sellers.models import Seller

ANONYMOUS_EMAIL = "deleted-user@invalid"  # ".invalid" can never be delivered (RFC 2606)
KEPT_ADDRESS_FIELDS = ("country", "region")  # where an order went, for the seller's tax records
HIDDEN = {"password_hash", "session_version", "token", "idempotency_key"}  # secrets, not data about a person


class CannotDelete(DomainError):
    """The account cannot be deleted now; `reasons` holds (code, detail) pairs: open_order (order number),
    open_dispute (order number), store_owner (store name)."""

    def __init__(self, reasons: list[tuple[str, str]]) -> None:
        super().__init__(", ".join(f"{code} {detail}" for code, detail in reasons))
        self.reasons = reasons


def _plain(value):
    """A column value as JSON can hold it (money as exact decimal text, times in ISO 8601)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def row(obj) -> dict:
    """Every column of a model instance, secrets left out."""
    return {c.name: _plain(getattr(obj, c.key)) for c in obj.__table__.columns if c.name not in HIDDEN}


# --- one rule per table: what the export shows, what deletion does ---------------------------------------------

def _export_orders(session: Session, user_id: int) -> list[dict]:
    orders = session.scalars(select(Order).where(Order.user_id == user_id).order_by(Order.id))
    return [row(o) | {"lines": [row(line) for line in o.lines], "events": [row(e) for e in o.events],
                      "tracking_events": [row(t) for t in o.tracking_events],
                      "dispute": (row(o.dispute) | {"messages": [row(m) for m in o.dispute.messages]}
                                  if o.dispute else None),
                      "messages": [row(m) for m in session.scalars(
                          select(OrderMessage).where(OrderMessage.order_id == o.id).order_by(OrderMessage.id))]}
            for o in orders]


def _export_carts(session: Session, user_id: int) -> list[dict]:
    carts = session.scalars(select(Cart).where(Cart.user_id == user_id))
    return [row(c) | {"lines": [row(line) for line in c.lines]} for c in carts]


def _rows(model, column) -> Callable[[Session, int], list[dict]]:
    def export(session: Session, user_id: int) -> list[dict]:
        return [row(o) for o in session.scalars(select(model).where(column == user_id).order_by(model.id))]
    return export


def _votes(session: Session, user_id: int) -> list[dict]:
    return [{"review_id": v.review_id, "created_at": _plain(v.created_at)}
            for v in session.scalars(select(HelpfulVote).where(HelpfulVote.voter == f"u:{user_id}"))]


def _anonymise_checkouts(session: Session, user_id: int) -> None:
    for checkout in session.scalars(select(Checkout).where(Checkout.user_id == user_id)):
        checkout.address = {k: v for k, v in (checkout.address or {}).items() if k in KEPT_ADDRESS_FIELDS}
        checkout.email, checkout.user_id = ANONYMOUS_EMAIL, None


def _anonymise_orders(session: Session, user_id: int) -> None:
    session.execute(update(Order).where(Order.user_id == user_id).values(user_id=None, email=ANONYMOUS_EMAIL))


def _anonymise_reviews(session: Session, user_id: int) -> None:
    session.execute(update(Review).where(Review.user_id == user_id).values(user_id=None, author_name=DELETED_AUTHOR))


def _anonymise_votes(session: Session, user_id: int) -> None:
    # The votes still count (helpful_count stays true), but no longer say whose they were.
    for vote in session.scalars(select(HelpfulVote).where(HelpfulVote.voter == f"u:{user_id}")):
        vote.voter = f"x:{secrets.token_hex(12)}"


def _anonymise_questions(session: Session, user_id: int) -> None:
    # Answered questions help other shoppers and never showed who asked; no more emails go to the asker.
    session.execute(update(Question).where(Question.user_id == user_id).values(user_id=None, email=""))


def _forget_events(session: Session, user_id: int) -> None:
    session.execute(update(Event).where(Event.user_id == user_id).values(user_id=None))


def _delete(model, column) -> Callable[[Session, int], None]:
    def erase(session: Session, user_id: int) -> None:
        session.execute(delete(model).where(column == user_id))
    return erase


def _nothing(session: Session, user_id: int) -> None:
    """Deletion is refused while the account owns a store (check_deletable), so there is nothing to do."""


@dataclass(frozen=True)
class TableRule:
    """What happens to one table's rows about an account: how they are exported, and what deletion does."""

    export: Callable[[Session, int], list[dict]]
    erase: Callable[[Session, int], None]
    on_delete: str  # for people and the README: deleted / anonymised / kept / refused


# Keyed by table name; coverage.py checks every table about users is here. "users" comes last when erasing.
PERSONAL_TABLES: dict[str, TableRule] = {
    "addresses": TableRule(_rows(Address, Address.user_id), _delete(Address, Address.user_id), "deleted"),
    "carts": TableRule(_export_carts, _delete(Cart, Cart.user_id), "deleted"),
    "favourites": TableRule(_rows(Favourite, Favourite.user_id), _delete(Favourite, Favourite.user_id), "deleted"),
    "recent_views": TableRule(_rows(RecentView, RecentView.user_id), _delete(RecentView, RecentView.user_id),
                              "deleted"),
    "checkouts": TableRule(_rows(Checkout, Checkout.user_id), _anonymise_checkouts,
                           "kept without email, account or address (country and region stay)"),
    "orders": TableRule(_export_orders, _anonymise_orders, "kept for the seller and tax, without email or account"),
    "reviews": TableRule(_rows(Review, Review.user_id), _anonymise_reviews, "kept, shown as by a deleted user"),
    "review_helpful_votes": TableRule(_votes, _anonymise_votes, "kept as anonymous votes"),
    "questions": TableRule(_rows(Question, Question.user_id), _anonymise_questions,
                           "kept without the account or email (they never showed who asked)"),
    "events": TableRule(_rows(Event, Event.user_id), _forget_events, "kept without the account"),
    "sellers": TableRule(_rows(Seller, Seller.owner_id), _nothing, "refused while the account owns a store"),
    "users": TableRule(lambda s, uid: [row(s.get(User, uid))], _delete(User, User.id), "deleted"),
}


def export_data(session: Session, user: User, now: datetime) -> dict:
    """Everything the shop holds about `user`, one key per table, as JSON-ready values."""
    return {"exported_at": now.isoformat(), "account_email": user.email} | {
        name: rule.export(session, user.id) for name, rule in PERSONAL_TABLES.items()}


def check_deletable(session: Session, user: User) -> None:
    """:raises CannotDelete: with every reason at once (open orders, open disputes, a store owned)."""
    reasons: list[tuple[str, str]] = []
    for order in session.scalars(select(Order).where(Order.user_id == user.id).order_by(Order.id)):
        if order.dispute is not None and order.dispute.status != "resolved":
            reasons.append(("open_dispute", order.number))
        elif TRANSITIONS[order.status]:  # a status that can still change: not completed, cancelled or refunded
            reasons.append(("open_order", order.number))
    for store in session.scalars(select(Seller).where(Seller.owner_id == user.id)):
        reasons.append(("store_owner", store.name))
    if reasons:
        raise CannotDelete(reasons)


def delete_account(session: Session, user: User, password: str) -> None:
    """Delete `user` (flushes; the caller commits and logs the browser out): every table's rule runs, and a
    last email confirms it.

    :raises WrongPassword: the password is not the account's.
    :raises CannotDelete: an order or dispute is open, or the account owns a store.
    """
    if not check_password_hash(user.password_hash, password):
        raise WrongPassword("password", "wrong")
    check_deletable(session, user)
    email, locale, name, user_id = user.email, user.locale or "en", user.name, user.id
    session.expunge(user)  # the rows go by SQL below; the identity map must not write the object back
    for rule in PERSONAL_TABLES.values():
        rule.erase(session, user_id)
    session.flush()
    after_commit(session, send_mail, email, "account_deleted", locale, name=name)
