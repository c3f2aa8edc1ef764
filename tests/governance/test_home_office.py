"""The Home Office return: who may download it, which year it covers, and its counts against hand-computed tables."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.conftest import AuthActions
from uof.domain import home_office_tables as ho
from uof.domain.spreadsheet import FORMULA_STARTS
from uof.extensions import db
from uof.models import AuditEvent
from uof.services import policy
from uof.services.exports import today_in_uk

URL = "/governance/home-office.csv"
TABLE_NUMBERS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13]


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list[str]]

    def row(self, tactic: str) -> dict[str, int]:
        """The numbers of the row whose Tactic (or first) cell is ``tactic``, by column."""
        found = [row for row in self.rows if tactic in row[:2]]
        assert len(found) == 1, tactic
        return {name: int(cell) for name, cell in zip(self.header, found[0], strict=True) if cell.isdigit()}


@dataclass
class Return:
    heading: list[list[str]]
    tables: dict[int, Table]

    def heading_value(self, name: str) -> list[str]:
        return next(row[1:] for row in self.heading if row and row[0] == name)


def _parse(response: Any) -> Return:
    assert response.status_code == 200, response.get_data(as_text=True)
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    blocks: list[list[list[str]]] = [[]]
    for row in rows:
        if row:
            blocks[-1].append(row)
        else:
            blocks.append([])
    assert blocks[-1] == []  # every table ends with a blank row
    heading, *parts = blocks[:-1]
    tables: dict[int, Table] = {}
    for title, header, *data in parts:
        assert len(title) == 1
        number = int(title[0].removeprefix("Table ").split(":")[0])
        assert all(len(row) == len(header) for row in data), number
        tables[number] = Table(title[0], header, data)
    assert list(tables) == TABLE_NUMBERS
    return Return(heading, tables)


@pytest.fixture
def world(make):  # type: ignore[no-untyped-def]
    make.team("Birmingham Central A", "Birmingham")
    officer = make.user("pc.smith@example.org", "officer", teams=("Birmingham Central A",), force_number="PC4521")
    make.user("sergeant@example.org", "supervisor", "officer", teams=("Birmingham Central A",))
    make.user("acc@example.org", "governance")
    make.user("admin@example.org", "admin")
    make.user("auditor@example.org", "auditor")
    return officer


def _tactics(*codes: str) -> list[dict[str, Any]]:
    return [{"code": code, "effective": True} for code in codes]


TASER = {"ced_carried": True, "ced_trained": True}
IN_2025 = "2025-06-10T12:00:00Z"


@pytest.fixture
def acc(auth: AuthActions, world: Any) -> FlaskClient:
    """The governance user's logged-in client."""
    auth.login("acc@example.org")
    return auth.client


def _download(client: FlaskClient, year: int | str) -> Any:
    return client.get(f"{URL}?year={year}")


# --- Table 1 and Table 13: the counting rules -------------------------------------------------------------

def test_a_taser_drawn_aimed_and_fired_counts_once_as_fired(make, acc, world):
    make.report(world, incident_at=IN_2025, tactics=_tactics("ced_drawn", "ced_aimed", "ced_fired"), **TASER)
    result = _parse(_download(acc, 2025))
    table_1 = result.tables[1]
    times, incidents = "Number of times tactic reported", "Number of incidents involving tactic"
    for tactic in ("CED Fired", "CED, of which", "Total Less lethal weapons", "Total Tactics"):
        assert table_1.row(tactic) == {times: 1, incidents: 1}, tactic
    for tactic in ("CED Drawn", "CED Aimed", "CED Red-dot", "CED Not stated", "Total Restraint"):
        assert table_1.row(tactic) == {times: 0, incidents: 0}, tactic
    (ced,) = result.tables[13].rows
    assert ced[0] == "2025/26"
    assert dict(zip(result.tables[13].header[2:], map(int, ced[2:]), strict=True)) == {
        "Total": 1, "Total non-discharge": 0, "Drawn": 0, "Aimed": 0, "Red-dot": 0, "Arced": 0,
        "Total discharge": 1, "Drive stun": 0, "Fired": 1, "Angled drive stun": 0, "CED not stated": 0}
    assert result.tables[4].row("CED discharge") == {"White": 1, "Total": 1} | {
        label: 0 for label in ("Black (or Black British)", "Asian (or Asian British)", "Mixed", "Other",
                               "Not reported")}
    assert result.tables[4].row("CED non-discharge")["Total"] == 0


def test_taser_levels_in_table_13_and_the_collapsed_rows(make, acc, world):
    make.report(world, incident_at=IN_2025, tactics=_tactics("ced_drawn", "ced_red_dot"), **TASER)
    make.report(world, incident_at=IN_2025, tactics=_tactics("ced_drawn"), **TASER)
    make.report(world, incident_at=IN_2025, tactics=_tactics("ced_arced", "ced_drive_stun"), **TASER)
    result = _parse(_download(acc, 2025))
    (ced,) = result.tables[13].rows
    assert [int(cell) for cell in ced[2:]] == [3, 2, 1, 0, 1, 0, 1, 1, 0, 0, 0]
    assert result.tables[2].row("CED of which")["Total"] == 3
    assert result.tables[2].row("CED non-discharge")["18 - 34 years"] == 2
    assert result.tables[2].row("CED discharge")["18 - 34 years"] == 1


def test_tactical_communication_is_listed_but_never_counted_as_force(make, acc, world):
    make.report(world, incident_at=IN_2025, tactics=_tactics("tactical_communication", "compliant_handcuffing"))
    make.report(world, incident_at=IN_2025, tactics=_tactics("tactical_communication", "ground_restraint"))
    table_1 = _parse(_download(acc, 2025)).tables[1]
    times, incidents = "Number of times tactic reported", "Number of incidents involving tactic"
    assert table_1.row("Tactical communication (with other tactic)") == {times: 2, incidents: 2}
    assert table_1.row("Total Tactics") == {times: 2, incidents: 2}
    assert table_1.row("Total Restraint") == {times: 2, incidents: 2}
    assert table_1.row("Handcuffing, of which") == {times: 1, incidents: 1}


def test_cs_and_pava_drawn_in_one_report_are_one_incident_and_two_times(make, acc, world):
    make.report(world, incident_at=IN_2025,
                tactics=_tactics("irritant_spray_cs_drawn", "irritant_spray_pava_drawn", "baton_drawn"))
    result = _parse(_download(acc, 2025))
    table_1 = result.tables[1]
    times, incidents = "Number of times tactic reported", "Number of incidents involving tactic"
    assert table_1.row("Irritant spray - drawn") == {times: 2, incidents: 1}
    assert table_1.row("Irritant spray, of which") == {times: 2, incidents: 1}
    assert table_1.row("Baton, of which") == {times: 1, incidents: 1}
    assert table_1.row("Total Other equipment") == {times: 3, incidents: 1}
    assert table_1.row("Total Tactics") == {times: 3, incidents: 1}
    # Tables 2-9 count times: the same incident, two sprays.
    assert result.tables[3].row("Irritant spray - drawn") == {"Male": 2, "Female": 0, "Other": 0,
                                                             "Not reported": 0, "Total": 2}
    assert result.tables[3].row(ho.TOTAL_INCIDENTS) == {"Male": 1, "Female": 0, "Other": 0, "Not reported": 0,
                                                       "Total": 1}


def test_the_year_is_the_financial_year_by_uk_date(make, acc, world):
    # 23:30 UTC on 31 March 2025 is 00:30 BST on 1 April 2025: the first incident of 2025/26.
    make.report(world, incident_at="2025-03-31T23:30:00Z", tactics=_tactics("shield"))
    # 22:59 UTC is 23:59 BST on 31 March: the last of 2024/25.
    make.report(world, incident_at="2025-03-31T22:59:00Z", tactics=_tactics("baton_used"))
    # 23:30 UTC on 31 March 2026 is 00:30 BST on 1 April 2026: 2026/27.
    make.report(world, incident_at="2026-03-31T23:30:00Z", tactics=_tactics("dog_bite"))
    incidents = "Number of incidents involving tactic"
    new_year = _parse(_download(acc, 2025))
    assert new_year.heading_value("Number of incidents") == ["1"]
    assert new_year.tables[1].row("Shield")[incidents] == 1
    assert new_year.tables[1].row("Baton used")[incidents] == 0
    assert new_year.tables[1].row("Dog bite")[incidents] == 0
    old_year = _parse(_download(acc, 2024))
    assert old_year.tables[1].row("Shield")[incidents] == 0
    assert old_year.tables[1].row("Baton used")[incidents] == 1
    assert _parse(_download(acc, 2026)).tables[1].row("Dog bite")[incidents] == 1


# --- Tables 2-9 -------------------------------------------------------------------------------------------

def test_breakdowns_by_the_person_reasons_and_outcomes(make, acc, world):
    make.report(world, incident_at=IN_2025, tactics=_tactics("non_compliant_handcuffing", "unarmed_skills"),
                subject={"age_band": "age_11_17", "gender": "female", "ethnicity": "black",
                         "health_condition": "mental"},
                reasons=["protect_self", "prevent_harm"], impact_factors=["size_gender_build", "drugs"],
                outcomes=["no_further_action", "other"])
    make.report(world, incident_at=IN_2025, tactics=_tactics("non_compliant_handcuffing"),
                reasons=["protect_self"], impact_factors=[], outcomes=["arrested"])
    result = _parse(_download(acc, 2025))
    age = result.tables[2]
    assert age.header[:2] == ["Type of force", "Tactic"]
    assert age.header[-1] == "Total"
    assert age.rows[0][:2] == ["", ho.TOTAL_INCIDENTS]
    assert age.row(ho.TOTAL_INCIDENTS) == {"Under 11 years": 0, "11 - 17 years": 1, "18 - 34 years": 1,
                                           "35 - 49 years": 0, "50 - 64 years": 0, "65 and over": 0,
                                           "Not reported": 0, "Total": 2}
    assert age.row("Total Tactics")["11 - 17 years"] == 2
    assert age.row("Total Tactics")["Total"] == 3
    assert age.row("Total Unarmed skills")["11 - 17 years"] == 1
    assert result.tables[4].row("Non-compliant handcuffing")["Black (or Black British)"] == 1
    assert result.tables[5].header[2:-1] == ["Mental", "Physical", "Physical and mental", "None", "Not reported"]
    assert result.tables[5].row(ho.TOTAL_INCIDENTS)["Mental"] == 1
    reasons = result.tables[6]
    assert reasons.row(ho.TOTAL_INCIDENTS)["Protect self"] == 2
    assert reasons.row(ho.TOTAL_INCIDENTS)["Prevent harm"] == 1
    assert reasons.row("Total Tactics")["Protect self"] == 3
    assert result.tables[7].row(ho.TOTAL_INCIDENTS)["Size/gender/build"] == 1
    outcomes = result.tables[8]
    # "No further action" is the Home Office's "Other": with "Other" in the same report, still one incident.
    assert outcomes.row(ho.TOTAL_INCIDENTS) == {"Made off/escaped": 0, "Arrested": 1, "Hospitalised": 0,
                                                "Detained (Mental Health Act)": 0, "Fatality": 0, "Other": 1,
                                                "Total": 2}
    assert outcomes.row("Total Tactics")["Other"] == 2


def test_a_setting_counts_an_incident_once_whatever_its_locations(make, acc, world):
    make.report(world, incident_at=IN_2025, tactics=_tactics("ground_restraint", "limb_body_restraints"),
                locations=["street_highway", "open_ground", "custody_block"])
    make.report(world, incident_at=IN_2025, tactics=_tactics("ground_restraint"), locations=["dwelling"])
    locations = _parse(_download(acc, 2025)).tables[9]
    incidents = locations.row(ho.TOTAL_INCIDENTS)
    open_ground = "Open ground (e.g. park, car park, field etc.)"
    assert (incidents["Public"], incidents["Street/ highway"], incidents[open_ground], incidents["Police setting"],
            incidents["Custody block"], incidents["Medical setting"], incidents["Dwelling"], incidents["Other"],
            incidents["Total"]) == (1, 1, 1, 1, 1, 0, 1, 0, 2)
    restraint = locations.row("Total Restraint")
    assert (restraint["Public"], restraint["Street/ highway"], restraint["Police setting"],
            restraint["Dwelling"], restraint["Total"]) == (2, 2, 2, 1, 3)
    assert locations.row("Ground restraint")["Public"] == 1


# --- Tables 10 and 11: injuries ---------------------------------------------------------------------------

def test_injuries_to_officers_and_to_the_person(make, acc, world):
    make.report(world, incident_at=IN_2025,
                officer_injury={"injured": True, "intentional_assault": True, "level": "minor"},
                subject_injury={"injured": True, "level": "severe", "medical_assistance": "provided"})
    make.report(world, incident_at=IN_2025,
                officer_injury={"injured": True, "intentional_assault": False, "level": "severe"},
                subject_injury={"injured": False, "level": "none", "medical_assistance": "offered"})
    make.report(world, incident_at=IN_2025)  # nobody injured
    result = _parse(_download(acc, 2025))
    officers = result.tables[10]
    assert [row[:2] for row in officers.rows] == [
        ["Yes", "Yes"], ["", "No"], ["", "Not reported"], ["No", "Yes"], ["", "No"], ["", "Not reported"],
        ["Not reported", "Yes"], ["", "No"], ["", "Not reported"], ["Total incidents", ""]]
    numbers = [[int(cell) for cell in row[2:]] for row in officers.rows]
    assert numbers == [[1, 1, 0, 0], [1, 0, 1, 0], [0, 0, 0, 0], [0, 0, 0, 0], [1, 0, 0, 1], [0, 0, 0, 0],
                       [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [3, 1, 1, 1]]
    person = result.tables[11]
    assert person.header[6:] == ["Medical assistance: None", "Medical assistance: Offered",
                                 "Medical assistance: Provided"]
    assert {row[0]: [int(cell) for cell in row[1:]] for row in person.rows} == {
        "Yes": [1, 0, 1, 0, 0, 0, 0, 1],
        "No": [2, 0, 0, 0, 2, 1, 1, 0],
        "Unknown": [0, 0, 0, 0, 0, 0, 0, 0],
        "Not reported": [0, 0, 0, 0, 0, 0, 0, 0],
        "Total incidents": [3, 0, 1, 0, 2, 1, 1, 1],
    }


# --- the whole return -------------------------------------------------------------------------------------

def test_a_year_with_no_reports_gives_every_table_with_zeros(app, acc, world):
    response = _download(acc, 2019)
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="home-office-return-2019-20.csv"'
    result = _parse(response)
    assert result.heading_value("Financial year")[0] == "2019/20"
    assert result.heading_value("Number of incidents") == ["0"]
    assert result.tables[1].title == ("Table 1: Number of times tactics were used and total number of incidents "
                                      "in which they were used, year ending March 2020")
    assert [row[1] for row in result.tables[1].rows] == [tactic for _, tactic in _table_1_rows()]
    for number, table in result.tables.items():
        assert table.rows, number
        numbers = [cell for row in table.rows for cell in row if cell.isdigit()]
        assert numbers, number
        assert set(numbers) == {"0"}, number
    assert len(result.tables[2].rows) == 1 + len(ho.CROSS_TABLE_ROWS)


def _table_1_rows() -> list[tuple[str, str]]:
    return [(row.type_of_force, row.tactic) for row in ho.TABLE_1_ROWS]


def test_heading_names_force_year_policy_and_rules(app, make, acc, world):
    make.report(world, incident_at=IN_2025)
    result = _parse(_download(acc, 2025))
    assert result.heading_value("Police force") == ["Police force not named (set UOF_FORCE_NAME)"]
    assert result.heading_value("Financial year") == [
        "2025/26", "1 April 2025 to 31 March 2026, by the UK date of the incident"]
    assert result.heading_value("Date produced") == [today_in_uk().isoformat()]
    assert result.heading_value("Recording policy version") == [
        "Preset", "In force from (UK time)", "Incidents recorded under it"]
    assert result.heading_value("1")[0] == "national"
    assert result.heading_value("1")[2] == "1"
    assert not any(row[0] == "Warning" for row in result.heading)
    rules = [row[1] for row in result.heading if row[0] in ("Counting rules", "")]
    assert rules == list(ho.COUNTING_RULES)


def test_a_year_spanning_a_change_of_threshold_says_so(app, make, acc, world):
    with app.app_context():
        policy.set_policy("derogated", actor=None, effective_from=datetime(2025, 10, 1, 8, 0, tzinfo=UTC))
        db.session.commit()
    make.report(world, incident_at=IN_2025)
    make.report(world, incident_at="2025-11-02T12:00:00Z")
    make.report(world, incident_at="2025-11-03T12:00:00Z")
    result = _parse(_download(acc, 2025))
    assert result.heading_value("1")[0] == "national"
    assert result.heading_value("1")[2] == "1"
    assert result.heading_value("2")[0] == "derogated"
    assert result.heading_value("2")[1] == "1 Oct 2025, 09:00"
    assert result.heading_value("2")[2] == "2"
    (warning,) = result.heading_value("Warning")
    assert warning.startswith("This year spans a change of recording threshold: from 1 Oct 2025, 09:00, "
                              "version 2 (derogated) made Tactical communication optional, ")
    assert "Handcuffing – compliant optional" in warning
    # The year before and the year after were each recorded under one threshold.
    assert not any(row[0] == "Warning" for row in _parse(_download(acc, 2024)).heading)
    assert not any(row[0] == "Warning" for row in _parse(_download(acc, 2026)).heading)


def test_a_new_version_with_the_same_levels_is_not_a_change_of_threshold(app, make, acc, world):
    with app.app_context():
        policy.set_policy("national", actor=None, effective_from=datetime(2025, 10, 1, tzinfo=UTC))
        db.session.commit()
    make.report(world, incident_at=IN_2025)
    make.report(world, incident_at="2025-11-02T12:00:00Z")
    result = _parse(_download(acc, 2025))
    assert [result.heading_value(version)[2] for version in ("1", "2")] == ["1", "1"]
    assert not any(row[0] == "Warning" for row in result.heading)


@pytest.mark.app_config(UOF_FORCE_NAME="=cmd|' /C calc'!A0")
def test_no_cell_can_become_a_formula(app, make, acc, world):
    # Areas and team names are typed by an administrator.
    make.team("=cmd|' /C calc'!A0", "@SUM(A1)")
    make.team("+Team", "-2+3")
    make.report(world, incident_at=IN_2025, area="@SUM(A1)", incident_reference="=HYPERLINK(\"http://x\")")
    make.report(world, incident_at=IN_2025, area="-2+3")
    response = _download(acc, 2025)
    result = _parse(response)
    assert result.heading_value("Police force") == ["'=cmd|' /C calc'!A0"]
    assert result.tables[13].rows[0][1] == "'=cmd|' /C calc'!A0"
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert not [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)]
    assert "@SUM" not in response.get_data(as_text=True)  # areas are not in the return at all


# --- requests ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "message"), [
    ("", "Give the financial year"), ("?year=", "Give the financial year"), ("?year=25", "four digits"),
    ("?year=2025-26", "four digits"), ("?year=twenty", "four digits"), ("?year=2016", "2017 or later"),
    ("?year=9999", "or earlier"),
])
def test_bad_years_are_400_with_a_plain_message(app, acc, query, message):
    response = acc.get(URL + query)
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.home_office")) is None


def test_next_year_is_allowed_and_the_year_after_is_not(app, acc, world):
    next_year = today_in_uk().year + 1
    assert _download(acc, next_year).status_code == 200
    assert _download(acc, next_year + 1).status_code == 400
    assert _download(acc, 2017).status_code == 200


def test_download_is_audited_with_year_and_report_count(app, make, acc, world):
    make.report(world, incident_at=IN_2025)
    make.report(world, incident_at="2025-12-01T12:00:00Z")
    make.report(world, incident_at="2024-12-01T12:00:00Z")
    _parse(_download(acc, 2025))
    with app.app_context():
        (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export.home_office")).all()
        assert event.actor_label == "acc@example.org"
        assert event.object_type == "export"
        assert event.detail == {"year": 2025, "reports": 2}
