"""intake run status and error

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 13:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('intake_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=16), server_default='running', nullable=False))
        batch_op.add_column(sa.Column('error', sa.Text(), nullable=True))
    op.execute("UPDATE intake_runs SET status = 'finished' WHERE finished_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table('intake_runs', schema=None) as batch_op:
        batch_op.drop_column('error')
        batch_op.drop_column('status')
