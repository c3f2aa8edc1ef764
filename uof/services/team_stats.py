"""A team's figures for its supervisors' dashboard, over a period of whole UK weeks.

The database does the grouping where it can (statuses, policy versions, body-worn video); the report contents
that need the counting rules (tactics) are fetched as one small JSON value per report, never as ORM objects.
Every count follows ``uof.domain.counting``, as the alert rules do.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select, true

from uof.domain import alert_rules
from uof.domain.counting import category_order, counts_for_early_intervention, force_categories
from uof.domain.stats import median, percentile
from uof.extensions import db
from uof.models import (
    AWAITING_REVIEW,
    STATUS_LABELS,
    STATUSES,
    AlertRuleSetting,
    PolicyVersion,
    Report,
    ReportVersion,
    Team,
    User,
    UserRole,
    utcnow,
)
from uof.uktime import LONDON

PERIOD_WEEKS = (4, 12, 26, 52)
DEFAULT_WEEKS = 12
# The alert rules whose settings (uof.domain.alert_rules) the dashboard follows, so that it agrees with the
# alerts: how officers' counts are counted and flagged, and when a review is overdue.
COUNT_RULE = "officer_report_count"
PERCENTILE_RULE = "officer_above_team_percentile"
REVIEW_RULE = "review_overdue"
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
    officer_name: str
    status_label: str
    waiting_since: datetime
    hours_waiting: int

    @property
    def reference(self) -> str:
        return f"UOF-{self.report_id:06d}"


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

    @classmethod
    def of(cls, count_rule: alert_rules.Effective, percentile_rule: alert_rules.Effective) -> EarlyIntervention:
        return cls(
            days=count_rule.number("days"), warning=count_rule.number("warning"),
            critical=count_rule.number("critical"), not_counted=frozenset(count_rule.codes("excluded_tactics")),
            percentile=percentile_rule.number("percentile"), minimum=percentile_rule.number("minimum"),
        )


DEFAULT_EARLY_INTERVENTION = EarlyIntervention.of(
    alert_rules.effective(alert_rules.RULES[COUNT_RULE]), alert_rules.effective(alert_rules.RULES[PERCENTILE_RULE])
)


@dataclass(frozen=True)
class OfficerCount:
    officer: Officer
    reports: int
    # The early-intervention level the count reaches: uof.models.WARNING, CRITICAL, or None.
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


def compare_officers(
    officers: Sequence[Officer],
    counts: Mapping[int, int],
    settings: EarlyIntervention = DEFAULT_EARLY_INTERVENTION,
) -> OfficerComparison:
    """Each officer's count against the team's median and percentile, officers with none included, highest first."""
    values = [counts.get(officer.id, 0) for officer in officers]
    rows = [
        OfficerCount(
            officer=officer,
            reports=count,
            level=alert_rules.count_level(count, settings.warning, settings.critical),
            above_percentile=alert_rules.above_percentile(
                count, values, settings.percentile, settings.minimum) is not None,
            percentile=settings.percentile,
        )
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
    settings = rule_settings(team)
    review_due_hours = settings[REVIEW_RULE].number("hours")
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
        officers=_officers(team, now, EarlyIntervention.of(settings[COUNT_RULE], settings[PERCENTILE_RULE])),
        bwv=_bwv(in_period),
        policies=policies_in_period(db.session.scalars(select(PolicyVersion)).all(), per_version, period),
        review_due_hours=review_due_hours,
    )


def _overdue(team: Team, now: datetime, hours: int) -> tuple[list[OverdueReport], int]:
    """The team's reports waiting longer than ``hours`` for a decision, whatever the period: a list to act on now,
    the longest-waiting first, and how many there are in all."""
    waiting = (Report.team_id == team.id, Report.status.in_(AWAITING_REVIEW),
               Report.awaiting_review_since <= now - timedelta(hours=hours))
    found = db.session.execute(
        select(Report.id, User.name, Report.status, Report.awaiting_review_since)
        .join(User, User.id == Report.officer_id).where(*waiting)
        .order_by(Report.awaiting_review_since, Report.id).limit(OVERDUE_LISTED)
    ).all()
    listed = [
        OverdueReport(report_id, name, STATUS_LABELS.get(status, status), since,
                      int((now - since).total_seconds() // 3600))
        for report_id, name, status, since in found
        if since is not None
    ]
    total = len(listed) if len(listed) < OVERDUE_LISTED else db.session.scalar(
        select(func.count()).select_from(Report).where(*waiting)) or 0
    return listed, total


def rule_settings(team: Team) -> dict[str, alert_rules.Effective]:
    """The followed rules' settings for the team: the catalogue's defaults, then the force's, then the team's."""
    followed = (COUNT_RULE, PERCENTILE_RULE, REVIEW_RULE)
    stored = {
        (row.rule, row.scope): alert_rules.Stored(row.enabled, row.params or {})
        for row in db.session.scalars(select(AlertRuleSetting).where(
            AlertRuleSetting.rule.in_(followed), AlertRuleSetting.scope.in_(("force", f"team-{team.id}")),
        ))
    }
    return {
        rule: alert_rules.effective(alert_rules.RULES[rule], stored.get((rule, "force")),
                                    stored.get((rule, f"team-{team.id}")))
        for rule in followed
    }


def _officers(team: Team, now: datetime, settings: EarlyIntervention) -> OfficerComparison:
    """The team's officers' reports over the early-intervention period, counted as the alert rule counts them."""
    members = db.session.execute(
        select(User.id, User.name, User.force_number)
        .join(UserRole, UserRole.user_id == User.id)
        .where(User.team_id == team.id, User.active.is_(True), UserRole.role == "officer")
        .order_by(User.name, User.id)
    ).all()
    officers = [Officer(ident, name, force_number) for ident, name, force_number in members]
    since = now - timedelta(days=settings.days)
    recent = db.session.execute(
        select(Report.officer_id, ReportVersion.content["tactics"])
        .join(ReportVersion, _current_version())
        .join(User, User.id == Report.officer_id)
        .where(User.team_id == team.id, Report.incident_at > since, Report.incident_at <= now)
    ).all()
    counts: Counter[int] = Counter(
        officer_id for officer_id, tactics in recent
        if counts_for_early_intervention(tactic_codes(tactics), settings.not_counted)
    )
    return compare_officers(officers, counts, settings)


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
