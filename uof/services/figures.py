"""Force-wide figures for governance, counted in the database from the report facts (``uof.domain.facts``).

One set of filters (a period of UK dates, an area, a team, a Home Office type of force) and a handful of
``GROUP BY`` queries serve the governance dashboard, the quarterly pack and the Home Office return, so the three
always show the same numbers for the same filters. Each query is the one an analyst would write by hand against
``report_facts``; ``bench/`` times them against exactly that.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy import ColumnElement, Select, String, and_, case, cast, func, literal_column, or_, select
from sqlalchemy.orm import QueryableAttribute, aliased

from uof.domain import rollups
from uof.domain import vocabulary as v
from uof.domain.facts import BWV, RECORDING_POLICY, TACTIC_GROUP
from uof.domain.rollups import TACTIC_DIMENSIONS
from uof.extensions import db
from uof.models import FactCrossTotal, FactTotal, PolicyVersion, Report, ReportFact, Team
from uof.services import policy
from uof.services.exports import Period, PeriodError, parse_period
from uof.services.reports import MAX_ID
from uof.uktime import LONDON

FORCE_GROUPS = tuple(group for group in v.TACTIC_GROUPS if group != v.TACTICAL_COMMUNICATION)


class FilterError(ValueError):
    """Filters that cannot be applied; the message says what to change, ``field`` which filter to change."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Filters:
    """Which reports a figure counts: incidents on the period's UK dates, optionally of one area, one team, or
    using one Home Office type of force."""

    period: Period
    area: str | None = None
    team_id: int | None = None
    tactic_group: str | None = None

    def query(self) -> dict[str, str]:
        """The filters as query parameters, for links and downloads that must honour them."""
        args = {"from": self.period.start.isoformat(), "to": self.period.end.isoformat()}
        if self.area:
            args["area"] = self.area
        if self.team_id is not None:
            args["team"] = str(self.team_id)
        if self.tactic_group:
            args["group"] = self.tactic_group
        return args

    def with_period(self, period: Period) -> Filters:
        return replace(self, period=period)


def parse_filters(args: Mapping[str, str], today: date) -> Filters:
    """``from``/``to`` (``uof.services.exports.parse_period``), ``area``, ``team`` (an id) and ``group`` (a type
    of force); an empty value means no filter. Raises ``PeriodError`` or ``FilterError``."""
    period = parse_period(args.get("from") or None, args.get("to") or None, today)
    area = (args.get("area") or "").strip() or None
    team_id: int | None = None
    raw_team = (args.get("team") or "").strip()
    if raw_team:
        # Few ASCII digits only: str.isdigit() also takes "²", which int() refuses, int() refuses thousands of
        # digits, and an id past the column's range is a database error rather than a team that is not there.
        digits = raw_team.isascii() and raw_team.isdigit() and len(raw_team) <= len(str(MAX_ID))
        team_id = int(raw_team) if digits else None
        if team_id is None or not 0 < team_id <= MAX_ID or db.session.get(Team, team_id) is None:
            raise FilterError("'team' must be one of the force's teams.", "team")
    group = (args.get("group") or "").strip() or None
    if group is not None and group not in FORCE_GROUPS:
        raise FilterError(f"'group' must be one of: {', '.join(FORCE_GROUPS)}.", "group")
    if area is not None and area not in areas():
        raise FilterError("'area' must be one of the force's areas.", "area")
    return Filters(period, area, team_id, group)


def areas() -> list[str]:
    """Every area a team polices or a report names, for the filter's choices."""
    named = set(db.session.scalars(select(Team.area).where(Team.area.is_not(None))))
    # The reports' areas one index probe at a time (the next area after the last found): a million reports
    # name a few dozen areas, and SELECT DISTINCT would read every one of them.
    found = select(func.min(Report.area).label("area")).cte("found", recursive=True)
    found = found.union_all(select(select(func.min(Report.area)).where(Report.area > found.c.area)
                                   .scalar_subquery()).where(found.c.area.is_not(None)))
    named |= set(db.session.scalars(select(found.c.area).where(found.c.area.is_not(None))))
    return sorted(area for area in named if area)


def uk_midnight(day: date) -> datetime:
    # The clocks change at 01:00 UTC, so midnight UK time always exists exactly once.
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


def fact_scope(filters: Filters, fact: type[ReportFact] = ReportFact) -> list[ColumnElement[bool]]:
    """``WHERE`` conditions selecting the facts of the filtered reports (``fact`` may be an alias): the period's
    facts, by the incident time each fact carries (so that an index on it serves the scan), of the reports
    ``report_scope`` selects when another filter narrows them (a team's facts are found through its reports)."""
    start, end = uk_midnight(filters.period.start), uk_midnight(filters.period.end_exclusive)
    conditions = [fact.incident_at >= start, fact.incident_at < end]
    if filters.area is not None or filters.team_id is not None:
        conditions.append(fact.report_id.in_(select(Report.id).where(*report_scope(filters))))
    elif filters.tactic_group is not None:
        conditions.append(fact.report_id.in_(_using_tactic_group(filters)))
    return conditions


def report_scope(filters: Filters) -> list[ColumnElement[bool]]:
    """``WHERE`` conditions selecting the filtered reports themselves."""
    start, end = uk_midnight(filters.period.start), uk_midnight(filters.period.end_exclusive)
    conditions = [Report.incident_at >= start, Report.incident_at < end]
    if filters.area is not None:
        conditions.append(Report.area == filters.area)
    if filters.team_id is not None:
        conditions.append(Report.team_id == filters.team_id)
    if filters.tactic_group is not None:
        conditions.append(Report.id.in_(_using_tactic_group(filters)))
    return conditions


def _using_tactic_group(filters: Filters) -> Select[int]:
    """The reports with the type of force's fact in the period, through the facts' index by value and time."""
    using = aliased(ReportFact)
    return select(using.report_id).where(
        using.dimension == TACTIC_GROUP, using.value == filters.tactic_group,
        using.incident_at >= uk_midnight(filters.period.start),
        using.incident_at < uk_midnight(filters.period.end_exclusive))


def total_reports(filters: Filters) -> int:
    return db.session.scalar(_counting_reports(filters)) or 0


# The statements of the small, frequent figures are built once per set of filters, held by these caches, and
# executed again: building one costs more than PostgreSQL takes to count a team's year (0.2 ms against 0.3 ms).
@lru_cache(maxsize=256)
def _counting_reports(filters: Filters) -> Select[int]:
    return select(func.count()).select_from(Report).where(*report_scope(filters))


@dataclass(frozen=True)
class Count:
    reports: int  # reports with the fact ("Number of incidents involving tactic")
    times: int  # for tactic rows, "Number of times tactic reported"; otherwise the same as ``reports``


Counts = dict[str, dict[str, Count]]


def counts(filters: Filters, dimensions: tuple[str, ...] | None = None) -> Counts:
    """``{dimension: {value: Count}}`` for the filtered reports, in one ``GROUP BY``: over the running totals
    (``uof.domain.rollups``) by month and day, or, for one team, over the facts of the team's reports."""
    if filters.team_id is None:
        query = (select(FactTotal.dimension, FactTotal.value, func.sum(FactTotal.reports), func.sum(FactTotal.times))
                 .where(*_total_scope(filters)).group_by(FactTotal.dimension, FactTotal.value))
        if dimensions is not None:
            query = query.where(FactTotal.dimension.in_(dimensions))
    else:
        query = (select(ReportFact.dimension, ReportFact.value, func.count(), func.sum(ReportFact.times))
                 .where(*fact_scope(filters)).group_by(ReportFact.dimension, ReportFact.value))
        if dimensions is not None:
            query = query.where(ReportFact.dimension.in_(dimensions))
    result: Counts = defaultdict(dict)
    for dimension, value, reports, times in db.session.execute(query):
        if reports:
            result[dimension][value] = Count(int(reports), int(times or 0))
    return dict(result)


def reports_by_area(filters: Filters) -> dict[str, int]:
    """The filtered reports by the area they named ("" for none), read like ``counts``: from the running totals of
    the body-worn video facts, of which every report has exactly one (``uof.domain.facts.BWV_STATES``), or, for
    one team, from the team's reports."""
    query: Select[str | None, int]
    if filters.team_id is None:
        query = (select(FactTotal.area, func.sum(FactTotal.reports))
                 .where(*_total_scope(filters), FactTotal.dimension == BWV).group_by(FactTotal.area))
    else:
        query = select(Report.area, func.count()).where(*report_scope(filters)).group_by(Report.area)
    found: dict[str, int] = defaultdict(int)
    for area, reports in db.session.execute(query):
        if reports:
            found[area or rollups.NO_AREA] += int(reports)
    return dict(sorted(found.items()))


def whole_months(period: Period) -> tuple[list[date], list[tuple[date, date]]]:
    """The UK calendar months wholly inside the period (their 1sts), and the runs of days outside them."""
    months: list[date] = []
    runs: list[tuple[date, date]] = []
    first = period.start.replace(day=1)
    while first <= period.end:
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        last = following - timedelta(days=1)
        if period.start <= first and last <= period.end:
            months.append(first)
        else:
            runs.append((max(first, period.start), min(last, period.end)))
        first = following
    return months, runs


def _total_scope(filters: Filters) -> list[ColumnElement[bool]]:
    months, runs = whole_months(filters.period)
    spans = [and_(FactTotal.span == rollups.DAY, FactTotal.period_start >= start, FactTotal.period_start <= end)
             for start, end in runs]
    if months:
        spans.append(and_(FactTotal.span == rollups.MONTH, FactTotal.period_start >= months[0],
                          FactTotal.period_start <= months[-1]))
    conditions = [or_(*spans), FactTotal.tactic_group == (filters.tactic_group or rollups.ALL_REPORTS)]
    if filters.area is not None:
        conditions.append(FactTotal.area == filters.area)
    return conditions


CrossTab = dict[tuple[str, str], dict[str, Count]]


def tactic_cross_tab(filters: Filters, dimension: str) -> CrossTab:
    """``{(tactic dimension, tactic row): {value of dimension: Count}}``: the body of a Home Office table 2-9 (each
    tactic row broken down by the subject's age, gender, ethnicity…). Force-wide over whole months (a quarter, a
    year) it is read from the monthly running totals; otherwise counted from the facts in one join."""
    months, runs = whole_months(filters.period)
    force_wide = filters.area is None and filters.team_id is None and filters.tactic_group is None
    if force_wide and not runs and dimension in rollups.CROSS_DIMENSIONS:
        query = (select(FactCrossTotal.row_dimension, FactCrossTotal.row_value, FactCrossTotal.value,
                        func.sum(FactCrossTotal.reports), func.sum(FactCrossTotal.times))
                 .where(FactCrossTotal.dimension == dimension, FactCrossTotal.month >= months[0],
                        FactCrossTotal.month <= months[-1])
                 .group_by(FactCrossTotal.row_dimension, FactCrossTotal.row_value, FactCrossTotal.value))
    else:
        row, column = aliased(ReportFact), aliased(ReportFact)
        query = (select(row.dimension, row.value, column.value, func.count(), func.sum(row.times))
                 .join(column, and_(column.report_id == row.report_id, column.dimension == dimension))
                 .where(row.dimension.in_(TACTIC_DIMENSIONS), *fact_scope(filters, row))
                 .group_by(row.dimension, row.value, column.value))
    result: CrossTab = defaultdict(dict)
    for row_dimension, row_value, value, reports, times in db.session.execute(query):
        if reports:
            result[(row_dimension, row_value)][value] = Count(int(reports), int(times or 0))
    return dict(result)


@dataclass(frozen=True)
class MonthCount:
    start: date  # the 1st of the UK month
    reports: int


@dataclass(frozen=True)
class PolicyCount:
    version: int
    preset: str
    effective_from: datetime
    reports: int


@dataclass(frozen=True)
class Tally:
    """The filtered reports by UK month of the incident and by recording policy version."""

    months: tuple[MonthCount, ...]  # every month the period touches, empty ones as 0
    policies: tuple[PolicyCount, ...]  # the versions the reports were recorded under, oldest first

    @property
    def total(self) -> int:
        return sum(month.reports for month in self.months)


def tally(filters: Filters) -> Tally:
    """The reports by UK month and by recording policy version, each version with its preset and start."""
    firsts = _month_firsts(filters.period)
    per_month: dict[date, int] = defaultdict(int)
    per_version: dict[tuple[int, str, datetime], int] = defaultdict(int)
    for when, version, preset, effective_from, reports in db.session.execute(_by_version(filters, by_month=True)):
        if reports:  # a total that an amendment emptied stays, at 0
            per_month[firsts[when] if isinstance(when, int) else when.replace(day=1)] += int(reports)
            per_version[(version, preset, effective_from)] += int(reports)
    return Tally(tuple(MonthCount(first, per_month.get(first, 0)) for first in firsts),
                 tuple(PolicyCount(*key, reports) for key, reports in sorted(per_version.items())))


def policy_versions(filters: Filters) -> list[PolicyCount]:
    """The recording policy versions the filtered reports were recorded under, oldest first, with their counts.

    More than one means the period spans a change of recording threshold, which every figure must say."""
    return [PolicyCount(version, preset, effective_from, int(reports))
            for _month, version, preset, effective_from, reports in
            db.session.execute(_by_version(filters, by_month=False)) if reports]


def _month_firsts(period: Period) -> tuple[date, ...]:
    """The 1st of every UK month the period touches."""
    firsts: list[date] = []
    day = period.start.replace(day=1)
    while day <= period.end:
        firsts.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return tuple(firsts)


@lru_cache(maxsize=256)
def _by_version(filters: Filters, *, by_month: bool) -> Select[date | int, int, str, datetime, int]:
    """``(month, version, preset, effective_from, reports)`` for the filtered reports, in one ``GROUP BY``; the
    month is the 1st of a month, the index of one among ``_month_firsts``, or the constant 0 when not ``by_month``.

    Force-wide, from the running totals of the ``recording_policy`` facts (one per report), so that a year of a
    Met-sized force is a few hundred totals rather than its 200,000 reports; for one area or one team, from the
    index of their reports by time and version."""
    version_columns = (PolicyVersion.version, PolicyVersion.preset, PolicyVersion.effective_from)
    month: ColumnElement[int] | QueryableAttribute[date] | None
    query: Select[date | int, int, str, datetime, int]
    # Without months, the constant 0 stands in, left out of the GROUP BY (where SQL reads a number as a position).
    if filters.team_id is None and filters.area is None:
        month = FactTotal.period_start if by_month else None
        query = (select(literal_column("0") if month is None else month, *version_columns, func.sum(FactTotal.reports))
                 # The version cast to text, not the values to numbers: other dimensions' values are not numbers.
                 .select_from(FactTotal).join(PolicyVersion, FactTotal.value == cast(PolicyVersion.version, String))
                 .where(*_total_scope(filters), FactTotal.dimension == RECORDING_POLICY))
    else:
        firsts = _month_firsts(filters.period)
        month = _month_index(firsts) if by_month and len(firsts) > 1 else None
        query = (select(literal_column("0") if month is None else month, *version_columns, func.count())
                 .select_from(Report).join(PolicyVersion, Report.policy_version == PolicyVersion.version)
                 .where(*report_scope(filters)))
    return query.group_by(*([] if month is None else [month]), *version_columns).order_by(PolicyVersion.version)


def _month_index(firsts: tuple[date, ...]) -> ColumnElement[int]:
    """A report's UK month, as its index among the months starting on ``firsts``: a CASE over their UK midnights."""
    bounds = [uk_midnight(first) for first in firsts[1:]]
    return case(*((Report.incident_at < bound, index) for index, bound in enumerate(bounds)), else_=len(bounds))


def policies_in_force(filters: Filters, used: Sequence[PolicyCount] | None = None) -> tuple[PolicyCount, ...]:
    """The recording policy versions in force at any time in the period, oldest first, each with the filtered
    reports recorded under it (0 when none was), and any other version those reports were recorded under.

    A period that saw a change of threshold says so even when its reports all fall on one side of the change: its
    months are still not like for like. A version is in force from its effective time until the next takes over,
    as ``uof.services.policy.version_at`` decides (of two effective at the same time, the higher version).
    ``used`` is ``policy_versions(filters)`` when the caller has counted it already.
    """
    start, end = uk_midnight(filters.period.start), uk_midnight(filters.period.end_exclusive)
    changes = db.session.scalars(
        select(PolicyVersion).where(PolicyVersion.effective_from > start, PolicyVersion.effective_from < end)
        .order_by(PolicyVersion.effective_from, PolicyVersion.version)).all()
    # Ordered by version within a time, so the one that takes over at each time is the last kept.
    taking_over = {row.effective_from: row for row in changes}.values()
    found = {row.version: row for row in (used if used is not None else policy_versions(filters))}
    for row in (policy.version_at(start), *taking_over):
        found.setdefault(row.version, PolicyCount(row.version, row.preset, row.effective_from, 0))
    return tuple(sorted(found.values(), key=lambda row: (row.effective_from, row.version)))


__all__ = ["Count", "Counts", "CrossTab", "FilterError", "Filters", "MonthCount", "PeriodError", "PolicyCount", "Tally",
           "areas", "counts", "fact_scope", "parse_filters", "policies_in_force", "policy_versions",
           "report_scope", "reports_by_area", "tactic_cross_tab", "tally", "total_reports", "uk_midnight"]
