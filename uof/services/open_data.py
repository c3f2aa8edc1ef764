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

from sqlalchemy import and_, select

from uof.domain import vocabulary as v
from uof.domain.counting import category_order, force_categories
from uof.domain.spreadsheet import safe_cell
from uof.domain.suppression import Cell, suppress_row
from uof.extensions import db
from uof.models import PolicyVersion, Report, ReportVersion, utcnow
from uof.uktime import LONDON, MONTHS

PERIOD_MONTHS = 12
NO_AREA = "Area not recorded"
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


def _label(vocab: v.Vocabulary, code: object) -> str | None:
    term = vocab.get(code) if isinstance(code, str) else None
    return term.home_office.replace("\n", "") if term else None


def _mapping(content: dict[str, Any], key: str) -> dict[str, Any]:
    value = content.get(key)
    return value if isinstance(value, dict) else {}


def _codes(items: object) -> list[str]:
    if not isinstance(items, list):
        return []
    return [item["code"] if isinstance(item, dict) else item for item in items
            if isinstance(item, str) or (isinstance(item, dict) and isinstance(item.get("code"), str))]


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


def categorise(content: dict[str, Any]) -> dict[str, set[str]]:
    """The categories one report counts towards, for each measure."""
    subject = _mapping(content, "subject")
    out: dict[str, set[str]] = {
        "reports": {"All reports"},
        "tactics": set(force_categories(_codes(content.get("tactics")))),
        "outcomes": {label for code in _codes(content.get("outcomes"))
                     if (label := _label(v.OUTCOMES, code)) is not None},
    }
    for key, vocab in (("age_band", v.AGE_BANDS), ("gender", v.GENDERS), ("ethnicity", v.ETHNICITIES)):
        label = _label(vocab, subject.get(key))
        out[key] = {label} if label else set()
    for key, vocab in (("officer_injury", v.OFFICER_INJURY_LEVELS), ("subject_injury", v.SUBJECT_INJURY_LEVELS)):
        label = _label(vocab, _mapping(content, key).get("level"))
        out[key] = {label} if label else set()
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
    rows = db.session.execute(
        select(Report.incident_at, Report.area, Report.policy_version, ReportVersion.content)
        .join(ReportVersion, and_(ReportVersion.report_id == Report.id, ReportVersion.version == Report.version))
        .where(Report.incident_at >= start, Report.incident_at < end)
    ).all()
    counts: dict[tuple[str, Month, str], Counter[str]] = defaultdict(Counter)
    versions: dict[tuple[str, Month], set[int]] = defaultdict(set)
    for incident_at, area, policy_version, content in rows:
        local = incident_at.astimezone(LONDON)
        month, place = Month(local.year, local.month), (area or "").strip() or NO_AREA
        versions[place, month].add(policy_version)
        for key, categories in categorise(content if isinstance(content, dict) else {}).items():
            counts[place, month, key].update(categories)
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
