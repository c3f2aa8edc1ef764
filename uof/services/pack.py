"""The quarterly governance pack: one quarter of the financial year, as an XLSX workbook and as a print page.

Every figure is ``uof.services.governance.overview`` for the quarter and the filters on screen (the governance
dashboard's own function, so the pack and the dashboard agree by construction), and the record-level sheet holds
the rows of the record-level CSV (``uof.services.exports.report_rows``) for the same reports.

The workbook is written in openpyxl's write-only mode, a row at a time, so that a quarter of a large force (about
50,000 reports) never sits in memory as cells. In that mode a sheet's column widths, frozen rows and row heights
must be set before its first row is written, which is why each sheet's layout is worked out first.

Every text cell passes through ``uof.domain.spreadsheet.safe_cell``: areas, team names and incident references
are typed by people, and a spreadsheet must never run one as a formula.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from uof.domain.facts import LATE_SUBMISSION_HOURS
from uof.domain.review import REVIEW_DUE_HOURS
from uof.domain.spreadsheet import safe_cell
from uof.extensions import db
from uof.models import Team, utcnow
from uof.services import exports, figures, governance, xlsx_rows
from uof.services.exports import Period
from uof.services.figures import Filters
from uof.services.governance import Breakdown, Overview, Row
from uof.uktime import MONTHS, uk_date, uk_datetime

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The filters of the governance dashboard (``figures.parse_filters``) that the pack honours; the quarter replaces
# its period.
FILTER_ARGS = ("area", "team", "group")

_QUARTER = re.compile(r"([0-9]{4})Q([1-4])")


class QuarterError(ValueError):
    """A quarter that cannot be shown; the message says what to change."""


@dataclass(frozen=True, order=True)
class Quarter:
    """A quarter of the financial year that starts in April of ``year``: Q1 April-June ... Q4 January-March."""

    year: int
    number: int

    @property
    def code(self) -> str:
        """As API.md's ``quarter=YYYYQn`` names it: 2025Q4."""
        return f"{self.year}Q{self.number}"

    @property
    def financial_year(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d}"

    @property
    def title(self) -> str:
        """Q4 2025/26."""
        return f"Q{self.number} {self.financial_year}"

    @property
    def period(self) -> Period:
        first_month = 3 * self.number + 1  # 4, 7, 10, then 13: January of the next year
        first = date(self.year + first_month // 13, (first_month - 1) % 12 + 1, 1)
        return exports.financial_quarter(first)

    @property
    def filename(self) -> str:
        return f"governance-pack-{self.year}-{(self.year + 1) % 100:02d}-Q{self.number}.xlsx"


def parse_quarter(raw: str | None, today: date) -> Quarter:
    """The ``quarter`` query parameter (``YYYYQn``); missing or empty: the quarter holding ``today``.

    Raises ``QuarterError`` for anything else, and for a quarter outside the dates an export may cover (national
    recording began in April 2017)."""
    quarter = _quarter(raw.strip()) if raw and raw.strip() else quarter_of(today)
    if quarter is None:
        raise QuarterError("'quarter' must be like 2026Q1: the year the financial year starts (in April), then Q1 "
                           "(April to June), Q2, Q3 or Q4 (January to March).")
    first, last = quarter_of(exports.EARLIEST), quarter_of(exports.LATEST)
    if not first <= quarter <= last:
        raise QuarterError(f"'quarter' must be from {first.code} (national recording began in April 2017) "
                           f"to {last.code}.")
    return quarter


def quarter_of(day: date) -> Quarter:
    quarter = _quarter(exports.quarter_code(day))
    assert quarter is not None, "quarter_code names a quarter as API.md does"
    return quarter


def _quarter(code: str) -> Quarter | None:
    match = _QUARTER.fullmatch(code)
    return Quarter(int(match[1]), int(match[2])) if match else None


@dataclass(frozen=True)
class Pack:
    quarter: Quarter
    overview: Overview
    filter_labels: tuple[tuple[str, str], ...]  # (filter, value) for each filter applied, as a reader names it
    made_at: datetime  # UTC

    @property
    def filters(self) -> Filters:
        return self.overview.filters

    @property
    def filter_args(self) -> dict[str, str]:
        """The filters applied, as the query parameters of ``FILTER_ARGS`` (for links and the audit log)."""
        return {name: value for name, value in self.filters.query().items() if name in FILTER_ARGS}


def make_pack(quarter: Quarter, filters: Filters, now: datetime | None = None) -> Pack:
    """The pack's figures: the governance overview of ``quarter`` under the area, team and type-of-force
    filters of ``filters`` (its own period is replaced by the quarter's)."""
    made_at = now or utcnow()
    scoped = filters.with_period(quarter.period)
    return Pack(quarter, governance.overview(scoped, made_at), _filter_labels(scoped), made_at)


def _filter_labels(filters: Filters) -> tuple[tuple[str, str], ...]:
    team = db.session.get(Team, filters.team_id) if filters.team_id is not None else None
    labels = (("Area", filters.area), ("Team", team.name if team else None), ("Type of force", filters.tactic_group))
    return tuple((name, value) for name, value in labels if value)


def day_text(day: date) -> str:
    """Like "1 Jul 2025", as ``uk_date`` writes the UK date of an instant: here, of the day's own midnight."""
    return uk_date(figures.uk_midnight(day))


def month_text(first: date) -> str:
    return f"{MONTHS[first.month - 1]} {first.year}"


# The method notes, on the workbook's summary sheet and at the end of the print page: (title, text).
METHOD_NOTES: tuple[tuple[str, str], ...] = (
    ("Counting", "Each report is one officer's use of force on one person; where several officers used force in "
     "one incident, each made a report. A tactic counts once per report (\"Reports\"); \"Times reported\" counts "
     "how many of a report's tactics fall in the row, so CS and PAVA spray drawn in one report are one report "
     "and two times. A Taser (CED) counts once, at the highest level it reached: drawn, aimed and fired in one "
     "report is one CED Fired. Tactical communication is listed but not counted as force, nor as a type of force. "
     "Shares are of the quarter's reports; a report can give several types of force, reasons, impact factors, "
     "outcomes and locations, so those shares add up to more than 100%."),
    ("Perceived characteristics", "The person's age, gender, ethnicity and health condition are as the officer "
     "perceived them, not as the person would describe themselves. The retired codes count under their Home "
     "Office label (\"Chinese\" under Other, \"Don't know\" under Not reported)."),
    ("Period", "A report belongs to the quarter of the UK date of the incident (Europe/London time, with the clock "
     "changes), not of its submission: an incident at 00:30 BST on 1 July is in Q2. Quarters are those of the "
     "financial year that starts in April: Q1 April to June, Q2 July to September, Q3 October to December, Q4 "
     "January to March of the next calendar year."),
    ("Recording policy", "Each report is recorded under the recording policy version in force when the incident "
     "happened. Under the derogated preset lower-level force (tactical communication, compliant handcuffing, a "
     "baton or irritant spray drawn but not used, a dog deployed without a bite) need not be recorded, so counts "
     "under it can be lower than under the national standard. A quarter that spans a change of version is not like for "
     "like before and after the change: the pack says so beside the versions."),
    ("Review timeliness", f"The time from a report's submission to a supervisor's first decision, against the "
     f"force's due time of {REVIEW_DUE_HOURS} hours; reports still waiting are not yet due or overdue as at the "
     f"time the pack was made."),
    ("Body-worn video", "Whether the officer's camera was worn and recording, and whether a footage reference was "
     "given. The reference itself is never in the pack."),
    ("Pseudonymisation", f"Officers appear only as a {exports.PSEUDONYM_LENGTH}-character pseudonym, a keyed hash "
     "(HMAC-SHA256) of their account, the same in every export, so that one officer's reports can be grouped "
     "without naming them; it cannot be reversed, or worked out again, without the force's key. Names, force "
     "numbers, narratives, review comments and footage references are never in the pack."),
    ("Data quality", f"Late: submitted more than {LATE_SUBMISSION_HOURS} hours after the incident. Not "
     "reported: the person's age, gender, ethnicity or health condition recorded as not reported (or the retired "
     "\"don't know\"). No footage reference: recorded on body-worn video, but no footage reference given. The "
     f"list shows the {governance.QUALITY_LISTED} most recent incidents with a problem; the counts cover them all."),
    ("Text typed by people", "A cell from what someone typed (an incident reference, an area, a team name) that "
     "begins with =, +, - or @ starts with an apostrophe, so that a spreadsheet shows it and never runs it as a "
     "formula."),
)


# --- the workbook ----------------------------------------------------------------------------------------------

TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
COUNT_FORMAT = "#,##0"
SHARE_FORMAT = "0.0%"
DATE_FORMAT = "d mmm yyyy"
SHEET_TITLE_LIMIT = 31  # Excel's limit
RECORDS_SHEET = "Records"
SPOOL_BYTES = 8 * 1024 * 1024
_NOT_IN_SHEET_TITLES = re.compile(r"[\\/?*\[\]:]")
# Sheet titles for breakdowns whose titles are longer than Excel allows.
SHORT_TITLES = {"medical_assistance": "Medical assistance"}
# The summary's notes are wrapped across its columns: about this many characters a line, 15 points a line.
NOTE_LINE_CHARACTERS = 95
LINE_HEIGHT = 15
ROW_CM = 0.53  # a row of the default height (15 points)
# Where each sheet's chart goes: this many columns right of its table, beside its header row; its bars are as
# tall as the table's rows, and the chart at least as tall as MIN_CHART_ROWS.
CHART_GAP = 1
CHART_WIDTH_CM = 18
MIN_CHART_ROWS = 15
BAR_ROW_CM = 0.7


def _cell(ws: WriteOnlyWorksheet, value: object, *, font: Font | None = None, number_format: str | None = None,
          wrap: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=_safe(value))
    if font is not None:
        cell.font = font
    if number_format is not None:
        cell.number_format = number_format
    if wrap:
        cell.alignment = WRAP
    return cell


def _safe(value: object) -> object:
    """Numbers and dates as they are; text (and yes/no) through ``safe_cell``; nothing for empty text."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float | date) and not isinstance(value, bool):
        return value
    return safe_cell(value)


class _Sheet:
    """A write-only sheet that knows how many rows it has written, so charts and print titles can name them."""

    def __init__(self, wb: Workbook, title: str, widths: Sequence[float]) -> None:
        self.ws: WriteOnlyWorksheet = wb.create_sheet(_sheet_title(title))
        self.rows = 0
        for index, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = width

    def append(self, cells: Iterable[object]) -> int:
        self.ws.append(list(cells))
        self.rows += 1
        return self.rows

    def title(self, text: str) -> int:
        return self.append([_cell(self.ws, text, font=TITLE_FONT)])

    def text(self, text: str, *, font: Font | None = None) -> int:
        return self.append([_cell(self.ws, text, font=font)])

    def header(self, names: Sequence[str]) -> int:
        return self.append(_cell(self.ws, name, font=BOLD) for name in names)

    def blank(self) -> int:
        return self.append([])

    def counts(self, rows: Sequence[Row], *, times: bool = False) -> int:
        """Label, reports, share (and times reported) per row; the last sheet row written."""
        for row in rows:
            cells = [_cell(self.ws, row.label), _cell(self.ws, row.reports, number_format=COUNT_FORMAT),
                     _cell(self.ws, None if row.share is None else row.share / 100, number_format=SHARE_FORMAT)]
            if times:
                cells.append(_cell(self.ws, row.times, number_format=COUNT_FORMAT))
            self.append(cells)
        return self.rows

    def freeze_below(self, row: int) -> None:
        """Keep rows up to ``row`` on screen and on every printed page (set before the first row is written)."""
        self.ws.freeze_panes = f"A{row + 1}"
        self.ws.print_title_rows = f"1:{row}"


def _sheet_title(title: str) -> str:
    return _NOT_IN_SHEET_TITLES.sub(" ", title)[:SHEET_TITLE_LIMIT].strip()


def _context(pack: Pack) -> str:
    """The line under each sheet's title: which quarter, which dates, which filters."""
    period = pack.quarter.period
    filters = "; ".join(f"{name}: {value}" for name, value in pack.filter_labels) or "the whole force"
    return (f"{pack.quarter.title}: incidents from {day_text(period.start)} to {day_text(period.end)} (UK dates). "
            f"{pack.overview.total:,} reports. Filters: {filters}.")


def _bar_chart(sheet: _Sheet, title: str, header_row: int, last_row: int, columns: int) -> None:
    """A horizontal bar chart of the reports column (B) by label (A), beside the table, in the table's order."""
    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    chart.legend = None
    chart.add_data(Reference(sheet.ws, min_col=2, min_row=header_row, max_row=last_row), titles_from_data=True)
    chart.set_categories(Reference(sheet.ws, min_col=1, min_row=header_row + 1, max_row=last_row))
    chart.x_axis.scaling.orientation = "maxMin"  # the first row at the top, as in the table
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.title = "Reports"
    chart.y_axis.majorGridlines = None
    chart.width = CHART_WIDTH_CM
    chart.height = max(MIN_CHART_ROWS * ROW_CM, BAR_ROW_CM * (last_row - header_row) + 3)
    sheet.ws.add_chart(chart, f"{get_column_letter(columns + 1 + CHART_GAP)}{header_row}")


def _counts_sheet(wb: Workbook, pack: Pack, breakdown: Breakdown, sheet_title: str) -> None:
    times = any(row.times is not None for row in breakdown.rows)
    columns = [breakdown.title, "Reports", "Share of reports", *(["Times reported"] if times else [])]
    preamble = [breakdown.title, _context(pack), *([breakdown.note] if breakdown.note else [])]
    header_row = len(preamble) + 2
    sheet = _Sheet(wb, sheet_title, [44, 12, 16, 16][:len(columns)])
    sheet.freeze_below(header_row)
    sheet.title(preamble[0])
    for line in preamble[1:]:
        sheet.text(line)
    sheet.blank()
    sheet.header(columns)
    if not breakdown.rows:
        sheet.text("No reports in this quarter.")
        return
    last = sheet.counts(breakdown.rows, times=times)
    _bar_chart(sheet, breakdown.title, header_row, last, len(columns))


def _summary_sheet(wb: Workbook, pack: Pack) -> None:
    overview, period = pack.overview, pack.quarter.period
    sheet = _Sheet(wb, "Summary", [30, 22, 22, 12, 12])
    ws = sheet.ws
    # The summary's header rows are its title and context; the tables below it each have their own header.
    sheet.freeze_below(2)
    sheet.title(f"Use of force: quarterly governance pack, {pack.quarter.title}")
    sheet.text(_context(pack))
    sheet.blank()
    applied = dict(pack.filter_labels)
    for label, value, number_format in (
        ("Quarter", f"{pack.quarter.code} ({pack.quarter.title})", None),
        ("First day", period.start, DATE_FORMAT), ("Last day", period.end, DATE_FORMAT),
        ("Area", applied.get("Area", "All areas"), None), ("Team", applied.get("Team", "All teams"), None),
        ("Type of force", applied.get("Type of force", "All types of force"), None),
        ("Reports", overview.total, COUNT_FORMAT),
        ("Figures as at (UK time)", uk_datetime(pack.made_at), None),
    ):
        sheet.append([_cell(ws, label, font=BOLD), _cell(ws, value, number_format=number_format)])

    sheet.blank()
    sheet.text("Recording policy versions", font=BOLD)
    if overview.spans_policy_change:
        sheet.text("Warning: this quarter spans a change of recording policy, so its counts before and after the "
                   "change are not like for like.", font=BOLD)
    sheet.header(["Version", "Preset", "In force from (UK time)", "Reports"])
    for version in overview.policy_versions:
        sheet.append([_cell(ws, version.version), _cell(ws, version.preset),
                      _cell(ws, uk_datetime(version.effective_from)),
                      _cell(ws, version.reports, number_format=COUNT_FORMAT)])

    sheet.blank()
    sheet.text("Reports per month (UK date of the incident)", font=BOLD)
    month_header = sheet.header(["Month", "Reports"])
    for month in overview.monthly:
        sheet.append([_cell(ws, month_text(month.start)), _cell(ws, month.reports, number_format=COUNT_FORMAT)])
    trend = LineChart()
    trend.title = "Reports per month"
    trend.legend = None
    trend.add_data(Reference(ws, min_col=2, min_row=month_header, max_row=sheet.rows), titles_from_data=True)
    trend.set_categories(Reference(ws, min_col=1, min_row=month_header + 1, max_row=sheet.rows))
    trend.x_axis.delete = False
    trend.y_axis.delete = False
    trend.y_axis.title = "Reports"
    trend.width, trend.height = 14, MIN_CHART_ROWS * ROW_CM
    ws.add_chart(trend, f"D{month_header}")

    # The notes start below the chart.
    while sheet.rows < month_header + MIN_CHART_ROWS:
        sheet.blank()
    sheet.text("Method notes", font=BOLD)
    for title, text in METHOD_NOTES:
        note = f"{title}: {text}"
        row = sheet.rows + 1
        ws.row_dimensions[row].height = LINE_HEIGHT * (len(note) // NOTE_LINE_CHARACTERS + 1)
        ws.merged_cells.add(f"A{row}:E{row}")
        sheet.append([_cell(ws, note, wrap=True)])


def _quality_sheet(wb: Workbook, pack: Pack) -> None:
    quality = pack.overview.quality
    sheet = _Sheet(wb, "Data quality", [44, 20, 50])
    ws = sheet.ws
    sheet.freeze_below(2)
    sheet.title("Data quality")
    sheet.text(_context(pack))
    sheet.blank()
    sheet.header(["Check", "Reports", "Share of reports"])
    not_reported = tuple(Row(f"{row.label}: not reported", row.reports, row.share) for row in quality.not_reported)
    total = pack.overview.total
    sheet.counts((*quality.rows, *not_reported,
                  Row("Reports with at least one of these problems", quality.with_problems,
                      100 * quality.with_problems / total if total else None)))
    sheet.blank()
    listed = len(quality.listed)
    sheet.text("Reports with a problem, most recent incident first"
               + (f": the {listed} most recent of {quality.with_problems:,}" if quality.not_listed else ""),
               font=BOLD)
    sheet.header(["Reference", "Incident (UK time)", "Problems"])
    for issue in quality.listed:
        sheet.append([_cell(ws, issue.reference), _cell(ws, uk_datetime(issue.incident_at)),
                      _cell(ws, "; ".join(issue.problems))])


def _records_sheet(wb: Workbook, rows: int) -> _Sheet:
    """The record-level sheet with its header; ``write_workbook`` streams its ``rows`` rows in afterwards."""
    sheet = _Sheet(wb, RECORDS_SHEET, [max(10, min(28, len(name) + 2)) for name in exports.HEADER])
    ws = sheet.ws
    # The reference stays in view beside the header as the reader scrolls, and on every printed page.
    ws.freeze_panes = "B2"
    ws.print_title_rows = "1:1"
    ws.print_title_cols = "A:A"
    ws.page_setup.orientation = "landscape"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(exports.HEADER))}{rows + 1}"
    sheet.header(exports.HEADER)
    return sheet


def _record_cell(value: object) -> xlsx_rows.Value:
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return safe_cell(value)


def write_workbook(pack: Pack, out: IO[bytes]) -> None:
    """The pack as an XLSX workbook, written to ``out``: a summary with the method notes, a sheet per breakdown
    with its chart, review timeliness, body-worn video, data quality, and the record-level sheet."""
    wb = Workbook(write_only=True)
    wb.properties.title = f"Use of force: quarterly governance pack, {pack.quarter.title}"
    wb.properties.subject = _context(pack)
    # No personal author: the pack is the force's, and openpyxl would otherwise sign it "openpyxl".
    wb.properties.creator = "Use of force recording service"
    wb.properties.lastModifiedBy = None
    _summary_sheet(wb, pack)
    for breakdown in pack.overview.breakdowns:
        _counts_sheet(wb, pack, breakdown, SHORT_TITLES.get(breakdown.key, breakdown.title))
    review = pack.overview.review
    _counts_sheet(wb, pack, Breakdown("review", "Review timeliness", review.rows,
                                      f"First supervisor's decision against the due time of {review.due_hours} "
                                      "hours from submission."), "Review timeliness")
    _counts_sheet(wb, pack, pack.overview.bwv, "Body-worn video")
    _quality_sheet(wb, pack)
    ids = exports.report_ids(pack.filters)
    records = _records_sheet(wb, len(ids))
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as styled:
        wb.save(styled)
        styled.seek(0)
        xlsx_rows.fill_sheet(styled, out, RECORDS_SHEET, first_row=records.rows + 1,
                             rows=([_record_cell(value) for value in values] for values in exports.report_rows(ids)))
