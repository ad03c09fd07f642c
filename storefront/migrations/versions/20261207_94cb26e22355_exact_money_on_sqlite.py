"""exact money on sqlite: money and rate columns become scaled integers there

SQLite stored every NUMERIC money and rate column as a binary float, so SQL sums and comparisons
(the sandbox's guarded refund UPDATE among them) were inexact. On SQLite each value is now its
Decimal times 10**scale in a BIGINT (see storefront/core/money_sql.py). Existing values are
converted exactly: each stored float is read back as the shortest decimal that round-trips (what was
written: 31.98, not 31.980000000000000426) and rounded half up to the column's scale.
PostgreSQL's NUMERIC columns are exact already and stay as they are.

Revision ID: 94cb26e22355
Revises: 3c1f5a7e9b2d
Create Date: 2026-12-07 06:55:00.000000
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from alembic import op
import sqlalchemy as sa


revision = '94cb26e22355'
down_revision = '3c1f5a7e9b2d'
branch_labels = None
depends_on = None

MONEY = (18, 4)
# table -> {column: ((precision, scale), nullable)}
COLUMNS = {
    'exchange_rates': {'per_eur': ((20, 8), False)},
    'testgw_sessions': {'amount': (MONEY, False), 'refunded_amount': (MONEY, False)},
    'testgw_refunds': {'amount': (MONEY, False)},
    'checkouts': {'items_total': (MONEY, False), 'shipping_total': (MONEY, False), 'tax_total': (MONEY, False),
                  'total': (MONEY, False), 'usd_rate': ((24, 10), True)},
    'products': {'min_price_usd': (MONEY, True)},
    'offers': {'free_shipping_over': (MONEY, True)},
    'variants': {'price': (MONEY, False)},
    'cart_lines': {'seen_price': (MONEY, False)},
    'orders': {'items_total': (MONEY, False), 'shipping_total': (MONEY, False), 'tax_total': (MONEY, False),
               'total': (MONEY, False), 'refunded_total': (MONEY, False), 'tax_delivery_estimate': (MONEY, True)},
    'order_lines': {'unit_price': (MONEY, False), 'rate': ((24, 10), False), 'unit_price_paid': (MONEY, False),
                    'line_total': (MONEY, False)},
    'disputes': {'requested_amount': (MONEY, False), 'offer_amount': (MONEY, True), 'refund_amount': (MONEY, True)},
    'payments': {'amount': (MONEY, False)},
    'refunds': {'amount': (MONEY, False)},
    'payouts': {'amount': (MONEY, False)},
}


def scaled(value, scale: int) -> int | None:
    """A stored SQLite value (float, int or text) as the exact integer number of 10**-scale units."""
    if value is None:
        return None
    exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
    return int(exact.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP).scaleb(scale))


def unscaled(value, scale: int) -> float | None:
    """A scaled integer back as the float NUMERIC held before (for downgrade)."""
    return None if value is None else float(Decimal(value).scaleb(-scale))


def _rewrite(table: str, convert) -> None:
    """Rewrite every value of the table's money columns with `convert(value, scale)`, row by row (exact)."""
    bind = op.get_bind()
    columns = COLUMNS[table]
    names = list(columns)
    rows = bind.exec_driver_sql(f"SELECT rowid, {', '.join(names)} FROM {table}").all()
    if not rows:
        return
    assignments = ", ".join(f"{name} = ?" for name in names)
    bind.exec_driver_sql(
        f"UPDATE {table} SET {assignments} WHERE rowid = ?",
        [tuple(convert(value, columns[name][0][1]) for name, value in zip(names, row[1:])) + (row[0],)
         for row in rows],
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != 'sqlite':
        return  # NUMERIC is exact on PostgreSQL
    for table, columns in COLUMNS.items():
        # Values first: the table rebuild below copies them with CAST(... AS BIGINT), which would truncate floats.
        _rewrite(table, scaled)
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, ((precision, scale), nullable) in columns.items():
                batch_op.alter_column(name, existing_type=sa.Numeric(precision=precision, scale=scale),
                                      type_=sa.BigInteger(), existing_nullable=nullable)


def downgrade() -> None:
    if op.get_bind().dialect.name != 'sqlite':
        return
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, ((precision, scale), nullable) in columns.items():
                batch_op.alter_column(name, existing_type=sa.BigInteger(),
                                      type_=sa.Numeric(precision=precision, scale=scale), existing_nullable=nullable)
        _rewrite(table, unscaled)
