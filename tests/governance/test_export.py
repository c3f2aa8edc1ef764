"""The record-level CSV export: who may download it, which reports it holds, and what it never contains."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from uof.domain.spreadsheet import safe_cell
from uof.extensions import db
from uof.models import AuditEvent, Report, User
from uof.services import exports, reviews

URL = "/governance/export.csv"


def _rows(response: Any) -> list[dict[str, str]]:
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == exports.HEADER
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.fixture
def world(make):  # type: ignore[no-untyped-def]
    make.team("Birmingham Central A", "Birmingham")
    make.team("Coventry Response", "Coventry")
    officer = make.user("pc.smith@example.org", "officer", teams=("Birmingham Central A",),
                        force_number="PC4521", name="Alice Smith")
    other = make.user("pc.jones@example.org", "officer", teams=("Birmingham Central A",),
                      force_number="PC9876", name="Bob Jones")
    make.user("sergeant@example.org", "supervisor", "officer", teams=("Birmingham Central A",))
    make.user("acc@example.org", "governance")
    return officer, other


# --- safe_cell ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["=1+2", "+44 121", "-2+3", "@SUM(A1)", "\t=cmd", "\r=cmd",
                                   "=HYPERLINK(\"http://x\",\"y\")"])
def test_safe_cell_neutralises_formulas(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize(("value", "expected"), [
    ("CAD-1234", "CAD-1234"), ("a=b", "a=b"), ("", ""), (None, ""), (True, "Yes"), (False, "No"), (3, "3"),
    (" =x", " =x"),
])
def test_safe_cell_leaves_plain_text(value, expected):
    assert safe_cell(value) == expected


# --- periods -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("today", "start", "end"), [
    (date(2026, 4, 1), date(2026, 4, 1), date(2026, 6, 30)),
    (date(2026, 9, 30), date(2026, 7, 1), date(2026, 9, 30)),
    (date(2026, 12, 25), date(2026, 10, 1), date(2026, 12, 31)),
    (date(2027, 2, 28), date(2027, 1, 1), date(2027, 3, 31)),
    (date(2027, 3, 31), date(2027, 1, 1), date(2027, 3, 31)),
])
def test_default_period_is_the_financial_quarter(today, start, end):
    assert exports.parse_period(None, None, today) == exports.Period(start, end)


@pytest.mark.parametrize(("raw_from", "raw_to"), [
    ("2025-04-01", None), (None, "2025-04-01"), ("01/04/2025", "2025-04-30"), ("2025-04-01", "20250430"),
    ("2025-02-30", "2025-03-01"), ("2025-05-01", "2025-04-30"), ("", ""), ("2016-01-01", "2016-12-31"),
    ("2025-04-01", "9999-12-31"), ("２０２５-04-01", "2025-04-30"),
])
def test_bad_periods_are_refused(raw_from, raw_to):
    with pytest.raises(exports.PeriodError):
        exports.parse_period(raw_from, raw_to, date(2026, 1, 1))


def test_pseudonym_is_stable_keyed_and_short():
    one = exports.officer_pseudonym(7, "key-a")
    assert one == exports.officer_pseudonym(7, "key-a")
    assert re.fullmatch(r"[0-9a-f]{12}", one)
    assert one != exports.officer_pseudonym(8, "key-a")
    assert one != exports.officer_pseudonym(7, "key-b")


# --- the download ------------------------------------------------------------------------------------------

def test_rows_for_reports_in_range_only_by_uk_date(app, make, auth, client, world):
    officer, _ = world
    # BST: 23:30 UTC on 30 Jun is 00:30 on 1 Jul in the UK.
    july = make.report(officer, incident_at="2025-06-30T23:30:00Z", incident_reference="CAD-JULY")
    june = make.report(officer, incident_at="2025-06-30T22:59:00Z", incident_reference="CAD-JUNE")
    # GMT: 00:00 UTC on 1 Jan is midnight in the UK.
    make.report(officer, incident_at="2025-01-01T00:00:00Z", incident_reference="CAD-NEWYEAR")
    auth.login("acc@example.org")
    response = client.get(f"{URL}?from=2025-06-01&to=2025-06-30")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="use-of-force-records-2025-06-01-to-2025-06-30.csv"')
    rows = _rows(response)
    assert [row["Reference"] for row in rows] == [f"UOF-{june:06d}"]
    assert rows[0]["Incident date"] == "30 Jun 2025"
    assert rows[0]["Incident time (UK)"] == "23:59"
    rows = _rows(client.get(f"{URL}?from=2025-07-01&to=2025-07-01"))
    assert [row["Reference"] for row in rows] == [f"UOF-{july:06d}"]
    assert rows[0]["Incident time (UK)"] == "00:30"
    rows = _rows(client.get(f"{URL}?from=2024-12-31&to=2025-01-01"))
    assert [row["Incident reference"] for row in rows] == ["CAD-NEWYEAR"]
    assert _rows(client.get(f"{URL}?from=2024-12-01&to=2024-12-31")) == []


def test_clock_change_days(app, make, auth, client, world):
    officer, _ = world
    # Clocks went forward at 01:00 UTC on 30 Mar 2025 and back at 01:00 UTC on 26 Oct 2025.
    make.report(officer, incident_at="2025-03-29T23:59:00Z", incident_reference="SAT-2359")
    make.report(officer, incident_at="2025-03-30T00:30:00Z", incident_reference="SUN-0030")
    make.report(officer, incident_at="2025-03-30T22:59:00Z", incident_reference="SUN-2359")
    make.report(officer, incident_at="2025-03-30T23:00:00Z", incident_reference="MON-0000")
    make.report(officer, incident_at="2025-10-25T23:00:00Z", incident_reference="OCT-SUN-0000")
    make.report(officer, incident_at="2025-10-26T01:30:00Z", incident_reference="OCT-SUN-0130")
    make.report(officer, incident_at="2025-10-26T23:59:00Z", incident_reference="OCT-SUN-2359")
    make.report(officer, incident_at="2025-10-25T22:59:00Z", incident_reference="OCT-SAT-2359")
    auth.login("acc@example.org")
    rows = _rows(client.get(f"{URL}?from=2025-03-30&to=2025-03-30"))
    assert [(r["Incident reference"], r["Incident time (UK)"]) for r in rows] == [
        ("SUN-0030", "00:30"), ("SUN-2359", "23:59")]
    rows = _rows(client.get(f"{URL}?from=2025-10-26&to=2025-10-26"))
    assert [(r["Incident reference"], r["Incident time (UK)"]) for r in rows] == [
        ("OCT-SUN-0000", "00:00"), ("OCT-SUN-0130", "01:30"), ("OCT-SUN-2359", "23:59")]


def test_row_contents_pseudonym_and_no_narrative(app, make, auth, client, world):
    officer, other = world
    first = make.report(
        officer, incident_at="2025-05-10T12:00:00Z", incident_reference="CAD-1", area="Coventry",
        narrative="SECRET NARRATIVE about the arrest",
        locations=["street_highway", "dwelling"],
        subject={"age_band": "age_18_34", "gender": "female", "ethnicity": "mixed", "health_condition": "none"},
        tactics=[{"code": "tactical_communication", "effective": True},
                 {"code": "irritant_spray_cs_drawn", "effective": True},
                 {"code": "irritant_spray_pava_drawn", "effective": False},
                 {"code": "ced_drawn", "effective": True}, {"code": "ced_aimed", "effective": True},
                 {"code": "ced_fired", "effective": False}],
        impact_factors=["size_gender_build"], ced_carried=True,
        bwv={"worn": True, "recording": True, "reference": "BWV-SECRET-1", "viewed_before_account": False},
    )
    make.report(officer, incident_at="2025-05-11T12:00:00Z", incident_reference="CAD-2")
    make.report(other, incident_at="2025-05-12T12:00:00Z", incident_reference="CAD-3")
    with app.app_context():
        report = db.session.get(Report, first)
        sergeant = db.session.scalar(select(User).where(User.email == "sergeant@example.org"))
        assert report is not None
        assert sergeant is not None
        outcome = reviews.decide(report, sergeant, {
            "decision": "approve", "comment": "SECRET COMMENT", "bwv_reviewed": True,
            "bwv_reference": "BWV-SECRET-1", "debrief_held": False})
        assert not getattr(outcome, "errors", None)
        db.session.commit()
        key = app.config["UOF_SETTINGS"].audit_key
    auth.login("acc@example.org")
    response = client.get(f"{URL}?from=2025-05-01&to=2025-05-31")
    text = response.get_data(as_text=True)
    for secret in ("SECRET", "Alice", "Smith", "Bob Jones", "PC4521", "PC9876", "pc.smith", "BWV-SECRET"):
        assert secret not in text
    rows = _rows(response)
    assert [row["Incident reference"] for row in rows] == ["CAD-1", "CAD-2", "CAD-3"]
    mine = exports.officer_pseudonym(officer.id, key)
    assert [row["Officer (pseudonym)"] for row in rows] == [mine, mine, exports.officer_pseudonym(other.id, key)]
    assert mine not in (str(officer.id), f"{officer.id:012d}")
    assert rows[2]["Officer (pseudonym)"] != mine
    row = rows[0]
    assert row["Area"] == "Coventry"
    assert row["Team"] == "Birmingham Central A"
    assert row["Status"] == "Approved"
    assert row["Policy version"] == "1"
    assert row["Location codes"] == "street_highway; dwelling"
    assert row["Locations"] == "Street/ highway; Dwelling"
    assert (row["Gender code"], row["Gender"]) == ("female", "Female")
    assert (row["Ethnicity code"], row["Ethnicity"]) == ("mixed", "Mixed")
    assert row["Impact factors"] == "Size/gender/build"
    # Each category once, Taser at its highest level, tactical communication not counted as force.
    assert row["Tactics (Home Office)"] == "Irritant spray - drawn; CED Fired"
    assert row["Tactics not effective (Home Office)"] == "Irritant spray - drawn; CED Fired"
    assert row["Effectiveness"] == "Partly"
    assert (row["BWV worn"], row["BWV recording"], row["BWV reference given"]) == ("Yes", "Yes", "Yes")
    assert row["Review status"] == "Reviewed"
    assert row["Review decision"] == "Approved"
    assert row["BWV reviewed"] == "Yes"
    assert row["Reviewed at (UK)"]
    assert rows[1]["Review status"] == "Awaiting review"
    assert rows[1]["Review decision"] == ""
    assert rows[1]["Tactics (Home Office)"] == "Non-compliant handcuffing"


def test_user_text_cannot_become_a_formula(app, make, auth, client, world):
    officer, _ = world
    # Areas and team names are typed by an administrator; incident references by officers.
    make.team("=cmd|' /C calc'!A0", "@SUM(A1)")
    make.team("+Team", "-2+3")
    make.report(officer, incident_at="2025-05-10T12:00:00Z", incident_reference="=HYPERLINK(\"http://x\")",
                area="@SUM(A1)")
    make.report(officer, incident_at="2025-05-11T12:00:00Z", incident_reference="+44-1", area="-2+3")
    auth.login("acc@example.org")
    rows = _rows(client.get(f"{URL}?from=2025-05-01&to=2025-05-31"))
    assert [(row["Incident reference"], row["Area"]) for row in rows] == [
        ("'=HYPERLINK(\"http://x\")", "'@SUM(A1)"), ("'+44-1", "'-2+3")]


@pytest.mark.parametrize(("query", "message"), [
    ("?from=2025-05-01", "Give both"), ("?to=2025-05-01", "Give both"), ("?from=x&to=y", "YYYY-MM-DD"),
    ("?from=2025-05-31&to=2025-05-01", "on or after"), ("?from=2025-02-29&to=2025-03-01", "not a real date"),
])
def test_bad_dates_are_400_with_a_plain_message(app, auth, client, world, query, message):
    auth.login("acc@example.org")
    response = client.get(URL + query)
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.csv")) is None


def test_no_dates_exports_the_current_quarter(app, auth, client, world):
    auth.login("acc@example.org")
    response = client.get(URL)
    assert response.status_code == 200
    period = exports.financial_quarter(exports.today_in_uk())
    assert period.filename in response.headers["Content-Disposition"]
    assert _rows(response) == []


def test_download_is_audited_with_period_and_row_count(app, make, auth, client, world):
    officer, _ = world
    make.report(officer, incident_at="2025-05-10T12:00:00Z", incident_reference="CAD-1")
    make.report(officer, incident_at="2025-05-11T12:00:00Z", incident_reference="CAD-2")
    auth.login("acc@example.org")
    assert len(_rows(client.get(f"{URL}?from=2025-05-01&to=2025-05-31"))) == 2
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.csv"))
        assert event is not None
        assert event.actor_label == "acc@example.org"
        assert event.detail == {"from": "2025-05-01", "to": "2025-05-31", "rows": 2}
