"""Overdue means the same in the review queue, the review_overdue alert, the digest and the team dashboard: the
team's own setting of the rule, read once for the whole queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event, select

from tests.conftest import csrf_from
from tests.review.conftest import TEAM_A
from uof.domain.alert_kinds import DIGEST, WORKFLOW
from uof.extensions import db
from uof.models import Alert, AlertRuleSetting, Report, Team, User
from uof.services import alert_rules, reviews, team_stats

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def _team_id(name: str) -> int:
    team_id = db.session.scalar(select(Team.id).where(Team.name == name))
    assert team_id is not None
    return team_id


def test_the_queue_alert_digest_and_dashboard_agree_on_the_teams_own_hours(app, make, force, set_waiting):
    # Team A's supervisors want a decision within 24 hours; team B keeps the catalogue's 72.
    with app.app_context():
        team_a = _team_id(TEAM_A)
        db.session.add(AlertRuleSetting(scope=f"team-{team_a}", team_id=team_a, rule=alert_rules.REVIEW_RULE,
                                        params={"hours": 24, "escalate_hours": 200}))
        db.session.commit()
    late = make.report(force.officer, incident_reference="CAD-LATE")          # 30 hours: overdue in team A
    exactly = make.report(force.colleague, incident_reference="CAD-EXACT")    # 24 hours: not yet more than 24
    fresh = make.report(force.officer, incident_reference="CAD-FRESH")        # 20 hours
    b_report = make.report(force.outsider, incident_reference="CAD-B")        # 30 hours, but team B has 72
    set_waiting(late, NOW - timedelta(hours=30))
    set_waiting(exactly, NOW - timedelta(hours=24))
    set_waiting(fresh, NOW - timedelta(hours=20))
    set_waiting(b_report, NOW - timedelta(hours=30))

    with app.app_context():
        supervisor = db.session.get(User, force.supervisor.id)
        queue = reviews.queue(supervisor, NOW)
        in_queue = {w.report.id for w in queue if w.overdue}
        assert {w.report.id: w.due_hours for w in queue} == {late: 24, exactly: 24, fresh: 24}
        other = reviews.queue(db.session.get(User, force.other_supervisor.id), NOW)
        assert [(w.report.id, w.overdue, w.due_hours) for w in other] == [(b_report, False, 72)]

        alert_rules.evaluate_workflow(NOW)
        alert_rules.send_due_digests(NOW)
        db.session.commit()
        alerted = set(db.session.scalars(
            select(Alert.report_id).where(Alert.kind == WORKFLOW, Alert.rule == alert_rules.REVIEW_RULE)))
        digest = db.session.scalars(
            select(Alert.detail).where(Alert.kind == DIGEST, Alert.team_id == team_a)).first()
        dashboard = team_stats.for_team(db.session.get(Team, team_a), weeks=4, now=NOW)

    assert in_queue == {late}
    assert alerted == {late}
    assert digest is not None
    assert digest["overdue"] == 1
    assert {item.report_id for item in dashboard.overdue} == {late}
    assert dashboard.review_due_hours == 24
    assert [item.reference for item in dashboard.overdue] == [f"UOF-{late:06d}"]


def test_the_queue_reads_the_rule_settings_once_however_many_reports(app, make, force, set_waiting):
    for n in range(4):
        set_waiting(make.report(force.officer, incident_reference=f"CAD-{n}"), NOW - timedelta(hours=n))
    with app.app_context():
        supervisor = db.session.get(User, force.supervisor.id)
        statements: list[str] = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert len(reviews.queue(supervisor, NOW)) == 4
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    assert sum("alert_rule_settings" in statement for statement in statements) == 1


def _refer(app, make, force, login_as) -> str:  # type: ignore[no-untyped-def]
    report_id = make.report(force.officer)
    caller = login_as(force.supervisor)
    token = csrf_from(caller.client.get(f"/review/{report_id}").get_data(as_text=True))
    response = caller.client.post(f"/review/{report_id}", data={
        "decision": "refer", "comment": "Force out of proportion.", "bwv_reviewed": "y",
        "bwv_reference": "BWV-88812", "csrf_token": token})
    assert response.status_code == 303
    return caller.client.get("/review").get_data(as_text=True)


def test_a_referral_says_how_many_in_governance_were_alerted(app, make, force, login_as):
    make.user("psd.head@example.org", "governance")
    page = _refer(app, make, force, login_as)
    assert "referred to professional standards. 2 people in governance have been alerted." in page


def test_a_referral_with_one_governance_user(app, make, force, login_as):
    page = _refer(app, make, force, login_as)
    assert "referred to professional standards. 1 person in governance has been alerted." in page


def test_a_referral_with_nobody_in_governance_does_not_claim_anyone_was_alerted(app, make, force, login_as):
    with app.app_context():
        governance = db.session.get(User, force.governance.id)
        assert governance is not None
        governance.active = False
        db.session.commit()
    page = _refer(app, make, force, login_as)
    assert "Governance has been alerted" not in page
    assert "Nobody was alerted: there is no one in governance to alert. Tell an administrator." in page
    with app.app_context():
        assert db.session.scalar(select(Alert.id).where(Alert.rule == reviews.REFERRED_RULE)) is None
        assert db.session.scalar(select(Report.status)) == "referred"
