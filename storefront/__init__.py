"""The storefront Flask application: create_app() wires configuration, extensions and blueprints."""
from __future__ import annotations

import json
from pathlib import Path

from flask import Flask

from . import config as config_module
from .extensions import babel, csrf, db, htmx, login_manager


def create_app(config: dict | None = None) -> Flask:
    """Build the app from the environment, overridden by `config` (tests pass theirs)."""
    root = config_module.ROOT
    app = Flask(
        __name__,
        template_folder=str(root / "templates"),
        static_folder=str(root / "static"),
        instance_path=str(config_module.INSTANCE),
    )
    app.config.update(config_module.from_environment())
    if config:
        app.config.update(config)
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config["SESSION_COOKIE_SECURE"])
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(root / "translations"))
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = _engine_options(app.config["SQLALCHEMY_DATABASE_URI"])
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from .core.context import LocaleConverter, init_shopper_context, select_locale, select_timezone

    from .core.security import BoundedIntConverter, init_security

    app.url_map.converters["lang"] = LocaleConverter
    app.url_map.converters["int"] = BoundedIntConverter  # before any route: ids beyond any row are 404

    from .core.assets import init_assets

    init_assets(app)  # first after_request registered, so compression runs last, on the final body
    db.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)
    init_security(app)  # first before_request: unusable input never reaches the shopper context or a view
    init_shopper_context(app)
    from .core.limits import init_limits

    init_limits(app)  # after the input guard: unusable requests are refused before they are counted
    from .core.seo import init_seo

    init_seo(app)
    from .currency.display import init_display

    init_display(app)
    from .catalog.option_glossary import init_option_labels

    init_option_labels(app)

    from .catalog.search_service import init_search

    init_search(app)
    from .catalog.card_cache import init_render_cache

    init_render_cache(app)

    from .payments.gateway import create_gateway
    from .payments.testgateway import adapter as _test_gateway  # noqa: F401  (registers "test")

    app.extensions["payment_gateway"] = create_gateway(app.config["PAYMENT_GATEWAY"], app.config)

    from . import jobs  # builds the queue from REDIS_URL / JOBS_DB: a bad setting stops start-up

    jobs.check_settings(app.config)
    from .jobs import tasks as jobs_tasks  # registers the jobs the app may trigger

    app.extensions["trigger_job"] = jobs_tasks.trigger
    from .core.events import init_recording

    init_recording(app)

    from .core import errors_views
    from .accounts.credential_views import bp as credentials_bp
    from .accounts.views import bp as accounts_bp
    from .catalog.views import bp as catalog_bp
    from .catalog.store_views import bp as sellers_bp
    from .cart.views import bp as cart_bp
    from .checkout.views import bp as checkout_bp
    from .core.views import bp as core_bp
    from .orders import payment_outcomes  # noqa: F401  (orders apply what payments report)
    from .orders.views import bp as orders_bp
    from .payments.testgateway.views import bp as testgateway_bp
    from .payments.views import bp as payments_bp
    from .reviews.views import bp as reviews_bp
    from .seller_center.listings_views import bp as seller_listings_bp
    from .seller_center.orders_views import bp as seller_orders_bp
    from .seller_center.reviews_views import bp as seller_reviews_bp
    from .seller_center.questions_views import bp as seller_questions_bp
    from .questions.views import bp as questions_bp
    from .orders.carrier_webhook import bp as tracking_bp
    from .pages.views import bp as pages_bp
    from .favourites.views import bp as favourites_bp
    from .recommendations.views import bp as recommendations_bp

    for bp in (core_bp, catalog_bp, sellers_bp, seller_listings_bp, seller_orders_bp, seller_reviews_bp, accounts_bp, credentials_bp, cart_bp,
               checkout_bp, orders_bp, payments_bp,
               reviews_bp, questions_bp, seller_questions_bp, pages_bp, favourites_bp, recommendations_bp):
        app.register_blueprint(bp)
    app.register_blueprint(tracking_bp)  # the carriers' webhook; also picks TRACKING_PROVIDER's adapter
    from .admin.views import bp as admin_bp

    app.register_blueprint(admin_bp)  # the platform admin's pages: escalated disputes
    from .admin.metrics_views import bp as metrics_bp

    app.register_blueprint(metrics_bp)  # the platform admin's metrics dashboard
    from .admin.questions_views import bp as admin_questions_bp

    app.register_blueprint(admin_questions_bp)  # the platform admin's moderation of questions
    from .admin.health_views import bp as health_bp

    app.register_blueprint(health_bp)  # /readyz for load balancers and monitoring
    from .catalog import structured_data
    from .catalog.seo_views import bp as seo_bp

    app.register_blueprint(seo_bp)  # robots.txt and the sitemaps
    structured_data.register(app)
    from .privacy.views import bp as privacy_bp

    app.register_blueprint(privacy_bp)  # download my data, delete my account
    if app.config["PAYMENT_GATEWAY"] == "test":
        app.register_blueprint(testgateway_bp)  # the sandbox provider's own pages
    errors_views.register(app)

    from .cli import register_commands

    register_commands(app)
    from .payments.testgateway.delivery import register_cli as register_test_gateway_cli

    register_test_gateway_cli(app)
    return app


def _engine_options(url: str) -> dict:
    """Engine options per database: SQLite waits on locks instead of failing at once."""
    # JSON stored as real UTF-8 so non-Latin titles stay readable and searchable with LIKE.
    options = {"json_serializer": lambda value: json.dumps(value, ensure_ascii=False)}
    if url.startswith("sqlite"):
        return options | {"connect_args": {"timeout": 30}}
    return options | {"pool_pre_ping": True}
