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
from sqlalchemy import event
from sqlalchemy.orm import Session, scoped_session

log = logging.getLogger(__name__)
KEY = "after_commit"
BEFORE_KEY = "before_commit"
ROLLBACK_KEY = "on_rollback"
RUNNING = "running_effects"
PREPARING = "preparing_commit"
WROTE = "wrote"


def _real(session: Session | scoped_session) -> Session:
    return session() if isinstance(session, scoped_session) else session


def after_commit(session: Session | scoped_session, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run fn(*args, **kwargs) once `session`'s current transaction commits; never if it rolls back."""
    _real(session).info.setdefault(KEY, []).append(partial(fn, *args, **kwargs))


def before_commit(session: Session | scoped_session, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run fn(*args, **kwargs) just before `session`'s current transaction commits, inside it: what fn writes
    commits with the change (emails rendered from the final state into the mail outbox); never on a rollback.
    A failing fn is logged and skipped: it must not undo the change it describes."""
    _real(session).info.setdefault(BEFORE_KEY, []).append(partial(fn, *args, **kwargs))


def on_rollback(session: Session | scoped_session, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run fn(*args, **kwargs) if `session`'s current transaction is rolled back or closed uncommitted (to log
    what was dropped with it)."""
    _real(session).info.setdefault(ROLLBACK_KEY, []).append(partial(fn, *args, **kwargs))


@event.listens_for(Session, "after_flush")
def _note_write(session: Session, flush_context) -> None:
    session.info[WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_writes(session: Session, transaction) -> None:
    if transaction.parent is None:  # the outermost transaction ended (commit or rollback)
        session.info.pop(WROTE, None)


def has_writes(session: Session | scoped_session) -> bool:
    """True when `session`'s open transaction changed something (flushed or pending), or is committing."""
    s = _real(session)
    return bool(s.info.get(PREPARING) or s.new or s.dirty or s.deleted or s.info.get(WROTE))


def running_effects(session: Session | scoped_session) -> bool:
    """True while `session` runs the effects of a commit: work done now belongs to no open unit of work."""
    return bool(_real(session).info.get(RUNNING))


def queued_effects(session: Session | scoped_session) -> list[partial]:
    """The effects waiting for the session's commit, in order (so a caller can queue one only once)."""
    return list(_real(session).info.get(KEY, ()))


def pending_effects(session: Session | scoped_session) -> int:
    """How many effects wait for the session's commit (for tests and logs)."""
    return len(_real(session).info.get(KEY, ()))


class RunsEffects:
    """Session mixin: commit() runs the effects queued in the transaction it committed."""

    def commit(self) -> None:
        self.info[PREPARING] = True
        try:
            for prepare in self.info.pop(BEFORE_KEY, []):
                try:
                    with self.begin_nested():  # a failure undoes only its own writes, never the change itself
                        prepare()
                except Exception:
                    log.exception("pre-commit step %r failed; the change commits without it",
                                  getattr(prepare, "func", prepare))
        finally:
            self.info.pop(PREPARING, None)
        super().commit()
        self.info.pop(ROLLBACK_KEY, None)
        effects = self.info.pop(KEY, [])
        self.info[RUNNING] = self.info.get(RUNNING, 0) + 1
        try:
            for effect in effects:
                try:
                    effect()
                except Exception:  # the change is saved; one failed effect must not hide it or stop the others
                    log.exception("effect %r failed after commit", getattr(effect, "func", effect))
        finally:
            self.info[RUNNING] -= 1

    def _drop(self) -> None:
        """Forget the transaction's queued steps; tell the rollback hooks."""
        self.info.pop(KEY, None)
        self.info.pop(BEFORE_KEY, None)
        for hook in self.info.pop(ROLLBACK_KEY, []):
            try:
                hook()
            except Exception:
                log.exception("rollback hook %r failed", getattr(hook, "func", hook))

    def rollback(self) -> None:
        self._drop()
        super().rollback()

    def close(self) -> None:
        self._drop()
        super().close()


class EffectsSession(RunsEffects, FlaskSession):
    """The app's session class (Flask-SQLAlchemy's, with effects after commit)."""
