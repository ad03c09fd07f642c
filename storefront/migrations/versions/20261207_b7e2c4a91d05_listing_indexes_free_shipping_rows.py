"""listings at scale: free-shipping countries as indexed rows (backfilled from the JSON list), per-category
sort indexes on products, and a (ships_from, product_id) index on offers

Revision ID: b7e2c4a91d05
Revises: f3b9d2a71c48
Create Date: 2026-12-07 10:30:00.000000
"""
from __future__ import annotations

import json

from alembic import op
import sqlalchemy as sa


revision = 'b7e2c4a91d05'
down_revision = 'f3b9d2a71c48'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'offer_free_shipping',
        sa.Column('offer_id', sa.Integer(), nullable=False),
        sa.Column('country', sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('offer_id', 'country'),
    )
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index('ix_products_category_price', ['category_id', 'min_price_usd'], unique=False)
        batch_op.create_index('ix_products_category_created', ['category_id', 'created_at'], unique=False)
        batch_op.create_index('ix_products_category_rating', ['category_id', 'rating_avg', 'rating_count'],
                              unique=False)
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.create_index('ix_offers_ships_from_product', ['ships_from', 'product_id'], unique=False)

    # Backfill: one row per country in each offer's JSON list (the list stays, for display).
    conn = op.get_bind()
    zones = sa.table('offer_free_shipping', sa.column('offer_id', sa.Integer), sa.column('country', sa.String))
    rows = []
    for offer_id, raw in conn.execute(sa.text("SELECT id, free_shipping FROM offers")):
        codes = json.loads(raw) if isinstance(raw, str) else (raw or [])
        rows.extend({"offer_id": offer_id, "country": code} for code in sorted(set(codes or [])))
        if len(rows) >= 5000:
            conn.execute(zones.insert(), rows)
            rows = []
    if rows:
        conn.execute(zones.insert(), rows)


def downgrade() -> None:
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.drop_index('ix_offers_ships_from_product')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index('ix_products_category_rating')
        batch_op.drop_index('ix_products_category_created')
        batch_op.drop_index('ix_products_category_price')
    op.drop_table('offer_free_shipping')
