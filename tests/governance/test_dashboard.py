"""The governance dashboard: hand-counted figures, the filters, the policy stamp, the data-quality list, the links
that carry the filters, the audit, and the record-level CSV narrowed by the same filters.

The force moved to the derogated recording policy at 01:00 BST on 15 May 2025 (00:00 UTC).

|    | team       | incident, UTC    | policy | tactics                              | age, gender, ethnicity, health |
|----|------------|------------------|--------|--------------------------------------|--------------------------------|
| r1 | Birmingham | Sat 3 May 10:00  | 1      | tactical comm., non-compliant cuffs  | 18-34, male, White, none       |
| r2 | Birmingham | Tue 20 May 22:30 | 2      | Taser drawn, aimed, fired            | 35-49, female, Black, mental   |
| r3 | Coventry   | Tue 10 Jun 12:00 | 2      | CS drawn, PAVA drawn, unarmed skills | 18-34, not rep., not rep., none |
| r4 | Birmingham | Wed 30 Apr 22:59 | 1      | non-compliant handcuffing            | 18-34, male, White, none       |

|    | BWV                     | submitted     | review                                  |
|----|-------------------------|---------------|-----------------------------------------|
| r1 | recording, reference    | 1 hour after  | approved 10 hours after submission      |
| r2 | recording, no reference | today: late   | waiting since submission (not yet due)  |
| r3 | not worn                | 2 hours after | waiting since 10 June (overdue)         |
| r4 | recording, reference    | 1 hour after  | waiting                                 |

Every report gives the factory's locations (street), reasons (protect self, effect arrest), impact factor
(alcohol), injuries (none) and outcome (arrested), except r2's outcome: hospitalised.
The period 1 May - 30 June 2025 holds r1, r2 and r3 (r4 is 23:59 on 30 April, UK time).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from sqlalchemy import select

from tests.conftest import AuthActions
from tests.dashboards.test_pages import Page
from tests.factories import Maker
from uof.extensions import db
from uof.models import AuditEvent, Report, User
from uof.services import exports, facts, governance, policy, reviews

URL = "/governance"
MAY_JUNE = "?from=2025-05-01&to=2025-06-30"
POLICY_CHANGE = datetime(2025, 5, 15, 0, 0, tzinfo=UTC)


@dataclass(frozen=True)
class World:
    brum_team: int
    cov_team: int
    r1: int
    r2: int
    r3: int
    r4: int


def _tactics(*codes: str) -> list[dict[str, Any]]:
    return [{"code": code, "effective": True} for code in codes]


def _subject(age: str, gender: str, ethnicity: str, health: str) -> dict[str, str]:
    return {"age_band": age, "gender": gender, "ethnicity": ethnicity, "health_condition": health}


def _bwv(worn: bool, recording: bool = False, reference: str | None = None) -> dict[str, Any]:
    return {"worn": worn, "recording": recording, "reference": reference, "viewed_before_account": False}


def _submitted(app: Flask, report_id: int, after: timedelta, waiting_since: datetime | None = None) -> None:
    """Say the report was submitted ``after`` its incident (and has waited for a decision since)."""
    with app.app_context():
        report = db.session.get(Report, report_id)
        assert report is not None
        report.submitted_at = report.incident_at + after
        report.awaiting_review_since = waiting_since or report.submitted_at
        facts.refresh(report, facts.placed(report))  # whether it was late is one of its facts
        db.session.commit()


@pytest.fixture
def world(app: Flask, make: Maker) -> World:
    brum_team = make.team("Birmingham Central A", "Birmingham")
    cov_team = make.team("Coventry Response", "Coventry")
    with app.app_context():
        policy.set_policy("derogated", actor=None, effective_from=POLICY_CHANGE, note="Derogation")
        db.session.commit()
    brum = make.user("pc.smith@example.org", "officer", teams=("Birmingham Central A",))
    cov = make.user("pc.jones@example.org", "officer", teams=("Coventry Response",))
    make.user("sergeant@example.org", "supervisor", teams=("Birmingham Central A",))
    make.user("acc@example.org", "governance")
    r1 = make.report(brum, incident_at="2025-05-03T10:00:00Z",
                     tactics=_tactics("tactical_communication", "non_compliant_handcuffing"),
                     bwv=_bwv(True, True, "BWV-1"))
    r2 = make.report(brum, incident_at="2025-05-20T22:30:00Z", tactics=_tactics("ced_drawn", "ced_aimed", "ced_fired"),
                     ced_carried=True, subject=_subject("age_35_49", "female", "black", "mental"),
                     outcomes=["hospitalised"], bwv=_bwv(True, True))
    r3 = make.report(cov, incident_at="2025-06-10T12:00:00Z",
                     tactics=_tactics("irritant_spray_cs_drawn", "irritant_spray_pava_drawn", "unarmed_skills"),
                     subject=_subject("age_18_34", "not_reported", "not_reported", "none"), bwv=_bwv(False))
    r4 = make.report(brum, incident_at="2025-04-30T22:59:00Z")
    _submitted(app, r1, timedelta(hours=1))
    _submitted(app, r3, timedelta(hours=2))
    _submitted(app, r4, timedelta(hours=1))
    with app.app_context():
        report = db.session.get(Report, r1)
        sergeant = db.session.scalar(select(User).where(User.email == "sergeant@example.org"))
        assert report is not None
        assert sergeant is not None
        decided = reviews.decide(report, sergeant, {"decision": "approve", "bwv_reviewed": False,
                                                    "debrief_held": False},
                                 now=report.submitted_at + timedelta(hours=10))
        assert decided.review is not None
        db.session.commit()
    return World(brum_team, cov_team, r1, r2, r3, r4)


def _login(client) -> None:  # type: ignore[no-untyped-def]
    AuthActions(client).login("acc@example.org")


def _get(client, query: str = "") -> tuple[int, str]:  # type: ignore[no-untyped-def]
    response = client.get(URL + query)
    return response.status_code, response.get_data(as_text=True)


def _total(page: str) -> int:
    found = re.search(r"<strong data-total>(\d+) reports?</strong>", page)
    assert found, "no total on the page"
    return int(found.group(1))


def _rows(page: Page, table: str) -> dict[str, list[str]]:
    """A table's body rows by their first cell."""
    return {cells[0]: cells[1:] for cells in page.tables[table]}


def _links(page: str) -> dict[str, str]:
    """Each download link's href, by its data-download name."""
    return {name: href.replace("&amp;", "&")
            for href, name in re.findall(r'<a href="([^"]+)" data-download="([^"]+)"', page)}


def _query(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


# --- figures -----------------------------------------------------------------------------------------------

def test_figures_are_the_hand_counted_ones(client, world):
    _login(client)
    status, html = _get(client, MAY_JUNE)
    assert status == 200
    assert _total(html) == 3
    assert "Incidents from 1 May 2025 to 30 Jun 2025" in html
    page = Page(html)
    assert page.tables["monthly"] == [["May 2025", "2"], ["Jun 2025", "1"]]
    assert page.charts["monthly-chart"] == {"labels": ["May 2025", "Jun 2025"], "values": ["2", "1"]}
    # Tactics: Taser at its highest level only; CS and PAVA drawn are one report and two times; tactical
    # communication listed last. Columns: reports, times reported, share.
    assert page.tables["tactic"] == [
        ["Non-compliant handcuffing", "1", "1", "33%"], ["Unarmed skills", "1", "1", "33%"],
        ["Irritant spray - drawn", "1", "2", "33%"], ["CED Fired", "1", "1", "33%"],
        ["Tactical communication (with other tactic)", "1", "1", "33%"]]
    assert page.charts["tactic-chart"]["values"] == ["1 (33%)"] * 5
    assert page.tables["tactic_group"] == [["Restraint", "1", "33%"], ["Unarmed skills", "1", "33%"],
                                           ["Other equipment", "1", "33%"], ["Less lethal weapons", "1", "33%"]]
    assert _rows(page, "ethnicity") == {
        "White": ["1", "33%"], "Black (or Black British)": ["1", "33%"], "Asian (or Asian British)": ["0", "0%"],
        "Mixed": ["0", "0%"], "Other": ["0", "0%"], "Not reported": ["1", "33%"]}
    assert _rows(page, "gender") == {"Male": ["1", "33%"], "Female": ["1", "33%"], "Other": ["0", "0%"],
                                     "Not reported": ["1", "33%"]}
    assert _rows(page, "age_band")["18 - 34 years"] == ["2", "67%"]
    assert _rows(page, "age_band")["35 - 49 years"] == ["1", "33%"]
    assert _rows(page, "health_condition")["Mental"] == ["1", "33%"]
    # Multiple choice: every report gave protect self and effect arrest (the factory's reasons).
    assert _rows(page, "reason")["Protect self"] == ["3", "100%"]
    assert _rows(page, "impact_factor")["Alcohol"] == ["3", "100%"]
    assert _rows(page, "outcome")["Arrested"] == ["2", "67%"]
    assert _rows(page, "outcome")["Hospitalised"] == ["1", "33%"]
    assert _rows(page, "location")["Street/ highway"] == ["3", "100%"]
    assert _rows(page, "area") == {"Birmingham": ["2", "67%"], "Coventry": ["1", "33%"]}
    assert _rows(page, "officer_injury_level")["None"] == ["3", "100%"]
    assert _rows(page, "subject_injury_level")["None"] == ["3", "100%"]
    assert _rows(page, "bwv") == {
        "Recorded, footage reference given": ["1", "33%"], "Recorded, no footage reference": ["1", "33%"],
        "Worn, not recording": ["0", "0%"], "Not worn": ["1", "33%"]}
    # r1 decided 10 hours after submission; r2 submitted today, not yet due; r3 waiting since 10 June.
    assert _rows(page, "review") == {
        "First decision within 72 hours": ["1", "33%"], "First decision after 72 hours": ["0", "0%"],
        "Awaiting a decision, not yet due": ["1", "33%"], "Awaiting a decision over 72 hours": ["1", "33%"]}


def test_data_quality_lists_late_not_reported_and_missing_references(client, world):
    _login(client)
    _, html = _get(client, MAY_JUNE)
    page = Page(html)
    assert _rows(page, "quality") == {
        "Submitted more than 24 hours after the incident": ["1", "33%"],
        "Recorded on body-worn video without a footage reference": ["1", "33%"]}
    assert _rows(page, "not_reported") == {"Age (perceived)": ["0", "0%"], "Gender (perceived)": ["1", "33%"],
                                          "Ethnicity (perceived)": ["1", "33%"],
                                          "Health condition (perceived)": ["0", "0%"]}
    listed = html[html.index("data-quality-list"):]
    # The latest incident first, each linking to its report with every problem it has.
    r3, r2 = listed.index(f'href="/reports/{world.r3}"'), listed.index(f'href="/reports/{world.r2}"')
    assert r3 < r2
    assert f"/reports/{world.r1}\"" not in listed
    assert listed[r3:r2].count("<li>") == 2
    assert "Ethnicity not reported" in listed[r3:r2]
    assert "Gender not reported" in listed[r3:r2]
    assert "Submitted more than 24 hours after the incident" in listed[r2:]
    assert "Recorded on body-worn video without a footage reference" in listed[r2:]
    assert "<strong>2 reports</strong> with at least one problem" in html
    assert "data-more" not in html


def test_the_list_says_how_many_more(client, world, monkeypatch):
    monkeypatch.setattr(governance, "QUALITY_LISTED", 1)
    _login(client)
    _, html = _get(client, MAY_JUNE)
    assert f'href="/reports/{world.r3}"' in html
    assert f'href="/reports/{world.r2}"' not in html
    assert "<p data-more>And 1 more.</p>" in html


# --- filters -----------------------------------------------------------------------------------------------

def test_filters_narrow_every_figure(client, world):
    _login(client)
    _, html = _get(client, MAY_JUNE + "&area=Coventry")
    assert _total(html) == 1
    assert Page(html).tables["monthly"] == [["May 2025", "0"], ["Jun 2025", "1"]]
    assert "Incidents from 1 May 2025 to 30 Jun 2025, in Coventry:" in html
    assert '<option value="Coventry" selected>' in html
    assert _rows(Page(html), "area") == {"Coventry": ["1", "100%"]}

    _, html = _get(client, MAY_JUNE + f"&team={world.brum_team}")
    assert _total(html) == 2
    page = Page(html)
    assert _rows(page, "area") == {"Birmingham": ["2", "100%"]}  # counted from the team's reports
    assert [row[0] for row in page.tables["tactic"]] == [
        "Non-compliant handcuffing", "CED Fired", "Tactical communication (with other tactic)"]
    assert f'<option value="{world.brum_team}" selected>Birmingham Central A (Birmingham)</option>' in html

    _, html = _get(client, MAY_JUNE + "&group=Less+lethal+weapons")
    assert _total(html) == 1
    page = Page(html)
    assert page.tables["tactic_group"] == [["Less lethal weapons", "1", "100%"]]
    assert _rows(page, "gender")["Female"] == ["1", "100%"]
    assert "using less lethal weapons" in html

    _, html = _get(client, MAY_JUNE + f"&area=Coventry&team={world.brum_team}")
    assert _total(html) == 0
    assert "data-no-reports" in html
    assert 'data-table="tactic"' not in html


def test_the_period_is_by_uk_date(client, world):
    _login(client)
    _, html = _get(client, "?from=2025-04-30&to=2025-04-30")
    assert _total(html) == 1
    _, html = _get(client, "?from=2025-05-01&to=2025-05-01")
    assert _total(html) == 0


def test_no_dates_show_the_current_quarter(client, world):
    _login(client)
    status, html = _get(client)
    assert status == 200
    quarter = exports.financial_quarter(exports.today_in_uk())
    assert f'id="from" name="from" type="date" min="2017-04-01" value="{quarter.start.isoformat()}"' in html
    assert _total(html) == 0
    # Empty dates, as an emptied form sends them, are the current quarter too.
    assert _get(client, "?from=&to=&area=&team=&group=")[0] == 200


@pytest.mark.parametrize(("query", "field", "message"), [
    ("?from=x&to=2025-05-01", "from", "must be a date like"),
    ("?from=2025-05-01", "to", "Give both"),
    ("?from=2025-06-01&to=2025-05-01", "to", "on or after"),
    ("?area=Nowhere", "area", "'area' must be one of the force's areas."),
    ("?team=999", "team", "'team' must be one of the force's teams."),
    ("?team=%C2%B2", "team", "'team' must be one of the force's teams."),
    ("?team=99999999999999999999", "team", "'team' must be one of the force's teams."),
    ("?group=Weapons", "group", "'group' must be one of: Restraint"),
])
def test_bad_filters_are_a_400_with_the_form_and_no_figures(app, client, world, query, field, message):
    _login(client)
    status, html = _get(client, query)
    assert status == 400
    assert "<title>Error: Governance dashboard" in html
    assert 'class="error-summary"' in html
    assert f'<a href="#{field}">' in html
    assert message in unescape(html)
    assert f'id="{field}-error"' in html
    assert "data-filters" in html
    for figure in ("data-total", "data-policy-stamp", "data-table=", "data-download"):
        assert figure not in html
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "governance.dashboard.view")) is None


# --- the recording policy ----------------------------------------------------------------------------------

def test_one_policy_version_is_stamped(client, world):
    _login(client)
    _, html = _get(client, "?from=2025-06-01&to=2025-06-30")
    assert ("Counted under recording policy version 2 (derogated, in force from 15 May 2025).</p>") in html
    assert "data-policy-change" not in html
    _, html = _get(client, "?from=2025-04-01&to=2025-04-30")
    assert "Counted under recording policy version 1 (national, in force from 1 Apr 2017).</p>" in html


def test_a_period_spanning_a_change_says_so(client, world):
    _login(client)
    _, html = _get(client, MAY_JUNE)
    assert "data-policy-change" in html
    assert "This period spans a change of recording policy" in html
    assert "<li>Version 1 (national, in force from 1 Apr 2017): 1 report</li>" in html
    assert "<li>Version 2 (derogated, in force from 15 May 2025): 2 reports</li>" in html
    # A period that saw the change says so even when all its reports come after it.
    _, html = _get(client, "?from=2025-05-14&to=2025-05-31")
    assert _total(html) == 1
    assert "<li>Version 1 (national, in force from 1 Apr 2017): 0 reports</li>" in html
    assert "<li>Version 2 (derogated, in force from 15 May 2025): 1 report</li>" in html
    # And a period with no reports still says which version was in force.
    _, html = _get(client, "?from=2025-05-10&to=2025-05-12")
    assert _total(html) == 0
    assert "Counted under recording policy version 1 (national, in force from 1 Apr 2017).</p>" in html


# --- links and downloads -----------------------------------------------------------------------------------

def test_downloads_carry_the_filters(client, world):
    _login(client)
    _, html = _get(client, MAY_JUNE + "&area=Coventry&group=Other+equipment")
    links = _links(html)
    assert urlsplit(links["records"]).path == "/governance/export.csv"
    assert _query(links["records"]) == {"from": ["2025-05-01"], "to": ["2025-06-30"], "area": ["Coventry"],
                                        "group": ["Other equipment"]}
    for name, path in (("pack", "/governance/pack.xlsx"), ("pack-print", "/governance/pack")):
        assert urlsplit(links[name]).path == path
        assert _query(links[name]) == {"quarter": ["2025Q1"], "area": ["Coventry"], "group": ["Other equipment"]}
    assert links["home-office"] == "/governance/home-office.csv?year=2025"
    assert 'href="/governance/disproportionality?from=2025-05-01&amp;to=2025-06-30"' in html
    # The quick periods keep the area and type of force.
    quick = re.findall(r'<a href="(/governance\?[^"]+)"', html)
    assert len(quick) == 3
    assert all(_query(href.replace("&amp;", "&"))["area"] == ["Coventry"] for href in quick)

    _, html = _get(client, f"?from=2026-01-10&to=2026-02-10&team={world.brum_team}")
    links = _links(html)
    assert _query(links["pack"]) == {"quarter": ["2025Q4"], "team": [str(world.brum_team)]}
    assert links["home-office"] == "/governance/home-office.csv?year=2025"
    assert "Quarterly governance pack for Q4 2025/26 (XLSX)" in html
    assert "the quarter in which this period starts" in html


def test_the_csv_link_downloads_what_the_page_counted(client, world):
    _login(client)
    _, html = _get(client, MAY_JUNE + f"&team={world.brum_team}")
    response = client.get(_links(html)["records"])
    assert response.status_code == 200
    assert [row["Reference"] for row in _csv(response)] == [f"UOF-{world.r1:06d}", f"UOF-{world.r2:06d}"]


def test_the_view_is_audited_with_its_filters(app, client, world):
    _login(client)
    assert _get(client, MAY_JUNE + "&area=Coventry")[0] == 200
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "governance.dashboard.view")).one()
        assert event.actor_label == "acc@example.org"
        assert (event.object_type, event.object_id) == ("governance", "dashboard")
        assert event.detail == {"from": "2025-05-01", "to": "2025-06-30", "area": "Coventry", "reports": 1}


def test_only_governance_has_it_in_the_menu(app, make, world):
    # Who may open the page is the access matrix's (tests/test_access_matrix.py); this is who is shown the way.
    make.user("admin@example.org", "admin")
    make.user("auditor@example.org", "auditor")
    for email in ("pc.smith@example.org", "sergeant@example.org", "admin@example.org", "auditor@example.org"):
        client = app.test_client()
        AuthActions(client).login(email)
        assert 'href="/governance"' not in client.get("/").get_data(as_text=True)
    client = app.test_client()
    _login(client)
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert '<li><a href="/governance">Governance</a></li>' in home
    assert ">Disproportionality</a></li>" not in home


# --- the record-level CSV, filtered ------------------------------------------------------------------------

def _csv(response: Any) -> list[dict[str, str]]:
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_export_honours_area_team_and_type_of_force(app, client, world):
    _login(client)
    export = "/governance/export.csv" + MAY_JUNE

    def references(query: str) -> list[str]:
        response = client.get(export + query)
        assert response.status_code == 200
        return [row["Reference"] for row in _csv(response)]

    assert references("") == [f"UOF-{world.r1:06d}", f"UOF-{world.r2:06d}", f"UOF-{world.r3:06d}"]
    assert references("&area=Coventry") == [f"UOF-{world.r3:06d}"]
    assert references(f"&team={world.brum_team}") == [f"UOF-{world.r1:06d}", f"UOF-{world.r2:06d}"]
    assert references("&group=Less+lethal+weapons") == [f"UOF-{world.r2:06d}"]
    assert references("&area=Birmingham&group=Restraint") == [f"UOF-{world.r1:06d}"]
    with app.app_context():
        details = [event.detail for event in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "export.csv").order_by(AuditEvent.seq))]
    assert details[1] == {"from": "2025-05-01", "to": "2025-06-30", "area": "Coventry", "rows": 1}
    assert details[4] == {"from": "2025-05-01", "to": "2025-06-30", "area": "Birmingham", "group": "Restraint",
                          "rows": 1}


@pytest.mark.parametrize(("query", "message"), [
    ("&area=Nowhere", "'area' must be one of the force's areas."),
    ("&team=999", "'team' must be one of the force's teams."),
    ("&team=1x", "'team' must be one of the force's teams."),
    ("&group=Weapons", "'group' must be one of:"),
])
def test_export_refuses_unknown_filters_in_plain_text(app, client, world, query, message):
    _login(client)
    response = client.get("/governance/export.csv" + MAY_JUNE + query)
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.csv")) is None
