"""The force-wide governance figures for one set of filters: what the governance dashboard shows, and what the
quarterly pack and its print page show for a quarter, from one function so that they can never disagree.

Every breakdown is counted by the Home Office rules (``uof.domain.facts``) through ``uof.services.figures``, with
the Home Office labels (codes sharing a label, such as the retired "Chinese" and "Other", are one row), and the
overview says which recording policy versions its reports were recorded under.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Float, SQLColumnExpression, and_, cast, func, or_, select, union

from uof.domain import vocabulary as v
from uof.domain.facts import BWV_STATES, SUBJECT_DIMENSIONS, TACTIC, TACTIC_GROUP
from uof.domain.review import REVIEW_DUE_HOURS
from uof.extensions import db
from uof.models import AWAITING_REVIEW, Report, ReportFact, report_reference, utcnow
from uof.services import figures
from uof.services.figures import Counts, Filters, MonthCount, PolicyCount

# A report submitted more than this long after the incident is late: national guidance expects the form before
# the officer goes off duty, and a day covers the longest tour.
LATE_SUBMISSION_HOURS = 24
# The reports listed by the data-quality check, most recent incidents first; the rest are counted.
QUALITY_LISTED = 50
NOT_REPORTED = ("not_reported", "dont_know")
LATE_PROBLEM = f"Submitted more than {LATE_SUBMISSION_HOURS} hours after the incident"
BWV_PROBLEM = "Recorded on body-worn video without a footage reference"


@dataclass(frozen=True)
class Row:
    label: str
    reports: int
    share: float | None  # percentage of the period's reports
    times: int | None = None  # tactic rows only: number of times the tactic was reported


@dataclass(frozen=True)
class Breakdown:
    key: str
    title: str
    rows: tuple[Row, ...]
    note: str = ""


@dataclass(frozen=True)
class ReviewTimeliness:
    decided_on_time: int
    decided_late: int
    waiting: int
    overdue: int
    due_hours: int

    @property
    def rows(self) -> tuple[Row, ...]:
        total = self.decided_on_time + self.decided_late + self.waiting + self.overdue
        hours = self.due_hours
        return (Row(f"First decision within {hours} hours", self.decided_on_time, _share(self.decided_on_time, total)),
                Row(f"First decision after {hours} hours", self.decided_late, _share(self.decided_late, total)),
                Row("Awaiting a decision, not yet due", self.waiting, _share(self.waiting, total)),
                Row(f"Awaiting a decision over {hours} hours", self.overdue, _share(self.overdue, total)))


@dataclass(frozen=True)
class QualityIssue:
    report_id: int
    reference: str
    incident_at: datetime
    problems: tuple[str, ...]


@dataclass(frozen=True)
class DataQuality:
    late_submissions: int
    not_reported: tuple[Row, ...]  # per subject field: reports where it was not reported
    missing_bwv_reference: int  # recording on body-worn video, but no footage reference given
    listed: tuple[QualityIssue, ...]
    with_problems: int  # reports with at least one problem (the list shows the latest QUALITY_LISTED)
    reports: int  # the period's reports, of which the shares are taken

    @property
    def rows(self) -> tuple[Row, ...]:
        """Late submissions and missing footage references, with their shares of the period's reports."""
        return (Row(LATE_PROBLEM, self.late_submissions, _share(self.late_submissions, self.reports)),
                Row(BWV_PROBLEM, self.missing_bwv_reference, _share(self.missing_bwv_reference, self.reports)))

    @property
    def not_listed(self) -> int:
        """Reports with a problem beyond the list."""
        return self.with_problems - len(self.listed)


@dataclass(frozen=True)
class Overview:
    filters: Filters
    total: int
    policy_versions: tuple[PolicyCount, ...]  # in force in the period or used by its reports, oldest first
    monthly: tuple[MonthCount, ...]
    breakdowns: tuple[Breakdown, ...]
    review: ReviewTimeliness
    bwv: Breakdown
    quality: DataQuality

    @property
    def spans_policy_change(self) -> bool:
        return len(self.policy_versions) > 1

    def breakdown(self, key: str) -> Breakdown:
        return next(item for item in self.breakdowns if item.key == key)


# (key, title, dimension, vocabulary): the breakdowns in the order of the Home Office tables.
BREAKDOWNS: tuple[tuple[str, str, str, v.Vocabulary | None], ...] = (
    ("tactic_group", "Type of force", TACTIC_GROUP, None),
    ("tactic", "Tactics", TACTIC, None),
    ("age_band", "Age (perceived)", "age_band", v.AGE_BANDS),
    ("gender", "Gender (perceived)", "gender", v.GENDERS),
    ("ethnicity", "Ethnicity (perceived)", "ethnicity", v.ETHNICITIES),
    ("health_condition", "Health condition (perceived)", "health_condition", v.HEALTH_CONDITIONS),
    ("reason", "Reasons for using force", "reason", v.REASONS),
    ("impact_factor", "Impact factors", "impact_factor", v.IMPACT_FACTORS),
    ("outcome", "Outcomes", "outcome", v.OUTCOMES),
    ("location", "Locations", "location", v.LOCATIONS),
    ("officer_injury_level", "Officer injuries", "officer_injury_level", v.OFFICER_INJURY_LEVELS),
    ("subject_injury_level", "Injuries to the person", "subject_injury_level", v.SUBJECT_INJURY_LEVELS),
    ("medical_assistance", "Medical assistance to the person", "medical_assistance", v.MEDICAL_ASSISTANCE),
)
MULTIPLE_CHOICE = frozenset({"reason", "impact_factor", "outcome", "location"})
BWV_LABELS = {"referenced": "Recorded, footage reference given", "no_reference": "Recorded, no footage reference",
              "not_recording": "Worn, not recording", "not_worn": "Not worn"}


def overview(filters: Filters, now: datetime | None = None) -> Overview:
    total = figures.total_reports(filters)
    counted = figures.counts(filters)
    return Overview(
        filters=filters,
        total=total,
        policy_versions=figures.policies_in_force(filters),
        monthly=tuple(figures.monthly(filters)),
        breakdowns=tuple(_breakdown(key, title, dimension, vocabulary, counted, total)
                         for key, title, dimension, vocabulary in BREAKDOWNS),
        review=review_timeliness(filters, now or utcnow()),
        bwv=Breakdown("bwv", "Body-worn video", tuple(
            Row(BWV_LABELS[state], _reports(counted, "bwv", state), _share(_reports(counted, "bwv", state), total))
            for state in BWV_STATES)),
        quality=data_quality(filters, counted, total),
    )


def _reports(counted: Counts, dimension: str, value: str) -> int:
    count = counted.get(dimension, {}).get(value)
    return count.reports if count else 0


def _share(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


def _breakdown(key: str, title: str, dimension: str, vocabulary: v.Vocabulary | None, counted: Counts,
               total: int) -> Breakdown:
    values = counted.get(dimension, {})
    if vocabulary is None:
        order = _tactic_rows() if dimension == TACTIC else list(figures.FORCE_GROUPS)
        rows = [Row(label, values[label].reports, _share(values[label].reports, total),
                    values[label].times if dimension == TACTIC else None)
                for label in order if label in values]
        note = ("A tactic counts once per report; a Taser at its highest level only. Tactical communication is "
                "listed but not counted as force." if dimension == TACTIC else
                "A report counts once in each type of force it used.")
        return Breakdown(key, title, tuple(rows), note)
    per_label: dict[str, int] = {}
    for term in vocabulary:
        count = values.get(term.code)
        if count is not None or not term.retired:
            per_label[term.home_office] = per_label.get(term.home_office, 0) + (count.reports if count else 0)
    note = "A report can give more than one, so the shares add up to more than 100%." \
        if key in MULTIPLE_CHOICE else ""
    return Breakdown(key, title, tuple(Row(label.replace("\n", ""), reports, _share(reports, total))
                                       for label, reports in per_label.items()), note)


def _tactic_rows() -> list[str]:
    rows: list[str] = []
    for term in v.TACTICS:
        if term.home_office not in rows:
            rows.append(term.home_office)
    force_rows = [row for row in rows if row != v.TACTICS.terms[0].home_office]
    return [*force_rows, v.TACTICS.terms[0].home_office]  # tactical communication last, as in the Home Office table


def seconds_between(later: SQLColumnExpression[datetime | None],
                    earlier: SQLColumnExpression[datetime | None]) -> ColumnElement[float]:
    """``later - earlier`` in seconds, in SQL; the databases spell date arithmetic differently."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.extract("epoch", later - earlier), Float)
    return cast((func.julianday(later) - func.julianday(earlier)) * 86400, Float)


def review_timeliness(filters: Filters, now: datetime, due_hours: int = REVIEW_DUE_HOURS) -> ReviewTimeliness:
    """How quickly the filtered reports got their first supervisor's decision (the force-wide due time)."""
    due = due_hours * 3600
    taken = seconds_between(Report.first_decided_at, Report.submitted_at)
    waiting = and_(Report.first_decided_at.is_(None), Report.status.in_(AWAITING_REVIEW))
    overdue_since = now - timedelta(hours=due_hours)
    query = select(
        func.count().filter(taken <= due), func.count().filter(taken > due),
        func.count().filter(waiting, Report.awaiting_review_since >= overdue_since),
        func.count().filter(waiting, Report.awaiting_review_since < overdue_since),
    ).where(*figures.report_scope(filters))
    on_time, late, not_due, overdue = db.session.execute(query).one()
    return ReviewTimeliness(on_time or 0, late or 0, not_due or 0, overdue or 0, due_hours)


def data_quality(filters: Filters, counted: Counts, total: int) -> DataQuality:
    late = seconds_between(Report.submitted_at, Report.incident_at) > LATE_SUBMISSION_HOURS * 3600
    late_count = db.session.scalar(
        select(func.count()).select_from(Report).where(late, *figures.report_scope(filters))) or 0
    not_reported = tuple(
        Row(title, sum(_reports(counted, dimension, code) for code in NOT_REPORTED),
            _share(sum(_reports(counted, dimension, code) for code in NOT_REPORTED), total))
        for key, title, dimension, _ in BREAKDOWNS if dimension in SUBJECT_DIMENSIONS)
    missing_reference = _reports(counted, "bwv", "no_reference")
    listed, with_problems = _quality_list(filters, late)
    return DataQuality(late_count, not_reported, missing_reference, listed, with_problems, total)


def _quality_list(filters: Filters, late: ColumnElement[bool]) -> tuple[tuple[QualityIssue, ...], int]:
    problem_fact = or_(and_(ReportFact.dimension == "bwv", ReportFact.value == "no_reference"),
                       and_(ReportFact.dimension.in_(SUBJECT_DIMENSIONS), ReportFact.value.in_(NOT_REPORTED)))
    # The late reports and the reports with a problem fact, each found through its own index over the period
    # (the facts carry the incident time); UNION keeps a report with several problems once.
    with_problem = union(
        select(Report.id.label("report_id"), Report.incident_at).where(late, *figures.report_scope(filters)),
        select(ReportFact.report_id, ReportFact.incident_at).where(problem_fact, *figures.fact_scope(filters)),
    ).subquery()
    count = db.session.scalar(select(func.count()).select_from(with_problem)) or 0
    latest = db.session.execute(
        select(with_problem.c.report_id, with_problem.c.incident_at)
        .order_by(with_problem.c.incident_at.desc(), with_problem.c.report_id.desc()).limit(QUALITY_LISTED)).all()
    report_ids = [report_id for report_id, _ in latest]
    late_ids = set(db.session.scalars(select(Report.id).where(late, Report.id.in_(report_ids))))
    facts = _problem_facts(report_ids, problem_fact)
    issues = []
    for report_id, incident_at in latest:
        problems = [LATE_PROBLEM] if report_id in late_ids else []
        problems += facts.get(report_id, [])
        issues.append(QualityIssue(report_id, report_reference(report_id), incident_at, tuple(problems)))
    return tuple(issues), count


FIELD_NAMES = {"age_band": "Age", "gender": "Gender", "ethnicity": "Ethnicity", "health_condition": "Health condition"}


def _problem_facts(report_ids: Sequence[int], problem_fact: ColumnElement[bool]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    if not report_ids:
        return found
    rows = db.session.execute(select(ReportFact.report_id, ReportFact.dimension)
                              .where(problem_fact, ReportFact.report_id.in_(report_ids))
                              .order_by(ReportFact.report_id, ReportFact.dimension))
    for report_id, dimension in rows:
        text = (BWV_PROBLEM if dimension == "bwv"
                else f"{FIELD_NAMES[dimension]} not reported")
        found.setdefault(report_id, []).append(text)
    return found

