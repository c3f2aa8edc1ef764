"""The annual return to the Home Office: the "Police use of force statistics" data tables (2019/20 layout) for
one force and one financial year, as one CSV.

``figures_for`` does the counting, in the database, through ``uof.services.figures`` (the same facts and filters
as the dashboards and the quarterly pack, so they always agree); the table builders (``tables`` and the
functions it calls) are pure functions of those figures, so the quarterly pack can print the same tables for a
quarter. The layout itself (titles, rows, columns, verbatim labels) is ``uof.domain.home_office_tables``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from uof.domain import home_office_tables as ho
from uof.domain import vocabulary as v
from uof.domain.facts import LOCATION_SETTING, TACTIC
from uof.domain.policy import Policy
from uof.domain.spreadsheet import safe_cell
from uof.extensions import db
from uof.models import PolicyVersion, Report, ReportFact
from uof.services import figures, policy
from uof.services.exports import BOM, Period
from uof.services.figures import Count, Counts, CrossTab, Filters, PolicyCount
from uof.uktime import uk_datetime

Cell = str | int


@dataclass(frozen=True)
class Table:
    number: int
    title: str  # the Home Office title, without the period
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class ColumnFigures:
    """One column of tables 2-9: its incidents and, per tactic row of the facts, the times it was reported."""

    incidents: int
    times: Mapping[str, int]


# Injury facts of a report, e.g. ("yes", "no", "minor") for (officer_injured, officer_assaulted, level); None
# where the report has no such fact.
InjuryKey = tuple[str | None, ...]


@dataclass(frozen=True)
class Figures:
    """Everything the tables count, for one set of filters."""

    incidents: int
    counts: Counts
    columns: Mapping[int, tuple[ColumnFigures, ...]]  # by table number, in the order of its columns
    officer_injuries: Mapping[InjuryKey, int]  # (injured, intentional assault, injury level)
    person_injuries: Mapping[InjuryKey, int]  # (injured, injury level, medical assistance)


OFFICER_INJURY_FACTS = ("officer_injured", "officer_assaulted", "officer_injury_level")
PERSON_INJURY_FACTS = ("subject_injured", "subject_injury_level", "medical_assistance")


def figures_for(filters: Filters) -> Figures:
    """Count everything the tables need: one ``GROUP BY`` over the totals, one cross-tabulation per table 2-9 (and
    one for the location settings of table 9), and one query per injury table."""
    counted = figures.counts(filters)
    columns: dict[int, tuple[ColumnFigures, ...]] = {}
    for table in ho.CROSS_TABLES:
        cross = figures.tactic_cross_tab(filters, table.dimension)
        by_code = counted.get(table.dimension, {})
        if any(column.group for column in table.columns):
            # A setting ("Public") counts a report once however many of its locations it gave: the setting's
            # own fact, rather than its locations added up.
            settings = figures.tactic_cross_tab(filters, LOCATION_SETTING)
            by_setting = counted.get(LOCATION_SETTING, {})
        columns[table.number] = tuple(
            sum_of_codes(by_setting, settings, (column.label,)) if column.group
            else sum_of_codes(by_code, cross, column.codes)
            for column in table.columns)
    return Figures(
        incidents=figures.total_reports(filters),
        counts=counted,
        columns=columns,
        officer_injuries=_joint(filters, OFFICER_INJURY_FACTS),
        person_injuries=_joint(filters, PERSON_INJURY_FACTS),
    )


def sum_of_codes(by_code: Mapping[str, Count], cross: CrossTab, codes: Sequence[str]) -> ColumnFigures:
    """A column whose codes share one Home Office label: a report's facts hold at most one of them (the facts
    record such codes under their category's code), so adding them up counts no report twice."""
    times: dict[str, int] = {}
    for (dimension, row), by_value in cross.items():
        if dimension == TACTIC:
            times[row] = sum(by_value[code].times for code in codes if code in by_value)
    return ColumnFigures(sum(by_code[code].reports for code in codes if code in by_code), times)


def _joint(filters: Filters, dimensions: Sequence[str]) -> dict[InjuryKey, int]:
    """Reports by their values of several single-valued facts at once (Home Office tables 10 and 11 cross
    injury, assault and level), None where a report has no such fact."""
    facts = [aliased(ReportFact) for _ in dimensions]
    query = select(*(fact.value for fact in facts), func.count()).select_from(Report)
    for fact, dimension in zip(facts, dimensions, strict=True):
        query = query.outerjoin(fact, and_(fact.report_id == Report.id, fact.dimension == dimension))
    query = query.where(*figures.report_scope(filters)).group_by(*(fact.value for fact in facts))
    return {tuple(row[:-1]): int(row[-1]) for row in db.session.execute(query)}


# --- the tables (pure) ------------------------------------------------------------------------------------

def tables(found: Figures, period_label: str, force: str) -> tuple[Table, ...]:
    """Tables 1-11 and 13 in the Home Office layout; ``period_label`` (e.g. "2025/26") and ``force`` fill
    Table 13's first columns. Table 12 (incidents by police force) is one number for one force, given by
    Table 1's total."""
    return (tactics_table(found), *(cross_table(table, found) for table in ho.CROSS_TABLES),
            officer_injuries_table(found), person_injuries_table(found), ced_table(found, period_label, force))


def _tactic_count(found: Figures, label: str) -> Count:
    return found.counts.get(TACTIC, {}).get(label, Count(0, 0))


def _times(found: Figures, row: ho.TacticRow) -> int:
    return sum(_tactic_count(found, label).times for label in row.adds)


def _incidents(found: Figures, row: ho.TacticRow) -> int:
    if row.every_incident:
        return found.incidents
    if row.incidents_fact is not None:
        dimension, value = row.incidents_fact
        return found.counts.get(dimension, {}).get(value, Count(0, 0)).reports
    return sum(_tactic_count(found, label).reports for label in row.adds)


def tactics_table(found: Figures) -> Table:
    """Table 1: times each tactic was reported and the incidents involving it."""
    return Table(1, ho.TABLE_1_TITLE, ho.TABLE_1_HEADER, tuple(
        (row.type_of_force, row.tactic, _times(found, row), _incidents(found, row)) for row in ho.TABLE_1_ROWS))


def cross_table(table: ho.CrossTable, found: Figures) -> Table:
    """Tables 2-9: the incidents in each column, then the times each tactic was reported in it."""
    columns = found.columns[table.number]
    rows: list[tuple[Cell, ...]] = [
        ("", ho.TOTAL_INCIDENTS, *(column.incidents for column in columns), found.incidents)]
    rows += [(row.type_of_force, row.tactic,
              *(sum(column.times.get(label, 0) for label in row.adds) for column in columns), _times(found, row))
             for row in ho.CROSS_TABLE_ROWS]
    header = ("Type of force", "Tactic", *(column.label for column in table.columns), "Total")
    return Table(table.number, table.title, header, tuple(rows))


def _by_level(counts: Mapping[InjuryKey, int], matches: Iterable[InjuryKey], levels: Sequence[str],
              level_at: int) -> tuple[int, ...]:
    """Total, then one count per level, then the rest (no level, or none) as "Not reported"."""
    keys = list(matches)
    total = sum(counts[key] for key in keys)
    per_level = [sum(counts[key] for key in keys if key[level_at] == level) for level in levels]
    return (total, *per_level, total - sum(per_level))


def officer_injuries_table(found: Figures) -> Table:
    """Table 10: officer injured × intentional assault, by injury level."""
    counts = found.officer_injuries
    rows: list[tuple[Cell, ...]] = []
    for injured, injured_label in ho.YES_NO_ROWS:
        for index, (assaulted, assaulted_label) in enumerate(ho.YES_NO_ROWS):
            matches = (key for key in counts if key[0] == injured and key[1] == assaulted)
            rows.append((injured_label if index == 0 else "", assaulted_label,
                         *_by_level(counts, matches, ho.OFFICER_INJURY_LEVELS, 2)))
    rows.append((ho.TOTAL_INCIDENTS_SHORT, "", *_by_level(counts, counts, ho.OFFICER_INJURY_LEVELS, 2)))
    return Table(10, ho.TABLE_10_TITLE, ho.TABLE_10_HEADER, tuple(rows))


def person_injuries_table(found: Figures) -> Table:
    """Table 11: the person involved injured, by injury level, and the medical assistance given."""
    counts = found.person_injuries

    def cells(keys: list[InjuryKey]) -> tuple[int, ...]:
        assistance = tuple(sum(counts[key] for key in keys if key[2] == code)
                           for code, _ in ho.MEDICAL_ASSISTANCE_COLUMNS)
        return (*_by_level(counts, keys, ho.PERSON_INJURY_LEVELS, 1), *assistance)

    rows: list[tuple[Cell, ...]] = [(label, *cells([key for key in counts if key[0] == injured]))
                                    for injured, label in ho.PERSON_INJURED_ROWS]
    rows.append((ho.TOTAL_INCIDENTS_SHORT, *cells(list(counts))))
    return Table(11, ho.TABLE_11_TITLE, ho.TABLE_11_HEADER, tuple(rows))


def ced_table(found: Figures, period_label: str, force: str) -> Table:
    """Table 13: the force's Taser (CED) incidents by the highest level reached."""
    non_discharge = [_tactic_count(found, row).reports for _, row in ho.CED_NON_DISCHARGE_COLUMNS]
    discharge = [_tactic_count(found, row).reports for _, row in ho.CED_DISCHARGE_COLUMNS]
    not_stated = 0  # the form records every Taser use at its level
    row: tuple[Cell, ...] = (period_label, force, sum(non_discharge) + sum(discharge) + not_stated, sum(non_discharge),
           *non_discharge, sum(discharge), *discharge, not_stated)
    return Table(13, ho.TABLE_13_TITLE, ho.TABLE_13_HEADER, (row,))


# --- the return -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ThresholdChange:
    version: int
    preset: str
    effective_from: datetime
    levels: Mapping[str, str]  # tactic code -> its level from then on, for the tactics whose level changed


def threshold_changes(period: Period) -> list[ThresholdChange]:
    """The recording policy versions that took effect during ``period`` and changed a tactic's level."""
    start, end = figures.uk_midnight(period.start), figures.uk_midnight(period.end_exclusive)
    in_force = policy.to_policy(policy.version_at(start))
    later = db.session.scalars(
        select(PolicyVersion).where(PolicyVersion.effective_from > start, PolicyVersion.effective_from < end)
        .order_by(PolicyVersion.effective_from, PolicyVersion.version)).all()
    changes = []
    for row in later:
        now_in_force = policy.to_policy(row)
        levels = changed_levels(in_force, now_in_force)
        if levels:
            changes.append(ThresholdChange(row.version, row.preset, row.effective_from, levels))
        in_force = now_in_force
    return changes


def changed_levels(before: Policy, after: Policy) -> dict[str, str]:
    return {code: level for code, level in after.tactics.items() if before.level(code) != level}


@dataclass(frozen=True)
class AnnualReturn:
    year: int
    incidents: int
    filename: str
    text: str  # the CSV, with a byte order mark


def financial_year(year: int) -> Period:
    return Period(date(year, 4, 1), date(year + 1, 3, 31))


def annual_return(year: int, force: str, today: date) -> AnnualReturn:
    """The return for the financial year starting 1 April ``year`` (incidents by their UK date)."""
    period = financial_year(year)
    filters = Filters(period)
    found = figures_for(filters)
    label = ho.year_label(year)
    heading = heading_rows(force, year, today, found.incidents, figures.policy_versions(filters),
                           threshold_changes(period))
    text = csv_text(heading, tables(found, label, force), f"year ending March {year + 1}")
    return AnnualReturn(year, found.incidents, f"home-office-return-{label.replace('/', '-')}.csv", text)


def heading_rows(force: str, year: int, today: date, incidents: int, versions: Sequence[PolicyCount],
                 changes: Sequence[ThresholdChange]) -> list[tuple[Cell, ...]]:
    """The block before the tables: who, which year, when, under which recording policy, and how it counts."""
    rows: list[tuple[Cell, ...]] = [
        ("Police use of force statistics: annual return to the Home Office",),
        ("Police force", force),
        ("Financial year", ho.year_label(year),
         f"1 April {year} to 31 March {year + 1}, by the UK date of the incident"),
        ("Date produced", today.isoformat()),
        ("Number of incidents", incidents),
        ("Recording policy version", "Preset", "In force from (UK time)", "Incidents recorded under it"),
        *((version.version, version.preset, uk_datetime(version.effective_from), version.reports)
          for version in versions),
    ]
    if changes:
        rows.append(("Warning", threshold_warning(changes)))
    rows += [("Counting rules" if index == 0 else "", rule) for index, rule in enumerate(ho.COUNTING_RULES)]
    return rows


def threshold_warning(changes: Sequence[ThresholdChange]) -> str:
    described = "; ".join(
        f"from {uk_datetime(change.effective_from)}, version {change.version} ({change.preset}) made "
        + ", ".join(f"{v.TACTICS.label(code)} {level}" for code, level in change.levels.items())
        for change in changes)
    return (f"This year spans a change of recording threshold: {described}. Incidents recorded under different "
            "thresholds are not comparable: lower-level force that was optional may be under-counted.")


def csv_text(heading: Iterable[Sequence[Cell]], parts: Iterable[Table], period_text: str) -> str:
    """The heading block, then each table as its title row ("Table N: title, period"), its header, its rows and
    a blank row; every cell through ``safe_cell`` (the force's name is typed by a person)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def write(row: Sequence[Cell]) -> None:
        writer.writerow([safe_cell(cell) for cell in row])

    for row in heading:
        write(row)
    write(())
    for table in parts:
        write((f"Table {table.number}: {table.title}, {period_text}",))
        write(table.header)
        for row in table.rows:
            write(row)
        write(())
    return BOM + buffer.getvalue()
