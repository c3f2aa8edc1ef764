"""Running totals of the report facts by UK day and month, area and type of force, and force-wide by tactic row

Revision ID: 0006
Revises: 0005
"""
from datetime import timezone
from itertools import groupby

from alembic import op
import sqlalchemy as sa

from uof.domain import rollups
from uof.domain.facts import Fact


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade():
    op.create_table('fact_totals',
    sa.Column('span', sa.String(length=5), nullable=False),
    sa.Column('tactic_group', sa.String(length=40), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('area', sa.String(length=80), nullable=False),
    sa.Column('dimension', sa.String(length=24), nullable=False),
    sa.Column('value', sa.String(length=64), nullable=False),
    sa.Column('reports', sa.Integer(), nullable=False),
    sa.Column('times', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('span', 'tactic_group', 'period_start', 'area', 'dimension', 'value', name=op.f('pk_fact_totals'))
    )
    op.create_table('fact_cross_totals',
    sa.Column('dimension', sa.String(length=24), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('row_dimension', sa.String(length=24), nullable=False),
    sa.Column('row_value', sa.String(length=64), nullable=False),
    sa.Column('value', sa.String(length=64), nullable=False),
    sa.Column('reports', sa.Integer(), nullable=False),
    sa.Column('times', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('dimension', 'month', 'row_dimension', 'row_value', 'value', name=op.f('pk_fact_cross_totals'))
    )
    _backfill()


def _backfill():
    """The totals of the reports already recorded, from their facts, in order of the incident so that only one
    month's totals are held at a time."""
    reports = sa.table('reports', sa.column('id', sa.Integer), sa.column('incident_at', sa.DateTime),
                       sa.column('area', sa.String))
    facts = sa.table('report_facts', sa.column('report_id', sa.Integer), sa.column('dimension', sa.String),
                     sa.column('value', sa.String), sa.column('times', sa.Integer))
    bind = op.get_bind()
    months = rollups.MonthByMonth()
    rows = bind.execute(
        sa.select(reports.c.id, reports.c.incident_at, reports.c.area, facts.c.dimension, facts.c.value,
                  facts.c.times)
        .join(facts, facts.c.report_id == reports.c.id)
        .order_by(reports.c.incident_at, reports.c.id))
    for (report_id, incident_at, area), group in groupby(rows, key=lambda row: row[:3]):
        listed = [Fact(dimension, value, times) for *_, dimension, value, times in group]
        # Stored as naive UTC.
        _insert(bind, months.add(incident_at.replace(tzinfo=timezone.utc), area, listed))
    _insert(bind, months.take())


def _insert(bind, month):
    if month is None:
        return
    totals, cross = month
    for name, columns, values in (
            ('fact_totals', ('span', 'period_start', 'tactic_group', 'area', 'dimension', 'value'), totals),
            ('fact_cross_totals', ('month', 'row_dimension', 'row_value', 'dimension', 'value'), cross)):
        table = sa.table(name, *(sa.column(column) for column in (*columns, 'reports', 'times')))
        rows = [{**dict(zip(columns, key)), 'reports': summed[0], 'times': summed[1]}
                for key, summed in values.items()]
        for offset in range(0, len(rows), BATCH):
            bind.execute(table.insert(), rows[offset:offset + BATCH])


def downgrade():
    op.drop_table('fact_cross_totals')
    op.drop_table('fact_totals')
