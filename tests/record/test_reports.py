"""My reports, a report's page, its audit, amendments, and who may see what."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import func, select

from tests.conftest import AuthActions
from tests.factories import Maker, Person
from tests.record.journey import Journey, error_hrefs, page_errors, valid_answers
from uof.extensions import db
from uof.models import AuditEvent, Draft, Report


def test_my_reports_lists_drafts_first_then_reports_newest_first(make: Maker, journey: Journey,
                                                                 officer: Person) -> None:
    older = make.report(officer, incident_reference="CAD-OLDER", incident_at="2025-07-01T21:40:00Z")
    newer = make.report(officer, incident_reference="CAD-NEWER", incident_at="2025-01-15T22:40:00Z")
    base = journey.start()
    page = journey.client.get("/reports").get_data(as_text=True)
    draft_at = page.index(f'href="{base}"')
    newer_at = page.index(f"UOF-{newer:06d}")
    older_at = page.index(f"UOF-{older:06d}")
    assert draft_at < newer_at < older_at
    # Incident times in UK local time: British Summer Time in July, GMT in January.
    assert "1 Jul 2025, 22:40" in page
    assert "15 Jan 2025, 22:40" in page
    assert "CAD-OLDER" in page
    assert "CAD-NEWER" in page
    assert '<span class="tag">Submitted</span>' in page
    assert "<dt>Recording policy version</dt><dd>1</dd>" in page


def test_report_page_shows_every_answer_and_is_audited(app: Flask, make: Maker, journey: Journey,
                                                       officer: Person) -> None:
    report_id = make.report(officer, narrative="He said <script>alert(1)</script> & ran.")
    page = journey.client.get(f"/reports/{report_id}").get_data(as_text=True)
    for text in ("Street / highway", "18 to 34 years", "Active resistance", "Handcuffing – non-compliant: Yes",
                 "Protect self\nEffect arrest", "Alcohol", "Arrested", "BWV-88812", "Submitted"):
        assert html.escape(text) in page, text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; ran." in page
    assert "<script>alert(1)" not in page
    assert "Version 1: submitted" in page
    assert "No reviews yet." in page
    assert "Amend this report" not in page
    with app.app_context():
        views = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.view")).all()
        assert [(view.object_type, view.object_id, view.actor_id) for view in views] == [
            ("report", str(report_id), officer.id)
        ]


def test_retired_codes_are_shown_with_their_labels(app: Flask, make: Maker, journey: Journey,
                                                   officer: Person) -> None:
    report_id = make.report(officer)
    with app.app_context():
        report = db.session.get(Report, report_id)
        assert report is not None
        content = dict(report.current.content)
        content["subject"] = dict(content["subject"], ethnicity="chinese")
        report.current.content = content
        db.session.commit()
    page = journey.client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert "<dd class=\"summary__value\">Chinese</dd>" in page


def test_another_officer_gets_404_on_a_report(make: Maker, journey: Journey, officer: Person,
                                              auth: AuthActions) -> None:
    report_id = make.report(officer)
    make.user("pc.two@example.org", "officer", teams=("Birmingham Central A",), force_number="5678")
    auth.logout()
    auth.login("5678")
    assert journey.client.get(f"/reports/{report_id}").status_code == 404
    assert journey.post(f"/reports/{report_id}/amend").status_code == 404
    assert f"UOF-{report_id:06d}" not in journey.client.get("/reports").get_data(as_text=True)


def test_a_supervisor_of_the_team_can_view_but_not_amend(make: Maker, journey: Journey, officer: Person,
                                                         auth: AuthActions) -> None:
    report_id = make.report(officer)
    make.set_status(report_id, "returned")
    make.user("sgt@example.org", "supervisor", teams=("Birmingham Central A",), force_number="9000")
    auth.logout()
    auth.login("9000")
    page = journey.client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert f"Report UOF-{report_id:06d}" in page
    assert "Amend this report" not in page
    assert journey.post(f"/reports/{report_id}/amend").status_code == 404


def test_amending_a_returned_report_makes_version_2_with_a_diff(app: Flask, make: Maker, journey: Journey,
                                                               officer: Person) -> None:
    report_id = make.report(officer)
    make.set_status(report_id, "returned")
    page = journey.client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert "Amend this report" in page

    response = journey.post(f"/reports/{report_id}/amend")
    assert response.status_code == 303
    base = response.headers["Location"].rsplit("/", 1)[0]
    # The same draft again: one open amendment per report.
    assert journey.post(f"/reports/{report_id}/amend").headers["Location"] == f"{base}/incident"
    assert "Continue your amendment" in journey.client.get(f"/reports/{report_id}").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Draft)) == 1

    assert f"Amendment of UOF-{report_id:06d}" in journey.client.get("/reports").get_data(as_text=True)
    assert journey.client.get(base).headers["Location"] == f"{base}/check"
    incident = journey.client.get(f"{base}/incident").get_data(as_text=True)
    assert 'value="CAD-1234-25NOV26"' in incident
    assert f"Amending UOF-{report_id:06d}" in incident
    response = journey.section(base, "person", valid_answers()["person"] | {"ethnicity": "black"})
    assert response.headers["Location"] == f"{base}/tactics"
    journey.section(base, "tactics", {"tactics": ["non_compliant_handcuffing", "ground_restraint"]})
    journey.section(base, "effectiveness", {"effective_non_compliant_handcuffing": "yes",
                                            "effective_ground_restraint": "no", "ced_trained": "yes",
                                            "ced_carried": "no"})

    check = journey.client.get(f"{base}/check").get_data(as_text=True)
    assert "Why are you amending this report?" in check
    assert "You already submitted" not in check
    response = journey.submit(base, {"reason": ""})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page_errors(page) == ["Give the reason for the amendment."]
    assert error_hrefs(page) == ["#reason"]

    response = journey.submit(base, {"reason": "Sergeant asked me to add the ground restraint."})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/reports/{report_id}"
    page = journey.client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert f"Amendment submitted. UOF-{report_id:06d} is now at version 2." in page
    assert "Resubmitted" in page
    assert "Version 2: amended" in page
    assert "Sergeant asked me to add the ground restraint." in page
    assert "Ethnicity (perceived)" in page
    assert "Black (or Black British)" in page
    assert html.escape("Ground restraint: No") in page

    with app.app_context():
        report = db.session.get(Report, report_id)
        assert report is not None
        assert report.status == "resubmitted"
        assert report.version == 2
        assert report.current.diff["subject.ethnicity"] == ["white", "black"]
        assert "tactics" in report.current.diff
        assert report.current.reason == "Sergeant asked me to add the ground restraint."
        assert db.session.scalar(select(func.count()).select_from(Draft)) == 0
        assert db.session.scalar(select(func.count()).select_from(Report)) == 1

    # Sent again: the draft is gone, so it goes to the report; still version 2.
    again = journey.submit(base, {"reason": "Sergeant asked me to add the ground restraint."})
    assert again.headers["Location"] == f"/reports/{report_id}"
    with app.app_context():
        assert db.session.get(Report, report_id).version == 2  # type: ignore[union-attr]


def test_an_amendment_without_changes_is_refused(make: Maker, journey: Journey, officer: Person) -> None:
    report_id = make.report(officer)
    make.set_status(report_id, "returned")
    base = journey.post(f"/reports/{report_id}/amend").headers["Location"].rsplit("/", 1)[0]
    page = journey.submit(base, {"reason": "Nothing really."}).get_data(as_text=True)
    assert page_errors(page) == ["The changes are the same as the current version."]
    # The reason typed is kept with the draft.
    assert "Nothing really." in journey.client.get(f"{base}/check").get_data(as_text=True)


def test_an_amendment_of_a_report_no_longer_returned_says_so(make: Maker, journey: Journey,
                                                            officer: Person) -> None:
    report_id = make.report(officer)
    make.set_status(report_id, "returned")
    base = journey.post(f"/reports/{report_id}/amend").headers["Location"].rsplit("/", 1)[0]
    journey.section(base, "account", {"narrative": "Changed."})
    make.set_status(report_id, "approved")
    response = journey.submit(base, {"reason": "Adding detail."})
    assert response.status_code == 200
    assert page_errors(response.get_data(as_text=True)) == [
        f"UOF-{report_id:06d} is no longer returned for amendment (it is approved), so it cannot be amended. "
        "Delete this draft from My reports."
    ]


def test_a_report_not_returned_cannot_be_opened_for_amendment(make: Maker, journey: Journey,
                                                             officer: Person) -> None:
    report_id = make.report(officer)
    response = journey.post(f"/reports/{report_id}/amend")
    assert response.headers["Location"] == f"/reports/{report_id}"
    assert "can be amended only while it is returned" in journey.client.get(response.headers["Location"]).get_data(
        as_text=True)


def test_home_sends_recorders_to_their_reports(journey: Journey) -> None:
    assert journey.client.get("/").headers["Location"] == "/reports"


def test_roles_that_cannot_record_get_403_and_a_home_page(make: Maker, client, auth: AuthActions,
                                                          officer: Person) -> None:
    report_id = make.report(officer)
    make.user("admin@example.org", "admin", force_number="1")
    make.user("analyst@example.org", "governance", force_number="2")
    auth.login("1")
    for path in ("/record", "/reports"):
        assert client.get(path).status_code == 403, path
    token = auth.csrf()
    assert client.post("/record", data={"csrf_token": token}).status_code == 403
    assert client.get(f"/reports/{report_id}").status_code == 404
    home = client.get("/").get_data(as_text=True)
    assert 'href="/admin/policy"' in home

    auth.logout()
    auth.login("2")
    home = client.get("/").get_data(as_text=True)
    assert "Only officers and supervisors record use of force." in home
    assert client.get("/record").status_code == 403
    # Governance reads reports.
    assert client.get(f"/reports/{report_id}").status_code == 200


def test_logged_out_visitors_are_sent_to_log_in(client) -> None:
    response = client.get("/reports")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_submitted_time_is_shown_in_uk_time(app: Flask, make: Maker, journey: Journey, officer: Person) -> None:
    report_id = make.report(officer)
    with app.app_context():
        report = db.session.get(Report, report_id)
        assert report is not None
        report.submitted_at = datetime(2025, 10, 26, 0, 30, tzinfo=UTC)
        db.session.commit()
    page = journey.client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert re.search(r"<dt>Submitted</dt><dd>26 Oct 2025, 01:30</dd>", page)
