"""favourites (with the price and stock when saved) and members' recently viewed products

Revision ID: 5e3b9d7a1c42
Revises: 5b8e2f71c3a9
Create Date: 2026-12-07 10:16:17.327049
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa

from storefront.core.money_sql import ExactDecimal  # scaled BIGINT on SQLite, NUMERIC(18, 4) elsewhere


revision = '5e3b9d7a1c42'
down_revision = '5b8e2f71c3a9'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('favourites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('saved_price', ExactDecimal(18, 4), nullable=True),
    sa.Column('saved_currency', sa.String(length=3), nullable=True),
    sa.Column('saved_in_stock', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'product_id')
    )
    with op.batch_alter_table('favourites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_favourites_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_favourites_user_id'), ['user_id'], unique=False)

    op.create_table('recent_views',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('viewed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'product_id')
    )
    with op.batch_alter_table('recent_views', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recent_views_product_id'), ['product_id'], unique=False)
        batch_op.create_index('ix_recent_views_user_viewed', ['user_id', 'viewed_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('recent_views', schema=None) as batch_op:
        batch_op.drop_index('ix_recent_views_user_viewed')
        batch_op.drop_index(batch_op.f('ix_recent_views_product_id'))

    op.drop_table('recent_views')
    with op.batch_alter_table('favourites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_favourites_user_id'))
        batch_op.drop_index(batch_op.f('ix_favourites_product_id'))

    op.drop_table('favourites')
