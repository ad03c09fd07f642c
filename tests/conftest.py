"""Shared fixtures: an app on each test database (SQLite always, PostgreSQL when TEST_DATABASE_URL is set)."""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

_INSTANCE = tempfile.mkdtemp(prefix="storefront-test-")
os.environ.setdefault("STOREFRONT_INSTANCE", _INSTANCE)
os.environ.setdefault("SECRET_KEY", "test-secret")

import pytest  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from flask.testing import FlaskClient  # noqa: E402

from storefront import create_app  # noqa: E402
from storefront.cli import upgrade_database  # noqa: E402
from storefront.currency.services import load_snapshot  # noqa: E402
from storefront.extensions import db  # noqa: E402
from storefront.models import metadata  # noqa: E402

DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request, tmp_path_factory) -> str:
    """A migrated, empty database per kind, shared by the session's tests."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        url = os.environ["TEST_DATABASE_URL"]
        _reset_postgres(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade_database()
        db.engine.dispose()
    return url


def _clean(session) -> None:
    """Empty every table so no test sees another's rows."""
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(t.name for t in metadata.sorted_tables)
        session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(metadata.sorted_tables):
            session.execute(table.delete())
    session.commit()


class IsolatedClient(FlaskClient):
    """A test client whose every request gets its own app context, hence its own database session.

    That is how requests run in production; without it, requests would share the test's session
    (and its open transaction). The test's own changes are committed first so requests see them.
    """

    def open(self, *args, **kwargs):
        db.session.commit()
        with self.application.app_context():
            return super().open(*args, **kwargs)


@contextmanager
def app_on(database_url: str, folder: Path):
    """The storefront on a clean `database_url` with the bundled exchange rates loaded, its files under
    `folder`, inside an app context for as long as the `with` lasts."""
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": database_url,
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "MEDIA_PATH": str(folder / "media"),
        "SEARCH_INDEX_PATH": str(folder / "index"),
        "MAIL_OUTBOX": str(folder / "mail"),
        "SERVER_NAME": None,
    })
    app.test_client_class = IsolatedClient
    with app.app_context():
        _clean(db.session)
        load_snapshot(db.session)
        db.session.commit()
        from storefront.currency import services as currency_services

        currency_services._cache.clear()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(database_url, tmp_path):
    """The storefront on a clean database with the bundled exchange rates loaded."""
    with app_on(database_url, tmp_path) as app:
        yield app


@pytest.fixture
def session(app):
    """The app's database session."""
    return db.session


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner for flask commands."""
    return app.test_cli_runner()


def pytest_collection_modifyitems(config, items):
    """Markers from where a test lives and what it runs on, so tiers can be picked with -m:
    e2e (Playwright journeys), postgres (the PostgreSQL run of a both-databases test), slow (seeds the demo)."""
    for item in items:
        path = str(item.path)
        if "/tests/e2e/" in path:
            item.add_marker(pytest.mark.e2e)
        if getattr(item, "callspec", None) is not None and item.callspec.params.get("database_url") == "postgresql":
            item.add_marker(pytest.mark.postgres)
        if item.path.name in SLOW_FILES:
            item.add_marker(pytest.mark.slow)


SLOW_FILES = {"test_demo_shop.py", "test_demo_history.py"}  # each seeds the whole demo store
