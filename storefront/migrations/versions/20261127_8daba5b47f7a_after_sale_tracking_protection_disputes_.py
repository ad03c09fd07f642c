"""after sale: tracking, protection, disputes, payouts

Revision ID: 8daba5b47f7a
Revises: ffef9d299b99
Create Date: 2026-11-27 09:34:57.596438
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '8daba5b47f7a'
down_revision = 'ffef9d299b99'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('disputes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('requested', sa.String(length=16), nullable=False),
    sa.Column('requested_amount', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('offer_amount', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('respond_by', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolution', sa.String(length=16), nullable=True),
    sa.Column('refund_amount', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('resolved_by', sa.String(length=40), nullable=True),
    sa.Column('previous_status', sa.String(length=20), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('order_id')
    )
    with op.batch_alter_table('disputes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disputes_respond_by'), ['respond_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_disputes_status'), ['status'], unique=False)

    op.create_table('payouts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], ),
    sa.ForeignKeyConstraint(['seller_id'], ['sellers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('order_id')
    )
    with op.batch_alter_table('payouts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payouts_seller_id'), ['seller_id'], unique=False)

    op.create_table('tracking_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=24), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('location', sa.String(length=80), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('order_id', 'external_id', name='uq_tracking_events_order_external')
    )
    with op.batch_alter_table('tracking_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tracking_events_order_id'), ['order_id'], unique=False)

    op.create_table('dispute_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dispute_id', sa.Integer(), nullable=False),
    sa.Column('author', sa.String(length=10), nullable=False),
    sa.Column('body', sa.String(length=2000), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dispute_id'], ['disputes.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('dispute_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dispute_messages_dispute_id'), ['dispute_id'], unique=False)

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('protection_ends_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('protection_extended', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_orders_completed_at'), ['completed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_protection_ends_at'), ['protection_ends_at'], unique=False)
    # Orders completed before this revision: their completion time is in their history.
    op.execute("UPDATE orders SET completed_at = (SELECT max(e.at) FROM order_events e "
               "WHERE e.order_id = orders.id AND e.to_status = 'completed') WHERE status = 'completed'")


def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_protection_ends_at'))
        batch_op.drop_index(batch_op.f('ix_orders_completed_at'))
        batch_op.drop_column('completed_at')
        batch_op.drop_column('protection_extended')
        batch_op.drop_column('protection_ends_at')
        batch_op.drop_column('delivered_at')

    with op.batch_alter_table('dispute_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dispute_messages_dispute_id'))

    op.drop_table('dispute_messages')
    with op.batch_alter_table('tracking_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tracking_events_order_id'))

    op.drop_table('tracking_events')
    with op.batch_alter_table('payouts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payouts_seller_id'))

    op.drop_table('payouts')
    with op.batch_alter_table('disputes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disputes_status'))
        batch_op.drop_index(batch_op.f('ix_disputes_respond_by'))

    op.drop_table('disputes')
