"""orders: estimate of the import tax customs charges on delivery (not part of the total)

Revision ID: 3c1f5a7e9b2d
Revises: b7e4c2a91d53
Create Date: 2026-12-07 10:00:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '3c1f5a7e9b2d'
down_revision = 'b7e4c2a91d53'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tax_delivery_estimate', sa.Numeric(precision=18, scale=4), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('tax_delivery_estimate')
