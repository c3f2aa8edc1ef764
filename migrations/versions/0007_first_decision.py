"""Each report's first decision time, the location-setting facts, and an index of the facts by value and time

Review timeliness reads the first supervisor decision from the report rather than grouping a force's reviews.
The Home Office Table 9 settings ("Public", "Police setting", "Medical setting") become facts of their own, kept
in the running totals like any other, so that a setting counts a report once however many of its locations were
given without a query over every fact. The data-quality check finds a period's problem facts (a footage
reference missing, a field not reported) through ``ix_report_facts_value_period``, and a team's reports of a period
are found through ``ix_reports_team_incident`` (which also serves the foreign key, in place of
``ix_reports_team_id``).

Revision ID: 0007
Revises: 0006
"""
from datetime import timezone
from itertools import groupby

from alembic import op
import sqlalchemy as sa

from uof.domain import rollups
from uof.domain.facts import LOCATION_SETTING, Fact, location_settings


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

BATCH = 1000
FACTS = sa.table('report_facts', sa.column('report_id', sa.Integer), sa.column('dimension', sa.String),
                 sa.column('value', sa.String), sa.column('times', sa.Integer), sa.column('incident_at', sa.DateTime))
TOTALS = ('fact_totals', ('span', 'period_start', 'tactic_group', 'area', 'dimension', 'value'), 4)
CROSS = ('fact_cross_totals', ('month', 'row_dimension', 'row_value', 'dimension', 'value'), 3)


def upgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_decided_at', sa.DateTime(), nullable=True))
    op.execute(
        "UPDATE reports SET first_decided_at = "
        "(SELECT min(reviews.created_at) FROM reviews WHERE reviews.report_id = reports.id)"
    )
    with op.batch_alter_table('report_facts', schema=None) as batch_op:
        batch_op.create_index('ix_report_facts_value_period', ['dimension', 'value', 'incident_at', 'report_id'], unique=False)
    op.create_index('ix_reports_team_incident', 'reports', ['team_id', 'incident_at'], unique=False)
    op.drop_index('ix_reports_team_id', table_name='reports')
    _remove_location_settings()
    _backfill_location_settings()


def downgrade():
    _remove_location_settings()
    op.create_index('ix_reports_team_id', 'reports', ['team_id'], unique=False)
    op.drop_index('ix_reports_team_incident', table_name='reports')
    with op.batch_alter_table('report_facts', schema=None) as batch_op:
        batch_op.drop_index('ix_report_facts_value_period')
    # Not a batch operation: on SQLite that copies the reports to a new table and drops the old one, and with
    # foreign keys on the drop deletes every review, version and fact with it. Both databases drop a column.
    op.execute('ALTER TABLE reports DROP COLUMN first_decided_at')


def _remove_location_settings():
    # The facts backfill of 0004 already gives them to a database migrated from before it.
    for name in ('report_facts', 'fact_totals', 'fact_cross_totals'):
        op.execute(sa.text(f"DELETE FROM {name} WHERE dimension = :setting").bindparams(setting=LOCATION_SETTING))


def _backfill_location_settings():
    """The settings of the locations already recorded, as facts and in the totals, in order of the incident so
    that only one month's totals are held at a time. A setting's totals need only the report's tactic facts."""
    reports = sa.table('reports', sa.column('id', sa.Integer), sa.column('incident_at', sa.DateTime),
                       sa.column('area', sa.String))
    bind = op.get_bind()
    months = rollups.MonthByMonth()
    facts = []
    rows = bind.execute(
        sa.select(reports.c.id, reports.c.incident_at, reports.c.area, FACTS.c.dimension, FACTS.c.value,
                  FACTS.c.times)
        .join(FACTS, FACTS.c.report_id == reports.c.id)
        .where(FACTS.c.dimension.in_(('location', *rollups.TACTIC_DIMENSIONS)))
        .order_by(reports.c.incident_at, reports.c.id))
    for (report_id, incident_at, area), group in groupby(rows, key=lambda row: row[:3]):
        listed = [Fact(dimension, value, times) for *_, dimension, value, times in group]
        settings = [Fact(LOCATION_SETTING, setting)
                    for setting in location_settings([f.value for f in listed if f.dimension == 'location'])]
        facts += [{'report_id': report_id, 'dimension': fact.dimension, 'value': fact.value, 'times': fact.times,
                   'incident_at': incident_at} for fact in settings]
        if len(facts) >= BATCH:
            bind.execute(FACTS.insert(), facts)
            facts = []
        # Stored as naive UTC.
        tactics = [fact for fact in listed if fact.dimension != 'location']
        _insert(bind, months.add(incident_at.replace(tzinfo=timezone.utc), area, [*tactics, *settings]))
    if facts:
        bind.execute(FACTS.insert(), facts)
    _insert(bind, months.take())


def _insert(bind, month):
    """The month's totals of the location settings (the tactic facts' own totals are already there)."""
    if month is None:
        return
    for (name, columns, dimension_at), values in zip((TOTALS, CROSS), month):
        table = sa.table(name, *(sa.column(column) for column in (*columns, 'reports', 'times')))
        rows = [{**dict(zip(columns, key)), 'reports': summed[0], 'times': summed[1]}
                for key, summed in values.items() if key[dimension_at] == LOCATION_SETTING]
        for offset in range(0, len(rows), BATCH):
            bind.execute(table.insert(), rows[offset:offset + BATCH])
