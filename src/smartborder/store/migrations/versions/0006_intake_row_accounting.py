"""intake runs: every row of the file accounted for

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-03 13:50:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

COLUMNS = ('rows_in_file', 'rows_accepted', 'rows_amended', 'rows_unchanged')


def upgrade() -> None:
    with op.batch_alter_table('intake_runs', schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('intake_runs', schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
