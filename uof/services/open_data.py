"""The public figures: reports per UK month and area over the last 12 complete months, counted by the national
rules (``uof.domain.counting``) and suppressed by ``uof.domain.suppression``. The transparency page and the open
data CSV both come from ``figures``, so they always agree.

Nothing identifying leaves here: no officer, reference, narrative, time of day or place finer than the area.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, case, func, select

from uof.domain import rollups
from uof.domain import vocabulary as v
from uof.domain.counting import category_order
from uof.domain.facts import TACTIC, facts_of
from uof.domain.spreadsheet import safe_cell
from uof.domain.suppression import Cell, suppress_row
from uof.extensions import db
from uof.models import FactTotal, PolicyVersion, Report, utcnow
from uof.uktime import LONDON, MONTHS

PERIOD_MONTHS = 12
NO_AREA = "Area not recorded"
TACTICAL_COMMUNICATION_ROW = v.TACTICS.get("tactical_communication").home_office  # type: ignore[union-attr]
CSV_HEADER = ("month", "area", "measure", "category", "count", "policy_versions")


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return f"{MONTHS[self.month - 1]} {self.year}"

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def start(self) -> datetime:
        """00:00 UK time on the 1st, in UTC (midnight always exists once: the clocks change at 01:00 UTC)."""
        return datetime.combine(date(self.year, self.month, 1), time(0), tzinfo=LONDON).astimezone(UTC)


def last_complete_months(now: datetime, count: int = PERIOD_MONTHS) -> list[Month]:
    """The ``count`` whole UK calendar months before the current one, oldest first."""
    today = now.astimezone(LONDON).date()
    index = today.year * 12 + today.month - 1  # the current month, not yet complete
    return [Month(i // 12, i % 12 + 1) for i in range(index - count, index)]


@dataclass(frozen=True)
class Measure:
    key: str
    title: str
    categories: tuple[str, ...]
    # How a report counts: the categories it falls in, each once.
    description: str


def _home_office_labels(vocab: v.Vocabulary) -> tuple[str, ...]:
    labels: list[str] = []
    for term in vocab:
        label = term.home_office.replace("\n", "")
        if label not in labels:
            labels.append(label)
    return tuple(labels)


def measures() -> tuple[Measure, ...]:
    return (
        Measure("reports", "Reports", ("All reports",), "Use of force reports whose incident fell in the month."),
        Measure("tactics", "Force used, by Home Office category", tuple(category_order()),
                "Reports in which each category of force was used, counted once per report; a Taser (CED) at its "
                "highest level only; tactical communication is not counted as force."),
        Measure("age_band", "Subject's age", _home_office_labels(v.AGE_BANDS), "One per report."),
        Measure("gender", "Subject's gender", _home_office_labels(v.GENDERS), "One per report."),
        Measure("ethnicity", "Subject's ethnicity (officer's perception)", _home_office_labels(v.ETHNICITIES),
                "One per report."),
        Measure("outcomes", "Outcomes", _home_office_labels(v.OUTCOMES),
                "Reports with each outcome, counted once per report; a report can have several."),
        Measure("officer_injury", "Officer injury", _home_office_labels(v.OFFICER_INJURY_LEVELS),
                "The recording officer's injury, one per report."),
        Measure("subject_injury", "Subject injury", _home_office_labels(v.SUBJECT_INJURY_LEVELS),
                "The subject's injury, one per report."),
    )


# Each measure's fact dimension (``uof.domain.facts``) and the vocabulary naming its categories; tactic facts are
# already Home Office categories.
MEASURE_DIMENSIONS: dict[str, tuple[str, v.Vocabulary | None]] = {
    "tactics": (TACTIC, None), "age_band": ("age_band", v.AGE_BANDS), "gender": ("gender", v.GENDERS),
    "ethnicity": ("ethnicity", v.ETHNICITIES), "outcomes": ("outcome", v.OUTCOMES),
    "officer_injury": ("officer_injury_level", v.OFFICER_INJURY_LEVELS),
    "subject_injury": ("subject_injury_level", v.SUBJECT_INJURY_LEVELS),
}
_MEASURE_OF = {dimension: measure for measure, (dimension, _) in MEASURE_DIMENSIONS.items()}


def category(dimension: str, value: str) -> tuple[str, str] | None:
    """The (measure, category) a report fact counts towards, or None if no public measure shows it."""
    measure = _MEASURE_OF.get(dimension)
    if measure is None:
        return None
    vocabulary = MEASURE_DIMENSIONS[measure][1]
    if vocabulary is None:
        return None if value == TACTICAL_COMMUNICATION_ROW else (measure, value)
    term = vocabulary.get(value)
    return (measure, term.home_office.replace("\n", "")) if term else None


def categorise(content: dict[str, Any]) -> dict[str, set[str]]:
    """The categories one report counts towards, for each measure (what the stored facts give it)."""
    out: dict[str, set[str]] = {"reports": {"All reports"}, **{measure: set() for measure in MEASURE_DIMENSIONS}}
    for fact in facts_of(content):
        found = category(fact.dimension, fact.value)
        if found is not None:
            out[found[0]].add(found[1])
    return out


@dataclass(frozen=True)
class MonthRow:
    month: Month
    cells: tuple[Cell, ...]
    policy_versions: tuple[int, ...]


@dataclass(frozen=True)
class Table:
    area: str
    measure: Measure
    rows: tuple[MonthRow, ...]


@dataclass(frozen=True)
class PolicyNote:
    version: int
    preset: str
    effective_from: datetime


@dataclass(frozen=True)
class OpenData:
    months: tuple[Month, ...]
    areas: tuple[str, ...]
    tables: tuple[Table, ...]
    policies: tuple[PolicyNote, ...]

    def of_area(self, area: str) -> list[Table]:
        return [table for table in self.tables if table.area == area]

    def csv_rows(self) -> Iterator[list[str]]:
        yield list(CSV_HEADER)
        for table in self.tables:
            for row in table.rows:
                versions = "; ".join(str(version) for version in row.policy_versions)
                for category, cell in zip(table.measure.categories, row.cells, strict=True):
                    yield [safe_cell(value) for value in (row.month.key, table.area, table.measure.key, category,
                                                          "suppressed" if cell.suppressed else cell.count,
                                                          versions)]


def figures(now: datetime | None = None) -> OpenData:
    months = last_complete_months(now or utcnow())
    start, end = months[0].start(), months[-1].next().start()
    counts: dict[tuple[str, Month, str], Counter[str]] = defaultdict(Counter)
    versions: dict[tuple[str, Month], set[int]] = defaultdict(set)
    report_month = _month_of(Report.incident_at, months)
    for index, area, policy_version, reports in db.session.execute(
        select(report_month, Report.area, Report.policy_version, func.count())
        .where(Report.incident_at >= start, Report.incident_at < end)
        .group_by(report_month, Report.area, Report.policy_version)
    ):
        place = _place(area)
        versions[place, months[index]].add(policy_version)
        counts[place, months[index], "reports"]["All reports"] += reports
    dimensions = [dimension for dimension, _ in MEASURE_DIMENSIONS.values()]
    for first, area, dimension, value, reports in db.session.execute(
        select(FactTotal.period_start, FactTotal.area, FactTotal.dimension, FactTotal.value, FactTotal.reports)
        .where(FactTotal.span == rollups.MONTH, FactTotal.tactic_group == rollups.ALL_REPORTS,
               FactTotal.period_start >= date(months[0].year, months[0].month, 1),
               FactTotal.period_start <= date(months[-1].year, months[-1].month, 1),
               FactTotal.dimension.in_(dimensions), FactTotal.reports > 0)
    ):
        found = category(dimension, value)
        if found is not None:
            counts[_place(area), Month(first.year, first.month), found[0]][found[1]] += reports
    areas = tuple(sorted({place for place, _ in versions}, key=str.casefold))
    tables = tuple(
        Table(area, measure, tuple(
            MonthRow(month, tuple(suppress_row([counts[area, month, measure.key][c] for c in measure.categories])),
                     tuple(sorted(versions[area, month])))
            for month in months))
        for area in areas for measure in measures()
    )
    used = {version for found in versions.values() for version in found}
    policies = tuple(PolicyNote(p.version, p.preset, p.effective_from) for p in db.session.scalars(
        select(PolicyVersion).where(PolicyVersion.version.in_(used)).order_by(PolicyVersion.version)))
    return OpenData(tuple(months), areas, tables, policies)


def _place(area: str | None) -> str:
    return (area or "").strip() or NO_AREA


def _month_of(moment: SQLColumnExpression[datetime], months: list[Month]) -> ColumnElement[int]:
    """The index in ``months`` of the UK month holding ``moment`` (which the query keeps inside them)."""
    return case(*((moment < month.next().start(), index) for index, month in enumerate(months[:-1])),
                else_=len(months) - 1)


def data_dictionary() -> Iterable[tuple[str, str]]:
    return (
        ("month", "The UK calendar month of the incident, as YYYY-MM."),
        ("area", "The policing area the incident was recorded in."),
        ("measure", "What is counted: " + ", ".join(measure.key for measure in measures()) + "."),
        ("category", "The Home Office category within the measure."),
        ("count", "The number of reports, or \"suppressed\" where it is fewer than 5, or could reveal one that "
                  "is."),
        ("policy_versions", "The recording policy versions the month's reports in the area were made under, "
                            "separated by \"; \"."),
    )
