"""mail outbox: every email a row, written with the change that caused it and sent by the mail job

Revision ID: f3b9d2a71c48
Revises: 5e3b9d7a1c42
Create Date: 2026-12-07 10:30:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = 'f3b9d2a71c48'
down_revision = '5e3b9d7a1c42'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'mail_outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.String(length=255), nullable=False),
        sa.Column('recipient', sa.String(length=320), nullable=False),
        sa.Column('template', sa.String(length=64), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('message_id'),
    )
    op.create_index('ix_mail_outbox_template', 'mail_outbox', ['template'])
    op.create_index('ix_mail_outbox_due', 'mail_outbox', ['status', 'next_attempt_at'])


def downgrade() -> None:
    op.drop_index('ix_mail_outbox_due', table_name='mail_outbox')
    op.drop_index('ix_mail_outbox_template', table_name='mail_outbox')
    op.drop_table('mail_outbox')
