"""cache_versions: version numbers every process keys its render caches by (the catalog's is bumped by every
catalog, price and stock change)

Revision ID: d3a9f6b2c8e1
Revises: b7e2c4a91d05
Create Date: 2026-12-07 11:00:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = 'd3a9f6b2c8e1'
down_revision = 'b7e2c4a91d05'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'cache_versions',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )


def downgrade() -> None:
    op.drop_table('cache_versions')
