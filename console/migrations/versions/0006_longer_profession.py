"""customers.profession up to 200 characters

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 04:10:00

French job titles run long ("psychologue de l'éducation nationale spécialité éducation,
développement et conseil en orientation scolaire et professionnelle", 126 characters):
PostgreSQL refused them at 100, SQLite stored them silently.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.alter_column('profession', existing_type=sa.String(length=100),
                              type_=sa.String(length=200), existing_nullable=True)


def downgrade() -> None:
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.alter_column('profession', existing_type=sa.String(length=200),
                              type_=sa.String(length=100), existing_nullable=True)
