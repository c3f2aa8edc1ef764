"""API.md: POST /api/v1/reports/<id>/amendments — a new version, only while the report is returned."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from uof.extensions import db
from uof.models import AuditEvent, Report, ReportVersion
from uof.services import policy


def amend(caller, report_id, body):
    return caller.api_post(f"/api/v1/reports/{report_id}/amendments", body)


@pytest.fixture
def returned(make, force):
    report_id = make.report(force.officer)
    make.set_status(report_id, "returned")
    return report_id


def test_an_amendment_makes_a_new_version(app, force, login_as, returned):
    with app.app_context():
        original = db.session.scalars(select(ReportVersion).where(ReportVersion.report_id == returned)).one()
        original_content = dict(original.content)
    caller = login_as(force.officer)
    changes = {
        "narrative": "Detained for a breach of the peace; resisted handcuffing; taken to the ground.",
        "subject": {"gender": "female"},
        "tactics": [{"code": "non_compliant_handcuffing", "effective": True},
                    {"code": "ground_restraint", "effective": True}],
    }
    response = amend(caller, returned, {"reason": "Missed the ground restraint.", "changes": changes})
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert data["id"] == returned
    assert data["version"] == 2
    assert data["status"] == "resubmitted"
    assert data["narrative"] == changes["narrative"]
    assert data["subject"]["gender"] == "female"
    assert data["subject"]["age_band"] == original_content["subject"]["age_band"]  # merged, not replaced
    assert [v["version"] for v in data["versions"]] == [1, 2]
    assert data["versions"][1]["reason"] == "Missed the ground restraint."

    with app.app_context():
        report = db.session.get(Report, returned)
        assert report.status == "resubmitted"
        assert report.version == 2
        versions = db.session.scalars(
            select(ReportVersion).where(ReportVersion.report_id == returned).order_by(ReportVersion.version)
        ).all()
        assert [v.version for v in versions] == [1, 2]
        # Nothing earlier is overwritten.
        assert versions[0].content == original_content
        assert versions[0].reason is None
        assert versions[1].author_id == force.officer.id
        assert versions[1].reason == "Missed the ground restraint."
        assert versions[1].diff == {
            "narrative": [original_content["narrative"], changes["narrative"]],
            "subject.gender": ["male", "female"],
            "tactics": [original_content["tactics"], changes["tactics"]],
        }
        assert report.content == versions[1].content
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.amend")).all()
        assert len(rows) == 1
        assert rows[0].actor_id == force.officer.id
        assert rows[0].object_type == "report"
        assert rows[0].object_id == str(returned)
        assert rows[0].detail["version"] == 2


def test_an_amendment_updates_the_indexed_fields(app, force, login_as, returned):
    caller = login_as(force.officer)
    response = amend(caller, returned, {"reason": "Wrong log number.",
                                        "changes": {"incident_reference": "CAD-5555", "area": "Walsall"}})
    assert response.status_code == 201, response.get_json()
    with app.app_context():
        report = db.session.get(Report, returned)
        assert report.incident_reference == "CAD-5555"
        assert report.area == "Walsall"
        version = db.session.scalars(select(ReportVersion).where(ReportVersion.version == 2)).one()
        assert version.diff == {"incident_reference": ["CAD-1234-25NOV26", "CAD-5555"], "area": [None, "Walsall"]}


@pytest.mark.parametrize("status", ["submitted", "under_review", "approved", "resubmitted"])
def test_only_a_returned_report_can_be_amended(make, force, login_as, counts, status):
    report_id = make.report(force.officer)
    make.set_status(report_id, status)
    caller = login_as(force.officer)
    before = counts()
    response = amend(caller, report_id, {"reason": "Typo.", "changes": {"narrative": "Corrected."}})
    assert response.status_code == 409
    assert response.get_json()["error"] == "not_returned"
    assert counts() == before


def test_a_second_amendment_waits_for_another_return(force, login_as, returned, make):
    caller = login_as(force.officer)
    assert amend(caller, returned, {"reason": "One.", "changes": {"narrative": "First fix."}}).status_code == 201
    response = amend(caller, returned, {"reason": "Two.", "changes": {"narrative": "Second fix."}})
    assert response.status_code == 409
    make.set_status(returned, "returned")
    response = amend(caller, returned, {"reason": "Two.", "changes": {"narrative": "Second fix."}})
    assert response.status_code == 201
    assert response.get_json()["version"] == 3


@pytest.mark.parametrize("who", ["colleague", "outsider", "other_supervisor", "admin", "auditor"])
def test_someone_who_cannot_see_the_report_gets_404(force, login_as, counts, returned, who):
    caller = login_as(getattr(force, who))
    before = counts()
    response = amend(caller, returned, {"reason": "Mine now.", "changes": {"narrative": "Rewritten."}})
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"
    assert counts() == before


@pytest.mark.parametrize("who", ["supervisor", "governance"])
def test_someone_who_can_see_but_not_amend_gets_403(force, login_as, counts, returned, who):
    caller = login_as(getattr(force, who))
    assert caller.client.get(f"/api/v1/reports/{returned}").status_code == 200
    before = counts()
    response = amend(caller, returned, {"reason": "Tidying.", "changes": {"narrative": "Rewritten."}})
    assert response.status_code == 403
    assert response.get_json()["error"] == "forbidden"
    assert counts() == before


def test_a_missing_report_is_404(force, login_as):
    response = amend(login_as(force.officer), 999999, {"reason": "x", "changes": {"narrative": "y"}})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("body", "paths"),
    [
        ({"changes": {"narrative": "Corrected."}}, ["reason"]),
        ({"reason": "", "changes": {"narrative": "Corrected."}}, ["reason"]),
        ({"reason": "   ", "changes": {"narrative": "Corrected."}}, ["reason"]),
        ({"reason": 42, "changes": {"narrative": "Corrected."}}, ["reason"]),
        ({"reason": "x" * 2001, "changes": {"narrative": "Corrected."}}, ["reason"]),
        ({"reason": "Typo."}, ["changes"]),
        ({"reason": "Typo.", "changes": {}}, ["changes"]),
        ({"reason": "Typo.", "changes": ["narrative"]}, ["changes"]),
        ({"reason": "Typo.", "changes": {"narrative": "Detained for a breach of the peace; resisted handcuffing."}},
         ["changes"]),
        ({"reason": "Typo.", "changes": {"client_id": "8e1b0f5c-2f6b-4c1a-9c5e-3c7e6f1a2b3c"}},
         ["changes.client_id"]),
        ({"reason": "Typo.", "changes": {"narrative": "Fine."}, "extra": 1}, ["extra"]),
    ],
)
def test_amendment_request_errors(force, login_as, counts, returned, body, paths):
    caller = login_as(force.officer)
    before = counts()
    response = amend(caller, returned, body)
    assert response.status_code == 422
    data = response.get_json()
    assert data["error"] == "validation"
    assert sorted(data["fields"]) == sorted(paths)
    assert counts() == before


@pytest.mark.parametrize("body", [[], "amend", None])
def test_an_amendment_body_must_be_an_object(force, login_as, returned, body):
    caller = login_as(force.officer)
    response = caller.client.post(f"/api/v1/reports/{returned}/amendments", data=json.dumps(body),
                                  content_type="application/json", headers={"X-CSRFToken": caller.csrf()})
    assert response.status_code == 422
    assert response.get_json()["fields"] == {"body": ["Expected a JSON object."]}


@pytest.mark.parametrize(
    ("changes", "paths"),
    [
        ({"conduct": "shouting"}, ["changes.conduct"]),
        ({"subject": {"ethnicity": "chinese"}}, ["changes.subject.ethnicity"]),
        ({"tactics": []}, ["changes.tactics"]),
        ({"tactics": [{"code": "ced_fired", "effective": True}]}, ["changes.ced_carried"]),
        ({"outcomes": ["fatality"]}, ["changes.subject_injury.level"]),
        ({"subject_injury": {"injured": True}}, ["changes.subject_injury.level"]),
        ({"narrative": "x" * 4001}, ["changes.narrative"]),
        ({"incident_at": "2099-01-01T00:00:00Z"}, ["changes.incident_at"]),
        ({"locations": "street_highway"}, ["changes.locations"]),
        ({"officer_name": "PC Smith"}, ["changes.officer_name"]),
    ],
)
def test_invalid_changes_are_422_and_nothing_is_written(app, force, login_as, counts, returned, changes, paths):
    caller = login_as(force.officer)
    before = counts()
    response = amend(caller, returned, {"reason": "Correction.", "changes": changes})
    assert response.status_code == 422
    data = response.get_json()
    assert data["error"] == "validation"
    assert sorted(data["fields"]) == sorted(paths)
    assert counts() == before
    with app.app_context():
        report = db.session.get(Report, returned)
        assert report.status == "returned"
        assert report.version == 1


def test_two_amendments_sent_at_once_make_one_version(app, force, login_as, returned):
    caller = login_as(force.officer)
    token = caller.csrf()
    cookie = caller.client.get_cookie("uof")
    statuses: list[int] = []
    start = threading.Barrier(2)

    def send(narrative: str) -> None:
        client = app.test_client()
        client.set_cookie("uof", cookie.value)
        start.wait()
        response = client.post(f"/api/v1/reports/{returned}/amendments", headers={"X-CSRFToken": token},
                               json={"reason": "Double tap", "changes": {"narrative": narrative}})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=send, args=(f"Account {n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201, 409]
    with app.app_context():
        assert db.session.get(Report, returned).version == 2


def test_an_amendment_takes_the_policy_in_force_at_the_corrected_time(app, force, login_as, make):
    incident = datetime.now(UTC) - timedelta(days=10)
    report_id = make.report(force.officer, incident_at=incident.strftime("%Y-%m-%dT%H:%M:%SZ"))
    make.set_status(report_id, "returned")
    with app.app_context():
        policy.set_policy("derogated", actor=None, effective_from=datetime.now(UTC) - timedelta(days=5))
        db.session.commit()
    corrected = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    response = amend(login_as(force.officer), report_id,
                     {"reason": "Wrong date", "changes": {"incident_at": corrected}})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["policy_version"] == 2
