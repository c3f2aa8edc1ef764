"""The review pages and API for every kind of user, and what the officer and the reviewer see."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import AuthActions, csrf_from
from tests.review.conftest import decision
from uof.extensions import db
from uof.models import APPROVED, RETURNED, UNDER_REVIEW, Alert, AuditEvent, Report

VALID_FORM = {"decision": "approve", "bwv_reviewed": "y", "bwv_reference": "BWV-88812", "comment": ""}

# actor: (GET /review/<id>, POST /review/<id>, POST /api/v1/reports/<id>/review) for a team A officer's report.
EXPECTED = {
    "anonymous": (302, 302, 401),
    "officer": (403, 403, 403),
    "colleague": (403, 403, 404),
    "supervisor": (200, 303, 201),
    "second_supervisor": (200, 303, 201),
    "other_supervisor": (404, 404, 404),
    "governance": (403, 403, 403),
    "admin": (403, 403, 404),
    "auditor": (403, 403, 404),
}


def _client(app, force, login_as, actor: str):  # type: ignore[no-untyped-def]
    if actor == "anonymous":
        return AuthActions(app.test_client())
    return login_as(getattr(force, actor))


def _token(caller: AuthActions, actor: str) -> str:
    if actor == "anonymous":
        return csrf_from(caller.client.get("/login").get_data(as_text=True))
    return caller.csrf()


@pytest.mark.parametrize("actor", list(EXPECTED))
@pytest.mark.parametrize("action", ["get", "post", "api"])
def test_who_may_review(app, make, force, login_as, actor, action):
    report_id = make.report(force.officer)
    caller = _client(app, force, login_as, actor)
    if action == "get":
        status = caller.client.get(f"/review/{report_id}").status_code
    elif action == "post":
        status = caller.client.post(f"/review/{report_id}",
                                    data={**VALID_FORM, "csrf_token": _token(caller, actor)}).status_code
    else:
        token = _token(caller, actor)
        status = caller.client.post(f"/api/v1/reports/{report_id}/review", json=decision(),
                                    headers={"X-CSRFToken": token}).status_code
    assert status == EXPECTED[actor][["get", "post", "api"].index(action)]


def test_a_supervisor_cannot_review_their_own_report_but_the_other_supervisor_can(app, make, force, login_as):
    report_id = make.report(force.supervisor)
    own = login_as(force.supervisor)
    assert own.client.get(f"/review/{report_id}").status_code == 403
    assert own.api_post(f"/api/v1/reports/{report_id}/review", decision()).get_json()["error"] == "forbidden"
    other = login_as(force.second_supervisor)
    assert other.client.get(f"/review/{report_id}").status_code == 200
    response = other.api_post(f"/api/v1/reports/{report_id}/review", decision())
    assert response.status_code == 201
    assert response.get_json()["reviews"][0]["reviewer"]["id"] == force.second_supervisor.id


def test_the_queue_page_lists_waiting_reports_with_overdue_tagged(app, make, force, login_as):
    late = make.report(force.officer, incident_reference="CAD-LATE")
    make.report(force.colleague, incident_reference="CAD-FRESH")
    with app.app_context():
        report = db.session.get(Report, late)
        assert report is not None
        report.awaiting_review_since = datetime.now(UTC) - timedelta(days=4, hours=2)
        db.session.commit()
    html = login_as(force.supervisor).client.get("/review").get_data(as_text=True)
    assert "2 reports are waiting for your review" in html
    assert "1 overdue" in html
    assert html.count("Overdue</span>") == 1
    assert html.index(f"UOF-{late:06d}") < html.index("Pc Two")
    assert "Amy One (1234)" in html
    assert "Birmingham Central A" in html
    assert "4 days 2 hours" in html
    # The Review link carries the number waiting.
    assert re.search(r'href="/review" aria-label="Review, 2 waiting">Review <span[^>]*>2</span>', html)


def test_the_queue_page_when_nothing_waits(app, force, login_as):
    html = login_as(force.supervisor).client.get("/review").get_data(as_text=True)
    assert "No reports are waiting for your review." in html


def test_the_review_page_shows_the_report_and_a_form_and_opens_the_review(app, make, force, login_as):
    report_id = make.report(force.officer, narrative="Resisted & <b>kicked</b> out.")
    caller = login_as(force.supervisor)
    html = caller.client.get(f"/review/{report_id}").get_data(as_text=True)
    assert f"Review UOF-{report_id:06d}" in html
    assert "Resisted &amp; &lt;b&gt;kicked&lt;/b&gt; out." in html  # the answers, escaped
    assert "No reviews yet." in html
    assert 'name="decision"' in html
    assert 'value="BWV-88812"' in html
    assert "I have reviewed the body-worn video" in html
    assert "Debrief held" in html
    with app.app_context():
        report = db.session.get(Report, report_id)
        assert report is not None
        assert report.status == UNDER_REVIEW
        actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(report_id))))
        assert {"report.view", "review.open"} <= actions
    assert "Under review" in caller.client.get("/review").get_data(as_text=True)


def test_a_decision_through_the_page_redirects_to_the_queue(app, make, force, login_as):
    report_id = make.report(force.officer)
    caller = login_as(force.supervisor)
    token = csrf_from(caller.client.get(f"/review/{report_id}").get_data(as_text=True))
    response = caller.client.post(f"/review/{report_id}", data={
        "decision": "return", "comment": "Say why handcuffs were needed.", "bwv_reviewed": "y",
        "bwv_reference": "BWV-88812", "debrief_held": "y", "csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"] == "/review"
    page = caller.client.get("/review").get_data(as_text=True)
    assert f"UOF-{report_id:06d} returned to Amy One for amendment" in page
    with app.app_context():
        report = db.session.get(Report, report_id)
        assert report is not None
        assert report.status == RETURNED
        review = report.reviews[0]
        assert (review.bwv_reviewed, review.bwv_reference, review.debrief_held) == (True, "BWV-88812", True)
    # Decided: the page shows the history and no form, and a second decision changes nothing.
    html = caller.client.get(f"/review/{report_id}").get_data(as_text=True)
    assert "not waiting for review" in html
    assert 'name="decision"' not in html
    again = caller.client.post(f"/review/{report_id}", data={**VALID_FORM, "csrf_token": token})
    assert again.status_code == 303
    assert "is no longer waiting for review" in caller.client.get("/review").get_data(as_text=True)


@pytest.mark.parametrize(("form", "messages"), [
    ({}, ["Choose approve, return or refer."]),
    ({"decision": "return", "bwv_reviewed": "y", "bwv_reference": "BWV-1"}, ["Say what the officer must amend."]),
    ({"decision": "refer", "bwv_reviewed": "y", "bwv_reference": ""},
     ["Say why you are referring the report to professional standards.",
      "Give the reference of the footage you reviewed."]),
    ({"decision": "sign", "comment": "x" * 4001}, ["Unknown decision", "Must be 4,000 characters or fewer"]),
])
def test_page_errors_show_in_a_summary_and_beside_the_fields(app, make, force, login_as, form, messages):
    report_id = make.report(force.officer)
    caller = login_as(force.supervisor)
    token = csrf_from(caller.client.get(f"/review/{report_id}").get_data(as_text=True))
    response = caller.client.post(f"/review/{report_id}", data={**form, "csrf_token": token})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<title>Error: Review" in html
    assert "There is a problem" in html
    for message in messages:
        assert html.count(message) == 2, message  # in the summary and beside its field
    with app.app_context():
        report = db.session.get(Report, report_id)
        assert report is not None
        assert report.reviews == []
        assert report.status == UNDER_REVIEW


def test_the_api_answers_each_outcome(app, make, force, login_as):
    report_id = make.report(force.officer)
    caller = login_as(force.supervisor)
    url = f"/api/v1/reports/{report_id}/review"
    invalid = caller.api_post(url, {"decision": "return", "bwv_reviewed": "no", "extra": 1})
    assert invalid.status_code == 422
    assert invalid.get_json() == {"error": "validation", "fields": {
        "comment": ["Say what the officer must amend."], "bwv_reviewed": ["Must be true or false."],
        "extra": ["Unknown field."]}}
    bad_json = caller.client.post(url, data="{", content_type="application/json",
                                  headers={"X-CSRFToken": caller.csrf()})
    assert bad_json.status_code == 400
    assert bad_json.get_json()["error"] == "bad_json"
    no_csrf = caller.client.post(url, json=decision())
    assert no_csrf.status_code == 400
    assert no_csrf.get_json()["error"] == "csrf"
    assert caller.api_post("/api/v1/reports/999999/review", decision()).status_code == 404
    assert caller.api_post(f"/api/v1/reports/{2**40}/review", decision()).status_code == 404

    done = caller.api_post(url, decision("approve", comment="Proportionate.", debrief_held=True))
    assert done.status_code == 201
    body = done.get_json()
    assert body["status"] == APPROVED
    assert body["id"] == report_id
    [review] = body["reviews"]
    assert review["decision"] == "approve"
    assert review["comment"] == "Proportionate."
    assert (review["bwv_reviewed"], review["bwv_reference"], review["debrief_held"]) == (True, "BWV-88812", True)
    assert review["report_version"] == 1
    assert review["reviewer"] == {"id": force.supervisor.id, "name": "Sergeant Alpha"}
    assert review["created_at"].endswith("Z")

    late = login_as(force.second_supervisor).api_post(url, decision())
    assert late.status_code == 409
    assert late.get_json()["error"] == "not_awaiting_review"


def test_report_json_lists_reviews_oldest_first_for_everyone_who_sees_it(app, make, force, login_as):
    report_id = make.report(force.officer)
    supervisor = login_as(force.supervisor)
    supervisor.api_post(f"/api/v1/reports/{report_id}/review", decision("return", comment="Add the reason."))
    officer = login_as(force.officer)
    assert officer.api_post(f"/api/v1/reports/{report_id}/amendments", {
        "reason": "Added the reason.", "changes": {"narrative": "Arrested for theft; pulled away."}},
    ).status_code == 201
    supervisor.api_post(f"/api/v1/reports/{report_id}/review", decision("approve"))
    for person in (force.officer, force.supervisor, force.governance):
        reviews = login_as(person).client.get(f"/api/v1/reports/{report_id}").get_json()["reviews"]
        assert [(r["decision"], r["report_version"]) for r in reviews] == [("return", 1), ("approve", 2)]


def test_the_officer_sees_the_return_comment_with_the_way_to_amend(app, make, force, login_as):
    report_id = make.report(force.officer)
    login_as(force.supervisor).api_post(f"/api/v1/reports/{report_id}/review",
                                        decision("return", comment="Say why you used\nhandcuffs <now>."))
    officer = login_as(force.officer)
    html = officer.client.get(f"/reports/{report_id}").get_data(as_text=True)
    notice = html[html.index("This report was returned for amendment"):html.index("Amend this report")]
    assert "Sergeant Alpha asked you" in notice
    assert "Say why you used\nhandcuffs &lt;now&gt;." in notice
    assert f'action="/reports/{report_id}/amend"' in html
    history = html[html.index("Review history"):]
    assert "Returned for amendment" in history
    assert "(version 1)" in history
    with app.app_context():
        [alert] = db.session.scalars(select(Alert).where(Alert.recipient_id == force.officer.id)).all()
        assert alert.rule == "report_returned"
        assert alert.report_id == report_id


def test_the_full_loop_through_the_pages(app, make, force, login_as):
    """Return → the officer's alert → amend → resubmitted → back in the queue → approved."""
    report_id = make.report(force.officer)
    supervisor = login_as(force.supervisor)
    token = csrf_from(supervisor.client.get(f"/review/{report_id}").get_data(as_text=True))
    supervisor.client.post(f"/review/{report_id}", data={
        "decision": "return", "comment": "Add why force was needed.", "csrf_token": token})
    assert "No reports are waiting for your review." in supervisor.client.get("/review").get_data(as_text=True)
    officer = login_as(force.officer)
    inbox = officer.client.get("/api/v1/alerts").get_json()["alerts"]
    assert [a["rule"] for a in inbox] == ["report_returned"]
    amended = officer.api_post(f"/api/v1/reports/{report_id}/amendments", {
        "reason": "Added why.", "changes": {"narrative": "He tried to punch my colleague."}})
    assert amended.status_code == 201
    assert amended.get_json()["status"] == "resubmitted"
    queue = supervisor.client.get("/review").get_data(as_text=True)
    assert f"UOF-{report_id:06d}" in queue
    assert "Resubmitted" in queue
    assert "amended, version 2" in queue
    token = csrf_from(supervisor.client.get(f"/review/{report_id}").get_data(as_text=True))
    assert supervisor.client.post(f"/review/{report_id}",
                                  data={**VALID_FORM, "csrf_token": token}).status_code == 303
    report = officer.client.get(f"/api/v1/reports/{report_id}").get_json()
    assert report["status"] == "approved"
    assert [r["decision"] for r in report["reviews"]] == ["return", "approve"]
