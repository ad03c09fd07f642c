"""Flask extensions, created here unbound and initialised in create_app."""
from __future__ import annotations

from datetime import datetime

from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, registry, scoped_session

from .core.effects import EffectsSession


class Base(DeclarativeBase):
    """Declarative base shared by every model; every timestamp is stored with its time zone."""

    registry = registry(type_annotation_map={datetime: DateTime(timezone=True)})


db = SQLAlchemy(model_class=Base, session_options={"class_": EffectsSession})
babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
htmx = Htmx()


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, _record) -> None:
    """SQLite: enforce foreign keys, use WAL, and let SQLAlchemy own transactions so savepoints work."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection) -> None:
    """SQLite: emit BEGIN ourselves (pysqlite's implicit one breaks SAVEPOINT); IMMEDIATE when asked."""
    if connection.dialect.name == "sqlite":
        mode = "IMMEDIATE" if connection.get_execution_options().get("sqlite_immediate") else ""
        connection.exec_driver_sql(f"BEGIN {mode}".strip())


def begin_write(session) -> None:
    """Start a fresh transaction meant to write, at a point where the session has nothing pending.

    On SQLite this is BEGIN IMMEDIATE: a concurrent writer makes us wait (busy timeout) instead of
    failing later, when a transaction that began by reading tries to write after another commit.
    PostgreSQL needs nothing special (row locks do the work), so there it only ends any read.
    """
    real = session() if isinstance(session, scoped_session) else session
    if real.in_transaction():
        real.commit()
    real.connection(execution_options={"sqlite_immediate": True})
