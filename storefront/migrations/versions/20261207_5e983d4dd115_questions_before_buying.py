"""questions: shoppers' questions about a listing and the seller's answers (questions before buying)

Revision ID: 5e983d4dd115
Revises: e81a3c5f2d94
Create Date: 2026-12-07 10:20:49.844736
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '5e983d4dd115'
down_revision = 'e81a3c5f2d94'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], ),
    sa.ForeignKeyConstraint(['seller_id'], ['sellers.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questions_offer_id'), ['offer_id'], unique=False)
        batch_op.create_index('ix_questions_product_answered', ['product_id', 'answered_at'], unique=False)
        batch_op.create_index('ix_questions_seller_answered', ['seller_id', 'answered_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_questions_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questions_user_id'))
        batch_op.drop_index('ix_questions_seller_answered')
        batch_op.drop_index('ix_questions_product_answered')
        batch_op.drop_index(batch_op.f('ix_questions_offer_id'))

    op.drop_table('questions')
