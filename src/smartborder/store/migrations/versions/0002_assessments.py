"""assessments

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 07:14:14.004395
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('assessments',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('consignment_id', sa.BigInteger(), nullable=False),
    sa.Column('assessed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('risk_score', sa.Float(), nullable=False),
    sa.Column('lane', sa.String(length=16), nullable=False),
    sa.Column('proposed_lane', sa.String(length=16), nullable=True),
    sa.Column('selected_by', sa.String(length=32), nullable=True),
    sa.Column('profiles', sa.Text(), nullable=True),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('rfi', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['consignment_id'], ['consignments.id'], name=op.f('fk_assessments_consignment_id_consignments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessments'))
    )
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessments_consignment_id'), ['consignment_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessments_consignment_id'))

    op.drop_table('assessments')
