"""The audit log viewer: filters, pages, a report's history, the CSV export, and its own audit trail."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests.conftest import AuthActions
from uof.extensions import db
from uof.models import AuditEvent, User
from uof.services import audit, audit_log

AUDITOR = "auditor@example.org"


@pytest.fixture
def world(app, make):
    make.team()
    officer = make.user("pc.one@example.org", "officer", teams=("Birmingham Central A",), force_number="1234",
                        name="Pat One")
    make.user("sgt@example.org", "supervisor", "officer", teams=("Birmingham Central A",), force_number="5678",
              name="Sam Sergeant")
    make.user(AUDITOR, "auditor", name="Alex Auditor")
    make.user("acc@example.org", "governance")
    report_id = make.report(officer)
    other_id = make.report(officer, incident_reference="CAD-2")
    return {"report": report_id, "other": other_id}


def add(app, action, *, email=None, label=None, object_type=None, object_id=None, at=None, detail=None):
    with app.app_context():
        actor = db.session.scalar(select(User).where(User.email == email)) if email else None
        audit.record(action, actor=actor, actor_label=label, object_type=object_type, object_id=object_id,
                     at=at, detail=detail, ip="192.0.2.7")
        db.session.commit()


def seqs(html):
    return [int(n) for n in re.findall(r'<tr data-seq="(\d+)"', html)]


def actions_shown(html):
    return re.findall(r"<td><code>([^<]+)</code></td>", html)


def login_auditor(client):
    assert AuthActions(client).login(AUDITOR).status_code == 303


def test_the_log_newest_first_with_who_what_and_where(app, world, client):
    add(app, "login.failed", label="nobody.typed", detail={"reason": "unknown user"})
    login_auditor(client)
    response = client.get("/audit")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    shown = seqs(html)
    assert shown == sorted(shown, reverse=True)
    assert shown
    assert "Pat One (1234)" in html
    assert "nobody.typed" in html
    assert f"UOF-{world['report']:06d}" in html
    assert f'href="/reports/{world["report"]}"' not in html  # auditors cannot read reports
    assert f'href="/audit/report/{world["report"]}"' in html
    assert "192.0.2.7" in html
    assert "reason: unknown user" in html
    assert 'href="/audit"' in html
    assert ">Audit log</a>" in html


def test_filter_by_user_email_force_number_and_failed_login_label(app, world, client):
    add(app, "report.view", email="sgt@example.org", object_type="report", object_id=world["report"])
    add(app, "login.failed", label="5678", detail={"reason": "bad password"})
    login_auditor(client)
    by_email = client.get("/audit?user=SGT@example.org").get_data(as_text=True)
    by_number = client.get("/audit?user=5678").get_data(as_text=True)
    assert "Sam Sergeant (5678)" in by_email
    assert "Pat One" not in by_email
    assert "report.view" in actions_shown(by_email)
    # The force number finds the sergeant's events and the failed login typed as that number.
    assert set(actions_shown(by_number)) == {"report.view", "login.failed"}
    assert "Pat One" not in by_number


def test_filter_by_action_object_and_dates_alone_and_combined(app, world, client):
    october = datetime(2026, 10, 15, 23, 30, tzinfo=UTC)  # 16 Oct 00:30 in the UK (BST)
    add(app, "report.view", email="sgt@example.org", object_type="report", object_id=world["report"], at=october)
    add(app, "report.view", email="acc@example.org", object_type="report", object_id=world["other"])
    add(app, "dashboard.view", email="sgt@example.org", object_type="team", object_id=1)
    login_auditor(client)
    page = client.get("/audit?action=report.view").get_data(as_text=True)
    assert set(actions_shown(page)) == {"report.view"}
    assert len(seqs(page)) == 2
    page = client.get(f"/audit?object=UOF-{world['other']:06d}").get_data(as_text=True)
    assert set(actions_shown(page)) == {"report.create", "report.view"}
    page = client.get(f"/audit?object=report+{world['report']}").get_data(as_text=True)
    assert set(actions_shown(page)) == {"report.create", "report.view"}
    page = client.get("/audit?object=team+1").get_data(as_text=True)
    assert set(actions_shown(page)) == {"team.create", "dashboard.view"}
    page = client.get("/audit?date_from=16/10/2026&date_to=16/10/2026").get_data(as_text=True)
    assert actions_shown(page) == ["report.view"]  # UK dates: 23:30 UTC on the 15th is the 16th in the UK
    assert actions_shown(client.get("/audit?date_to=2026-10-15").get_data(as_text=True)) == []
    page = client.get(f"/audit?action=report.view&user=5678&object=UOF-{world['report']}&date_from=1/10/2026")
    assert page.status_code == 200
    assert len(seqs(page.get_data(as_text=True))) == 1
    assert "Sam Sergeant" in page.get_data(as_text=True)


def test_pages_of_fifty_with_older_and_newer_links(app, world, client):
    for n in range(120):
        add(app, "dashboard.view", email="sgt@example.org", object_type="team", object_id=1, detail={"n": n})
    login_auditor(client)
    first = client.get("/audit?action=dashboard.view").get_data(as_text=True)
    first_seqs = seqs(first)
    assert len(first_seqs) == audit_log.PAGE_SIZE
    older = re.search(r'href="([^"]+)" rel="next"', first)
    assert older
    assert "data-newer" not in first
    second = client.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)
    second_seqs = seqs(second)
    assert len(second_seqs) == 50
    assert max(second_seqs) < min(first_seqs)
    third_link = re.search(r'href="([^"]+)" rel="next"', second)
    assert third_link
    third = client.get(third_link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert len(seqs(third)) == 20
    assert 'rel="next"' not in third
    newer = re.search(r'href="([^"]+)" rel="prev"', third)
    assert newer
    back = client.get(newer.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert seqs(back) == second_seqs


def test_who_viewed_a_report(app, world, client):
    add(app, "report.view", email="sgt@example.org", object_type="report", object_id=world["report"])
    add(app, "report.view", email="sgt@example.org", object_type="report", object_id=world["report"])
    add(app, "report.view", email="acc@example.org", object_type="report", object_id=world["report"])
    add(app, "report.view", email="acc@example.org", object_type="report", object_id=world["other"])
    login_auditor(client)
    response = client.get(f"/audit/report/{world['report']}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    viewers = html.split('data-table="viewers"')[1].split("</table>")[0]
    assert re.search(r"Sam Sergeant \(5678\)</td><td class=\"numeric\">2<", viewers)
    assert re.search(r"Acc</td><td class=\"numeric\">1<", viewers)
    assert set(actions_shown(html)) == {"report.create", "report.view"}
    assert len(seqs(html)) == 4
    assert f'href="/reports/{world["report"]}"' not in html
    empty = client.get("/audit/report/999999").get_data(as_text=True)
    assert "Nobody has viewed this report." in empty
    assert client.get("/audit/report/99999999999").status_code == 404


def test_csv_export_with_the_same_filters_parses_and_neutralises_formulas(app, world, client):
    add(app, "login.failed", label='=HYPERLINK("http://evil.example","x")', detail={"reason": "unknown user"})
    add(app, "login.failed", label="@SUM(1)", detail={"reason": "unknown user"})
    add(app, "report.view", email="sgt@example.org", object_type="report", object_id=world["report"])
    login_auditor(client)
    response = client.get("/audit.csv?action=login.failed")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["Action"] for row in rows] == ["login.failed", "login.failed"]
    assert rows[0]["Actor label"] == "'@SUM(1)"
    assert rows[1]["Actor label"] == "'=HYPERLINK(\"http://evil.example\",\"x\")"
    assert rows[0]["IP address"] == "192.0.2.7"
    everything = list(csv.DictReader(io.StringIO(client.get("/audit.csv").get_data(as_text=True))))
    assert any(row["Object"] == f"UOF-{world['report']:06d}" and row["Actor"] == "Sam Sergeant" for row in everything)
    numbers = [int(row["Sequence"]) for row in everything]
    assert numbers == sorted(numbers, reverse=True)


def test_csv_streams_across_batches(app, world, client, monkeypatch):
    monkeypatch.setattr(audit_log, "CSV_BATCH", 3)
    for n in range(7):
        add(app, "dashboard.view", email="sgt@example.org", object_type="team", object_id=1, detail={"n": n})
    login_auditor(client)
    rows = list(csv.DictReader(io.StringIO(client.get("/audit.csv?action=dashboard.view").get_data(as_text=True))))
    assert [row["Detail"] for row in rows] == [f'{{"n": {n}}}' for n in range(6, -1, -1)]


@pytest.mark.parametrize("query", [
    "date_from=31/02/2026", "date_from=tomorrow", "date_to=2026-13-01", "date_from=1/1/1066",
    "date_from=2/11/2026&date_to=1/11/2026", "action=no.such.action", "object=%22%3B+drop", "object=" + "x" * 90,
    "user=" + "u" * 300, "before=abc", "before=-5", "after=99999999999999",
])
def test_bad_filters_are_form_errors_not_500(app, world, client, query):
    login_auditor(client)
    response = client.get(f"/audit?{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert "<title>Error: Audit log" in html
    assert client.get(f"/audit.csv?{query}").status_code == 400


def test_other_roles_are_refused(app, world, client):
    auth = AuthActions(client)
    for email in ("pc.one@example.org", "sgt@example.org", "acc@example.org"):
        auth.login(email)
        for path in ("/audit", "/audit.csv", f"/audit/report/{world['report']}"):
            assert client.get(path).status_code == 403, (email, path)
        assert ">Audit log</a>" not in client.get("/alerts").get_data(as_text=True)
        auth.logout()


def test_viewing_and_exporting_are_themselves_audited(app, world, client):
    login_auditor(client)
    client.get("/audit?action=login&user=5678&date_from=1/11/2026")
    client.get(f"/audit/report/{world['report']}")
    client.get("/audit.csv?object=UOF-1").close()
    client.get("/audit?date_from=nonsense")
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action.in_(("audit.view", "audit.export"))).order_by(AuditEvent.seq)
        ).all()
        got = [(event.action, event.detail) for event in events]
        auditor_id = db.session.scalar(select(User.id).where(User.email == AUDITOR))
        assert all(event.actor_id == auditor_id for event in events)
    assert got == [
        ("audit.view", {"action": "login", "user": "5678", "from": "2026-11-01", "valid": True}),
        ("audit.view", {"report": f"UOF-{world['report']:06d}"}),
        ("audit.export", {"object": "report 1"}),
        ("audit.view", {"date_from": "nonsense", "valid": False}),
    ]


def test_chain_check_only_on_request(app, world, client):
    login_auditor(client)
    page = client.get("/audit").get_data(as_text=True)
    assert "Check the chain" in page
    assert "data-integrity" not in page
    checked = client.get("/audit?verify=1").get_data(as_text=True)
    assert 'data-integrity="ok"' in checked
    assert "The chain is intact" in checked


def test_parse_object():
    assert audit_log.parse_object("uof-000123") == audit_log.ObjectRef("report", "123")
    assert audit_log.parse_object(" report #0042 ") == audit_log.ObjectRef("report", "42")
    assert audit_log.parse_object("team:4") == audit_log.ObjectRef("team", "4")
    assert audit_log.parse_object("alert") == audit_log.ObjectRef("alert", None)
    with pytest.raises(audit_log.BadObject):
        audit_log.parse_object("1; drop")
