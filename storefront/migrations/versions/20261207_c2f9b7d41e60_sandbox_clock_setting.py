"""sandbox clock offset stored in the database, shared by every web and worker process

Revision ID: c2f9b7d41e60
Revises: a4d8e1c07b31
Create Date: 2026-12-07 12:30:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = 'c2f9b7d41e60'
down_revision = 'a4d8e1c07b31'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'clock_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('offset_seconds', sa.BigInteger(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    op.drop_table('clock_settings')
