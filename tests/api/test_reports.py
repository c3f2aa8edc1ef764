"""API.md: POST /api/v1/reports (idempotent submission, validation), GET /api/v1/reports[/<id>]."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.factories import report_body
from uof.extensions import db
from uof.models import AuditEvent, Report, ReportVersion, User
from uof.services import policy

SUBMITTED_KEYS = {"id", "client_id", "status", "policy_version", "url"}


def test_submit_creates_a_report(app, force, login_as, counts):
    caller = login_as(force.officer)
    body = report_body()
    before = counts()
    response = caller.api_post("/api/v1/reports", body)
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert set(data) >= SUBMITTED_KEYS
    assert data["client_id"] == body["client_id"]
    assert data["status"] == "submitted"
    assert data["policy_version"] == 1
    assert data["url"] == f"/reports/{data['id']}"
    assert response.headers["Location"].endswith(data["url"])
    assert data["warnings"] == []
    after = counts()
    assert (after.reports, after.versions) == (before.reports + 1, before.versions + 1)
    with app.app_context():
        report = db.session.get(Report, data["id"])
        assert report.officer_id == force.officer.id
        assert report.team_id is not None
        assert report.version == 1
        assert report.area == "Birmingham"  # the officer's team's area when none is given
        assert report.content["incident_reference"] == body["incident_reference"]
        assert report.content["incident_at"] == body["incident_at"]
        created = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.create")).all()
        assert [(e.actor_id, e.object_id) for e in created] == [(force.officer.id, str(report.id))]


def test_a_supervisor_can_record_their_own_use_of_force(force, login_as):
    response = login_as(force.supervisor).api_post("/api/v1/reports", report_body())
    assert response.status_code == 201, response.get_json()


@pytest.mark.parametrize("role", ["governance", "admin", "auditor"])
def test_non_recording_roles_get_403(force, login_as, counts, role):
    caller = login_as(getattr(force, role))
    before = counts()
    response = caller.api_post("/api/v1/reports", report_body())
    assert response.status_code == 403
    assert response.get_json()["error"] == "forbidden"
    assert counts() == before


# --- idempotency --------------------------------------------------------------------------------------------

def test_the_same_submission_again_is_200_with_the_same_body(app, force, login_as, counts):
    caller = login_as(force.officer)
    body = report_body()
    first = caller.api_post("/api/v1/reports", body)
    assert first.status_code == 201
    before = counts()
    again = caller.api_post("/api/v1/reports", body)
    assert again.status_code == 200
    assert again.get_json() == first.get_json()
    # The same content with the keys in another order is the same submission.
    reordered = dict(reversed(list(body.items())))
    assert caller.api_post("/api/v1/reports", reordered).status_code == 200
    assert counts() == before
    with app.app_context():
        assert len(db.session.scalars(select(Report).where(Report.client_id == body["client_id"])).all()) == 1


def test_a_retry_of_a_report_with_a_duplicate_warning_gets_the_same_body(force, login_as):
    caller = login_as(force.officer)
    assert caller.api_post("/api/v1/reports", report_body()).status_code == 201
    body = report_body()
    second = caller.api_post("/api/v1/reports", body)
    assert second.status_code == 201
    assert len(second.get_json()["warnings"]) == 1
    retry = caller.api_post("/api/v1/reports", body)
    assert retry.status_code == 200
    assert retry.get_json() == second.get_json()


def test_same_client_id_with_different_content_is_a_conflict(force, login_as, counts):
    caller = login_as(force.officer)
    body = report_body()
    assert caller.api_post("/api/v1/reports", body).status_code == 201
    before = counts()
    changed = {**body, "narrative": "Something else entirely."}
    response = caller.api_post("/api/v1/reports", changed)
    assert response.status_code == 422
    assert response.get_json()["error"] == "idempotency_conflict"
    # Even when the new content is invalid, reusing the client_id is the conflict.
    response = caller.api_post("/api/v1/reports", {**body, "conduct": "shouting"})
    assert response.status_code == 422
    assert response.get_json()["error"] == "idempotency_conflict"
    assert counts() == before


def test_another_officer_reusing_a_client_id_gets_their_own_report(app, force, login_as):
    body = report_body()
    mine = login_as(force.officer).api_post("/api/v1/reports", body)
    assert mine.status_code == 201
    other_body = {**body, "narrative": "The colleague's own account."}
    colleague = login_as(force.colleague)
    theirs = colleague.api_post("/api/v1/reports", other_body)
    assert theirs.status_code == 201, theirs.get_json()
    assert theirs.get_json()["id"] != mine.get_json()["id"]
    # Nothing of the first officer's report comes back to the colleague.
    assert colleague.client.get(f"/api/v1/reports/{mine.get_json()['id']}").status_code == 404
    own = colleague.client.get(f"/api/v1/reports/{theirs.get_json()['id']}").get_json()
    assert own["narrative"] == "The colleague's own account."
    assert own["officer"]["id"] == force.colleague.id
    # The same body from the colleague is also their own, separate report.
    third = login_as(force.outsider).api_post("/api/v1/reports", body)
    assert third.status_code == 201
    with app.app_context():
        owners = db.session.scalars(select(Report.officer_id).where(Report.client_id == body["client_id"])).all()
        assert sorted(owners) == sorted([force.officer.id, force.colleague.id, force.outsider.id])


# --- validation ---------------------------------------------------------------------------------------------

def _future() -> str:
    return (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


INVALID = [
    pytest.param({"locations": ["moon"]}, ["locations.0"], id="unknown-location"),
    pytest.param({"subject": {"age_band": "age_18_34", "gender": "male", "ethnicity": "chinese",
                              "health_condition": "none"}}, ["subject.ethnicity"], id="retired-ethnicity"),
    pytest.param({"tactics": [{"code": "water_cannon", "effective": True}]}, ["tactics.0.code"],
                 id="unknown-tactic"),
    pytest.param({"tactics": []}, ["tactics"], id="no-tactic"),
    pytest.param({"reasons": []}, ["reasons"], id="no-reason"),
    pytest.param({"outcomes": []}, ["outcomes"], id="no-outcome"),
    pytest.param({"locations": []}, ["locations"], id="no-location"),
    pytest.param({"incident_at": "FUTURE"}, ["incident_at"], id="future"),
    pytest.param({"incident_at": "2016-12-31T12:00:00Z"}, ["incident_at"], id="before-2017"),
    pytest.param({"incident_at": "2026-01-01T12:00:00"}, ["incident_at"], id="naive-time"),
    pytest.param({"subject_injury": {"injured": False, "level": "severe", "medical_assistance": "none"}},
                 ["subject_injury.level"], id="subject-injury"),
    pytest.param({"officer_injury": {"injured": True, "intentional_assault": False, "level": "none"}},
                 ["officer_injury.level"], id="officer-injury"),
    pytest.param({"outcomes": ["fatality"]}, ["subject_injury.level"], id="fatality-without-death"),
    pytest.param({"outcomes": ["arrested", "no_further_action"]}, ["outcomes"], id="arrested-and-nfa"),
    pytest.param({"tactics": [{"code": "ced_fired", "effective": True}]}, ["ced_carried"], id="taser-not-carried"),
    pytest.param({"bwv": {"worn": False, "recording": True, "reference": None, "viewed_before_account": False}},
                 ["bwv.recording"], id="bwv"),
    pytest.param({"tactics": [{"code": "tactical_communication", "effective": True}]}, ["tactics"],
                 id="communication-alone"),
    pytest.param({"single_crewed": "no"}, ["single_crewed"], id="string-for-bool"),
    pytest.param({"reasons": {"protect_self": True}}, ["reasons"], id="object-for-list"),
    pytest.param({"narrative": "x" * 4001}, ["narrative"], id="narrative-too-long"),
    pytest.param({"incident_reference": ""}, ["incident_reference"], id="no-reference"),
    pytest.param({"officer_name": "PC Smith"}, ["officer_name"], id="unknown-field"),
    pytest.param({"area": "Atlantis"}, ["area"], id="unknown-area"),
    pytest.param({"client_id": "not-a-uuid"}, ["client_id"], id="bad-client-id"),
]


@pytest.mark.parametrize(("overrides", "paths"), INVALID)
def test_invalid_content_is_422_with_dotted_paths(force, login_as, counts, overrides, paths):
    if overrides.get("incident_at") == "FUTURE":
        overrides = {**overrides, "incident_at": _future()}
    caller = login_as(force.officer)
    before = counts()
    response = caller.api_post("/api/v1/reports", report_body(**overrides))
    assert response.status_code == 422
    data = response.get_json()
    assert data["error"] == "validation"
    assert sorted(data["fields"]) == sorted(paths)
    for messages in data["fields"].values():
        assert messages
        assert all(isinstance(message, str) and message for message in messages)
    assert counts() == before


@pytest.mark.parametrize("body", [[], "a report", 7, None])
def test_a_body_that_is_not_an_object_is_422(force, login_as, counts, body):
    caller = login_as(force.officer)
    before = counts()
    response = caller.client.post("/api/v1/reports", data=json.dumps(body), content_type="application/json",
                                  headers={"X-CSRFToken": caller.csrf()})
    assert response.status_code == 422
    assert response.get_json() == {"error": "validation", "fields": {"body": ["Expected a JSON object."]}}
    assert counts() == before


def test_a_tactic_excluded_by_the_policy_in_force_is_422(app, force, login_as, counts):
    with app.app_context():
        row = policy.set_policy("derogated", actor=None, tactics={"baton_drawn": "excluded"},
                                effective_from=datetime.now(UTC) - timedelta(days=1))
        version = row.version
        db.session.commit()
    caller = login_as(force.officer)
    form = caller.client.get("/api/v1/form").get_json()
    assert form["policy"]["version"] == version
    assert form["policy"]["tactics"]["baton_drawn"] == "excluded"
    before = counts()
    response = caller.api_post("/api/v1/reports", report_body(tactics=[
        {"code": "non_compliant_handcuffing", "effective": True}, {"code": "baton_drawn", "effective": False},
    ]))
    assert response.status_code == 422
    fields = response.get_json()["fields"]
    assert list(fields) == ["tactics.1.code"]
    assert f"version {version}" in fields["tactics.1.code"][0]
    assert counts() == before
    # An optional tactic under the same policy is accepted, and the report records the policy version.
    response = caller.api_post("/api/v1/reports", report_body(tactics=[
        {"code": "compliant_handcuffing", "effective": True},
    ]))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["policy_version"] == version


def test_duplicate_incident_reference_warning(force, login_as):
    caller = login_as(force.officer)
    first = caller.api_post("/api/v1/reports", report_body(incident_reference="CAD-77"))
    assert first.get_json()["warnings"] == []
    second = caller.api_post("/api/v1/reports", report_body(incident_reference="CAD-77"))
    assert second.status_code == 201
    warnings = second.get_json()["warnings"]
    assert len(warnings) == 1
    assert "CAD-77" in warnings[0]
    assert f"UOF-{first.get_json()['id']:06d}" in warnings[0]
    # Another reference, or another officer at the same incident, is no duplicate.
    assert caller.api_post("/api/v1/reports", report_body(incident_reference="CAD-78")).get_json()["warnings"] == []
    colleague = login_as(force.colleague)
    assert colleague.api_post("/api/v1/reports", report_body(incident_reference="CAD-77")).get_json()[
        "warnings"] == []


# --- reading ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("officer", 200),
        ("supervisor", 200),
        ("governance", 200),
        ("colleague", 404),
        ("outsider", 404),
        ("other_supervisor", 404),
        ("admin", 404),
        ("auditor", 404),
    ],
)
def test_who_can_read_a_report(make, force, login_as, who, status):
    report_id = make.report(force.officer)
    response = login_as(getattr(force, who)).client.get(f"/api/v1/reports/{report_id}")
    assert response.status_code == status
    if status == 404:
        assert response.get_json()["error"] == "not_found"
        assert "narrative" not in response.get_json()
    else:
        assert response.get_json()["id"] == report_id


def test_a_missing_report_is_404_like_a_forbidden_one(force, login_as):
    response = login_as(force.governance).client.get("/api/v1/reports/999999")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_report_shape_and_view_audit(app, make, force, login_as):
    report_id = make.report(force.officer, incident_reference="CAD-9")
    response = login_as(force.supervisor).client.get(f"/api/v1/reports/{report_id}")
    assert response.status_code == 200
    data = response.get_json()
    assert data["id"] == report_id
    assert data["status"] == "submitted"
    assert data["version"] == 1
    assert data["policy_version"] == 1
    assert data["incident_reference"] == "CAD-9"
    assert data["officer"]["id"] == force.officer.id
    assert data["team"] == "Birmingham Central A"
    assert [version["version"] for version in data["versions"]] == [1]
    assert data["reviews"] == []
    assert data["tactics"] == [{"code": "non_compliant_handcuffing", "effective": True}]
    with app.app_context():
        views = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.view")).all()
        assert [(e.actor_id, e.object_type, e.object_id) for e in views] == [
            (force.supervisor.id, "report", str(report_id))
        ]


def test_a_refused_view_is_not_a_view(app, make, force, login_as):
    report_id = make.report(force.officer)
    assert login_as(force.admin).client.get(f"/api/v1/reports/{report_id}").status_code == 404
    with app.app_context():
        assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.view")).all() == []


def test_mine_lists_only_the_callers_reports_newest_first(app, make, force, login_as):
    own = [make.report(force.officer, incident_reference=f"CAD-{n}") for n in range(3)]
    make.report(force.colleague)
    make.report(force.outsider)
    response = login_as(force.officer).client.get("/api/v1/reports?mine=1")
    assert response.status_code == 200
    listed = response.get_json()["reports"]
    assert [item["id"] for item in listed] == list(reversed(own))
    assert [item["incident_reference"] for item in listed] == ["CAD-2", "CAD-1", "CAD-0"]
    for item in listed:
        assert {"id", "client_id", "status", "version", "policy_version", "url"} <= set(item)
    assert login_as(force.governance).client.get("/api/v1/reports?mine=1").get_json()["reports"] == []


def test_mine_is_ordered_by_submission_not_by_id(app, make, force, login_as):
    first = make.report(force.officer)
    second = make.report(force.officer)
    with app.app_context():
        report = db.session.get(Report, first)
        report.submitted_at = datetime.now(UTC) + timedelta(minutes=1)
        db.session.commit()
    listed = login_as(force.officer).client.get("/api/v1/reports?mine=1").get_json()["reports"]
    assert [item["id"] for item in listed] == [first, second]


def test_a_code_listed_twice_is_refused(force, login_as):
    body = report_body(reasons=["effect_arrest", "protect_self", "effect_arrest"])
    response = login_as(force.officer).api_post("/api/v1/reports", body)
    assert response.status_code == 422
    assert response.get_json()["fields"] == {"reasons.2": ["Effect arrest is listed twice."]}


def test_unknown_keys_inside_an_object_are_refused(force, login_as):
    body = report_body(subject={"age_band": "age_18_34", "gender": "male", "ethnicity": "white",
                                "health_condition": "none", "name": "A Person"})
    response = login_as(force.officer).api_post("/api/v1/reports", body)
    assert response.status_code == 422
    assert response.get_json()["fields"] == {"subject.name": ["Unknown field."]}


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_date_at_the_edge_of_the_calendar_is_a_validation_error(force, login_as, when):
    response = login_as(force.officer).api_post("/api/v1/reports", report_body(incident_at=when))
    assert response.status_code == 422
    assert "incident_at" in response.get_json()["fields"]


@pytest.mark.parametrize("report_id", [2**31, 10**20])
def test_an_id_too_large_for_the_database_is_not_found(force, login_as, report_id):
    caller = login_as(force.officer)
    assert caller.client.get(f"/api/v1/reports/{report_id}").status_code == 404
    assert caller.client.get(f"/reports/{report_id}").status_code == 404
    assert caller.api_post(f"/api/v1/reports/{report_id}/amendments", {}).status_code == 404


def test_stored_content_is_the_normalised_content(app, force, login_as):
    body = report_body(reasons=["effect_arrest", "protect_self"],
                       incident_at="2026-01-15T10:00:00+00:00", client_id=str(uuid.uuid4()).upper())
    response = login_as(force.officer).api_post("/api/v1/reports", body)
    assert response.status_code == 201, response.get_json()
    with app.app_context():
        report = db.session.get(Report, response.get_json()["id"])
        version = db.session.scalars(select(ReportVersion).where(ReportVersion.report_id == report.id)).one()
        assert version.content["reasons"] == ["protect_self", "effect_arrest"]
        assert version.content["incident_at"] == "2026-01-15T10:00:00Z"
        assert report.incident_at == datetime(2026, 1, 15, 10, tzinfo=UTC)
        assert report.client_id == body["client_id"].lower()
        assert db.session.get(User, force.officer.id).id == report.officer_id
