"""Workflow rules: reviews overdue (supervisors, then governance) and amendment requests not answered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.alerts.conftest import alerts_in, set_report, submit
from uof.domain.alert_kinds import WORKFLOW
from uof.domain.review import RETURN
from uof.extensions import db
from uof.models import APPROVED, RESUBMITTED, RETURNED, Review, User
from uof.services import alert_rules

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def run(app, now) -> int:
    with app.app_context():
        raised = alert_rules.evaluate_workflow(now)
        db.session.commit()
        return raised


def who(app, rule="review_overdue"):
    return sorted((a.recipient_id, a.severity) for a in alerts_in(app, rule=rule))


def test_a_review_overdue_at_72_hours_alerts_supervisors_not_the_officer(app, force):
    report_id = submit(app, force.officer, now=T0)
    assert run(app, T0 + timedelta(hours=71)) == 0
    assert run(app, T0 + timedelta(hours=73)) == 1
    [alert] = alerts_in(app, kind=WORKFLOW)
    assert (alert.recipient_id, alert.report_id, alert.severity) == (force.supervisor.id, report_id, "warning")
    assert alert.title == f"UOF-{report_id:06d}: review overdue — PC Pat Jones (1234)"
    assert alert.detail == {"waiting_hours": 73, "hours": 72}


def test_escalation_to_governance_after_120_hours(app, force):
    submit(app, force.officer, now=T0)
    run(app, T0 + timedelta(hours=73))
    assert run(app, T0 + timedelta(hours=119)) == 0
    assert run(app, T0 + timedelta(hours=121)) == 1
    assert who(app) == sorted([(force.supervisor.id, "warning"), (force.governance.id, "critical")])
    assert [run(app, T0 + timedelta(hours=h)) for h in (122, 200, 500)] == [0, 0, 0]


def test_a_decided_report_is_not_overdue(app, force):
    report_id = submit(app, force.officer, now=T0)
    set_report(app, report_id, status=APPROVED, awaiting_review_since=None)
    assert run(app, T0 + timedelta(hours=200)) == 0


def test_a_resubmission_starts_the_clock_again(app, force):
    report_id = submit(app, force.officer, now=T0)
    run(app, T0 + timedelta(hours=73))
    later = T0 + timedelta(hours=100)
    set_report(app, report_id, status=RESUBMITTED, awaiting_review_since=later)
    assert run(app, later + timedelta(hours=71)) == 0
    assert run(app, later + timedelta(hours=73)) == 1
    assert len(alerts_in(app, rule="review_overdue")) == 2


def test_a_team_can_allow_longer(app, force):
    with app.app_context():
        admin = db.session.get(User, force.admin.id)
        alert_rules.save("review_overdue", team_id=force.team_a, enabled=True, actor=admin,
                         params={"hours": 96, "escalate_hours": 144})
        db.session.commit()
    submit(app, force.officer, now=T0)
    submit(app, force.outsider, now=T0)
    run(app, T0 + timedelta(hours=73))
    assert who(app) == [(force.other_supervisor.id, "warning")]


def _return(app, report_id, reviewer, at):
    with app.app_context():
        db.session.add(Review(report_id=report_id, reviewer_id=reviewer.id, report_version=1, decision=RETURN,
                              comment="Add the BWV reference", created_at=at))
        db.session.commit()
    set_report(app, report_id, status=RETURNED, awaiting_review_since=None, updated_at=at)


def test_an_amendment_not_answered_alerts_the_officer_and_the_supervisor_who_returned_it(app, force):
    report_id = submit(app, force.officer, now=T0)
    returned = T0 + timedelta(hours=5)
    _return(app, report_id, force.supervisor, returned)
    assert run(app, returned + timedelta(hours=71)) == 0
    assert run(app, returned + timedelta(hours=73)) == 2
    assert who(app, "amendment_overdue") == sorted([(force.officer.id, "warning"), (force.supervisor.id, "warning")])
    assert run(app, returned + timedelta(hours=90)) == 0
    # The review-overdue rule does not fire for a report waiting on its officer.
    assert alerts_in(app, rule="review_overdue") == []


def test_a_second_return_is_a_new_request(app, force):
    report_id = submit(app, force.officer, now=T0)
    _return(app, report_id, force.supervisor, T0)
    run(app, T0 + timedelta(hours=73))
    second = T0 + timedelta(hours=100)
    _return(app, report_id, force.supervisor, second)
    assert run(app, second + timedelta(hours=73)) == 2
    assert len(alerts_in(app, rule="amendment_overdue")) == 4
