"""Version numbers stored in the database, one row per name, so every web and worker process agrees on when
a cached rendering went stale: a change bumps the number after it commits, readers key their caches by it."""
from __future__ import annotations

from sqlalchemy import String, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..extensions import db
from .effects import after_commit, queued_effects

CATALOG = "catalog"  # products, offers, prices, stock summaries, categories: what product cards show


class CacheVersion(db.Model):
    """How many times the things called `name` changed (no row yet: 0)."""

    __tablename__ = "cache_versions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(default=0)


def read_version(session: Session, name: str = CATALOG) -> int:
    """The current version of `name` (one primary-key read)."""
    return session.scalar(select(CacheVersion.version).where(CacheVersion.name == name)) or 0


def bump_after_commit(session, name: str = CATALOG) -> None:
    """Bump `name`'s version once the caller's transaction commits (once per transaction however often it is
    asked). After the commit, not in it: the change is visible before any reader can see the new number, so a
    cache filled under the new number never holds the old data, and writers do not queue on one row's lock."""
    if any(effect.func is _bump and effect.args[1:] == (name,) for effect in queued_effects(session)):
        return
    after_commit(session, _bump, session, name)


def _bump(session, name: str) -> None:
    """Add one to the version in a short transaction of the same session, right after the change committed
    (the session's own connection: a second one would wait on SQLite's single writer)."""
    changed = session.execute(
        update(CacheVersion).where(CacheVersion.name == name).values(version=CacheVersion.version + 1)
    ).rowcount
    if not changed:
        try:
            with session.begin_nested():
                session.execute(insert(CacheVersion).values(name=name, version=1))
        except IntegrityError:  # another process created the row meanwhile: bump that one
            session.execute(
                update(CacheVersion).where(CacheVersion.name == name).values(version=CacheVersion.version + 1)
            )
    session.commit()
