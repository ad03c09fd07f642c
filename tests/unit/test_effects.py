"""Effects queued in a transaction run after its commit, and never after a rollback."""
from __future__ import annotations

import logging

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from storefront.core.effects import RunsEffects, after_commit, pending_effects


class EffectsSession(RunsEffects, Session):
    """The app's mixin on a plain SQLAlchemy session (the app's adds Flask-SQLAlchemy's binds)."""


def _session():
    engine = create_engine("sqlite://")
    return sessionmaker(bind=engine, class_=EffectsSession)()


def test_effects_run_after_commit_in_order():
    session, ran = _session(), []
    session.execute(text("SELECT 1"))
    after_commit(session, ran.append, "mail")
    after_commit(session, ran.append, "event")
    assert ran == [] and pending_effects(session) == 2
    session.commit()
    assert ran == ["mail", "event"] and pending_effects(session) == 0
    session.commit()
    assert ran == ["mail", "event"]  # each runs once


def test_a_rollback_drops_the_effects():
    session, ran = _session(), []
    after_commit(session, ran.append, "mail")
    session.rollback()
    session.commit()
    assert ran == []


def test_closing_the_session_drops_the_effects():
    session, ran = _session(), []
    after_commit(session, ran.append, "mail")
    session.close()
    session.commit()
    assert ran == []


def test_a_failing_effect_is_logged_and_the_others_still_run(caplog):
    session, ran = _session(), []

    def broken():
        raise RuntimeError("smtp down")

    after_commit(session, broken)
    after_commit(session, ran.append, "event")
    with caplog.at_level(logging.ERROR):
        session.commit()
    assert ran == ["event"]
    assert "smtp down" in caplog.text and "broken" in caplog.text


def test_an_effect_may_use_the_session_again():
    session, seen = _session(), []
    after_commit(session, lambda: seen.append(session.execute(text("SELECT 41 + 1")).scalar()))
    session.commit()
    assert seen == [42]



def _table(session):
    session.execute(text("CREATE TABLE notes (body TEXT)"))
    session.commit()


def _notes(session) -> list[str]:
    return list(session.scalars(text("SELECT body FROM notes ORDER BY rowid")))


def test_before_commit_steps_write_inside_the_committing_transaction():
    session = _session()
    _table(session)
    session.execute(text("INSERT INTO notes VALUES ('order')"))
    from storefront.core.effects import before_commit

    before_commit(session, lambda: session.execute(text("INSERT INTO notes VALUES ('mail row')")))
    session.commit()
    assert _notes(session) == ["order", "mail row"]


def test_a_rollback_drops_before_commit_steps_and_tells_the_rollback_hooks():
    from storefront.core.effects import before_commit, on_rollback

    session, told = _session(), []
    _table(session)
    session.execute(text("INSERT INTO notes VALUES ('order')"))
    before_commit(session, lambda: session.execute(text("INSERT INTO notes VALUES ('mail row')")))
    on_rollback(session, told.append, "mail dropped")
    session.rollback()
    session.commit()
    assert _notes(session) == [] and told == ["mail dropped"]
    session.execute(text("INSERT INTO notes VALUES ('later')"))
    session.commit()
    assert told == ["mail dropped"]  # a committed transaction never tells the hooks


def test_a_failing_before_commit_step_is_logged_and_the_change_still_commits(caplog):
    from storefront.core.effects import before_commit

    session = _session()
    _table(session)
    session.execute(text("INSERT INTO notes VALUES ('order')"))

    def broken_template():
        session.execute(text("INSERT INTO notes VALUES ('half a mail')"))
        raise RuntimeError("template error")

    before_commit(session, broken_template)
    with caplog.at_level(logging.ERROR):
        session.commit()
    assert _notes(session) == ["order"]  # its own write undone, the order kept
    assert "template error" in caplog.text
