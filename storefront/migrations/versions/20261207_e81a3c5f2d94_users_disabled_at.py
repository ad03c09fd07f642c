"""users: disabled_at, set by `flask users disable` (a disabled account cannot log in)

Revision ID: e81a3c5f2d94
Revises: c2f9b7d41e60
Create Date: 2026-12-07 13:00:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = 'e81a3c5f2d94'
down_revision = 'c2f9b7d41e60'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('disabled_at')
