"""jobs: the worker's heartbeat per periodic job, and jobs that gave up after their retries

Revision ID: a4d8e1c07b31
Revises: 94cb26e22355
Create Date: 2026-12-07 12:00:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = 'a4d8e1c07b31'
down_revision = '94cb26e22355'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'job_heartbeats',
        sa.Column('job', sa.String(length=64), nullable=False),
        sa.Column('beat_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('job'),
    )
    op.create_table(
        'job_failures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('job', sa.String(length=64), nullable=False),
        sa.Column('error', sa.Text(), nullable=False),
        sa.Column('failed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_job_failures_job', 'job_failures', ['job'])
    op.create_index('ix_job_failures_failed_at', 'job_failures', ['failed_at'])


def downgrade() -> None:
    op.drop_index('ix_job_failures_failed_at', table_name='job_failures')
    op.drop_index('ix_job_failures_job', table_name='job_failures')
    op.drop_table('job_failures')
    op.drop_table('job_heartbeats')
