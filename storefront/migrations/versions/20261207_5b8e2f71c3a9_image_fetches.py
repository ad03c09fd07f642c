"""image_fetches: pictures listings name by URL, downloaded by a background job

Revision ID: 5b8e2f71c3a9
Revises: 5b7e2d9c4a10
Create Date: 2026-12-07 10:15:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '5b8e2f71c3a9'
down_revision = '5b7e2d9c4a10'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('image_fetches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('store_handle', sa.String(length=64), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=True),
    sa.Column('path', sa.String(length=200), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('product_id', 'url')
    )
    with op.batch_alter_table('image_fetches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_image_fetches_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_image_fetches_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('image_fetches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_image_fetches_status'))
        batch_op.drop_index(batch_op.f('ix_image_fetches_product_id'))
    op.drop_table('image_fetches')
