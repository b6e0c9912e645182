"""customer scores, score runs, offer log

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 11:49:43.602085
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('score_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.Column('reference_date', sa.DateTime(), nullable=False),
    sa.Column('thresholds', sa.JSON(), nullable=False),
    sa.Column('stats', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_score_runs'))
    )
    op.create_table('customer_scores',
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.Column('revenue_period', sa.Float(), nullable=False),
    sa.Column('revenue_previous', sa.Float(), nullable=False),
    sa.Column('revenue_total', sa.Float(), nullable=False),
    sa.Column('purchases_period', sa.Integer(), nullable=False),
    sa.Column('purchases_total', sa.Integer(), nullable=False),
    sa.Column('recency_days', sa.Integer(), nullable=True),
    sa.Column('r_score', sa.Integer(), nullable=True),
    sa.Column('f_score', sa.Integer(), nullable=True),
    sa.Column('m_score', sa.Integer(), nullable=True),
    sa.Column('rfm_segment', sa.String(length=40), nullable=True),
    sa.Column('pareto', sa.Boolean(), nullable=False),
    sa.Column('abc_class', sa.String(length=1), nullable=True),
    sa.Column('frat_frequency_days', sa.Float(), nullable=True),
    sa.Column('frat_seniority_days', sa.Integer(), nullable=True),
    sa.Column('frat_amount_ratio', sa.Float(), nullable=True),
    sa.Column('frat_strategic_share', sa.Float(), nullable=True),
    sa.Column('potentiel', sa.Float(), nullable=True),
    sa.Column('performances', sa.Float(), nullable=True),
    sa.Column('tcc', sa.Float(), nullable=True),
    sa.Column('radar', sa.String(length=20), nullable=True),
    sa.Column('customer_type', sa.String(length=20), nullable=True),
    sa.Column('actual_value', sa.Float(), nullable=False),
    sa.Column('strategic_value', sa.Float(), nullable=False),
    sa.Column('cost_to_serve', sa.Float(), nullable=False),
    sa.Column('value_rank', sa.String(length=20), nullable=True),
    sa.Column('lifecycle_stage', sa.String(length=30), nullable=True),
    sa.Column('lifetime_value', sa.Float(), nullable=False),
    sa.Column('sensitive', sa.Boolean(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_scores_customer_id_customers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('customer_id', name=op.f('pk_customer_scores'))
    )
    with op.batch_alter_table('customer_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_scores_abc_class'), ['abc_class'], unique=False)
        batch_op.create_index(batch_op.f('ix_customer_scores_customer_type'), ['customer_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_customer_scores_lifecycle_stage'), ['lifecycle_stage'], unique=False)
        batch_op.create_index(batch_op.f('ix_customer_scores_rfm_segment'), ['rfm_segment'], unique=False)
        batch_op.create_index(batch_op.f('ix_customer_scores_value_rank'), ['value_rank'], unique=False)

    op.create_table('offer_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('agent', sa.String(length=60), nullable=True),
    sa.Column('call_id', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_offer_log_customer_id_customers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_offer_log_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offer_log'))
    )
    with op.batch_alter_table('offer_log', schema=None) as batch_op:
        batch_op.create_index('ix_offer_log_customer', ['customer_id', 'at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('offer_log', schema=None) as batch_op:
        batch_op.drop_index('ix_offer_log_customer')

    op.drop_table('offer_log')
    with op.batch_alter_table('customer_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_scores_value_rank'))
        batch_op.drop_index(batch_op.f('ix_customer_scores_rfm_segment'))
        batch_op.drop_index(batch_op.f('ix_customer_scores_lifecycle_stage'))
        batch_op.drop_index(batch_op.f('ix_customer_scores_customer_type'))
        batch_op.drop_index(batch_op.f('ix_customer_scores_abc_class'))

    op.drop_table('customer_scores')
    op.drop_table('score_runs')
