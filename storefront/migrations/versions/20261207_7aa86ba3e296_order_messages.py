"""order_messages: buyer and seller write to each other about an order (contact the seller)

Revision ID: 7aa86ba3e296
Revises: 5e983d4dd115
Create Date: 2026-12-07 10:37:24.377773
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '7aa86ba3e296'
down_revision = '5e983d4dd115'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('order_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('author', sa.String(length=10), nullable=False),
    sa.Column('body', sa.String(length=2000), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['seller_id'], ['sellers.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('order_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_messages_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_messages_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_messages_seller_id'), ['seller_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('order_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_messages_seller_id'))
        batch_op.drop_index(batch_op.f('ix_order_messages_order_id'))
        batch_op.drop_index(batch_op.f('ix_order_messages_at'))

    op.drop_table('order_messages')
