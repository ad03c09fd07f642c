"""Fixtures for the test gateway: its blueprint and CLI on the app, and a merchant receiving its results."""
from __future__ import annotations

import pytest

from storefront.payments.gateway import create_gateway
from storefront.payments.testgateway import views
from storefront.payments.testgateway.delivery import register_cli
from tests.integration.payments.merchant import Merchant, merchant_blueprint


@pytest.fixture
def merchant(app) -> Merchant:
    """The app with the test gateway mounted (until create_app does it) and a merchant blueprint."""
    if "testgateway" not in app.blueprints:
        app.register_blueprint(views.bp)
    if "payments" not in app.cli.commands:
        register_cli(app)
    merchant = Merchant(app=app, gateway=create_gateway("test", app.config))
    app.register_blueprint(merchant_blueprint(merchant))
    return merchant
