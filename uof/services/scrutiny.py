"""Scrutiny samples for an external panel: drawing one, recording the panel's grades, and the anonymised pack.

A sample is drawn from the reports whose incident fell on a UK date in a period (optionally in one area), by the
reproducible draw of ``uof.domain.sampling``, each report in the stratum of its most serious Home Office type of
force (its ``tactic_group`` facts). The seed is stored and shown: the same seed over the same reports draws the
same sample.

What the panel sees of a report (``panel_items``, the sample page and the CSV pack) identifies neither the
officer nor the incident: a sample number instead of the report, the month of the incident without its day or
time, the Home Office counting of its tactics, the subject as perceived, reasons, outcomes, injuries, the
body-worn video and its footage reference (the panel reviews the footage), and the review status. No narrative,
officer, force number, incident reference or report id; identifiers typed into the footage reference or the
area are removed (``uof.domain.scrutiny.redact``).

Drawing, every view, every grade and every download is audited; the caller commits.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from uof.domain import sampling
from uof.domain import scrutiny as rules
from uof.domain import vocabulary as v
from uof.domain.facts import BWV_STATES, TACTIC, TACTIC_GROUP
from uof.domain.spreadsheet import safe_cell
from uof.domain.validation import Errors
from uof.extensions import db
from uof.models import Report, ReportFact, ScrutinySample, ScrutinySampleItem, User, utcnow
from uof.services import audit, exports, figures
from uof.services.reports import MAX_ID
from uof.uktime import MONTHS, to_london

OBJECT_TYPE = "scrutiny_sample"
# A fresh seed is six digits at most, short enough to read out at a meeting and type in again.
FRESH_SEED_BELOW = 1_000_000
NOT_RECORDED = "Not recorded"
BWV_DESCRIPTIONS = dict(zip(BWV_STATES, (
    "Recording, footage reference given", "Recording, no footage reference", "Worn, not recording", "Not worn",
), strict=True))
# The single-valued facts the panel sees, with the vocabulary that names each code.
SINGLE_FACTS: dict[str, v.Vocabulary] = {
    "age_band": v.AGE_BANDS, "gender": v.GENDERS, "ethnicity": v.ETHNICITIES,
    "officer_injury_level": v.OFFICER_INJURY_LEVELS, "subject_injury_level": v.SUBJECT_INJURY_LEVELS,
    "medical_assistance": v.MEDICAL_ASSISTANCE,
}
MULTI_FACTS: dict[str, v.Vocabulary] = {"reason": v.REASONS, "outcome": v.OUTCOMES}
PANEL_DIMENSIONS = (TACTIC, "bwv", *SINGLE_FACTS, *MULTI_FACTS)
# Each Home Office tactic row once, in the order of the Home Office tables.
TACTIC_ROWS = tuple(dict.fromkeys(term.home_office for term in v.TACTICS))

CSV_HEADER = (
    "Sample number", "Type of force (most serious)", "Incident month", "Area", "Tactics (Home Office)",
    "Age band", "Gender", "Ethnicity (perceived)", "Reasons", "Outcomes",
    "Officer injury", "Subject injury", "Medical assistance",
    "Body-worn video", "BWV reference", "Review status", "Supervisor reviewed the footage",
    "Grade", "Feedback",
)


class RequestError(ValueError):
    """A sample that cannot be drawn; ``errors`` says what to change, by form field."""

    def __init__(self, errors: Errors) -> None:
        super().__init__("; ".join(message for messages in errors.values() for message in messages))
        self.errors = errors


@dataclass(frozen=True)
class DrawRequest:
    title: str
    period: exports.Period
    area: str | None
    size: int
    seed: int | None  # None: a fresh one is drawn and recorded
    stratified: bool


def _whole_number(raw: str, low: int, high: int) -> int | None:
    text = raw.strip()
    # isdecimal() alone would take other scripts' digits, which int() reads too.
    if not text.isascii() or not text.isdecimal():
        return None
    number = int(text)
    return number if low <= number <= high else None


def parse_request(answers: Mapping[str, Any], today: date) -> DrawRequest:
    """The draw asked for by the form's answers (``title``, ``date_from``, ``date_to``, ``size``, ``seed``,
    ``stratified``, ``area``), or ``RequestError`` naming every problem. No dates: the current financial-year
    quarter (``exports.parse_period``); no seed: a fresh one when drawn."""

    def text(key: str) -> str:
        value = answers.get(key)
        return "" if value is None else str(value)

    errors: Errors = {}
    title = text("title").strip()
    if problem := rules.check_title(title):
        errors["title"] = [problem]
    period: exports.Period | None = None
    try:
        period = exports.parse_period(text("date_from").strip() or None, text("date_to").strip() or None, today)
    except exports.PeriodError as error:
        errors["date_from"] = [str(error)]
    size = _whole_number(text("size"), 1, rules.SIZE_MAX)
    if size is None:
        errors["size"] = [f"Enter how many reports to draw: a whole number from 1 to {rules.SIZE_MAX}."]
    seed: int | None = None
    if text("seed").strip():
        seed = _whole_number(text("seed"), 0, rules.SEED_MAX)
        if seed is None:
            errors["seed"] = [f"The seed must be a whole number from 0 to {rules.SEED_MAX:,}, "
                              "or left empty for a new one."]
    area = text("area").strip() or None
    if area is not None and area not in figures.areas():
        errors["area"] = ["Choose one of the force's areas, or all areas."]
    if errors:
        raise RequestError(errors)
    assert period is not None
    assert size is not None
    return DrawRequest(title, period, area, size, seed, bool(answers.get("stratified")))


def candidates(period: exports.Period, area: str | None) -> dict[int, str]:
    """``{report id: stratum}`` for every report in the period (and area), by its Home Office types of force."""
    scope = figures.Filters(period, area)
    ids = list(db.session.scalars(select(Report.id).where(*figures.report_scope(scope))))
    groups: dict[int, list[str]] = defaultdict(list)
    query = select(ReportFact.report_id, ReportFact.value).where(ReportFact.dimension == TACTIC_GROUP,
                                                                 *figures.fact_scope(scope))
    for report_id, group in db.session.execute(query):
        groups[report_id].append(group)
    return {report_id: sampling.stratum_of(groups.get(report_id, ())) for report_id in ids}


def create(actor: User, request: DrawRequest) -> ScrutinySample:
    """Draw the sample and store it with its seed; ``RequestError`` when no report is in the period."""
    population = candidates(request.period, request.area)
    if not population:
        where = f" in {request.area}" if request.area else ""
        raise RequestError({"date_from": [f"No report has an incident in this period{where}: choose another."]})
    seed = request.seed if request.seed is not None else secrets.randbelow(FRESH_SEED_BELOW)
    drawn = sampling.draw(population, request.size, seed, stratified=request.stratified)
    sample = ScrutinySample(
        created_by_id=actor.id, title=request.title, period_start=request.period.start,
        period_end=request.period.end, area=request.area, size_requested=request.size,
        population=len(population), seed=seed, stratified=request.stratified, status=rules.OPEN,
        items=[ScrutinySampleItem(report_id=each.report_id, position=number, stratum=each.stratum)
               for number, each in enumerate(drawn, start=1)],
    )
    db.session.add(sample)
    db.session.flush()
    audit.record("scrutiny.create", actor=actor, object_type=OBJECT_TYPE, object_id=sample.id, detail={
        "from": request.period.start.isoformat(), "to": request.period.end.isoformat(), "area": request.area,
        "size": request.size, "seed": seed, "seed_given": request.seed is not None,
        "stratified": request.stratified, "population": len(population), "drawn": len(drawn),
        # Which reports the sample's pages show (without naming them), so that the log says who saw what.
        "reports": [each.report_id for each in drawn],
    })
    return sample


@dataclass(frozen=True)
class Listed:
    sample: ScrutinySample
    drawn: int
    graded: int


def listing() -> list[Listed]:
    """Every sample, newest first, with how many reports it holds and how many are graded."""
    counts = {sample_id: (drawn, graded) for sample_id, drawn, graded in db.session.execute(
        select(ScrutinySampleItem.sample_id, func.count(), func.count(ScrutinySampleItem.grade))
        .group_by(ScrutinySampleItem.sample_id))}
    samples = db.session.scalars(select(ScrutinySample).options(joinedload(ScrutinySample.created_by))
                                 .order_by(ScrutinySample.id.desc()))
    return [Listed(sample, *counts.get(sample.id, (0, 0))) for sample in samples]


def get(sample_id: int) -> ScrutinySample | None:
    if not 0 < sample_id <= MAX_ID:
        return None
    return db.session.scalar(select(ScrutinySample).where(ScrutinySample.id == sample_id)
                             .options(selectinload(ScrutinySample.items)))


def item_of(sample: ScrutinySample, item_id: int) -> ScrutinySampleItem | None:
    return next((item for item in sample.items if item.id == item_id), None)


def grade(item: ScrutinySampleItem, actor: User, grade: str | None, feedback: str | None) -> Errors:
    """Record (or change) the panel's grade and feedback for one item; the errors by field, if refused.

    The sample's row is locked first, so a grade never lands in a sample being closed at the same moment, and
    the audit's "before" is what the grade really replaced."""
    db.session.refresh(item.sample, with_for_update=True)
    db.session.refresh(item)
    if item.sample.status != rules.OPEN:
        return {"grade": ["This sample is closed: its grades can no longer change."]}
    # Browsers send a textarea's line breaks as CRLF; count each as the one character the panel typed.
    feedback = (feedback or "").replace("\r\n", "\n").strip() or None
    errors = rules.check_grading(grade, feedback)
    if errors:
        return errors
    before = _audited_grade(item)
    item.grade, item.feedback = grade, feedback
    item.graded_at, item.graded_by_id = utcnow(), actor.id
    audit.record("scrutiny.grade", actor=actor, object_type=OBJECT_TYPE, object_id=item.sample_id,
                 detail={"sample_number": item.position, "before": before, "after": _audited_grade(item)})
    return {}


def _audited_grade(item: ScrutinySampleItem) -> dict[str, Any]:
    # The feedback's length, not its text: like review comments, it may name people, and the log is read by
    # auditors who are not on the panel.
    return {"grade": item.grade, "feedback_chars": len(item.feedback or "")}


def close(sample: ScrutinySample, actor: User) -> bool:
    """Make the sample's grading final; False when it was already closed."""
    db.session.refresh(sample, with_for_update=True)
    if sample.status == rules.CLOSED:
        return False
    sample.status = rules.CLOSED
    graded = sum(1 for item in sample.items if item.grade is not None)
    audit.record("scrutiny.close", actor=actor, object_type=OBJECT_TYPE, object_id=sample.id,
                 detail={"items": len(sample.items), "graded": graded})
    return True


def record_view(sample: ScrutinySample, actor: User, page: str) -> None:
    audit.record("scrutiny.view", actor=actor, object_type=OBJECT_TYPE, object_id=sample.id,
                 detail={"page": page, "items": len(sample.items)})


def record_listing(actor: User, samples: int) -> None:
    audit.record("scrutiny.list", actor=actor, object_type=OBJECT_TYPE, detail={"samples": samples})


# --- what the panel sees ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PanelItem:
    """One sampled report as the panel sees it: nothing that names the officer or the incident."""

    item_id: int
    number: int
    stratum: str
    month: str
    area: str
    tactics: tuple[str, ...]
    age_band: str
    gender: str
    ethnicity: str
    reasons: tuple[str, ...]
    outcomes: tuple[str, ...]
    officer_injury: str
    subject_injury: str
    medical_assistance: str
    bwv: str
    bwv_reference: str
    review_status: str
    footage_reviewed: bool | None  # by the supervisor, in the latest review; None before any review
    grade: str | None
    feedback: str | None
    graded_at: datetime | None


def _home_office_labels(vocab: v.Vocabulary, codes: Collection[str]) -> tuple[str, ...]:
    """The Home Office labels of ``codes``, in the vocabulary's order, each once (several codes share one)."""
    return tuple(dict.fromkeys(term.home_office for term in vocab if term.code in codes))


def _month(moment: datetime) -> str:
    local = to_london(moment)
    assert local is not None
    return f"{MONTHS[local.month - 1]} {local.year}"


def _identifiers(report: Report) -> rules.Identifiers:
    officer = report.officer
    return rules.Identifiers(officer.name, officer.force_number, officer.email, report.incident_reference,
                             report.reference)


def panel_items(sample: ScrutinySample) -> list[PanelItem]:
    """The sample's reports as the panel sees them, by sample number."""
    ids = [item.report_id for item in sample.items]
    reports = {report.id: report for report in db.session.scalars(
        select(Report).where(Report.id.in_(ids))
        .options(joinedload(Report.officer), selectinload(Report.versions), selectinload(Report.reviews)))}
    facts: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for report_id, dimension, value in db.session.execute(
            select(ReportFact.report_id, ReportFact.dimension, ReportFact.value)
            .where(ReportFact.report_id.in_(ids), ReportFact.dimension.in_(PANEL_DIMENSIONS))):
        facts[report_id][dimension].append(value)
    return [_panel_item(item, reports[item.report_id], facts[item.report_id]) for item in sample.items]


def _panel_item(item: ScrutinySampleItem, report: Report, facts: Mapping[str, list[str]]) -> PanelItem:
    def single(dimension: str) -> str:
        labels = _home_office_labels(SINGLE_FACTS[dimension], facts.get(dimension, []))
        return labels[0] if labels else NOT_RECORDED

    who = _identifiers(report)
    bwv = report.content.get("bwv")
    reference = bwv.get("reference") if isinstance(bwv, dict) else None
    bwv_states = facts.get("bwv", [])
    latest_review = report.reviews[-1] if report.reviews else None
    return PanelItem(
        item_id=item.id, number=item.position, stratum=item.stratum, month=_month(report.incident_at),
        area=rules.redact(report.area, who) if report.area else NOT_RECORDED,
        tactics=tuple(sorted(facts.get(TACTIC, []), key=TACTIC_ROWS.index)),
        age_band=single("age_band"), gender=single("gender"), ethnicity=single("ethnicity"),
        reasons=_home_office_labels(v.REASONS, facts.get("reason", [])),
        outcomes=_home_office_labels(v.OUTCOMES, facts.get("outcome", [])),
        officer_injury=single("officer_injury_level"), subject_injury=single("subject_injury_level"),
        medical_assistance=single("medical_assistance"),
        bwv=BWV_DESCRIPTIONS[bwv_states[0]] if bwv_states else NOT_RECORDED,
        bwv_reference=rules.redact(reference, who) if isinstance(reference, str) and reference.strip() else "",
        review_status=exports.review_status(report.status),
        footage_reviewed=latest_review.bwv_reviewed if latest_review else None,
        grade=item.grade, feedback=item.feedback, graded_at=item.graded_at,
    )


def csv_text(sample: ScrutinySample) -> str:
    """The panel pack: one row per sampled report, every cell formula-safe, with a byte order mark for Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for each in panel_items(sample):
        cells: list[object] = [
            each.number, each.stratum, each.month, each.area, exports.SEPARATOR.join(each.tactics),
            each.age_band, each.gender, each.ethnicity, exports.SEPARATOR.join(each.reasons),
            exports.SEPARATOR.join(each.outcomes), each.officer_injury, each.subject_injury,
            each.medical_assistance, each.bwv, each.bwv_reference, each.review_status, each.footage_reviewed,
            rules.GRADE_LABELS.get(each.grade or ""), each.feedback,
        ]
        writer.writerow([safe_cell(cell) for cell in cells])
    return exports.BOM + buffer.getvalue()


def record_export(sample: ScrutinySample, actor: User) -> None:
    audit.record("scrutiny.export", actor=actor, object_type=OBJECT_TYPE, object_id=sample.id,
                 detail={"rows": len(sample.items)})


# --- the grading report -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Summary:
    overall: rules.Tally
    strata: tuple[tuple[str, rules.Tally], ...]  # the strata in the sample, most serious first


def summary(items: Iterable[ScrutinySampleItem]) -> Summary:
    """The grades of the sample, overall and per stratum."""
    listed = list(items)
    by_stratum: dict[str, list[str | None]] = defaultdict(list)
    for item in listed:
        by_stratum[item.stratum].append(item.grade)
    return Summary(rules.tally(item.grade for item in listed),
                   tuple((stratum, rules.tally(by_stratum[stratum]))
                         for stratum in sorted(by_stratum, key=sampling.SERIOUSNESS.index)))
