"""metrics: checkout usd rate, date indexes, events by kind, time and visit

Checkouts placed before this revision get the USD rate of the exchange rates stored now (the best
record there is); new ones record the rate place_order used.

Revision ID: 7d803936613c
Revises: 8daba5b47f7a
Create Date: 2026-11-27 09:40:59.454456
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '7d803936613c'
down_revision = '8daba5b47f7a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('checkouts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('usd_rate', sa.Numeric(precision=24, scale=10), nullable=True))
    op.execute(
        "UPDATE checkouts SET usd_rate = ("
        " SELECT usd.per_eur / cur.per_eur FROM exchange_rates cur, exchange_rates usd"
        " WHERE cur.currency = checkouts.currency AND usd.currency = 'USD')"
        " WHERE usd_rate IS NULL"
    )

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_delivered_at', ['delivered_at'], unique=False)
        batch_op.create_index('ix_orders_paid_at', ['paid_at'], unique=False)

    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index('ix_payments_created_at', ['created_at'], unique=False)

    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index('ix_reviews_created_at', ['created_at'], unique=False)

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_kind_at')
        batch_op.create_index('ix_events_kind_at_session', ['kind', 'at', 'session_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_kind_at_session')
        batch_op.create_index('ix_events_kind_at', ['kind', 'at'], unique=False)

    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_reviews_created_at')

    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index('ix_payments_created_at')

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_paid_at')
        batch_op.drop_index('ix_orders_delivered_at')

    with op.batch_alter_table('checkouts', schema=None) as batch_op:
        batch_op.drop_column('usd_rate')

