"""The record-level CSV export for governance: one row per report, pseudonymised, with no free narrative.

The period is a range of UK calendar dates, both ends included, read against the incident's UK local date:
an incident at 00:30 BST on 1 April (23:30 UTC on 31 March) falls on 1 April. The governance filters
(``uof.services.figures.Filters``: area, team, type of force) narrow it as they narrow the dashboard's figures,
so a download holds exactly the reports the screen counted. Tactics are counted by the
shared rules of ``uof.domain.counting`` (a Home Office category once per report, Taser at its highest level,
tactical communication not counted as force), so the export agrees with the dashboards and the returns.

Officers appear only as a pseudonym: an HMAC of their id under the audit key with a fixed label, so that one
officer's reports can be grouped without naming them, and the pseudonym cannot be reversed or recomputed
without the key. Their name and force number never appear.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import select

from uof.domain import vocabulary as v
from uof.domain.counting import force_categories
from uof.domain.review import DECISION_LABELS
from uof.domain.spreadsheet import safe_cell
from uof.extensions import db
from uof.models import STATUS_LABELS, Report, ReportVersion, Review, Team, report_reference
from uof.uktime import LONDON, local_to_utc, to_london, uk_date, uk_datetime

if TYPE_CHECKING:
    from uof.services.figures import Filters

PSEUDONYM_LABEL = "uof:export:officer:v1"
PSEUDONYM_LENGTH = 12
# The earliest and latest dates a period may name: national recording began in April 2017.
EARLIEST = date(2017, 4, 1)
LATEST = date(2099, 12, 31)
BATCH = 500
BOM = "\ufeff"
SEPARATOR = "; "

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

HEADER = (
    "Reference", "Incident reference", "Incident date", "Incident time (UK)", "Area", "Team",
    "Officer (pseudonym)", "Status", "Policy version",
    "Location codes", "Locations",
    "Age band code", "Age band", "Gender code", "Gender", "Ethnicity code", "Ethnicity",
    "Health condition code", "Health condition",
    "Conduct", "Reasons", "Impact factors",
    "Tactics (Home Office)", "Tactic codes", "Tactics not effective (Home Office)", "Effectiveness",
    "Officer injured", "Officer injury level", "Officer intentionally assaulted",
    "Subject injured", "Subject injury level", "Medical assistance",
    "Outcomes",
    "BWV worn", "BWV recording", "BWV reference given",
    "Review status", "Reviewed at (UK)", "Review decision", "BWV reviewed",
)


class PeriodError(ValueError):
    """A period that cannot be exported; the message says what to change, ``field`` which date to change."""

    def __init__(self, message: str, field: str = "from") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # included

    @property
    def end_exclusive(self) -> date:
        return self.end + timedelta(days=1)

    @property
    def utc_bounds(self) -> tuple[datetime, datetime]:
        """UTC instants of UK midnight at the start of ``start`` and after ``end`` (half-open range).

        UK midnight always exists and is never repeated: the clocks change at 01:00 UTC."""
        return (local_to_utc(datetime.combine(self.start, datetime.min.time())),
                local_to_utc(datetime.combine(self.end + timedelta(days=1), datetime.min.time())))

    @property
    def filename(self) -> str:
        return f"use-of-force-records-{self.start.isoformat()}-to-{self.end.isoformat()}.csv"


def financial_quarter(today: date) -> Period:
    """The quarter of the financial year (Q1 April-June ... Q4 January-March) that holds ``today``."""
    first_month = 4 + (today.month - 4) % 12 // 3 * 3  # 4, 7, 10, or 13 for January
    year = today.year if today.month >= 4 else today.year - 1
    start = date(year + 1, 1, 1) if first_month == 13 else date(year, first_month, 1)
    after_month = start.month + 3
    after = date(start.year + 1, 1, 1) if after_month > 12 else date(start.year, after_month, 1)
    return Period(start, after - timedelta(days=1))


def financial_year(day: date) -> Period:
    """The financial year (1 April to 31 March) that holds ``day``."""
    first = day.year if day.month >= 4 else day.year - 1
    return Period(date(first, 4, 1), date(first + 1, 3, 31))


def quarter_code(day: date) -> str:
    """Like "2026Q3": the quarter of the financial year that holds ``day``, named as API.md's ``quarter=YYYYQn``
    names it (the year the financial year starts in April, then Q1 April-June ... Q4 January-March)."""
    return f"{financial_year(day).start.year}Q{(day.month - 4) % 12 // 3 + 1}"


def _parse_date(raw: str, name: str) -> date:
    if not _DATE.fullmatch(raw):
        raise PeriodError(f"'{name}' must be a date like 2026-04-01 (YYYY-MM-DD).", name)
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise PeriodError(f"'{name}' is not a real date: {raw}.", name) from None
    if not EARLIEST <= value <= LATEST:
        raise PeriodError(f"'{name}' must be between {EARLIEST.isoformat()} and {LATEST.isoformat()}.", name)
    return value


def parse_period(raw_from: str | None, raw_to: str | None, today: date) -> Period:
    """The period named by the ``from`` and ``to`` query parameters.

    Both absent: the current financial-year quarter (UK date ``today``). One absent, either malformed, not a
    real date, outside the years of national recording, or ``to`` before ``from``: ``PeriodError``.
    """
    if raw_from is None and raw_to is None:
        return financial_quarter(today)
    if raw_from is None or raw_to is None:
        raise PeriodError("Give both 'from' and 'to' (YYYY-MM-DD), or neither for the current quarter.",
                          "from" if raw_from is None else "to")
    start, end = _parse_date(raw_from.strip(), "from"), _parse_date(raw_to.strip(), "to")
    if end < start:
        raise PeriodError("'to' must be on or after 'from'.", "to")
    return Period(start, end)


def today_in_uk() -> date:
    return datetime.now(LONDON).date()


def officer_pseudonym(officer_id: int, key: str) -> str:
    """The first 12 hex characters of HMAC-SHA256(key, label:id): stable for an officer, opaque to readers."""
    message = f"{PSEUDONYM_LABEL}:{officer_id}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()[:PSEUDONYM_LENGTH]


def _labels(vocab: v.Vocabulary, codes: Iterable[str], *, home_office: bool = True) -> str:
    out: list[str] = []
    for code in codes:
        term = vocab.get(code)
        label = (term.home_office if home_office else term.label) if term else code
        if label not in out:
            out.append(label)
    return SEPARATOR.join(out)


def _home_office(vocab: v.Vocabulary, code: object) -> str:
    term = vocab.get(code) if isinstance(code, str) else None
    return term.home_office.replace("\n", "") if term else ("" if code is None else str(code))


def _mapping(content: dict[str, Any], key: str) -> dict[str, Any]:
    value = content.get(key)
    return value if isinstance(value, dict) else {}


def _effectiveness(tactics: Sequence[dict[str, Any]]) -> tuple[str, str]:
    """The Home Office categories of force that were not effective, and a one-word summary over force."""
    force = [t for t in tactics if isinstance(t.get("code"), str) and v.is_force(t["code"])]
    failed = force_categories(t["code"] for t in force if t.get("effective") is False)
    if not force:
        return "", ""
    effective = sum(1 for t in force if t.get("effective") is True)
    summary = "All effective" if effective == len(force) else "None effective" if not effective else "Partly"
    return SEPARATOR.join(failed), summary


def review_status(status: str) -> str:
    """A report's status, as far as its review goes."""
    if status in ("submitted", "resubmitted"):
        return "Awaiting review"
    if status == "under_review":
        return "Under review"
    return "Reviewed"


@dataclass(frozen=True)
class LatestReview:
    created_at: datetime
    decision: str
    bwv_reviewed: bool


@dataclass(frozen=True)
class Record:
    """What one exported row needs of a report: its columns, its current content and its latest review."""

    id: int
    incident_reference: str
    incident_at: datetime
    area: str | None
    team: str | None
    officer_id: int
    status: str
    policy_version: int
    content: dict[str, Any]
    review: LatestReview | None


def report_values(record: Record, pseudonym: str) -> list[object]:
    """One report's cells in the order of ``HEADER``: text, the policy version as a number, yes/no answers as
    booleans, None where there is nothing. No narrative or review comment. Text is as an officer or administrator
    typed it, so every writer passes each cell through ``safe_cell`` (the CSV here, the quarterly pack's sheet)."""
    content = record.content
    subject = _mapping(content, "subject")
    officer_injury, subject_injury = _mapping(content, "officer_injury"), _mapping(content, "subject_injury")
    bwv = _mapping(content, "bwv")
    tactics = [t for t in content.get("tactics") or [] if isinstance(t, dict)]
    codes = [str(t.get("code")) for t in tactics]
    not_effective, effectiveness = _effectiveness(tactics)
    local = to_london(record.incident_at)
    review = record.review
    subject_cells: list[object] = []
    for name, vocab in (("age_band", v.AGE_BANDS), ("gender", v.GENDERS), ("ethnicity", v.ETHNICITIES),
                        ("health_condition", v.HEALTH_CONDITIONS)):
        subject_cells += [subject.get(name), _home_office(vocab, subject.get(name))]
    cells: list[object] = [
        report_reference(record.id), record.incident_reference, uk_date(record.incident_at),
        f"{local:%H:%M}" if local else "", record.area, record.team, pseudonym,
        STATUS_LABELS.get(record.status, record.status), record.policy_version,
        SEPARATOR.join(content.get("locations") or []), _labels(v.LOCATIONS, content.get("locations") or []),
        *subject_cells,
        _home_office(v.CONDUCT, content.get("conduct")),
        _labels(v.REASONS, content.get("reasons") or []),
        _labels(v.IMPACT_FACTORS, content.get("impact_factors") or []).replace("\n", ""),
        SEPARATOR.join(force_categories(codes)), SEPARATOR.join(codes), not_effective, effectiveness,
        officer_injury.get("injured"), _home_office(v.OFFICER_INJURY_LEVELS, officer_injury.get("level")),
        officer_injury.get("intentional_assault"),
        subject_injury.get("injured"), _home_office(v.SUBJECT_INJURY_LEVELS, subject_injury.get("level")),
        _home_office(v.MEDICAL_ASSISTANCE, subject_injury.get("medical_assistance")),
        _labels(v.OUTCOMES, content.get("outcomes") or [], home_office=False),
        bwv.get("worn"), bwv.get("recording"), bool(bwv.get("reference")),
        review_status(record.status), uk_datetime(review.created_at) if review else None,
        DECISION_LABELS.get(review.decision, review.decision) if review else None,
        review.bwv_reviewed if review else None,
    ]
    return cells


def report_ids(filters: Filters) -> list[int]:
    """The ids of the reports the governance filters select (incidents on a UK date in the period, of the area,
    team and type of force asked for), in incident order: the same reports as the dashboard's figures."""
    # Imported here: the figures build on this module's periods, so this module cannot import them first.
    from uof.services.figures import report_scope

    query = select(Report.id).where(*report_scope(filters)).order_by(Report.incident_at, Report.id)
    return list(db.session.scalars(query))


def report_rows(ids: Sequence[int]) -> Iterator[list[object]]:
    """``report_values`` of each report of ``ids``, in that order, in batches of plain columns (no ORM objects), so
    that a Met-sized quarter is read quickly and never sits in memory at once."""
    key = current_app.config["UOF_SETTINGS"].audit_key
    pseudonyms: dict[int, str] = {}
    for offset in range(0, len(ids), BATCH):
        batch = ids[offset:offset + BATCH]
        for record in _records(batch):
            if record.officer_id not in pseudonyms:
                pseudonyms[record.officer_id] = officer_pseudonym(record.officer_id, key)
            yield report_values(record, pseudonyms[record.officer_id])


def _records(batch: Sequence[int]) -> list[Record]:
    latest: dict[int, LatestReview] = {}
    for report_id, created_at, decision, bwv_reviewed in db.session.execute(
        select(Review.report_id, Review.created_at, Review.decision, Review.bwv_reviewed)
        .where(Review.report_id.in_(batch)).order_by(Review.report_id, Review.id)
    ):
        latest[report_id] = LatestReview(created_at, decision, bwv_reviewed)
    rows = db.session.execute(
        select(Report.id, Report.incident_reference, Report.incident_at, Report.area, Team.name, Report.officer_id,
               Report.status, Report.policy_version, ReportVersion.content)
        .join(ReportVersion, (ReportVersion.report_id == Report.id) & (ReportVersion.version == Report.version))
        .outerjoin(Team, Team.id == Report.team_id)
        .where(Report.id.in_(batch))
    ).all()
    by_id = {report_id: Record(report_id, reference, incident_at, area, team, officer_id, status, version, content,
                               latest.get(report_id))
             for report_id, reference, incident_at, area, team, officer_id, status, version, content in rows}
    return [by_id[report_id] for report_id in batch if report_id in by_id]


def csv_lines(ids: Sequence[int]) -> Iterator[str]:
    """The CSV, a line at a time (the first with a byte order mark, so that Excel reads UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def take() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(HEADER)
    yield BOM + take()
    for cells in report_rows(ids):
        writer.writerow([safe_cell(cell) for cell in cells])
        yield take()
