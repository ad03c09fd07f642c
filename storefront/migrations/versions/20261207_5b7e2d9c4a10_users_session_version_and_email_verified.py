"""users: session_version (revokes sessions and remember cookies) and email_verified_at

Accounts created before email verification existed count as verified (their owners have been using them).

Revision ID: 5b7e2d9c4a10
Revises: 7aa86ba3e296
Create Date: 2026-12-07 10:10:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '5b7e2d9c4a10'
down_revision = '7aa86ba3e296'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('email_verified_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE users SET email_verified_at = created_at")


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email_verified_at')
        batch_op.drop_column('session_version')
