"""listing indexes

Revision ID: 86b81b6365ad
Revises: 845cadc97f83
Create Date: 2026-11-27 08:16:27.168604
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '86b81b6365ad'
down_revision = '845cadc97f83'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index('ix_products_category_orders', ['category_id', 'orders_count'], unique=False)
        batch_op.create_index('ix_products_offer_count', ['offer_count'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index('ix_products_offer_count')
        batch_op.drop_index('ix_products_category_orders')

