"""fulfilment

Revision ID: 6257bbf6a8ba
Revises: 86b81b6365ad
Create Date: 2026-11-27 08:23:04.373056
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '6257bbf6a8ba'
down_revision = '86b81b6365ad'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ship_by', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('shipped_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('carrier', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('tracking_number', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('cancel_reason', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('cancelling_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_orders_ship_by'), ['ship_by'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_ship_by'))
        batch_op.drop_column('cancelling_since')
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('tracking_number')
        batch_op.drop_column('carrier')
        batch_op.drop_column('shipped_at')
        batch_op.drop_column('ship_by')
