"""knowledge base revisions

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 12:20:12.462099
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kb_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=90), nullable=False),
    sa.Column('action', sa.String(length=12), nullable=False),
    sa.Column('author', sa.String(length=60), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('content', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_revisions'))
    )
    with op.batch_alter_table('kb_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_revisions_slug'), ['slug'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('kb_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_revisions_slug'))

    op.drop_table('kb_revisions')
