"""Questions before buying: asking, answering, what shoppers see, and the admin's moderation.

The caller commits. The asker hears of the answer by email, after the answer commits.
"""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..core.effects import after_commit
from ..core.errors import FieldError, NotFound
from ..core.mail import send_mail
from ..core.untrusted import strip_invisible
from ..sellers.models import Offer, Seller
from .models import Question

QUESTION_MIN, QUESTION_MAX = 10, 1000
ANSWER_MAX = 2000
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class InvalidQuestion(FieldError):
    """Codes: body 'required' / 'too_short' / 'too_long'; email 'required' / 'invalid'; offer 'unknown';
    answer 'required' / 'too_long'."""


def clean_text(text: str | None) -> str:
    """Text as stored: invisible direction/zero-width characters removed, trimmed, at most one blank line."""
    text = strip_invisible((text or "").replace("\r\n", "\n")).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


def question_problems(body: str, email: str, offer_id: int | None, offers: list[Offer]) -> list[InvalidQuestion]:
    """Every rule the question breaks (all at once, so the form shows them together)."""
    problems = []
    if not body:
        problems.append(InvalidQuestion("body", "required"))
    elif len(body) < QUESTION_MIN:
        problems.append(InvalidQuestion("body", "too_short"))
    elif len(body) > QUESTION_MAX:
        problems.append(InvalidQuestion("body", "too_long"))
    if not email:
        problems.append(InvalidQuestion("email", "required"))
    elif len(email) > 254 or not EMAIL.fullmatch(email):
        problems.append(InvalidQuestion("email", "invalid"))
    if offer_id not in {o.id for o in offers}:
        problems.append(InvalidQuestion("offer", "unknown"))
    return problems


class QuestionProblems(Exception):
    """The question broke these rules; nothing was saved."""

    def __init__(self, problems: list[InvalidQuestion]) -> None:
        super().__init__(", ".join(str(p) for p in problems))
        self.problems = problems


def askable_offers(session: Session, product_id: int) -> list[Offer]:
    """The published listings of a product, whose sellers can be asked, with their sellers loaded."""
    return list(session.scalars(select(Offer).where(Offer.product_id == product_id, Offer.is_published.is_(True))
                                .options(selectinload(Offer.seller)).order_by(Offer.id)))


def ask(session: Session, product_id: int, *, offer_id: int | None, body: str | None, locale: str,
        user_id: int | None, email: str | None, now: datetime) -> Question:
    """A shopper's question to the seller of one listing of the product; `email` (a member's account email,
    or the one a guest gives) hears of the answer.

    :raises QuestionProblems: every rule broken (see question_problems); nothing is saved.
    :raises NotFound: the product has no listing to ask about.
    """
    offers = askable_offers(session, product_id)
    if not offers:
        raise NotFound(f"product {product_id} has no listing")
    body = clean_text(body)
    email = (email or "").strip().lower()
    problems = question_problems(body, email, offer_id, offers)
    if problems:
        raise QuestionProblems(problems)
    offer = next(o for o in offers if o.id == offer_id)
    question = Question(product_id=product_id, offer_id=offer.id, seller_id=offer.seller_id, user_id=user_id,
                        email=email, locale=locale, body=body, asked_at=now)
    session.add(question)
    session.flush()
    return question


def public_questions(session: Session, product_id: int, limit: int = 20) -> list[Question]:
    """What shoppers see on a product: answered questions the admin has not hidden, newest answers first."""
    return list(session.scalars(
        select(Question).where(Question.product_id == product_id, Question.answered_at.is_not(None),
                               Question.hidden_at.is_(None))
        .options(selectinload(Question.seller)).order_by(Question.answered_at.desc(), Question.id.desc())
        .limit(limit)))


def public_count(session: Session, product_id: int) -> int:
    """How many answered, visible questions a product has."""
    return session.scalar(select(func.count(Question.id)).where(
        Question.product_id == product_id, Question.answered_at.is_not(None), Question.hidden_at.is_(None))) or 0


def questions_for_seller(session: Session, seller: Seller, *, answered: bool, limit: int = 50) -> list[Question]:
    """A store's questions: the ones waiting for an answer (oldest first), or the answered ones (newest)."""
    stmt = select(Question).where(Question.seller_id == seller.id).options(selectinload(Question.product))
    if answered:
        stmt = stmt.where(Question.answered_at.is_not(None)).order_by(Question.answered_at.desc())
    else:
        stmt = stmt.where(Question.answered_at.is_(None), Question.hidden_at.is_(None)).order_by(Question.asked_at)
    return list(session.scalars(stmt.limit(limit)))


def waiting_count(session: Session, seller_id: int) -> int:
    """How many questions wait for this store's answer."""
    return session.scalar(select(func.count(Question.id)).where(
        Question.seller_id == seller_id, Question.answered_at.is_(None), Question.hidden_at.is_(None))) or 0


def seller_question(session: Session, seller: Seller, question_id: int) -> Question:
    """One of this store's questions.

    :raises NotFound: no such question, or another store's (the same answer, so ids reveal nothing).
    """
    question = session.get(Question, question_id)
    if question is None or question.seller_id != seller.id:
        raise NotFound(str(question_id))
    return question


def answer(session: Session, seller: Seller, question_id: int, text: str | None, *, now: datetime) -> Question:
    """The seller's public answer (a later one replaces it, and the asker is told once, at the first).

    :raises NotFound: see seller_question.
    :raises InvalidQuestion: answer 'required' or 'too_long'.
    """
    question = seller_question(session, seller, question_id)
    text = clean_text(text)
    if not text:
        raise InvalidQuestion("answer", "required")
    if len(text) > ANSWER_MAX:
        raise InvalidQuestion("answer", "too_long")
    first = question.answered_at is None
    question.answer, question.answered_at = text, now if first else question.answered_at
    if first:
        after_commit(session, _tell_answered, session, question.id)
    session.flush()
    return question


def _tell_answered(session: Session, question_id: int) -> None:
    question = session.get(Question, question_id)
    if question.email:  # emptied when the asker deletes their account
        send_mail(question.email, "question_answered", question.locale, question=question, product=question.product,
                  seller=question.seller.name)


def moderation_list(session: Session, limit: int = 100) -> list[Question]:
    """Recent questions for the admin, answered or not, hidden ones included."""
    return list(session.scalars(select(Question).options(selectinload(Question.product),
                                                         selectinload(Question.seller))
                                .order_by(Question.id.desc()).limit(limit)))


def set_hidden(session: Session, question_id: int, hidden: bool, *, now: datetime) -> Question:
    """The admin hides a question from shoppers (or shows it again).

    :raises NotFound: no such question.
    """
    question = session.get(Question, question_id)
    if question is None:
        raise NotFound(str(question_id))
    question.hidden_at = now if hidden else None
    session.flush()
    return question
