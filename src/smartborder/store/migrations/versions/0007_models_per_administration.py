"""models per administration

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-03 13:40:00.000000

Each administration has its own register of models (champion, challengers, retired); models
registered from the command line without an administration (organisation_id null) form the
command line's own register. A version is unique within one register.
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('models', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.BigInteger(), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_models_version'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_models_organisation_id_version'), ['organisation_id', 'version'])
        batch_op.create_foreign_key(batch_op.f('fk_models_organisation_id_organisations'), 'organisations', ['organisation_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('models', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_models_organisation_id_organisations'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_models_organisation_id_version'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_models_version'), ['version'])
        batch_op.drop_column('organisation_id')
