"""Handling facts (recording policy, late submission, first decision on time); an area's reports by time

The governance overview read the total, the months, the policy versions, late submissions and review timeliness
from every report of the period; as facts kept in the running totals they are a few hundred totals for a year of
a Met-sized force. Only the reports still awaiting a first decision are read from the reports themselves.
An area's or a team's reports of a period, with their policy versions, are read from an index alone
(``ix_reports_area_incident_policy`` and ``ix_reports_team_incident_policy``, in place of ``ix_reports_area``
and ``ix_reports_team_incident``).

Revision ID: 0008
Revises: 0007
"""
from datetime import timezone
from itertools import groupby

from alembic import op
import sqlalchemy as sa

from uof.domain import rollups
from uof.domain.facts import HANDLING_DIMENSIONS, TACTIC_GROUP, Fact, handling_facts


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

BATCH = 2000
FACTS = sa.table('report_facts', sa.column('report_id', sa.Integer), sa.column('dimension', sa.String),
                 sa.column('value', sa.String), sa.column('times', sa.Integer), sa.column('incident_at', sa.DateTime))
TOTALS = sa.table('fact_totals', *(sa.column(name) for name in (
    'span', 'period_start', 'tactic_group', 'area', 'dimension', 'value', 'reports', 'times')))
TOTAL_COLUMNS = ('span', 'period_start', 'tactic_group', 'area', 'dimension', 'value')


# A report has some 25 to 30 facts (one per dimension and choice): its facts are 1/28 of the table's rows.
FACTS_PER_REPORT = "-0.036"


def upgrade():
    op.create_index('ix_reports_area_incident_policy', 'reports', ['area', 'incident_at', 'policy_version'],
                    unique=False)
    op.drop_index('ix_reports_area', table_name='reports')
    op.create_index('ix_reports_team_incident_policy', 'reports', ['team_id', 'incident_at', 'policy_version'],
                    unique=False)
    op.drop_index('ix_reports_team_incident', table_name='reports')
    _remove_handling_facts()
    _backfill()
    if op.get_bind().dialect.name == 'postgresql':
        # ANALYZE samples the facts in runs of one report's and takes a million reports for 165,000: the planner
        # then expects 172 facts per report and walks every report rather than one team's (200 ms against 27).
        op.execute(f"ALTER TABLE report_facts ALTER COLUMN report_id SET (n_distinct = {FACTS_PER_REPORT})")
        # A value belongs to one dimension ("Less lethal weapons" is only ever a type of force); taken as
        # independent, the two put a type of force's facts at a twentieth of their number (340 ms against 80).
        op.execute("CREATE STATISTICS st_report_facts_dimension_value (mcv) ON dimension, value FROM report_facts")
        op.execute("ANALYZE report_facts")


def downgrade():
    _remove_handling_facts()
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP STATISTICS st_report_facts_dimension_value")
        op.execute("ALTER TABLE report_facts ALTER COLUMN report_id RESET (n_distinct)")
    op.create_index('ix_reports_team_incident', 'reports', ['team_id', 'incident_at'], unique=False)
    op.drop_index('ix_reports_team_incident_policy', table_name='reports')
    op.create_index('ix_reports_area', 'reports', ['area'], unique=False)
    op.drop_index('ix_reports_area_incident_policy', table_name='reports')


def _remove_handling_facts():
    # The facts rebuild of a later version may already have given them to some reports.
    for name in ('report_facts', 'fact_totals'):
        op.execute(sa.text(f"DELETE FROM {name} WHERE dimension IN :dimensions")
                   .bindparams(sa.bindparam('dimensions', HANDLING_DIMENSIONS, expanding=True)))


def _backfill():
    """Each report's handling facts, and their totals, in order of the incident so that only one month's totals
    are held at a time. The totals by type of force need only the report's types of force."""
    reports = sa.table('reports', sa.column('id', sa.Integer), sa.column('incident_at', sa.DateTime),
                       sa.column('area', sa.String), sa.column('policy_version', sa.Integer),
                       sa.column('submitted_at', sa.DateTime), sa.column('first_decided_at', sa.DateTime))
    bind = op.get_bind()
    months = rollups.MonthByMonth()
    facts = []
    rows = bind.execute(
        sa.select(reports.c.id, reports.c.incident_at, reports.c.area, reports.c.policy_version,
                  reports.c.submitted_at, reports.c.first_decided_at, FACTS.c.dimension, FACTS.c.value,
                  FACTS.c.times)
        .select_from(reports.outerjoin(FACTS, sa.and_(FACTS.c.report_id == reports.c.id,
                                                      FACTS.c.dimension == TACTIC_GROUP)))
        .order_by(reports.c.incident_at, reports.c.id)
        .execution_options(yield_per=BATCH * 10))
    for report, group in groupby(rows, key=lambda row: row[:6]):
        report_id, incident_at, area, policy_version, submitted_at, first_decided_at = report
        groups = [Fact(dimension, value, times) for *_, dimension, value, times in group if dimension is not None]
        handled = handling_facts(policy_version, incident_at, submitted_at, first_decided_at)
        facts += [{'report_id': report_id, 'dimension': fact.dimension, 'value': fact.value, 'times': fact.times,
                   'incident_at': incident_at} for fact in handled]
        if len(facts) >= BATCH:
            bind.execute(FACTS.insert(), facts)
            facts = []
        # Stored as naive UTC.
        _insert(bind, months.add(incident_at.replace(tzinfo=timezone.utc), area, [*groups, *handled]))
    if facts:
        bind.execute(FACTS.insert(), facts)
    _insert(bind, months.take())


def _insert(bind, month):
    """The month's totals of the handling facts (the tactic facts' own totals are already there)."""
    if month is None:
        return
    totals, _cross = month
    rows = [{**dict(zip(TOTAL_COLUMNS, key)), 'reports': summed[0], 'times': summed[1]}
            for key, summed in totals.items() if key[4] in HANDLING_DIMENSIONS]
    for offset in range(0, len(rows), BATCH):
        bind.execute(TOTALS.insert(), rows[offset:offset + BATCH])
