"""Metrics fixtures: the hand-counted history, and logged-in clients for each role."""
from __future__ import annotations

from datetime import date

import pytest

from tests.factories import account
from tests.integration.metrics import history


@pytest.fixture
def shop(app, session):
    """The hand-counted history (see history.py); today is pinned to 27 November 2026."""
    app.config["TODAY"] = date(2026, 11, 27)
    return history.build(session)


@pytest.fixture
def admin(app):
    """A platform admin, logged in."""
    return account(app, "admin@example.com", role="admin")
