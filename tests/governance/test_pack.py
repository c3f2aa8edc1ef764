"""The quarterly governance pack: the XLSX workbook and the print page, their figures (the governance overview's,
and hand-counted), quarters, filters, formula safety, who may have them and the audit trail.

The world: the quarter 2025Q2 (July to September 2025, BST throughout) holds three reports, and two more fall just
outside it on either side.

| report  | officer | incident, UTC | UK time           | team and area | tactics                                 |
|---------|---------|---------------|-------------------|---------------|-----------------------------------------|
| june    | alice   | 30 Jun 22:59  | 30 Jun 23:59 (Q1) | Birmingham    | non-compliant handcuffing               |
| taser   | alice   | 30 Jun 23:30  | 1 Jul 00:30 (Q2)  | Birmingham    | Taser drawn, aimed, fired               |
| cuffs   | alice   | 15 Jul 12:00  | 15 Jul 13:00 (Q2) | Birmingham    | tactical comm., non-compliant handcuffs |
| spray   | bob     | 30 Sep 22:59  | 30 Sep 23:59 (Q2) | Coventry      | CS drawn, PAVA drawn                    |
| october | bob     | 30 Sep 23:00  | 1 Oct 00:00 (Q3)  | Coventry      | non-compliant handcuffing               |

"cuffs" was recorded on body-worn video without a footage reference; "spray" has the ethnicity not reported.
"""

from __future__ import annotations

import csv
import html
import io
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook
from openpyxl.chart import BarChart, LineChart
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select

from tests.factories import Maker, Person
from uof.extensions import db
from uof.models import AuditEvent
from uof.services import exports, figures, governance, pack, policy
from uof.services.pack import Quarter, QuarterError
from uof.uktime import uk_datetime

XLSX = "/governance/pack.xlsx"
PAGE = "/governance/pack"
TACTIC_COMMUNICATION_ROW = "Tactical communication (with other tactic)"


@dataclass(frozen=True)
class World:
    alice: Person
    bob: Person
    birmingham_team: int
    coventry_team: int
    reports: dict[str, int]


def _bwv(reference: str | None) -> dict[str, Any]:
    return {"worn": True, "recording": True, "reference": reference, "viewed_before_account": False}


def _tactics(*codes: str) -> list[dict[str, Any]]:
    return [{"code": code, "effective": True} for code in codes]


@pytest.fixture
def world(make: Maker) -> World:
    birmingham = make.team("Birmingham Central A", "Birmingham")
    coventry = make.team("Coventry Response", "Coventry")
    alice = make.user("alice@example.org", "officer", teams=("Birmingham Central A",), force_number="PC4521",
                      name="Alice Smith")
    bob = make.user("bob@example.org", "officer", teams=("Coventry Response",), force_number="PC9876",
                    name="Bob Jones")
    make.user("sergeant@example.org", "supervisor", "officer", teams=("Birmingham Central A",))
    make.user("acc@example.org", "governance")
    subject = {"age_band": "age_18_34", "gender": "male", "ethnicity": "not_reported", "health_condition": "none"}
    reports = {
        "june": make.report(alice, incident_at="2025-06-30T22:59:00Z", incident_reference="CAD-JUNE",
                            area="Birmingham"),
        "taser": make.report(alice, incident_at="2025-06-30T23:30:00Z", incident_reference="CAD-TASER",
                             area="Birmingham", ced_carried=True,
                             tactics=_tactics("ced_drawn", "ced_aimed", "ced_fired"), bwv=_bwv("BWV-1")),
        "cuffs": make.report(alice, incident_at="2025-07-15T12:00:00Z", incident_reference="CAD-CUFFS",
                             area="Birmingham", tactics=_tactics("tactical_communication", "non_compliant_handcuffing"),
                             bwv=_bwv(None)),
        "spray": make.report(bob, incident_at="2025-09-30T22:59:00Z", incident_reference="CAD-SPRAY",
                             area="Coventry", subject=subject,
                             tactics=_tactics("irritant_spray_cs_drawn", "irritant_spray_pava_drawn"),
                             bwv=_bwv("BWV-3")),
        "october": make.report(bob, incident_at="2025-09-30T23:00:00Z", incident_reference="CAD-OCTOBER",
                               area="Coventry"),
    }
    return World(alice, bob, birmingham, coventry, reports)


def _workbook(response: Any) -> Workbook:
    """The workbook of a download; the response is closed (as a server would), which closes its file."""
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_data()
    response.close()
    return load_workbook(io.BytesIO(data))


def _table(ws: Worksheet, first_column: str | None = None) -> dict[str, tuple[Any, ...]]:
    """The first table on the sheet with a "Reports" column (or whose header starts ``first_column``): its
    rows by label, with the values after the label."""
    rows = list(ws.iter_rows(values_only=True))
    start = next(index for index, row in enumerate(rows) if len(row) > 1 and (
        row[0] == first_column if first_column is not None else row[1] == "Reports"))
    found: dict[str, tuple[Any, ...]] = {}
    for row in rows[start + 1:]:
        if row[0] is None:
            break
        found[row[0]] = tuple(value for value in row[1:] if value is not None)
    return found


def _overview(app: Flask, quarter: str = "2025Q2", **narrowing: str) -> governance.Overview:
    with app.app_context():
        today = exports.today_in_uk()
        filters = figures.parse_filters(narrowing, today).with_period(pack.parse_quarter(quarter, today).period)
        return governance.overview(filters)


def _expected_rows(breakdown: governance.Breakdown) -> dict[str, tuple[Any, ...]]:
    expected: dict[str, tuple[Any, ...]] = {}
    for row in breakdown.rows:
        values: tuple[Any, ...] = (row.reports,)
        if row.share is not None:
            values += (pytest.approx(row.share / 100),)
        if row.times is not None:
            values += (row.times,)
        expected[row.label] = values
    return expected


def _csv_rows(client: Any, query: str) -> list[list[str]]:
    text = client.get(f"/governance/export.csv?{query}").get_data().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))[1:]


def _records(wb: Workbook) -> list[list[str]]:
    """The record-level sheet as the CSV would write it: numbers as text, empty cells as empty text."""
    rows = list(wb["Records"].iter_rows(values_only=True))
    assert rows[0] == exports.HEADER
    return [["" if value is None else str(value) for value in row] for row in rows[1:]]


# --- quarters --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "start", "end", "title", "filename"), [
    ("2025Q1", date(2025, 4, 1), date(2025, 6, 30), "Q1 2025/26", "governance-pack-2025-26-Q1.xlsx"),
    ("2025Q2", date(2025, 7, 1), date(2025, 9, 30), "Q2 2025/26", "governance-pack-2025-26-Q2.xlsx"),
    ("2025Q3", date(2025, 10, 1), date(2025, 12, 31), "Q3 2025/26", "governance-pack-2025-26-Q3.xlsx"),
    ("2025Q4", date(2026, 1, 1), date(2026, 3, 31), "Q4 2025/26", "governance-pack-2025-26-Q4.xlsx"),
    ("2017Q1", date(2017, 4, 1), date(2017, 6, 30), "Q1 2017/18", "governance-pack-2017-18-Q1.xlsx"),
    ("2099Q3", date(2099, 10, 1), date(2099, 12, 31), "Q3 2099/00", "governance-pack-2099-00-Q3.xlsx"),
    (" 2026Q1 ", date(2026, 4, 1), date(2026, 6, 30), "Q1 2026/27", "governance-pack-2026-27-Q1.xlsx"),
])
def test_a_quarter_is_of_the_financial_year_starting_in_april(raw, start, end, title, filename):
    quarter = pack.parse_quarter(raw, date(2026, 11, 26))
    assert quarter.period == exports.Period(start, end)
    assert quarter.title == title
    assert quarter.filename == filename
    assert quarter.code == raw.strip()


@pytest.mark.parametrize(("today", "expected"), [
    (date(2026, 2, 10), Quarter(2025, 4)), (date(2026, 3, 31), Quarter(2025, 4)), (date(2026, 4, 1), Quarter(2026, 1)),
    (date(2026, 9, 30), Quarter(2026, 2)), (date(2026, 12, 31), Quarter(2026, 3)),
])
@pytest.mark.parametrize("raw", [None, "", "  "])
def test_no_quarter_is_the_current_one(raw, today, expected):
    assert pack.parse_quarter(raw, today) == expected


@pytest.mark.parametrize(("raw", "message"), [
    ("2026Q5", "like 2026Q1"), ("2026Q0", "like 2026Q1"), ("26Q1", "like 2026Q1"), ("2026q1", "like 2026Q1"),
    ("2026-Q1", "like 2026Q1"), ("2026Q1x", "like 2026Q1"), ("２０２６Q1", "like 2026Q1"), ("Q1 2026", "like 2026Q1"),
    ("2016Q1", "from 2017Q1"), ("2016Q4", "from 2017Q1"), ("0000Q1", "from 2017Q1"), ("2099Q4", "to 2099Q3"),
    ("9999Q4", "to 2099Q3"),
])
def test_a_bad_quarter_is_refused_saying_what_to_change(raw, message):
    with pytest.raises(QuarterError, match=message):
        pack.parse_quarter(raw, date(2026, 11, 26))


# --- the workbook ----------------------------------------------------------------------------------------------

def test_the_workbook_holds_the_overview_and_hand_counted_figures(app, auth, client, world):
    auth.login("acc@example.org")
    response = client.get(f"{XLSX}?quarter=2025Q2")
    assert response.mimetype == pack.XLSX_MIMETYPE
    assert response.headers["Content-Disposition"] == "attachment; filename=governance-pack-2025-26-Q2.xlsx"
    wb = _workbook(response)
    overview = _overview(app)
    titles = [pack.SHORT_TITLES.get(item.key, item.title) for item in overview.breakdowns]
    assert wb.sheetnames == ["Summary", *titles, "Review timeliness", "Body-worn video", "Data quality", "Records"]

    # Hand-counted: the Taser drawn, aimed and fired is one CED Fired; CS and PAVA drawn are one report, two
    # times; tactical communication is listed but is no type of force.
    assert _table(wb["Tactics"]) == {
        "Non-compliant handcuffing": (1, pytest.approx(1 / 3), 1),
        "Irritant spray - drawn": (1, pytest.approx(1 / 3), 2),
        "CED Fired": (1, pytest.approx(1 / 3), 1),
        TACTIC_COMMUNICATION_ROW: (1, pytest.approx(1 / 3), 1),
    }
    assert _table(wb["Type of force"]) == {
        "Restraint": (1, pytest.approx(1 / 3)), "Other equipment": (1, pytest.approx(1 / 3)),
        "Less lethal weapons": (1, pytest.approx(1 / 3))}
    assert _table(wb["Ethnicity (perceived)"])["Not reported"] == (1, pytest.approx(1 / 3))
    assert _table(wb["Body-worn video"]) == {
        governance.BWV_LABELS["referenced"]: (2, pytest.approx(2 / 3)),
        governance.BWV_LABELS["no_reference"]: (1, pytest.approx(1 / 3)),
        governance.BWV_LABELS["not_recording"]: (0, 0),
        governance.BWV_LABELS["not_worn"]: (0, 0),
    }

    # Every breakdown is the governance overview's, row for row.
    assert overview.total == 3
    for breakdown, title in zip(overview.breakdowns, titles, strict=True):
        assert _table(wb[title]) == _expected_rows(breakdown), title
    assert _table(wb["Review timeliness"]) == _expected_rows(
        governance.Breakdown("review", "Review timeliness", overview.review.rows))
    assert _table(wb["Body-worn video"]) == _expected_rows(overview.bwv)

    summary = {row[0]: row[1] for row in wb["Summary"].iter_rows(values_only=True) if row and row[0]}
    assert summary["Reports"] == 3
    assert summary["Quarter"] == "2025Q2 (Q2 2025/26)"
    assert summary["First day"].date() == date(2025, 7, 1)
    assert summary["Last day"].date() == date(2025, 9, 30)
    assert summary["Area"] == "All areas"
    assert _table(wb["Summary"], "Month") == {"Jul 2025": (2,), "Aug 2025": (0,), "Sep 2025": (1,)}
    assert _table(wb["Summary"], "Version") == {1: ("national", "1 Apr 2017, 01:00", 3)}


def test_every_sheet_has_its_chart_formats_frozen_header_and_print_titles(app, auth, client, world):
    auth.login("acc@example.org")
    wb = _workbook(client.get(f"{XLSX}?quarter=2025Q2"))
    assert wb.properties.title == "Use of force: quarterly governance pack, Q2 2025/26"
    assert wb.properties.creator == "Use of force recording service"
    assert wb.properties.lastModifiedBy is None

    summary = wb["Summary"]
    assert [type(chart) for chart in summary._charts] == [LineChart]
    assert summary.freeze_panes == "A3"
    assert summary.print_title_rows == "$1:$2"
    for name in wb.sheetnames[1:-2]:
        ws = wb[name]
        assert [type(chart) for chart in ws._charts] == [BarChart], name
        # The chart draws the sheet's own cells: its labels and its reports column.
        series = ws._charts[0].series[0]
        assert series.val.numRef.f.startswith(f"'{name}'!$B$"), name
        assert (series.cat.numRef or series.cat.strRef).f.startswith(f"'{name}'!$A$"), name
        header = next(row[0].row for row in ws.iter_rows(max_col=2) if row[1].value == "Reports")
        assert ws.freeze_panes == f"A{header + 1}", name
        assert ws.print_title_rows == f"$1:${header}", name
        assert ws.cell(header + 1, 2).number_format == "#,##0"
        assert ws.cell(header + 1, 3).number_format == "0.0%"
        assert ws.column_dimensions["A"].width == 44

    records = wb["Records"]
    assert records.freeze_panes == "B2"
    assert records.print_title_rows == "$1:$1"
    assert records.print_title_cols == "$A:$A"
    assert records.auto_filter.ref == f"A1:AN{3 + 1}"
    assert all(cell.font.bold for cell in records[1])


def test_the_records_sheet_is_the_record_level_csv_of_the_quarter(app, auth, client, world):
    auth.login("acc@example.org")
    wb = _workbook(client.get(f"{XLSX}?quarter=2025Q2"))
    records = _records(wb)
    assert records == _csv_rows(client, "from=2025-07-01&to=2025-09-30")
    assert [row[1] for row in records] == ["CAD-TASER", "CAD-CUFFS", "CAD-SPRAY"]
    with app.app_context():
        key = app.config["UOF_SETTINGS"].audit_key
    column = {name: index for index, name in enumerate(exports.HEADER)}
    taser = records[0]
    assert taser[column["Officer (pseudonym)"]] == exports.officer_pseudonym(world.alice.id, key)
    assert taser[column["Incident time (UK)"]] == "00:30"
    assert taser[column["Tactics (Home Office)"]] == "CED Fired"
    assert taser[column["Review status"]] == "Awaiting review"
    assert taser[column["BWV reference given"]] == "Yes"
    assert records[1][column["BWV reference given"]] == "No"
    assert wb["Records"].cell(2, column["Policy version"] + 1).value == 1
    text = "".join(str(cell) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for cell in row)
    for secret in ("Alice", "Smith", "Bob Jones", "PC4521", "PC9876", "alice@", "BWV-1", "BWV-3",
                   "breach of the peace"):
        assert secret not in text


def test_the_data_quality_sheet_counts_and_lists_the_problems(app, auth, client, world):
    auth.login("acc@example.org")
    wb = _workbook(client.get(f"{XLSX}?quarter=2025Q2"))
    quality = _overview(app).quality
    checks = _table(wb["Data quality"], "Check")
    # Every test report is submitted long after its incident, so all three are late.
    assert checks[governance.LATE_PROBLEM] == (3, pytest.approx(1))
    assert checks[governance.BWV_PROBLEM] == (1, pytest.approx(1 / 3))
    assert checks["Ethnicity (perceived): not reported"] == (1, pytest.approx(1 / 3))
    assert checks["Age (perceived): not reported"] == (0, 0)
    assert checks["Reports with at least one of these problems"] == (3, pytest.approx(1))
    assert quality.late_submissions == 3
    assert quality.with_problems == 3
    rows = list(wb["Data quality"].iter_rows(values_only=True))
    start = rows.index(("Reference", "Incident (UK time)", "Problems"))
    listed = [row[:3] for row in rows[start + 1:]]
    assert listed == [(issue.reference, uk_datetime(issue.incident_at), "; ".join(issue.problems))
                      for issue in quality.listed]
    assert [row[0] for row in listed] == [f"UOF-{world.reports[name]:06d}" for name in ("spray", "cuffs", "taser")]
    assert listed[1][2] == f"{governance.LATE_PROBLEM}; {governance.BWV_PROBLEM}"


def test_a_quarter_that_spans_a_policy_change_says_so(app, make, auth, client, world):
    with app.app_context():
        policy.set_policy("derogated", actor=None, effective_from=figures.uk_midnight(date(2025, 8, 1)))
        db.session.commit()
    # Reports keep the version they were submitted under; this one is the first under the derogation.
    make.report(world.bob, incident_at="2025-08-10T12:00:00Z", incident_reference="CAD-AUGUST", area="Coventry")
    auth.login("acc@example.org")
    wb = _workbook(client.get(f"{XLSX}?quarter=2025Q2"))
    cells = [row[0] for row in wb["Summary"].iter_rows(values_only=True) if row and row[0]]
    assert any(str(cell).startswith("Warning: this quarter spans a change of recording policy") for cell in cells)
    assert _table(wb["Summary"], "Version") == {1: ("national", "1 Apr 2017, 01:00", 3),
                                                2: ("derogated", "1 Aug 2025, 00:00", 1)}
    page = client.get(f"{PAGE}?quarter=2025Q2").get_data(as_text=True)
    assert "This period spans a change of recording policy" in page


# --- quarters by the UK date of the incident -----------------------------------------------------------------------

def test_incidents_fall_in_the_quarter_of_their_uk_date(app, make, auth, client, world):
    # 2025Q4 is January to March 2026: GMT until the clocks go forward at 01:00 UTC on 29 March 2026.
    for at, reference in (("2025-12-31T23:59:00Z", "CAD-DEC"), ("2026-01-01T00:00:00Z", "CAD-JAN"),
                          ("2026-03-31T22:59:00Z", "CAD-MAR-2359"), ("2026-03-31T23:00:00Z", "CAD-APR-0000")):
        make.report(world.alice, incident_at=at, incident_reference=reference)
    auth.login("acc@example.org")
    references = {quarter: [row[1] for row in _records(_workbook(client.get(f"{XLSX}?quarter={quarter}")))]
                  for quarter in ("2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1")}
    assert references == {
        "2025Q1": ["CAD-JUNE"],  # 23:59 BST on 30 June
        "2025Q2": ["CAD-TASER", "CAD-CUFFS", "CAD-SPRAY"],  # 00:30 BST on 1 July is in Q2
        "2025Q3": ["CAD-OCTOBER", "CAD-DEC"],  # midnight BST on 1 October
        "2025Q4": ["CAD-JAN", "CAD-MAR-2359"],
        "2026Q1": ["CAD-APR-0000"],  # 00:00 BST on 1 April 2026
    }


# --- filters ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("narrowing", "references", "labels"), [
    ({"area": "Coventry"}, ["CAD-SPRAY"], {"Area": "Coventry"}),
    ({"group": "Less lethal weapons"}, ["CAD-TASER"], {"Type of force": "Less lethal weapons"}),
    ({"team": "birmingham", "group": "Restraint"}, ["CAD-CUFFS"],
     {"Team": "Birmingham Central A", "Type of force": "Restraint"}),
])
def test_downloads_honour_the_filters_on_screen(app, auth, client, world, narrowing, references, labels):
    if narrowing.get("team") == "birmingham":
        narrowing = {**narrowing, "team": str(world.birmingham_team)}
    auth.login("acc@example.org")
    query = "&".join(f"{name}={value}" for name, value in narrowing.items())
    wb = _workbook(client.get(f"{XLSX}?quarter=2025Q2&{query}"))
    assert [row[1] for row in _records(wb)] == references
    assert _records(wb) == _csv_rows(client, f"from=2025-07-01&to=2025-09-30&{query}")
    overview = _overview(app, **narrowing)
    assert overview.total == len(references)
    summary = {row[0]: row[1] for row in wb["Summary"].iter_rows(values_only=True) if row and row[0]}
    assert summary["Reports"] == overview.total
    for name, value in labels.items():
        assert summary[name] == value
    assert _table(wb["Tactics"]) == _expected_rows(overview.breakdown("tactic"))
    page = client.get(f"{PAGE}?quarter=2025Q2&{query}").get_data(as_text=True)
    assert re.search(rf'data-total>{overview.total}<', page)
    for name, value in labels.items():
        assert f"{name}: {value}" in page
    # The page's own links carry the filters.
    assert f'href="{XLSX}?quarter=2025Q2&amp;' in page
    for name, value in narrowing.items():
        assert f'<input type="hidden" name="{name}" value="{value}">' in page


def test_text_typed_by_people_is_never_a_formula(app, make, auth, client, world):
    area = '=HYPERLINK("http://evil.example","click")'
    make.team("@SUM(A1) team", area)
    officer = make.user("carol@example.org", "officer", teams=("@SUM(A1) team",))
    make.report(officer, incident_at="2025-08-01T12:00:00Z", incident_reference="+44-1", area=area,
                bwv=_bwv('=HYPERLINK("http://evil.example/bwv","footage")'))
    auth.login("acc@example.org")
    response = client.get(XLSX, query_string={"quarter": "2025Q2", "area": area})
    wb = _workbook(response)
    formulas = [cell.coordinate for ws in wb.worksheets for row in ws.iter_rows() for cell in row
                if cell.data_type == "f"]
    assert formulas == []
    summary = {row[0]: row[1] for row in wb["Summary"].iter_rows(values_only=True) if row and row[0]}
    assert summary["Area"] == "'" + area
    column = {name: index for index, name in enumerate(exports.HEADER)}
    [record] = _records(wb)
    assert record[column["Area"]] == "'" + area
    assert record[column["Team"]] == "'@SUM(A1) team"
    assert record[column["Incident reference"]] == "'+44-1"
    raw = response.get_data()
    assert b"evil.example/bwv" not in raw  # footage references are never exported
    page = client.get(PAGE, query_string={"quarter": "2025Q2", "area": area}).get_data(as_text=True)
    assert "Area: =HYPERLINK(&#34;http://evil.example&#34;,&#34;click&#34;)" in page


# --- errors, access, audit -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "message"), [
    ("quarter=2026Q5", "like 2026Q1"), ("quarter=26Q1", "like 2026Q1"), ("quarter=2016Q1", "from 2017Q1"),
    ("quarter=2025Q2&area=Nowhere", "'area' must be one of"), ("quarter=2025Q2&team=999", "'team' must be one of"),
    ("quarter=2025Q2&team=x", "'team' must be one of"), ("quarter=2025Q2&group=Tactical+communication", "'group'"),
])
def test_bad_requests_are_400_saying_what_to_change(app, auth, client, world, query, message):
    auth.login("acc@example.org")
    download = client.get(f"{XLSX}?{query}")
    assert download.status_code == 400
    assert download.mimetype == "text/plain"
    assert message in download.get_data(as_text=True)
    page = client.get(f"{PAGE}?{query}")
    assert page.status_code == 400
    assert page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert "<title>Error: Quarterly governance pack" in text
    assert 'class="error-summary"' in text
    assert message.replace("'", "&#39;") in text
    assert 'id="quarter"' in text
    assert "data-total" not in text
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEvent.action)))
        assert not actions & {"export.pack", "governance.pack.view"}


def test_no_quarter_is_the_current_quarter(app, auth, client, world):
    auth.login("acc@example.org")
    current = pack.parse_quarter(None, exports.today_in_uk())
    response = client.get(XLSX)
    assert current.filename in response.headers["Content-Disposition"]
    assert _records(_workbook(response)) == []
    page = client.get(PAGE)
    assert page.status_code == 200
    assert f"<h1>Quarterly governance pack: {current.title}</h1>" in page.get_data(as_text=True)


def test_downloads_and_views_are_audited_with_quarter_filters_and_count(app, auth, client, world):
    auth.login("acc@example.org")
    with client.get(f"{XLSX}?quarter=2025Q2") as download:
        assert download.status_code == 200
    assert client.get(f"{PAGE}?quarter=2025Q2&area=Coventry").status_code == 200
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action.in_(("export.pack", "governance.pack.view"))).order_by(AuditEvent.seq)).all()
        assert [(event.action, event.actor_label, event.object_type, event.object_id, event.detail)
                for event in events] == [
            ("export.pack", "acc@example.org", "governance_pack", "2025Q2",
             {"quarter": "2025Q2", "filters": {}, "reports": 3}),
            ("governance.pack.view", "acc@example.org", "governance_pack", "2025Q2",
             {"quarter": "2025Q2", "filters": {"area": "Coventry"}, "reports": 1}),
        ]


# --- the print page --------------------------------------------------------------------------------------------

def _page_table(page: str, key: str) -> dict[str, list[str]]:
    body = re.search(rf'data-table="{key}">(.*?)</table>', page, re.S)
    assert body is not None, key
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</th>(.*?)</tr>", body.group(1), re.S)
    return {html.unescape(re.sub(r"<[^>]+>", "", label)): re.findall(r"<td[^>]*>(.*?)</td>", cells)
            for label, cells in rows}


def test_the_print_page_shows_the_same_figures_as_the_workbook(app, auth, client, world):
    auth.login("acc@example.org")
    response = client.get(f"{PAGE}?quarter=2025Q2")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    overview = _overview(app)
    assert "<h1>Quarterly governance pack: Q2 2025/26</h1>" in text
    assert "data-total>3<" in text
    assert "From 1 Jul 2025 to 30 Sep 2025" in text
    assert 'href="/static/css/print.css"' in text
    assert f'href="{XLSX}?quarter=2025Q2"' in text
    for breakdown in (*overview.breakdowns, overview.bwv):
        expected = {row.label: [f"{row.reports:,}", f"{row.share:.1f}%" if row.share is not None else "–",
                                *([f"{row.times:,}"] if row.times is not None else [])]
                    for row in breakdown.rows}
        assert _page_table(text, breakdown.key) == expected, breakdown.key
        if breakdown.rows:
            assert f'data-chart="{breakdown.key}-chart"' in text
    assert _page_table(text, "tactic")["CED Fired"] == ["1", "33.3%", "1"]
    assert _page_table(text, "tactic")["Irritant spray - drawn"] == ["1", "33.3%", "2"]
    assert "CED Drawn" not in _page_table(text, "tactic")
    assert _page_table(text, "monthly") == {"Jul 2025": ["2"], "Aug 2025": ["0"], "Sep 2025": ["1"]}
    assert _page_table(text, "review")["Awaiting a decision, not yet due"] == ["3", "100.0%"]
    assert _page_table(text, "quality")["Ethnicity (perceived): not reported"] == ["1", "33.3%"]
    listed = _page_table(text, "quality-list")
    assert list(listed) == [issue.reference for issue in overview.quality.listed]
    assert "Counted under recording policy version 1" in text
    for title, _ in pack.METHOD_NOTES:
        assert f"<dt>{title}</dt>" in text
    assert "Alice" not in text
    assert "BWV-1" not in text
