"""test gateway: the sandbox payment provider's own tables (testgw_*)

Revision ID: 845cadc97f83
Revises: 596c4072df75
Create Date: 2026-11-27 07:41:08.697077
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '845cadc97f83'
down_revision = '596c4072df75'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('testgw_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('return_url', sa.String(length=2000), nullable=False),
    sa.Column('cancel_url', sa.String(length=2000), nullable=False),
    sa.Column('webhook_url', sa.String(length=2000), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('failure_reason', sa.String(length=40), nullable=True),
    sa.Column('card_last4', sa.String(length=4), nullable=True),
    sa.Column('card_brand', sa.String(length=20), nullable=True),
    sa.Column('refunded_amount', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token')
    )
    with op.batch_alter_table('testgw_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_testgw_sessions_reference'), ['reference'], unique=False)

    op.create_table('testgw_refunds',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['testgw_sessions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('testgw_refunds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_testgw_refunds_session_id'), ['session_id'], unique=False)

    op.create_table('testgw_webhook_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['testgw_sessions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id')
    )
    with op.batch_alter_table('testgw_webhook_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_testgw_webhook_events_delivered_at'), ['delivered_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_testgw_webhook_events_session_id'), ['session_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('testgw_webhook_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_testgw_webhook_events_session_id'))
        batch_op.drop_index(batch_op.f('ix_testgw_webhook_events_delivered_at'))

    op.drop_table('testgw_webhook_events')
    with op.batch_alter_table('testgw_refunds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_testgw_refunds_session_id'))

    op.drop_table('testgw_refunds')
    with op.batch_alter_table('testgw_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_testgw_sessions_reference'))

    op.drop_table('testgw_sessions')
