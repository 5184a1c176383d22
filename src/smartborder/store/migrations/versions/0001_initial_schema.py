"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 06:39:40.226073
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('id_blocks',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('next_id', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_id_blocks'))
    )
    op.create_table('intake_runs',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('format', sa.String(length=16), nullable=False),
    sa.Column('submitter', sa.String(length=200), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rows_read', sa.Integer(), nullable=False),
    sa.Column('accepted', sa.Integer(), nullable=False),
    sa.Column('amended', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('rejected_rows', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intake_runs'))
    )
    op.create_table('consignments',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('submitter', sa.String(length=200), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('content_hash', sa.String(length=32), nullable=False),
    sa.Column('intake_run_id', sa.BigInteger(), nullable=False),
    sa.Column('source_row', sa.BigInteger(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('transport_mode', sa.String(length=64), nullable=True),
    sa.Column('carrier', sa.Text(), nullable=True),
    sa.Column('office', sa.Text(), nullable=True),
    sa.Column('declared_date', sa.Date(), nullable=False),
    sa.Column('expected_arrival', sa.Date(), nullable=True),
    sa.Column('departure_country', sa.String(length=64), nullable=True),
    sa.Column('transit_countries', sa.String(length=64), nullable=True),
    sa.Column('destination_country', sa.String(length=64), nullable=False),
    sa.Column('platform', sa.Text(), nullable=True),
    sa.Column('consignor_name', sa.Text(), nullable=True),
    sa.Column('consignor_address', sa.Text(), nullable=True),
    sa.Column('consignor_country', sa.String(length=64), nullable=True),
    sa.Column('consignor_id', sa.String(length=64), nullable=True),
    sa.Column('consignor_aeo', sa.Boolean(), nullable=True),
    sa.Column('consignee_name', sa.Text(), nullable=True),
    sa.Column('consignee_address', sa.Text(), nullable=True),
    sa.Column('consignee_country', sa.String(length=64), nullable=True),
    sa.Column('consignee_id', sa.String(length=64), nullable=True),
    sa.Column('consignee_aeo', sa.Boolean(), nullable=True),
    sa.Column('extra', sa.Text(), nullable=True),
    sa.Column('quality_score', sa.Float(), nullable=False),
    sa.Column('rfi', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['intake_run_id'], ['intake_runs.id'], name=op.f('fk_consignments_intake_run_id_intake_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consignments')),
    sa.UniqueConstraint('submitter', 'reference', 'version', name=op.f('uq_consignments_submitter_reference_version'))
    )
    op.create_table('rejections',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('intake_run_id', sa.BigInteger(), nullable=False),
    sa.Column('row', sa.BigInteger(), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=True),
    sa.Column('field', sa.String(length=64), nullable=True),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['intake_run_id'], ['intake_runs.id'], name=op.f('fk_rejections_intake_run_id_intake_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rejections'))
    )
    with op.batch_alter_table('rejections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rejections_intake_run_id'), ['intake_run_id'], unique=False)

    op.create_table('goods_items',
    sa.Column('consignment_id', sa.BigInteger(), nullable=False),
    sa.Column('item_no', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('hs_code', sa.String(length=64), nullable=False),
    sa.Column('quantity', sa.Float(), nullable=True),
    sa.Column('quantity_unit', sa.String(length=64), nullable=True),
    sa.Column('gross_mass', sa.Float(), nullable=True),
    sa.Column('net_mass', sa.Float(), nullable=True),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('currency', sa.String(length=64), nullable=True),
    sa.Column('origin_country', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['consignment_id'], ['consignments.id'], name=op.f('fk_goods_items_consignment_id_consignments')),
    sa.PrimaryKeyConstraint('consignment_id', 'item_no', name=op.f('pk_goods_items'))
    )
    op.create_table('outcomes',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('consignment_id', sa.BigInteger(), nullable=False),
    sa.Column('inspected_at', sa.Date(), nullable=True),
    sa.Column('officer', sa.String(length=200), nullable=True),
    sa.Column('control_type', sa.String(length=32), nullable=True),
    sa.Column('result', sa.String(length=32), nullable=False),
    sa.Column('finding_kind', sa.String(length=32), nullable=True),
    sa.Column('extra_duty', sa.Float(), nullable=True),
    sa.Column('quantity_seized', sa.Float(), nullable=True),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['consignment_id'], ['consignments.id'], name=op.f('fk_outcomes_consignment_id_consignments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcomes'))
    )
    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcomes_consignment_id'), ['consignment_id'], unique=False)

    op.create_table('quality_findings',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('consignment_id', sa.BigInteger(), nullable=False),
    sa.Column('item_no', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('field', sa.String(length=64), nullable=True),
    sa.Column('severity', sa.Float(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['consignment_id'], ['consignments.id'], name=op.f('fk_quality_findings_consignment_id_consignments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quality_findings'))
    )
    with op.batch_alter_table('quality_findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quality_findings_consignment_id'), ['consignment_id'], unique=False)

    op.create_table('rfis',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('consignment_id', sa.BigInteger(), nullable=False),
    sa.Column('submitter', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('request', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['consignment_id'], ['consignments.id'], name=op.f('fk_rfis_consignment_id_consignments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rfis'))
    )
    with op.batch_alter_table('rfis', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rfis_consignment_id'), ['consignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rfis_submitter'), ['submitter'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('rfis', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rfis_submitter'))
        batch_op.drop_index(batch_op.f('ix_rfis_consignment_id'))

    op.drop_table('rfis')
    with op.batch_alter_table('quality_findings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quality_findings_consignment_id'))

    op.drop_table('quality_findings')
    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcomes_consignment_id'))

    op.drop_table('outcomes')
    op.drop_table('goods_items')
    with op.batch_alter_table('rejections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rejections_intake_run_id'))

    op.drop_table('rejections')
    op.drop_table('consignments')
    op.drop_table('intake_runs')
    op.drop_table('id_blocks')
