"""Immediate rules at submission and resubmission: who is alerted, with what title, in which transaction."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.alerts.conftest import alerts_in, body, submit
from uof.domain.alert_kinds import IMMEDIATE
from uof.extensions import db
from uof.models import RETURNED, Alert, Report, User
from uof.services import alert_rules, reports


def test_taser_discharge_alerts_the_team_supervisor(app, force):
    report_id = submit(app, force.officer, "ced_drawn", "ced_fired")
    [alert] = alerts_in(app)
    assert alert.recipient_id == force.supervisor.id
    assert (alert.kind, alert.rule, alert.severity) == (IMMEDIATE, "ced_discharge", "warning")
    assert alert.title == f"UOF-{report_id:06d}: Taser discharged — PC Pat Jones (1234)"
    assert (alert.report_id, alert.officer_id) == (report_id, force.officer.id)
    assert alert.dedupe_key == f"immediate:ced_discharge:{report_id}:{force.supervisor.id}"


def test_nothing_alerts_for_routine_force(app, force):
    submit(app, force.officer, "ced_drawn", "ced_aimed", "baton_drawn", "compliant_handcuffing")
    assert alerts_in(app) == []


def test_every_rule_met_alerts_once(app, force):
    report_id = submit(app, force.officer, "baton_used", "spit_guard", subject={
        "age_band": "age_11_17", "gender": "female", "ethnicity": "black", "health_condition": "none"})
    assert sorted(a.rule for a in alerts_in(app)) == ["baton_used", "spit_guard", "under_18"]
    assert {a.report_id for a in alerts_in(app)} == {report_id}


def test_a_supervisors_own_report_goes_to_governance(app, force):
    submit(app, force.supervisor, "baton_used")
    assert [a.recipient_id for a in alerts_in(app)] == [force.governance.id]


def test_a_rolled_back_submission_leaves_no_alert(app, force):
    with app.app_context():
        officer = db.session.get(User, force.officer.id)
        submission = reports.submit(officer, body("firearm_aimed"))
        assert submission.outcome == "created"
        assert db.session.scalar(select(func.count(Alert.id))) == 1  # written in the same transaction
        db.session.rollback()
        assert db.session.scalar(select(func.count(Alert.id))) == 0
        assert db.session.scalar(select(func.count(Report.id))) == 0


def test_a_retried_submission_does_not_alert_again(app, force):
    payload = body("dog_bite")
    with app.app_context():
        officer = db.session.get(User, force.officer.id)
        assert reports.submit(officer, payload).outcome == "created"
        db.session.commit()
        assert reports.submit(officer, payload).outcome == "replayed"
        db.session.commit()
    assert len(alerts_in(app)) == 1


def test_a_resubmission_alerts_only_for_what_is_new(app, force):
    report_id = submit(app, force.officer, "baton_used")
    with app.app_context():
        report = db.session.get(Report, report_id)
        report.status = RETURNED
        db.session.commit()
        amended = reports.amend(report, report.officer, {
            "reason": "Forgot the spit guard",
            "changes": {"tactics": [{"code": "baton_used", "effective": True},
                                    {"code": "spit_guard", "effective": True}]},
        })
        assert amended.outcome == "amended", amended.errors
        db.session.commit()
    assert [a.rule for a in alerts_in(app)] == ["baton_used", "spit_guard"]
    assert alerts_in(app)[1].detail["report_version"] == 2


def test_a_rule_switched_off_force_wide_stays_quiet(app, force):
    with app.app_context():
        admin = db.session.get(User, force.admin.id)
        assert alert_rules.save("baton_used", team_id=None, enabled=False, params={}, actor=admin).changed
        db.session.commit()
    submit(app, force.officer, "baton_used")
    assert alerts_in(app) == []


def test_a_team_can_switch_a_rule_back_on(app, force):
    with app.app_context():
        admin = db.session.get(User, force.admin.id)
        alert_rules.save("baton_used", team_id=None, enabled=False, params={}, actor=admin)
        alert_rules.save("baton_used", team_id=force.team_a, enabled=True, params={}, actor=admin)
        db.session.commit()
    submit(app, force.officer, "baton_used")
    submit(app, force.outsider, "baton_used")
    assert [(a.recipient_id, a.officer_id) for a in alerts_in(app)] == [(force.supervisor.id, force.officer.id)]


def test_submission_through_the_api_alerts(app, force, auth):
    auth.login("pc.jones@example.org")
    response = auth.api_post("/api/v1/reports", body("aep_fired"))
    assert response.status_code == 201
    assert [a.rule for a in alerts_in(app)] == ["aep"]
