"""Report facts: what each report counts towards, for governance figures at scale

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

from uof.domain.facts import facts_of


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade():
    op.create_table('report_facts',
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=24), nullable=False),
    sa.Column('value', sa.String(length=64), nullable=False),
    sa.Column('times', sa.Integer(), nullable=False),
    sa.Column('incident_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_report_facts_report_id_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('report_id', 'dimension', 'value', name=op.f('pk_report_facts'))
    )
    with op.batch_alter_table('report_facts', schema=None) as batch_op:
        batch_op.create_index('ix_report_facts_period', ['incident_at', 'dimension', 'value', 'times'], unique=False)
    _backfill()


def _backfill():
    """Facts for the reports already recorded, from each one's current version."""
    reports = sa.table('reports', sa.column('id', sa.Integer), sa.column('version', sa.Integer),
                       sa.column('incident_at', sa.DateTime))
    versions = sa.table('report_versions', sa.column('report_id', sa.Integer), sa.column('version', sa.Integer),
                        sa.column('content', sa.JSON))
    facts = sa.table('report_facts', sa.column('report_id', sa.Integer), sa.column('dimension', sa.String),
                     sa.column('value', sa.String), sa.column('times', sa.Integer),
                     sa.column('incident_at', sa.DateTime))
    bind = op.get_bind()
    query = (sa.select(reports.c.id, reports.c.incident_at, versions.c.content)
             .join(versions, sa.and_(versions.c.report_id == reports.c.id, versions.c.version == reports.c.version))
             .order_by(reports.c.id))
    rows = []
    for report_id, incident_at, content in bind.execute(query):
        rows.extend({'report_id': report_id, 'dimension': fact.dimension, 'value': fact.value, 'times': fact.times,
                     'incident_at': incident_at} for fact in facts_of(content or {}))
        if len(rows) >= BATCH:
            bind.execute(facts.insert(), rows)
            rows = []
    if rows:
        bind.execute(facts.insert(), rows)


def downgrade():
    with op.batch_alter_table('report_facts', schema=None) as batch_op:
        batch_op.drop_index('ix_report_facts_period')

    op.drop_table('report_facts')
