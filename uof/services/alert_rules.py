"""Alert rules at work: their settings, and the evaluation of each kind into alerts.

Immediate rules run inside the submission's (or resubmission's) transaction; pattern, workflow and digest rules
run from the scheduler. Every alert names its condition in its ``dedupe_key`` (``uof.services.alerts``), so a
condition met again by a later run, a second scheduler or a resubmission never alerts anyone twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, select, text

from uof.domain.alert_kinds import CRITICAL, DIGEST, IMMEDIATE, INFO, PATTERN, WARNING, WORKFLOW
from uof.domain.alert_rules import (
    RULES,
    Effective,
    Finding,
    Stored,
    TeamFigures,
    above_percentile,
    as_json,
    count_level,
    effective,
    immediate_findings,
    period_index,
    validate_params,
)
from uof.domain.counting import rows_counting_alike
from uof.domain.facts import TACTIC
from uof.domain.review import APPROVE, REFER, RETURN
from uof.extensions import db
from uof.models import (
    AWAITING_REVIEW,
    RECORDING_ROLES,
    RETURNED,
    Alert,
    AlertRuleSetting,
    Report,
    ReportFact,
    ReportVersion,
    Review,
    Team,
    User,
    UserRole,
    utcnow,
)
from uof.services import alerts, audit, job_runs
from uof.uktime import LONDON, uk_date

FORCE = "force"


def scope_of(team_id: int | None) -> str:
    return FORCE if team_id is None else f"team-{team_id}"


# --- settings ---------------------------------------------------------------------------------------------

class RuleSettings:
    """Every stored setting, read once, answering "what is in force for this rule and team?"."""

    def __init__(self, rows: Iterable[AlertRuleSetting]) -> None:
        self._rows: dict[tuple[str, int | None], Stored] = {
            (row.rule, row.team_id): Stored(row.enabled, dict(row.params or {})) for row in rows
        }

    def stored(self, rule: str, team_id: int | None) -> Stored | None:
        return self._rows.get((rule, team_id))

    def of(self, rule: str, team_id: int | None = None) -> Effective:
        team = self._rows.get((rule, team_id)) if team_id is not None else None
        return effective(RULES[rule], self._rows.get((rule, None)), team)

    def team_ids(self) -> set[int]:
        """The teams with a setting of their own for any rule."""
        return {team_id for _, team_id in self._rows if team_id is not None}


def load() -> RuleSettings:
    return RuleSettings(db.session.scalars(select(AlertRuleSetting)))


def _row(rule: str, team_id: int | None) -> AlertRuleSetting | None:
    return db.session.scalar(
        select(AlertRuleSetting).where(AlertRuleSetting.rule == rule, AlertRuleSetting.scope == scope_of(team_id))
    )


def _snapshot(row: AlertRuleSetting | None) -> dict[str, Any] | None:
    return None if row is None else {"enabled": row.enabled, "params": dict(row.params or {})}


@dataclass
class SaveResult:
    errors: dict[str, str] = field(default_factory=dict)
    changed: bool = False


def save(
    rule_key: str,
    *,
    team_id: int | None,
    enabled: bool,
    params: Mapping[str, object],
    actor: User,
    now: datetime | None = None,
) -> SaveResult:
    """Store a rule's settings force-wide (``team_id`` None) or for one team; audited when anything changed.

    Nothing is written when a parameter is invalid; the errors are keyed by parameter name.
    """
    rule = RULES[rule_key]
    if team_id is not None and not rule.per_team:
        return SaveResult({"enabled": f"{rule.label} is set force-wide only."})
    values, errors = validate_params(rule, params)
    if errors:
        return SaveResult(errors)
    row = _row(rule_key, team_id)
    before = _snapshot(row)
    after = {"enabled": enabled, "params": as_json(values)}
    if before == after:
        return SaveResult()
    if row is None and team_id is None and after == {"enabled": rule.enabled, "params": as_json(rule.defaults)}:
        return SaveResult()  # the catalogue's defaults already apply
    if row is None:
        row = AlertRuleSetting(scope=scope_of(team_id), team_id=team_id, rule=rule_key)
        db.session.add(row)
    row.enabled, row.params = enabled, as_json(values)
    row.updated_at, row.updated_by_id = now or utcnow(), actor.id
    db.session.flush()
    audit.record("alert_rule.update", actor=actor, object_type="alert_rule",
                 object_id=f"{scope_of(team_id)}:{rule_key}",
                 detail={"rule": rule_key, "scope": scope_of(team_id), "before": before, "after": after})
    return SaveResult(changed=True)


def use_force_default(rule_key: str, *, team_id: int, actor: User) -> bool:
    """Remove a team's own setting for the rule, so the force-wide one applies; False if it had none."""
    row = _row(rule_key, team_id)
    if row is None:
        return False
    before = _snapshot(row)
    db.session.delete(row)
    db.session.flush()
    audit.record("alert_rule.update", actor=actor, object_type="alert_rule",
                 object_id=f"{scope_of(team_id)}:{rule_key}",
                 detail={"rule": rule_key, "scope": scope_of(team_id), "before": before, "after": None})
    return True


# --- raising alerts ---------------------------------------------------------------------------------------

def officer_label(officer: User) -> str:
    """How an officer is named in an alert's title (shown only in the inbox, after login)."""
    return f"{officer.name} ({officer.force_number})" if officer.force_number else officer.name


def _figure(value: float | None) -> str:
    if value is None:
        return "none"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _already_alerted(keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        found.update(db.session.scalars(select(Alert.dedupe_key).where(Alert.dedupe_key.in_(keys[start:start + 500]))))
    return found


def _raise(candidates: list[alerts.NewAlert], now: datetime) -> int:
    """Raise the candidates whose condition has not alerted yet; how many were raised. The keys already alerted
    are looked up first, so that an hourly run over a whole force does not try thousands of inserts for nothing."""
    done = _already_alerted([c.dedupe_key for c in candidates])
    return len(alerts.raise_alerts([c for c in candidates if c.dedupe_key not in done], now))


class _Recipients:
    """``alerts.reviewers_for`` and ``alerts.governance_users``, asked once per team in a run."""

    def __init__(self) -> None:
        self._supervisors: dict[int | None, list[User]] = {}
        self._governance: list[User] | None = None

    def ask_for_teams(self, team_ids: Iterable[int]) -> None:
        """Fetch the supervisors of many teams in one query, before asking team by team."""
        wanted = {team_id for team_id in team_ids if team_id not in self._supervisors}
        found = alerts.supervisors_of_teams(wanted)
        for team_id in wanted:
            self._supervisors[team_id] = found.get(team_id, [])

    def governance(self, *, excluding: int | None = None) -> list[User]:
        if self._governance is None:
            self._governance = alerts.governance_users()
        return [user for user in self._governance if user.id != excluding]

    def supervisors(self, team_id: int | None, *, excluding: int | None = None) -> list[User]:
        if team_id not in self._supervisors:
            self._supervisors[team_id] = alerts.supervisors_of(team_id)
        return [user for user in self._supervisors[team_id] if user.id != excluding]

    def reviewers(self, team_id: int | None, officer_id: int) -> list[User]:
        return self.supervisors(team_id, excluding=officer_id) or self.governance(excluding=officer_id)


# --- immediate rules --------------------------------------------------------------------------------------

def evaluate_immediate(report: Report, now: datetime | None = None) -> list[Alert]:
    """Alert the officer's reviewers about what this report's current version shows, in the caller's transaction.

    Called at submission and at each resubmission; a rule that already alerted for this report stays quiet.
    """
    now = now or utcnow()
    settings = load()
    findings = immediate_findings(report.content, lambda rule: settings.of(rule.key, report.team_id).enabled)
    if not findings:
        return []
    officer = report.officer
    return alerts.raise_alerts([
        alerts.NewAlert(
            recipient=recipient, kind=IMMEDIATE, rule=finding.rule, severity=finding.severity,
            title=f"{report.reference}: {finding.reason} — {officer_label(officer)}",
            dedupe_key=f"immediate:{finding.rule}:{report.id}:{recipient.id}",
            report=report, officer=officer, team=report.team, detail=_immediate_detail(report, finding),
        )
        for recipient in alerts.reviewers_for(report.team_id, officer_id=report.officer_id) for finding in findings
    ], now)


def _immediate_detail(report: Report, finding: Finding) -> dict[str, Any]:
    return {"reason": finding.reason, "report_version": report.version}


# --- pattern rules (early intervention) -------------------------------------------------------------------

COUNT_RULE = "officer_report_count"
PERCENTILE_RULE = "officer_above_team_percentile"
PATTERN_RULES = (COUNT_RULE, PERCENTILE_RULE)
Metric = tuple[int, tuple[str, ...]]  # (days, tactics not counted)


def _counted(excluded: tuple[str, ...]) -> ColumnElement[bool]:
    """SQL: the report's current version has a tactic outside ``excluded`` (never empty: an empty exclusion follows
    Home Office rows, so ``officer_counts`` reads the facts). JSON functions differ by database."""
    if db.session.get_bind().dialect.name == "postgresql":
        sql = ("EXISTS (SELECT 1 FROM json_array_elements(report_versions.content -> 'tactics') AS t(tactic) "
               "WHERE t.tactic ->> 'code' NOT IN :excluded)")
    else:
        sql = ("EXISTS (SELECT 1 FROM json_each(report_versions.content, '$.tactics') AS t "
               "WHERE json_extract(t.value, '$.code') NOT IN :excluded)")
    return text(sql).bindparams(bindparam("excluded", value=list(excluded), expanding=True))  # type: ignore[return-value]


def officer_counts(
    now: datetime, days: int, excluded: tuple[str, ...], team_id: int | None = None
) -> dict[int, tuple[int | None, int]]:
    """Each active officer's counted reports with an incident in the ``days`` up to ``now``: {id: (team, n)}.

    The one early-intervention count, for the alert rules and the team dashboard alike: a report counts when its
    current version has a tactic outside ``excluded``. With ``team_id``, only the officers now in that team.

    One GROUP BY over the period, with the tactics judged inside the database: from the reports' tactic facts
    when the exclusion follows Home Office rows (``uof.domain.counting.rows_counting_alike``), otherwise from the
    current versions' tactics, judged in the count's FILTER so that only the period's reports are looked into
    (as a WHERE condition, PostgreSQL's planner judges every version of every report before the join: seven
    times slower at a million reports).
    """
    period = (Report.incident_at > now - timedelta(days=days), Report.incident_at <= now, User.active.is_(True))
    rows = rows_counting_alike(excluded)
    if rows is None:
        current = (ReportVersion.report_id == Report.id) & (ReportVersion.version == Report.version)
        query = (select(Report.officer_id, User.team_id, func.count(Report.id).filter(_counted(excluded)))
                 .join(ReportVersion, current))
    else:
        # The exclusion follows Home Office rows (as the default one does): the report's tactic facts are enough,
        # four times quicker than reading every version's tactics.
        other_tactic = select(ReportFact.report_id).where(
            ReportFact.report_id == Report.id, ReportFact.dimension == TACTIC, ReportFact.value.not_in(rows))
        query = select(Report.officer_id, User.team_id, func.count(Report.id)).where(other_tactic.exists())
    query = (query.join(User, User.id == Report.officer_id).where(*period)
             .group_by(Report.officer_id, User.team_id))
    if team_id is not None:
        query = query.where(User.team_id == team_id)
    return {officer_id: (team, count) for officer_id, team, count in db.session.execute(query) if count}


@dataclass(frozen=True)
class Member:
    """Someone active in a team who records force: an officer, or a sergeant (``RECORDING_ROLES``)."""

    id: int
    team_id: int
    name: str
    force_number: str | None


def team_members(team_id: int | None = None) -> dict[int, list[Member]]:
    """Everyone in each team (or in ``team_id`` only) who records force, by name, so that those with no reports
    count as the zeros they are: the one definition of a team for early intervention and the dashboard."""
    records = select(UserRole.user_id).where(UserRole.user_id == User.id, UserRole.role.in_(RECORDING_ROLES))
    query = (
        select(User.id, User.team_id, User.name, User.force_number)
        .where(User.active.is_(True), User.team_id.is_not(None), records.exists())
        .order_by(User.team_id, User.name, User.id)
    )
    if team_id is not None:
        query = query.where(User.team_id == team_id)
    members: dict[int, list[Member]] = defaultdict(list)
    for user_id, team, name, force_number in db.session.execute(query):
        assert team is not None  # the query's condition
        members[team].append(Member(user_id, team, name, force_number))
    return dict(members)


def metric(setting: Effective) -> Metric:
    """What a pattern rule counts: its rolling period and the tactics it leaves out."""
    return setting.number("days"), setting.codes("excluded_tactics")


@dataclass(frozen=True)
class Breach:
    rule: str
    level: str
    officer_id: int
    team_id: int | None
    count: int
    days: int
    figures: TeamFigures | None
    # The rule's own figures (levels, percentile), shown before the team's.
    measures: tuple[tuple[str, Any], ...]


def judge_counts(
    by_officer: Mapping[int, tuple[int | None, int]],
    members: Mapping[int, Sequence[int]],
    rules: Callable[[int | None], Iterable[Effective]],
) -> list[Breach]:
    """Every officer of ``by_officer`` ({id: (team, count)}) over a level of the settings ``rules(team_id)`` gives,
    against their team's members' counts (those without reports as 0). Pure: no database."""
    # Worked out once per team: a Met-sized force has 30,000 officers in 600 teams.
    teams: dict[int | None, tuple[list[int], TeamFigures | None, list[Effective]]] = {}
    breaches = []
    for officer_id, (team_id, count) in by_officer.items():
        if team_id not in teams:
            team_counts = [by_officer.get(m, (None, 0))[1] for m in members.get(team_id, ())] \
                if team_id is not None else []
            teams[team_id] = (team_counts, TeamFigures.of(team_counts) if team_counts else None, list(rules(team_id)))
        team_counts, figures, settings = teams[team_id]
        for setting in settings:
            breach = _judge(setting, officer_id, team_id, count, team_counts, figures)
            if breach is not None:
                breaches.append(breach)
    return breaches


def _judged_by(settings: RuleSettings, measured: Metric) -> Callable[[int | None], list[Effective]]:
    """The team's pattern settings that are on and count by ``measured``."""
    def rules(team_id: int | None) -> list[Effective]:
        return [setting for setting in (settings.of(rule, team_id) for rule in PATTERN_RULES)
                if setting.enabled and metric(setting) == measured]
    return rules


def find_pattern_breaches(now: datetime, settings: RuleSettings) -> list[Breach]:
    """Every officer over a pattern rule's level, judged by their own team's settings.

    Teams whose settings share a metric (period and tactics not counted) share one counting query.
    """
    members = {team: [m.id for m in people] for team, people in team_members().items()}
    scopes: set[int | None] = {None, *members, *settings.team_ids()}
    metrics = {
        metric(setting)
        for setting in (settings.of(rule, team_id) for rule in PATTERN_RULES for team_id in scopes)
        if setting.enabled
    }
    breaches = []
    for measured in sorted(metrics):
        breaches += judge_counts(officer_counts(now, *measured), members, _judged_by(settings, measured))
    return breaches


@dataclass(frozen=True)
class TeamEarlyIntervention:
    """A team's early-intervention picture, exactly as the pattern rules see it."""

    members: list[Member]
    # Each member's counted reports (those with none left out) by the count rule's period and tactics.
    counts: dict[int, int]
    # What the pattern rules raise about the team's officers now: the dashboard's flags.
    breaches: list[Breach]


def team_early_intervention(team_id: int, now: datetime, settings: RuleSettings) -> TeamEarlyIntervention:
    """The team's members, their counts and the rules' breaches, from the same queries and judgement as
    ``find_pattern_breaches``: one member query and one counting query per metric the team's rules use."""
    members = team_members(team_id).get(team_id, [])
    shown = metric(settings.of(COUNT_RULE, team_id))
    metrics = {shown} | {
        metric(setting) for setting in (settings.of(rule, team_id) for rule in PATTERN_RULES) if setting.enabled
    }
    ids = {team_id: [m.id for m in members]}
    counts: dict[int, int] = {}
    breaches = []
    for measured in sorted(metrics):
        by_officer = officer_counts(now, *measured, team_id=team_id)
        if measured == shown:
            counts = {officer_id: count for officer_id, (_, count) in by_officer.items()}
        breaches += judge_counts(by_officer, ids, _judged_by(settings, measured))
    return TeamEarlyIntervention(members, counts, breaches)


def _judge(setting: Effective, officer_id: int, team_id: int | None, count: int, team_counts: list[int],
           figures: TeamFigures | None) -> Breach | None:
    days = setting.number("days")
    if setting.rule.key == COUNT_RULE:
        level = count_level(count, setting.number("warning"), setting.number("critical"))
        if level is None:
            return None
        measures: tuple[tuple[str, Any], ...] = (
            ("warning", setting.number("warning")), ("critical", setting.number("critical")),
        )
        return Breach(COUNT_RULE, level, officer_id, team_id, count, days, figures, measures)
    p = setting.number("percentile")
    level_value = above_percentile(count, team_counts, p, setting.number("minimum"))
    if level_value is None:
        return None
    measures = (("percentile", p), ("percentile_value", round(level_value, 1)))
    return Breach(PERCENTILE_RULE, WARNING, officer_id, team_id, count, days, figures, measures)


def evaluate_patterns(now: datetime | None = None) -> int:
    """Early intervention: alert each breaching officer's reviewers once per rule, level and period."""
    now = now or utcnow()
    breaches = find_pattern_breaches(now, load())
    if not breaches:
        return 0
    officers = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_({b.officer_id for b in breaches})))}
    team_ids = {b.team_id for b in breaches if b.team_id is not None}
    teams = {team.id: team for team in db.session.scalars(select(Team).where(Team.id.in_(team_ids)))}
    recipients = _Recipients()
    recipients.ask_for_teams(team_ids)
    epoch_days = (now - datetime(1970, 1, 1, tzinfo=UTC)).days
    candidates = []
    for breach in breaches:
        officer = officers[breach.officer_id]
        period = period_index(epoch_days, breach.days)
        team = teams[breach.team_id] if breach.team_id is not None else None
        figures = breach.figures
        detail: dict[str, Any] = {"count": breach.count, "days": breach.days, "level": breach.level,
                                  **dict(breach.measures)}
        if figures is not None:
            detail |= {"team_median": figures.median, "team_p95": figures.p95, "team_size": figures.size}
        else:
            detail["team"] = "The officer is in no team, so there is nothing to compare with."
        title = (f"Early intervention ({breach.level}): {officer_label(officer)} — {breach.count} reports in "
                 f"{breach.days} days; team median {_figure(figures.median if figures else None)}, "
                 f"95th percentile {_figure(figures.p95 if figures else None)}")
        for recipient in recipients.reviewers(breach.team_id, breach.officer_id):
            candidates.append(alerts.NewAlert(
                recipient=recipient, kind=PATTERN, rule=breach.rule, severity=breach.level, title=title,
                dedupe_key=f"pattern:{breach.rule}:{breach.officer_id}:{breach.level}:{period}:{recipient.id}",
                detail=detail, officer=officer, team=team,
            ))
    return _raise(candidates, now)


# --- workflow rules ---------------------------------------------------------------------------------------

REVIEW_RULE = "review_overdue"
AMENDMENT_RULE = "amendment_overdue"


def _shortest(settings: RuleSettings, rule: str, param: str) -> int | None:
    """The smallest value of ``param`` among the scopes where ``rule`` is on, to bound the query; None if off."""
    values = [
        setting.number(param)
        for setting in (settings.of(rule, team_id) for team_id in {None, *settings.team_ids()})
        if setting.enabled
    ]
    return min(values, default=None)


def overdue_since(now: datetime, hours: int) -> ColumnElement[bool]:
    """SQL: the report has waited more than ``hours`` for review by ``now``: overdue, for the review_overdue
    alert, the digests, the team dashboard and the review queue (``reviews.Waiting.overdue``) alike."""
    return Report.awaiting_review_since < now - timedelta(hours=hours)


def _hours(delta: timedelta) -> int:
    return int(delta.total_seconds() // 3600)


def evaluate_workflow(now: datetime | None = None) -> int:
    """Reviews overdue (supervisors, then governance) and amendment requests not answered (officer, reviewer)."""
    now = now or utcnow()
    settings = load()
    recipients = _Recipients()
    candidates = _overdue_reviews(now, settings, recipients) + _overdue_amendments(now, settings)
    return _raise(candidates, now)


def _overdue_reviews(now: datetime, settings: RuleSettings, recipients: _Recipients) -> list[alerts.NewAlert]:
    shortest = _shortest(settings, REVIEW_RULE, "hours")
    if shortest is None:
        return []
    waiting = db.session.scalars(
        select(Report).where(Report.status.in_(AWAITING_REVIEW), Report.awaiting_review_since.is_not(None),
                             overdue_since(now, shortest))
        .order_by(Report.id)
    )
    candidates = []
    for report in waiting:
        setting = settings.of(REVIEW_RULE, report.team_id)
        assert report.awaiting_review_since is not None
        waited = now - report.awaiting_review_since
        if not setting.enabled or waited <= timedelta(hours=setting.number("hours")):
            continue
        since = int(report.awaiting_review_since.timestamp())
        officer = report.officer
        for recipient in recipients.reviewers(report.team_id, report.officer_id):
            candidates.append(alerts.NewAlert(
                recipient=recipient, kind=WORKFLOW, rule=REVIEW_RULE, severity=WARNING,
                title=f"{report.reference}: review overdue — {officer_label(officer)}",
                dedupe_key=f"workflow:review_overdue:{report.id}:{since}:{recipient.id}",
                detail={"waiting_hours": _hours(waited), "hours": setting.number("hours")},
                report=report, officer=officer,
                team=report.team,
            ))
        if waited > timedelta(hours=setting.number("escalate_hours")):
            team_name = report.team.name if report.team else "no team"
            for recipient in recipients.governance(excluding=report.officer_id):
                candidates.append(alerts.NewAlert(
                    recipient=recipient, kind=WORKFLOW, rule=REVIEW_RULE, severity=CRITICAL,
                    title=f"{report.reference}: review overdue, escalated — {team_name}",
                    dedupe_key=f"workflow:review_escalated:{report.id}:{since}:{recipient.id}",
                    detail={"waiting_hours": _hours(waited), "hours": setting.number("hours"),
                            "escalate_hours": setting.number("escalate_hours")},
                    report=report, officer=officer, team=report.team,
                ))
    return candidates


def _overdue_amendments(now: datetime, settings: RuleSettings) -> list[alerts.NewAlert]:
    shortest = _shortest(settings, AMENDMENT_RULE, "hours")
    if shortest is None:
        return []
    last_return = (
        select(Review.report_id, func.max(Review.id).label("review_id"))
        .where(Review.decision == RETURN).group_by(Review.report_id).subquery()
    )
    rows = db.session.execute(
        select(Report, Review)
        .outerjoin(last_return, last_return.c.report_id == Report.id)
        .outerjoin(Review, Review.id == last_return.c.review_id)
        .where(Report.status == RETURNED,
               func.coalesce(Review.created_at, Report.updated_at) <= now - timedelta(hours=shortest))
        .order_by(Report.id)
    ).all()
    candidates = []
    for report, review in rows:
        setting = settings.of(AMENDMENT_RULE, report.team_id)
        returned_at = review.created_at if review is not None else report.updated_at
        waited = now - returned_at
        if not setting.enabled or waited < timedelta(hours=setting.number("hours")):
            continue
        # The officer, and the supervisor who asked for the amendment (when it is known and someone else).
        people = [report.officer]
        if review is not None and review.reviewer_id != report.officer_id and review.reviewer.active:
            people.append(review.reviewer)
        for recipient in people:
            if not recipient.active:
                continue
            candidates.append(alerts.NewAlert(
                recipient=recipient, kind=WORKFLOW, rule=AMENDMENT_RULE, severity=WARNING,
                title=f"{report.reference}: amendment not answered — {officer_label(report.officer)}",
                dedupe_key=(f"workflow:amendment_overdue:{report.id}:{review.id if review else 0}:"
                            f"{int(returned_at.timestamp())}:{recipient.id}"),
                detail={"returned_on": uk_date(returned_at), "waiting_hours": _hours(waited),
                        "hours": setting.number("hours")},
                report=report, officer=report.officer,
                team=report.team,
            ))
    return candidates


# --- digests ----------------------------------------------------------------------------------------------

DAILY_RULE = "daily_team_digest"
WEEKLY_RULE = "weekly_governance_summary"
DAILY_JOB = "daily_digest"
WEEKLY_JOB = "weekly_summary"


def _count(*where: ColumnElement[bool]) -> int:
    return db.session.scalar(select(func.count(Report.id)).where(*where)) or 0


def send_due_digests(now: datetime | None = None) -> int:
    """The daily team digests and the weekly governance summary that are due and not yet sent.

    A digest is due once the UK time has passed its hour on its day, so a scheduler that was down at the hour
    catches up when it starts later that day; the JobRun row, in the same transaction as the alerts, makes it
    once only.
    """
    now = now or utcnow()
    settings = load()
    return _daily_digests(now, settings) + _weekly_summary(now, settings)


def _daily_digests(now: datetime, settings: RuleSettings) -> int:
    local = now.astimezone(LONDON)
    due = [
        team for team in db.session.scalars(select(Team).order_by(Team.id))
        if settings.of(DAILY_RULE, team.id).enabled and local.hour >= settings.of(DAILY_RULE, team.id).number("hour")
    ]
    periods = {team.id: f"{local.date().isoformat()}/team-{team.id}" for team in due}
    sent = job_runs.claimed(DAILY_JOB, list(periods.values()))
    raised = 0
    for team in due:
        period = periods[team.id]
        supervisors = alerts.supervisors_of(team.id)
        if period in sent or not supervisors or job_runs.claim(DAILY_JOB, period, now) is None:
            continue
        review_hours = settings.of(REVIEW_RULE, team.id).number("hours")
        awaiting = (Report.team_id == team.id, Report.status.in_(AWAITING_REVIEW))
        figures = {
            "reports_24h": _count(Report.team_id == team.id, Report.submitted_at > now - timedelta(hours=24),
                                  Report.submitted_at <= now),
            "awaiting_review": _count(*awaiting),
            "overdue": _count(*awaiting, overdue_since(now, review_hours)),
        }
        for supervisor in supervisors:
            open_alerts = db.session.scalar(
                select(func.count(Alert.id)).where(Alert.recipient_id == supervisor.id, Alert.team_id == team.id,
                                                   Alert.acknowledged_at.is_(None), Alert.kind != DIGEST)
            ) or 0
            alert = alerts.raise_alert(
                recipient=supervisor, kind=DIGEST, rule=DAILY_RULE, severity=INFO,
                title=f"Daily digest for {team.name}", dedupe_key=f"digest:daily:{period}:{supervisor.id}",
                team=team, detail={**figures, "open_alerts": open_alerts}, now=now,
            )
            raised += alert is not None
    return raised


def _weekly_summary(now: datetime, settings: RuleSettings) -> int:
    setting = settings.of(WEEKLY_RULE)
    local = now.astimezone(LONDON)
    if not setting.enabled or local.weekday() != setting.number("weekday") or local.hour < setting.number("hour"):
        return 0
    iso = local.isocalendar()
    period = f"{iso.year}-W{iso.week:02d}"
    recipients = alerts.governance_users()
    if not recipients or job_runs.claim(WEEKLY_JOB, period, now) is None:
        return 0
    since = now - timedelta(days=7)
    review_hours = settings.of(REVIEW_RULE).number("hours")
    decisions: dict[str, int] = {
        decision: n for decision, n in db.session.execute(
            select(Review.decision, func.count(Review.id)).where(Review.created_at > since, Review.created_at <= now)
            .group_by(Review.decision)
        )
    }
    awaiting = Report.status.in_(AWAITING_REVIEW)
    figures = {
        "reports_7d": _count(Report.submitted_at > since, Report.submitted_at <= now),
        "approved": decisions.get(APPROVE, 0),
        "returned": decisions.get(RETURN, 0),
        "referred": decisions.get(REFER, 0),
        "awaiting_review": _count(awaiting),
        "overdue": _count(awaiting, overdue_since(now, review_hours)),
        "reports_with_immediate_alerts": db.session.scalar(
            select(func.count(func.distinct(Alert.report_id)))
            .where(Alert.kind == IMMEDIATE, Alert.created_at > since, Alert.created_at <= now)
        ) or 0,
        "officers_flagged_by_early_intervention": db.session.scalar(
            select(func.count(func.distinct(Alert.officer_id)))
            .where(Alert.kind == PATTERN, Alert.created_at > since, Alert.created_at <= now)
        ) or 0,
    }
    raised = 0
    for recipient in recipients:
        alert = alerts.raise_alert(
            recipient=recipient, kind=DIGEST, rule=WEEKLY_RULE, severity=INFO,
            title=f"Weekly summary for the force: {uk_date(since)} to {uk_date(now)}",
            dedupe_key=f"digest:weekly:{period}:{recipient.id}", detail=figures, now=now,
        )
        raised += alert is not None
    return raised
