"""index tracking numbers for carrier webhooks

Revision ID: 531dbbb9ebdd
Revises: 7d803936613c
Create Date: 2026-11-27 10:59:55.116295
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '531dbbb9ebdd'
down_revision = '7d803936613c'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_tracking_number'), ['tracking_number'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_tracking_number'))

