"""sign-in throttling and the audit chain

Revision ID: 0008
Revises: 0004
Create Date: 2026-12-03 13:40:00.000000

Users get a count of failed sign-ins and a lock; audit entries get their hash chain (the entries
already logged are chained in id order, per organisation) and audit_heads its newest link.
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_sign_ins', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))

    op.create_table('audit_heads',
    sa.Column('organisation_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('last_id', sa.BigInteger(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_audit_heads_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('organisation_id', name=op.f('pk_audit_heads'))
    )
    _chain_existing_entries()


def _chain_existing_entries() -> None:
    from smartborder.service.audit import entry_hash  # the one definition of an entry's hash

    conn = op.get_bind()
    names = ('id', 'user_id', 'username', 'organisation_id', 'action', 'target', 'detail', 'previous_hash', 'hash')
    log = sa.table('audit_log', sa.column('at', sa.DateTime(timezone=True)), *(sa.column(name) for name in names))
    heads = sa.table('audit_heads', sa.column('organisation_id'), sa.column('last_id'), sa.column('hash'))
    last: dict[int, tuple[int, str]] = {}
    for row in conn.execute(sa.select(log).where(log.c.organisation_id.is_not(None)).order_by(log.c.id)).all():
        previous = last.get(row.organisation_id, (0, None))[1]
        digest = entry_hash(row._asdict(), previous)
        conn.execute(sa.update(log).where(log.c.id == row.id).values(previous_hash=previous, hash=digest))
        last[row.organisation_id] = (row.id, digest)
    if last:
        conn.execute(sa.insert(heads), [{"organisation_id": o, "last_id": i, "hash": h} for o, (i, h) in last.items()])


def downgrade() -> None:
    op.drop_table('audit_heads')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_column('hash')
        batch_op.drop_column('previous_hash')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_sign_ins')
