"""payment sessions reused or superseded, duplicate-charge refunds, buyers' cancel requests

Revision ID: b7e4c2a91d53
Revises: b7c41e2a9d10
Create Date: 2026-11-28 09:00:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = 'b7e4c2a91d53'
down_revision = 'b7c41e2a9d10'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('redirect_url', sa.String(length=2000), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('order_ids', sa.JSON(), nullable=True))
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.alter_column('order_id', existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancel_requested_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_orders_cancel_requested_at'), ['cancel_requested_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_cancel_requested_at'))
        batch_op.drop_column('cancel_requested_at')
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.alter_column('order_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_column('order_ids')
        batch_op.drop_column('redirect_url')
