"""Side effects that must follow a commit: services queue them, and they run only once the change is saved.

A service that sends an email, records something outside the database or starts a job does not do it
itself: it calls `after_commit(session, fn, ...)`. The functions run, in order, right after that session's
next successful `commit()`; a rollback or a closed session drops them, so nothing is announced for a change
that did not happen (as django-oscar's `order_placed` signal and Saleor's `transaction.on_commit` do).

Who commits: the caller that owns the unit of work (the view for a request, the command for the CLI,
or a service documented as committing, like payment start or order placement). Services otherwise only
flush.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy.orm import Session, scoped_session

log = logging.getLogger(__name__)
KEY = "after_commit"


def _real(session: Session | scoped_session) -> Session:
    return session() if isinstance(session, scoped_session) else session


def after_commit(session: Session | scoped_session, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run fn(*args, **kwargs) once `session`'s current transaction commits; never if it rolls back."""
    _real(session).info.setdefault(KEY, []).append(partial(fn, *args, **kwargs))


def queued_effects(session: Session | scoped_session) -> list[partial]:
    """The effects waiting for the session's commit, in order (so a caller can queue one only once)."""
    return list(_real(session).info.get(KEY, ()))


def pending_effects(session: Session | scoped_session) -> int:
    """How many effects wait for the session's commit (for tests and logs)."""
    return len(_real(session).info.get(KEY, ()))


class RunsEffects:
    """Session mixin: commit() runs the effects queued in the transaction it committed."""

    def commit(self) -> None:
        super().commit()
        effects = self.info.pop(KEY, [])
        for effect in effects:
            try:
                effect()
            except Exception:  # the change is saved; one failed effect must not hide it or stop the others
                log.exception("effect %r failed after commit", getattr(effect, "func", effect))

    def rollback(self) -> None:
        self.info.pop(KEY, None)
        super().rollback()

    def close(self) -> None:
        self.info.pop(KEY, None)
        super().close()


class EffectsSession(RunsEffects, FlaskSession):
    """The app's session class (Flask-SQLAlchemy's, with effects after commit)."""
