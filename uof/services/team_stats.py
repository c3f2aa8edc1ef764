"""A team's figures for its supervisors' dashboard, over a period of whole UK weeks.

The database does the grouping where it can (statuses, policy versions, body-worn video); the report contents
that need the counting rules (tactics) are fetched as one small JSON value per report, never as ORM objects.
Every count follows ``uof.domain.counting``; the officers' counts, the team they are compared with and their flags
come from the early-intervention rules themselves (``uof.services.alert_rules``), so the dashboard and the alerts
always agree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select, true
from sqlalchemy.orm import load_only

from uof.domain.alert_rules import RULES, Effective, effective
from uof.domain.counting import category_order, force_categories
from uof.domain.stats import median, percentile
from uof.extensions import db
from uof.models import (
    AWAITING_REVIEW,
    STATUS_LABELS,
    STATUSES,
    PolicyVersion,
    Report,
    ReportVersion,
    Team,
    User,
    utcnow,
)
from uof.services import alert_rules
from uof.services.alert_rules import COUNT_RULE, PERCENTILE_RULE, REVIEW_RULE, Breach, RuleSettings
from uof.uktime import LONDON

PERIOD_WEEKS = (4, 12, 26, 52)
DEFAULT_WEEKS = 12
# The longest-waiting overdue reviews listed; the rest are counted.
OVERDUE_LISTED = 50


@dataclass(frozen=True)
class Period:
    """Whole UK weeks, Monday to Sunday, the last of them the current one."""

    weeks: int
    mondays: tuple[date, ...]
    start: datetime
    end: datetime  # exclusive: the Monday after the current week, 00:00 UK time

    @property
    def last_day(self) -> date:
        return self.mondays[-1] + timedelta(days=6)


def period_ending(now: datetime, weeks: int = DEFAULT_WEEKS) -> Period:
    if weeks not in PERIOD_WEEKS:
        raise ValueError(f"a period is one of {PERIOD_WEEKS} weeks")
    today = now.astimezone(LONDON).date()
    this_monday = today - timedelta(days=today.weekday())
    mondays = tuple(this_monday - timedelta(weeks=back) for back in reversed(range(weeks)))
    return Period(weeks=weeks, mondays=mondays, start=_uk_midnight(mondays[0]),
                  end=_uk_midnight(this_monday + timedelta(weeks=1)))


def _uk_midnight(day: date) -> datetime:
    # The clocks change at 01:00 UTC, so midnight UK time always exists exactly once.
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


def share(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole``; None when there is no whole to take a share of."""
    return 100 * part / whole if whole else None


def tactic_codes(tactics: object) -> list[str]:
    """The codes in a report's stored ``tactics`` list."""
    if not isinstance(tactics, list):
        return []
    return [item["code"] for item in tactics if isinstance(item, dict) and isinstance(item.get("code"), str)]


@dataclass(frozen=True)
class WeekCount:
    monday: date
    reports: int


def weekly_counts(incidents: Iterable[datetime], period: Period) -> list[WeekCount]:
    """Reports per UK week of the incident, every week of the period present, empty ones as 0."""
    per_week: Counter[date] = Counter()
    for moment in incidents:
        day = moment.astimezone(LONDON).date()
        per_week[day - timedelta(days=day.weekday())] += 1
    return [WeekCount(monday, per_week[monday]) for monday in period.mondays]


@dataclass(frozen=True)
class CategoryCount:
    category: str
    reports: int
    share: float | None  # of all the period's reports


def tactic_mix(reports_tactics: Sequence[Iterable[str]]) -> list[CategoryCount]:
    """How many reports used each Home Office category of force, most used first."""
    per_category: Counter[str] = Counter()
    for codes in reports_tactics:
        per_category.update(force_categories(codes))
    order = {category: index for index, category in enumerate(category_order())}
    ranked = sorted(per_category.items(), key=lambda item: (-item[1], order.get(item[0], len(order))))
    return [CategoryCount(category, count, share(count, len(reports_tactics))) for category, count in ranked]


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    reports: int


def status_counts(per_status: Mapping[str, int]) -> list[StatusCount]:
    """Every status of the lifecycle in order, those with no reports as 0."""
    return [StatusCount(status, STATUS_LABELS[status], per_status.get(status, 0)) for status in STATUSES]


@dataclass(frozen=True)
class OverdueReport:
    report_id: int
    reference: str  # Report.reference
    officer_name: str
    status_label: str
    waiting_since: datetime
    hours_waiting: int


@dataclass(frozen=True)
class Officer:
    id: int
    name: str
    force_number: str | None


@dataclass(frozen=True)
class EarlyIntervention:
    """The early-intervention rules' settings in force for a team (uof.domain.alert_rules)."""

    days: int
    warning: int
    critical: int
    not_counted: frozenset[str]
    percentile: int
    # The fewest reports that can stand out, so that in a team of near-zeros one report is not flagged.
    minimum: int

    # The settings themselves, which judge the counts.
    count_rule: Effective
    percentile_rule: Effective

    @classmethod
    def of(cls, count_rule: Effective, percentile_rule: Effective) -> EarlyIntervention:
        return cls(
            days=count_rule.number("days"), warning=count_rule.number("warning"),
            critical=count_rule.number("critical"), not_counted=frozenset(count_rule.codes("excluded_tactics")),
            percentile=percentile_rule.number("percentile"), minimum=percentile_rule.number("minimum"),
            count_rule=count_rule, percentile_rule=percentile_rule,
        )


DEFAULT_EARLY_INTERVENTION = EarlyIntervention.of(effective(RULES[COUNT_RULE]), effective(RULES[PERCENTILE_RULE]))


@dataclass(frozen=True)
class OfficerCount:
    officer: Officer
    reports: int
    # The early-intervention level the count reaches: WARNING, CRITICAL (uof.domain.alert_kinds), or None.
    level: str | None
    above_percentile: bool
    percentile: int

    @property
    def flags(self) -> list[str]:
        words = [f"at {self.level} level"] if self.level else []
        if self.above_percentile:
            words.append(f"above team {ordinal(self.percentile)} percentile")
        return words


def ordinal(number: int) -> str:
    """Like 95th, 51st, 52nd, 53rd, 11th."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


@dataclass(frozen=True)
class OfficerComparison:
    officers: list[OfficerCount]
    median: float | None
    percentile_level: float | None
    settings: EarlyIntervention

    @property
    def flagged(self) -> list[OfficerCount]:
        return [officer for officer in self.officers if officer.flags]


_TEAM = 0  # the one team of a comparison judged without a database


def compare_officers(
    officers: Sequence[Officer],
    counts: Mapping[int, int],
    settings: EarlyIntervention = DEFAULT_EARLY_INTERVENTION,
    breaches: Iterable[Breach] | None = None,
) -> OfficerComparison:
    """Each officer's count against the team's median and percentile, officers with none included, highest first.

    The flags are the pattern rules' ``breaches`` (``alert_rules.team_early_intervention``); without them, the
    ``counts`` are judged by the same judgement (``alert_rules.judge_counts``) under ``settings``.
    """
    values = [counts.get(officer.id, 0) for officer in officers]
    if breaches is None:
        on = [rule for rule in (settings.count_rule, settings.percentile_rule) if rule.enabled]
        breaches = alert_rules.judge_counts(
            {officer.id: (_TEAM, count) for officer, count in zip(officers, values, strict=True) if count},
            {_TEAM: [officer.id for officer in officers]}, lambda _team: on,
        )
    levels: dict[int, str] = {}
    above: set[int] = set()
    for breach in breaches:
        if breach.rule == COUNT_RULE:
            levels[breach.officer_id] = breach.level
        elif breach.rule == PERCENTILE_RULE:
            above.add(breach.officer_id)
    rows = [
        OfficerCount(officer=officer, reports=count, level=levels.get(officer.id),
                     above_percentile=officer.id in above, percentile=settings.percentile)
        for officer, count in zip(officers, values, strict=True)
    ]
    rows.sort(key=lambda row: (-row.reports, row.officer.name.casefold(), row.officer.id))
    return OfficerComparison(rows, median(values), percentile(values, settings.percentile), settings)


@dataclass(frozen=True)
class BwvCoverage:
    reports: int
    worn: int
    recording: int
    referenced: int

    def of_reports(self, part: int) -> float | None:
        return share(part, self.reports)


@dataclass(frozen=True)
class PolicyInForce:
    version: int
    preset: str
    changed_tactics: int
    effective_from: datetime
    until: datetime | None
    reports: int


@dataclass(frozen=True)
class PolicySummary:
    versions: list[PolicyInForce]

    @property
    def spans_change(self) -> bool:
        return len(self.versions) > 1


def policies_in_period(
    rows: Sequence[PolicyVersion], reports_per_version: Mapping[int, int], period: Period
) -> PolicySummary:
    """The versions in force at any time in the period, and any others that the period's reports were made under.

    A version is in force from its effective time until the next one's, as ``uof.services.policy.version_at``
    decides: the latest effective time wins, and of two with the same time, the higher version.
    """
    ordered = sorted(rows, key=lambda row: (row.effective_from, row.version))
    shown = []
    for index, row in enumerate(ordered):
        until = ordered[index + 1].effective_from if index + 1 < len(ordered) else None
        in_force = row.effective_from < period.end and (until is None or until > period.start)
        if until == row.effective_from:
            in_force = False
        if in_force or reports_per_version.get(row.version):
            shown.append(PolicyInForce(
                version=row.version, preset=row.preset, changed_tactics=len(row.overrides or {}),
                effective_from=row.effective_from, until=until, reports=reports_per_version.get(row.version, 0),
            ))
    return PolicySummary(shown)


@dataclass(frozen=True)
class TeamDashboard:
    team_id: int
    team_name: str
    now: datetime
    period: Period
    reports: int
    weeks: list[WeekCount]
    tactics: list[CategoryCount]
    statuses: list[StatusCount]
    overdue: list[OverdueReport]
    overdue_total: int
    officers: OfficerComparison
    bwv: BwvCoverage
    policies: PolicySummary
    review_due_hours: int


def _current_version() -> ColumnElement[bool]:
    return and_(ReportVersion.report_id == Report.id, ReportVersion.version == Report.version)


def for_team(team: Team, *, weeks: int = DEFAULT_WEEKS, now: datetime | None = None) -> TeamDashboard:
    """Everything on the team's dashboard, in a fixed handful of queries whatever the number of reports."""
    now = now or utcnow()
    period = period_ending(now, weeks)
    in_period = (Report.team_id == team.id, Report.incident_at >= period.start, Report.incident_at < period.end)

    rows = db.session.execute(
        select(Report.incident_at, ReportVersion.content["tactics"])
        .join(ReportVersion, _current_version()).where(*in_period)
    ).all()
    per_status = dict(db.session.execute(
        select(Report.status, func.count()).where(*in_period).group_by(Report.status)
    ).all())
    settings = alert_rules.load()
    review_due_hours = settings.of(REVIEW_RULE, team.id).number("hours")
    overdue, overdue_total = _overdue(team, now, review_due_hours)
    per_version = dict(db.session.execute(
        select(Report.policy_version, func.count()).where(*in_period).group_by(Report.policy_version)
    ).all())
    return TeamDashboard(
        team_id=team.id,
        team_name=team.name,
        now=now,
        period=period,
        reports=len(rows),
        weeks=weekly_counts((incident_at for incident_at, _ in rows), period),
        tactics=tactic_mix([tactic_codes(tactics) for _, tactics in rows]),
        statuses=status_counts(per_status),
        overdue=overdue,
        overdue_total=overdue_total,
        officers=_officers(team, now, settings),
        bwv=_bwv(in_period),
        policies=policies_in_period(db.session.scalars(select(PolicyVersion)).all(), per_version, period),
        review_due_hours=review_due_hours,
    )


def _overdue(team: Team, now: datetime, hours: int) -> tuple[list[OverdueReport], int]:
    """The team's reports waiting longer than ``hours`` for a decision, whatever the period: a list to act on now,
    the longest-waiting first, and how many there are in all."""
    waiting = (Report.team_id == team.id, Report.status.in_(AWAITING_REVIEW), alert_rules.overdue_since(now, hours))
    found = db.session.execute(
        select(Report, User.name)
        .options(load_only(Report.id, Report.status, Report.awaiting_review_since))
        .join(User, User.id == Report.officer_id).where(*waiting)
        .order_by(Report.awaiting_review_since, Report.id).limit(OVERDUE_LISTED)
    ).all()
    listed = [
        OverdueReport(report.id, report.reference, name, report.status_label, since,
                      int((now - since).total_seconds() // 3600))
        for report, name in found
        if (since := report.awaiting_review_since) is not None
    ]
    total = len(listed) if len(listed) < OVERDUE_LISTED else db.session.scalar(
        select(func.count()).select_from(Report).where(*waiting)) or 0
    return listed, total


def _officers(team: Team, now: datetime, settings: RuleSettings) -> OfficerComparison:
    """The team's officers and sergeants, their reports over the early-intervention period and their flags, as the
    pattern rules count and judge them."""
    found = alert_rules.team_early_intervention(team.id, now, settings)
    officers = [Officer(member.id, member.name, member.force_number) for member in found.members]
    shown = EarlyIntervention.of(settings.of(COUNT_RULE, team.id), settings.of(PERCENTILE_RULE, team.id))
    return compare_officers(officers, found.counts, shown, found.breaches)


def _bwv(in_period: tuple[ColumnElement[bool], ...]) -> BwvCoverage:
    content: Any = ReportVersion.content

    def how_many(condition: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    reference = content[("bwv", "reference")].as_string()
    total, worn, recording, referenced = db.session.execute(
        select(
            func.count(),
            how_many(content[("bwv", "worn")].as_boolean() == true()),
            how_many(content[("bwv", "recording")].as_boolean() == true()),
            how_many(and_(reference.is_not(None), reference != "")),
        ).select_from(Report).join(ReportVersion, _current_version()).where(*in_period)
    ).one()
    return BwvCoverage(int(total), int(worn), int(recording), int(referenced))
