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

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import aliased

from uof.domain import vocabulary as v
from uof.domain.facts import (
    BWV_STATES,
    FIRST_DECISION,
    LATE,
    LATE_SUBMISSION_HOURS,
    ON_TIME,
    SUBJECT_DIMENSIONS,
    SUBMISSION,
    TACTIC,
    TACTIC_GROUP,
)
from uof.domain.review import REVIEW_DUE_HOURS
from uof.extensions import db
from uof.models import AWAITING_REVIEW, Report, ReportFact, report_reference, utcnow
from uof.services import figures
from uof.services.figures import Counts, Filters, MonthCount, PolicyCount

# The reports listed by the data-quality check, most recent incidents first; the rest are counted.
QUALITY_LISTED = 50
NOT_REPORTED = ("not_reported", "dont_know")
LATE_PROBLEM = f"Submitted more than {LATE_SUBMISSION_HOURS} hours after the incident"
BWV_PROBLEM = "Recorded on body-worn video without a footage reference"
NO_AREA = "No area given"
FIELD_NAMES = {"age_band": "Age", "gender": "Gender", "ethnicity": "Ethnicity", "health_condition": "Health condition"}


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

    @classmethod
    def of(cls, counted: Counts, awaiting: Sequence[int], due_hours: int) -> ReviewTimeliness:
        """From the ``first_decision`` facts and the counts of ``awaiting_conditions``, in their order."""
        waiting, overdue = awaiting
        return cls(_reports(counted, FIRST_DECISION, ON_TIME), _reports(counted, FIRST_DECISION, LATE), waiting,
                   overdue, due_hours)

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
    # Every figure but the reports awaiting a decision (which the time of asking divides) is read from the facts'
    # running totals; of the reports themselves only those still awaiting review are read.
    tallied = figures.tally(filters)
    total = tallied.total
    counted = figures.counts(filters)
    awaiting = db.session.execute(
        select(*(func.count().filter(condition) for condition in awaiting_conditions(now or utcnow())))
        .where(*figures.report_scope(filters), awaiting_first_decision())).one()
    return Overview(
        filters=filters,
        total=total,
        policy_versions=figures.policies_in_force(filters, tallied.policies),
        monthly=tallied.months,
        breakdowns=(*(_breakdown(key, title, dimension, vocabulary, counted, total)
                      for key, title, dimension, vocabulary in BREAKDOWNS),
                    Breakdown("area", "Reports by area", tuple(
                        Row(area or NO_AREA, reports, _share(reports, total))
                        for area, reports in figures.reports_by_area(filters).items()))),
        review=ReviewTimeliness.of(counted, tuple(awaiting), REVIEW_DUE_HOURS),
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


def awaiting_first_decision() -> ColumnElement[bool]:
    """SQL: the report awaits its first decision (one returned and resubmitted has had it). Written as the list of
    those reports, found through the index by status, so that neither database walks a period's or an area's
    reports to find the few among them awaiting review."""
    waiting = aliased(Report)
    return Report.id.in_(select(waiting.id).where(waiting.status.in_(AWAITING_REVIEW),
                                                   waiting.first_decided_at.is_(None)))


def awaiting_conditions(now: datetime, due_hours: int = REVIEW_DUE_HOURS) -> tuple[ColumnElement[bool], ...]:
    """Of the reports awaiting their first decision: not yet due, and past the due time."""
    overdue_since = now - timedelta(hours=due_hours)
    return Report.awaiting_review_since >= overdue_since, Report.awaiting_review_since < overdue_since


def data_quality(filters: Filters, counted: Counts, total: int) -> DataQuality:
    """The period's problems, found through the facts' index by value and period alone: the reports submitted
    late, recorded on video without a footage reference, or with a subject field not reported."""
    problem_fact = or_(and_(ReportFact.dimension == SUBMISSION, ReportFact.value == LATE),
                       and_(ReportFact.dimension == "bwv", ReportFact.value == "no_reference"),
                       and_(ReportFact.dimension.in_(SUBJECT_DIMENSIONS), ReportFact.value.in_(NOT_REPORTED)))
    problems: dict[int, list[str]] = {}
    incident: dict[int, datetime] = {}
    problem_facts = db.session.execute(
        select(ReportFact.report_id, ReportFact.incident_at, ReportFact.dimension)
        .where(problem_fact, *figures.fact_scope(filters)))
    for report_id, incident_at, dimension in problem_facts:
        problems.setdefault(report_id, []).append(_PROBLEMS.get(dimension) or f"{FIELD_NAMES[dimension]} not reported")
        incident[report_id] = incident_at
    latest = sorted(problems, key=lambda report_id: (incident[report_id], report_id), reverse=True)[:QUALITY_LISTED]
    listed = tuple(QualityIssue(report_id, report_reference(report_id), incident[report_id],
                                tuple(sorted(problems[report_id], key=_problem_order))) for report_id in latest)
    not_reported = tuple(
        Row(title, sum(_reports(counted, dimension, code) for code in NOT_REPORTED),
            _share(sum(_reports(counted, dimension, code) for code in NOT_REPORTED), total))
        for key, title, dimension, _ in BREAKDOWNS if dimension in SUBJECT_DIMENSIONS)
    return DataQuality(_reports(counted, SUBMISSION, LATE), not_reported, _reports(counted, "bwv", "no_reference"),
                       listed, len(problems), total)


_PROBLEMS = {SUBMISSION: LATE_PROBLEM, "bwv": BWV_PROBLEM}
# Lateness first, then the footage, then the fields in the order of the breakdowns.
_ORDER = [LATE_PROBLEM, BWV_PROBLEM, *(f"{name} not reported" for name in FIELD_NAMES.values())]


def _problem_order(problem: str) -> int:
    return _ORDER.index(problem)
