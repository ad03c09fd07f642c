"""Flask commands: init-db, seed-demo, catalog import, rates refresh, translate."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from tqdm import tqdm
from flask.cli import AppGroup

from .config import LOCALES, ROOT
from .extensions import db

MIGRATIONS = Path(__file__).parent / "migrations"
TRANSLATIONS = ROOT / "translations"


def upgrade_database() -> None:
    """Bring the app's database schema to the newest migration."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with db.engine.connect() as connection:  # not begun: env.py may need to set SQLite pragmas first
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")
        connection.commit()


def register_commands(app: Flask) -> None:
    """Attach every command group to the app."""

    @app.cli.command("init-db")
    def init_db() -> None:
        """Create or upgrade the database schema and load exchange rates if there are none."""
        from .currency.services import load_snapshot

        upgrade_database()
        added = load_snapshot(db.session)
        db.session.commit()
        click.echo(f"Database ready ({db.engine.url.render_as_string(hide_password=True)}); "
                   f"{added} bundled exchange rates loaded.")
        _add_missing_sizes()  # an upgrade also brings pictures uploaded before a size existed up to date

    def _add_missing_sizes() -> None:
        from .sellers.images import add_missing_sizes

        seen, written = add_missing_sizes(current_app.config["MEDIA_PATH"])
        click.echo(f"{seen} uploaded pictures checked; {written} smaller copies made.")

    media = AppGroup("media", help="Uploaded pictures.")

    @media.command("sizes")
    def media_sizes() -> None:
        """Make the smaller copies (200, 400, 800 px) that pictures uploaded before they existed lack."""
        _add_missing_sizes()

    app.cli.add_command(media)

    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Do nothing when products already exist.")
    @click.option("--products", type=int, default=0, help="Add N synthetic products (benchmarks).")
    @click.option("--history-days", type=click.IntRange(min=0), default=None,
                  help="Days of marketplace activity to generate for the demo store (default 120; 0: none).")
    def seed_demo(if_empty: bool, products: int, history_days: int | None) -> None:
        """Import the bundled demo catalog and demo logins with months of activity (or N synthetic products)."""
        from .demo.history import DEFAULT_DAYS
        from .demo.seed import seed_demo_store, seed_synthetic

        if products:
            report = seed_synthetic(db.session, products, progress=True)
        else:
            report = seed_demo_store(db.session, if_empty=if_empty, progress=True,
                                     history_days=DEFAULT_DAYS if history_days is None else history_days)
        if report is None:
            click.echo("Demo data already present; nothing to do.")
            return
        _print_report(report)
        from .catalog.indexing import rebuild_index
        from .catalog.search_service import search_backend

        click.echo(f"{rebuild_index(db.session, search_backend())} products indexed for search.")

    catalog = AppGroup("catalog", help="Catalog maintenance.")

    @catalog.command("import")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def catalog_import(path: Path) -> None:
        """Import listings from a JSON Lines file (see README: catalog import format)."""
        from .catalog.image_fetches import policy as image_policy
        from .catalog.importer import import_listings
        from .catalog.indexing import drain_outbox
        from .catalog.search_service import search_backend
        from .currency.services import current_rates

        with path.open("rb") as stream, tqdm(
            total=path.stat().st_size, unit="B", unit_scale=True, desc="Importing", file=sys.stderr,
            disable=None,
        ) as bar:
            report = import_listings(db.session, stream, current_rates(), on_line=bar.update,
                                     url_rules=image_policy(current_app.config))
        drain_outbox(db.session, search_backend())
        _print_report(report)
        if report.images_queued:
            click.echo(f"{report.images_queued} pictures given by URL wait for the worker "
                       "(or run `flask catalog fetch-images`).")
            current_app.extensions["trigger_job"]("image_fetches")
        if report.errors:
            sys.exit(1)

    @catalog.command("fetch-images")
    def catalog_fetch_images() -> None:
        """Download the pictures listings give by URL now (the worker does it every minute)."""
        from .jobs.work import fetch_listing_images

        report = fetch_listing_images(db.session, current_app.config)
        click.echo(f"{report.stored} pictures stored, {report.failed} failed, {report.retry_later} to retry later.")

    app.cli.add_command(catalog)

    rates = AppGroup("rates", help="Exchange rates.")

    @rates.command("refresh")
    @click.option("--url", default=None, help="Rates document URL (default: RATES_URL).")
    def rates_refresh(url: str | None) -> None:
        """Fetch the European Central Bank's reference rates; on failure the last rates stay."""
        from .currency.services import RatesUnavailable
        from .jobs.work import refresh_exchange_rates

        try:
            count = refresh_exchange_rates(db.session, url or current_app.config["RATES_URL"])
        except RatesUnavailable as exc:
            click.echo(f"Rates not refreshed, keeping the last ones: {exc}", err=True)
            sys.exit(1)
        click.echo(f"{count} exchange rates updated.")

    app.cli.add_command(rates)

    search = AppGroup("search", help="The product search index.")

    @search.command("reindex")
    def search_reindex() -> None:
        """Rebuild the index from the database, aside, then swap it in (search stays up)."""
        from .catalog.indexing import buyable_count, rebuild_index
        from .catalog.search_service import search_backend

        with tqdm(total=buyable_count(db.session), unit="doc", desc="Indexing", file=sys.stderr,
                  disable=None) as bar:
            done = [0]

            def progress(count: int) -> None:
                bar.update(count - done[0])
                done[0] = count

            count = rebuild_index(db.session, search_backend(), progress)
        click.echo(f"{count} products indexed.")

    @search.command("sync")
    def search_sync() -> None:
        """Apply queued product changes to the index now (the worker does it every minute)."""
        from .jobs.work import sync_search_index

        click.echo(f"{sync_search_index(db.session)} queued changes applied.")

    app.cli.add_command(search)

    orders = AppGroup("orders", help="Order timers.")

    @orders.command("tick")
    @click.option("--now", "now_text", default=None, help="ISO time to act as now (default: the clock).")
    def orders_tick(now_text: str | None) -> None:
        """Run the order timers now (the worker runs them every minute): cancel unpaid orders past their
        deadline and release their stock; refund late and duplicate payments; cancel and refund paid orders
        not shipped by their handling deadline, and buyers' cancel requests unanswered for 2 days, and tell
        their buyers; record the carriers' new scans and tell buyers whose parcels were delivered; move
        disputes past their deadline on (to the platform, or the seller's offer taken); complete orders whose
        buyer protection ended."""
        from datetime import datetime

        from .core.clock import utcnow
        from .jobs.work import run_order_timers

        now = datetime.fromisoformat(now_text) if now_text else utcnow()
        report = run_order_timers(db.session, current_app.extensions["payment_gateway"], now)
        click.echo(f"{report.unpaid_cancelled} unpaid orders cancelled; "
                   f"{report.late_payments_refunded} late payments refunded.")
        click.echo(f"{report.unshipped_cancelled} orders not shipped in time cancelled and refunded.")
        click.echo(f"{report.cancel_requests_accepted} cancel requests unanswered for 2 days accepted and refunded.")
        click.echo(f"{report.delivered} parcels delivered.")
        click.echo(f"{report.disputes_moved_on} disputes past their deadline moved on; "
                   f"{report.auto_confirmed} orders confirmed at the end of their buyer protection.")

    app.cli.add_command(orders)

    clock = AppGroup("clock", help="The sandbox clock (PAYMENT_GATEWAY=test only).")

    @clock.command("set")
    @click.option("--days", type=click.FloatRange(min=-3650, max=3650), required=True,
                  help="Run the shop's clock this many days ahead of real time (0: real time).")
    def clock_set(days: float) -> None:
        """Move the shop's clock for every web and worker process (they follow within seconds)."""
        from datetime import timedelta

        from .core.clock import utcnow
        from .core.clock_setting import ClockLocked, set_offset

        try:
            set_offset(db.session, current_app._get_current_object(), timedelta(days=days))
        except ClockLocked as exc:
            raise click.ClickException(f"Clock not moved: {exc}.") from exc
        click.echo(f"The shop's clock now runs {days:g} days ahead: it is {utcnow().isoformat(timespec='seconds')}.")

    @clock.command("reset")
    def clock_reset() -> None:
        """Forget the stored offset: real time again (moved only by CLOCK_OFFSET_DAYS, if set)."""
        from .core.clock import utcnow
        from .core.clock_setting import clear_offset

        clear_offset(db.session, current_app._get_current_object())
        click.echo(f"The stored clock offset is gone: it is {utcnow().isoformat(timespec='seconds')}.")

    @clock.command("show")
    def clock_show() -> None:
        """Print the shop's time and where its offset comes from."""
        from datetime import timedelta

        from .core.clock import utcnow
        from .core.clock_setting import stored_offset

        stored = stored_offset(current_app._get_current_object())
        setting = current_app.config.get("CLOCK_OFFSET") or timedelta()
        setting = setting if isinstance(setting, timedelta) else timedelta(days=float(setting))
        source = (f"{stored.total_seconds() / 86400:g} days, stored by `clock set`" if stored is not None
                  else f"{setting.total_seconds() / 86400:g} days, from CLOCK_OFFSET_DAYS")
        click.echo(f"{utcnow().isoformat(timespec='seconds')} (offset {source}).")

    app.cli.add_command(clock)

    metrics = AppGroup("metrics", help="Marketplace success metrics.")

    @metrics.command("report")
    @click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First day (UTC).")
    @click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Day after the last one.")
    @click.option("--breakdown", type=click.Choice(["day", "week", "country", "locale", "currency", "device"]),
                  default=None, help="Also show every section per day, week, country, language, currency or device.")
    @click.option("--locale", type=click.Choice(LOCALES), default="en", help="Language of labels and numbers.")
    def metrics_report(start, end, breakdown: str | None, locale: str) -> None:
        """Print the metrics dashboard's figures for [--from, --to) as plain text."""
        from flask_babel import force_locale

        from .metrics.dashboard import build_dashboard
        from .metrics.periods import EARLIEST, LATEST, MAX_DAYS, Period, range_problem
        from .metrics.report import report_text

        if range_problem(start.date(), end.date()):
            raise click.BadParameter(f"--to must be after --from, at most {MAX_DAYS} days later, both between "
                                     f"{EARLIEST.year} and {LATEST.year - 1}", param_hint="--to")
        board = build_dashboard(db.session, Period(start.date(), end.date()), breakdown)
        with current_app.test_request_context(f"/{locale}/"), force_locale(locale):
            click.echo(report_text(board, locale), nl=False)

    app.cli.add_command(metrics)

    translate = AppGroup("translate", help="Translation catalogs (wraps pybabel).")

    def pybabel(*args: str) -> None:
        from babel.messages.frontend import CommandLineInterface

        CommandLineInterface().run(["pybabel", "-q", *args])

    @translate.command("update")
    def translate_update() -> None:
        """Extract messages from code and templates and merge them into every catalog."""
        pot = str(TRANSLATIONS / "messages.pot")
        pybabel("extract", "-F", str(TRANSLATIONS / "babel.cfg"), "-k", "_l", "--no-location",
                "--sort-output", "--project", "storefront", "-o", pot, str(ROOT))
        for locale in LOCALES:
            po = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
            if po.exists():
                pybabel("update", "-i", pot, "-d", str(TRANSLATIONS), "-l", locale, "--no-fuzzy-matching")
            else:
                pybabel("init", "-i", pot, "-d", str(TRANSLATIONS), "-l", locale)
        _fill_source_catalog(TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po")

    @translate.command("compile")
    def translate_compile() -> None:
        """Compile every catalog to .mo files."""
        pybabel("compile", "-d", str(TRANSLATIONS))

    app.cli.add_command(translate)
    from .jobs.cli import register_cli as register_jobs_cli
    from .accounts.cli import register_cli as register_users_cli

    register_jobs_cli(app)
    register_users_cli(app)


def _fill_source_catalog(path: Path) -> None:
    """English is the source language: its catalog's translations are the message ids themselves."""
    from babel.messages.pofile import read_po, write_po

    with path.open("rb") as f:
        catalog = read_po(f, locale="en")
    for message in catalog:
        if message.id and not (message.string if isinstance(message.string, str) else any(message.string)):
            message.string = message.id if isinstance(message.id, str) else tuple(message.id)
        message.flags.discard("fuzzy")
    with path.open("wb") as f:
        write_po(f, catalog, width=100, omit_header=False)


def _print_report(report) -> None:
    click.echo(
        f"{report.lines} lines read, {report.imported} imported: {report.products_created} new products, "
        f"{report.offers_created} new offers, {report.variants_created} new and "
        f"{report.variants_updated} updated variants, {report.variants_removed} removed; "
        f"{len(report.errors)} lines rejected."
    )
    for error in report.errors[:50]:
        click.echo(f"  line {error.line}: {error.reason}", err=True)
    if len(report.errors) > 50:
        click.echo(f"  ... and {len(report.errors) - 50} more", err=True)
