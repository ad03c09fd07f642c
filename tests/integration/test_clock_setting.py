"""The sandbox clock offset lives in the database: set once, every process's clock follows; sandbox only."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from storefront import create_app
from storefront.core.clock import utcnow
from storefront.core.clock_setting import ClockSetting


def other_process(app, **config):
    """A second app on the same database, as another web node or the worker would be."""
    keys = ("SQLALCHEMY_DATABASE_URI", "MEDIA_PATH", "SEARCH_INDEX_PATH", "MAIL_OUTBOX")
    return create_app({key: app.config[key] for key in keys} | {"TESTING": True} | config)


def test_clock_set_moves_time_for_another_app_instance(app, runner):
    result = runner.invoke(args=["clock", "set", "--days", "4"])
    assert result.exit_code == 0, result.output
    assert utcnow() - datetime.now(timezone.utc) > timedelta(days=3, hours=23)
    second = other_process(app)
    with second.app_context():
        assert timedelta(days=3, hours=23) < utcnow() - datetime.now(timezone.utc) < timedelta(days=4, hours=1)
        shown = second.test_cli_runner().invoke(args=["clock", "show"])
        assert "4 days, stored by `clock set`" in shown.output
    runner.invoke(args=["clock", "set", "--days", "0"])
    assert abs(utcnow() - datetime.now(timezone.utc)) < timedelta(hours=1)


def test_config_offset_still_applies_when_nothing_is_stored(app, runner):
    app.config["CLOCK_OFFSET"] = timedelta(days=2)
    assert utcnow() - datetime.now(timezone.utc) > timedelta(days=1, hours=23)
    runner.invoke(args=["clock", "set", "--days", "0"])
    assert abs(utcnow() - datetime.now(timezone.utc)) < timedelta(hours=1)  # the stored offset wins
    assert runner.invoke(args=["clock", "reset"]).exit_code == 0
    assert utcnow() - datetime.now(timezone.utc) > timedelta(days=1, hours=23)


def test_clock_cannot_be_moved_without_the_sandbox_gateway(app, session):
    live = other_process(app, PAYMENT_GATEWAY="test")
    live.config["PAYMENT_GATEWAY"] = "acme-live"  # as a shop configured for real payments would be
    with live.app_context():
        result = live.test_cli_runner().invoke(args=["clock", "set", "--days", "4"])
        assert result.exit_code != 0 and "PAYMENT_GATEWAY=test" in result.output
    assert session.get(ClockSetting, 1) is None


def test_a_stored_offset_is_ignored_once_the_gateway_is_not_the_sandbox(app, runner):
    runner.invoke(args=["clock", "set", "--days", "4"])
    live = other_process(app)
    live.config["PAYMENT_GATEWAY"] = "acme-live"
    with live.app_context():
        assert abs(utcnow() - datetime.now(timezone.utc)) < timedelta(hours=1)
