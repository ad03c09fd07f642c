"""Alembic environment: migrate the app's database (DATABASE_URL) using the models' metadata."""
from __future__ import annotations

from alembic import context

from storefront import create_app
from storefront.extensions import db
from storefront.models import metadata

config = context.config


def run() -> None:
    """Run migrations on a connection handed over by `flask init-db`, or on the app's engine."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    app = create_app()
    with app.app_context(), db.engine.connect() as conn:
        _migrate(conn)
        conn.commit()


def _migrate(connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch migrations rebuild SQLite tables (copy, drop, rename); with foreign keys enforced, dropping
        # a table others refer to would delete or refuse their rows. The pragma only works outside a transaction.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    try:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite and (broken := connection.exec_driver_sql("PRAGMA foreign_key_check").all()):
                raise RuntimeError(f"the migration left rows pointing at nothing: {broken[:5]}")
    finally:
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


run()
