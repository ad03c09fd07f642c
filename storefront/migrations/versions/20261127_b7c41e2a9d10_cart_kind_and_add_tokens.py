"""cart kind (buy now) and add-to-cart idempotency tokens

Revision ID: b7c41e2a9d10
Revises: 531dbbb9ebdd
Create Date: 2026-11-27 12:00:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = 'b7c41e2a9d10'
down_revision = '531dbbb9ebdd'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('carts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='cart', nullable=False))

    op.create_table(
        'cart_add_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cart_id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['cart_id'], ['carts.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('cart_id', 'token'),
    )
    with op.batch_alter_table('cart_add_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cart_add_tokens_cart_id'), ['cart_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cart_add_tokens_used_at'), ['used_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('cart_add_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cart_add_tokens_used_at'))
        batch_op.drop_index(batch_op.f('ix_cart_add_tokens_cart_id'))
    op.drop_table('cart_add_tokens')
    with op.batch_alter_table('carts', schema=None) as batch_op:
        batch_op.drop_column('kind')
