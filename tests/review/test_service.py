"""uof.services.reviews: the queue, opening a review, and each decision with its effects."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.review.conftest import decision
from uof.extensions import db
from uof.models import (
    APPROVED,
    AWAITING_REVIEW,
    REFERRED,
    RESUBMITTED,
    RETURNED,
    SUBMITTED,
    UNDER_REVIEW,
    Alert,
    AuditEvent,
    Report,
    Review,
    User,
)
from uof.services import audit, reports, reviews

NOW = datetime.now(UTC).replace(microsecond=0)


def _user(person) -> User:  # type: ignore[no-untyped-def]
    user = db.session.get(User, person.id)
    assert user is not None
    return user


def _report(report_id: int) -> Report:
    report = db.session.get(Report, report_id)
    assert report is not None
    return report


def _audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)))


def test_the_queue_is_the_teams_waiting_reports_oldest_first_with_overdue_flagged(app, make, force, set_waiting):
    oldest = make.report(force.officer, incident_reference="CAD-OLD")
    newest = make.report(force.colleague, incident_reference="CAD-NEW")
    middle = make.report(force.officer, incident_reference="CAD-MID")
    resubmitted = make.report(force.colleague, incident_reference="CAD-RESUB")
    own = make.report(force.supervisor, incident_reference="CAD-OWN")
    other_team = make.report(force.outsider, incident_reference="CAD-B")
    approved = make.report(force.officer, incident_reference="CAD-DONE")
    returned = make.report(force.officer, incident_reference="CAD-RET")
    make.set_status(approved, APPROVED)
    make.set_status(returned, RETURNED)
    make.set_status(resubmitted, RESUBMITTED)
    set_waiting(oldest, NOW - timedelta(hours=100))
    set_waiting(middle, NOW - timedelta(hours=72))
    set_waiting(resubmitted, NOW - timedelta(hours=80))
    set_waiting(newest, NOW - timedelta(minutes=5))
    set_waiting(own, NOW - timedelta(hours=200))

    with app.app_context():
        queue = reviews.queue(_user(force.supervisor), NOW)
        assert [w.report.id for w in queue] == [oldest, resubmitted, middle, newest]
        # Overdue means waiting more than 72 hours, not exactly 72.
        assert [w.overdue for w in queue] == [True, True, False, False]
        assert queue[0].waited == timedelta(hours=100)
        assert reviews.queue_count(_user(force.supervisor)) == 4
        # The second supervisor of the team sees the first one's own report too.
        assert own in [w.report.id for w in reviews.queue(_user(force.second_supervisor), NOW)]
        assert [w.report.id for w in reviews.queue(_user(force.other_supervisor), NOW)] == [other_team]
        for nobody in (force.officer, force.governance, force.admin):
            assert reviews.queue(_user(nobody), NOW) == []
            assert reviews.queue_count(_user(nobody)) == 0


def test_can_review_is_a_supervisor_of_the_team_who_is_not_the_officer(app, make, force):
    theirs = make.report(force.officer)
    sergeants = make.report(force.supervisor)
    with app.app_context():
        report, own = _report(theirs), _report(sergeants)
        assert reviews.can_review(_user(force.supervisor), report)
        assert reviews.can_review(_user(force.second_supervisor), report)
        assert not reviews.can_review(_user(force.supervisor), own)
        assert reviews.can_review(_user(force.second_supervisor), own)
        for person in (force.officer, force.colleague, force.other_supervisor, force.governance, force.admin,
                       force.auditor):
            assert not reviews.can_review(_user(person), report)


def test_opening_a_waiting_report_puts_it_under_review_once(app, make, force):
    report_id = make.report(force.officer)
    with app.app_context():
        report = _report(report_id)
        assert not reviews.start(report, _user(force.officer))
        assert reviews.start(report, _user(force.supervisor))
        assert report.status == UNDER_REVIEW
        assert not reviews.start(report, _user(force.second_supervisor))
        db.session.commit()
        opened = _audit("review.open")
        assert [(e.actor_id, e.object_id) for e in opened] == [(force.supervisor.id, str(report_id))]
        # Still waiting: the queue keeps it, from the same time.
        assert report.awaiting_review_since is not None
        assert report.status in AWAITING_REVIEW


@pytest.mark.parametrize(("choice", "status"), [("approve", APPROVED), ("return", RETURNED), ("refer", REFERRED)])
def test_each_decision_makes_a_review_sets_the_status_and_is_audited(app, make, force, choice, status):
    report_id = make.report(force.officer)
    with app.app_context():
        report = _report(report_id)
        outcome = reviews.decide(report, _user(force.supervisor),
                                 decision(choice, comment="The comment, not for the audit log.",
                                          debrief_held=True), NOW)
        assert outcome.outcome == reviews.DECIDED
        db.session.commit()
        report = _report(report_id)
        assert report.status == status
        assert report.awaiting_review_since is None
        assert report.updated_at == NOW
        [review] = report.reviews
        assert (review.decision, review.report_version, review.reviewer_id, review.comment, review.bwv_reviewed,
                review.bwv_reference, review.debrief_held, review.created_at) == (
            choice, 1, force.supervisor.id, "The comment, not for the audit log.", True, "BWV-88812", True, NOW)
        [event] = _audit("review.decide")
        assert event.actor_id == force.supervisor.id
        assert event.object_id == str(report_id)
        assert event.detail == {"review_id": review.id, "decision": choice, "version": 1, "bwv_reviewed": True,
                                "debrief_held": True}
        assert "comment" not in str(event.detail)
        assert audit.verify().ok


def test_return_alerts_the_officer(app, make, force):
    report_id = make.report(force.officer)
    with app.app_context():
        outcome = reviews.decide(_report(report_id), _user(force.supervisor), decision("return"), NOW)
        db.session.commit()
        assert outcome.review is not None
        alerts = db.session.scalars(select(Alert).where(Alert.rule == "report_returned")).all()
        assert [(a.recipient_id, a.kind, a.severity, a.report_id, a.officer_id, a.dedupe_key) for a in alerts] == [
            (force.officer.id, "workflow", "warning", report_id, force.officer.id,
             f"report_returned:{outcome.review.id}")]
        assert alerts[0].title == f"UOF-{report_id:06d} returned for amendment"


def test_refer_alerts_every_governance_user(app, make, force):
    second = make.user("analyst@example.org", "governance")
    report_id = make.report(force.officer)
    with app.app_context():
        outcome = reviews.decide(_report(report_id), _user(force.supervisor), decision("refer"), NOW)
        db.session.commit()
        alerts = db.session.scalars(select(Alert).where(Alert.rule == "report_referred").order_by(Alert.id)).all()
        assert [(a.recipient_id, a.severity, a.kind) for a in alerts] == [
            (force.governance.id, "critical", "workflow"), (second.id, "critical", "workflow")]
        assert outcome.review is not None
        assert {a.dedupe_key for a in alerts} == {f"report_referred:{outcome.review.id}:{force.governance.id}",
                                                  f"report_referred:{outcome.review.id}:{second.id}"}


def test_approval_alerts_nobody(app, make, force):
    report_id = make.report(force.officer)
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Alert))
        reviews.decide(_report(report_id), _user(force.supervisor), decision("approve"), NOW)
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Alert)) == before


def test_only_a_waiting_report_can_be_decided(app, make, force):
    report_id = make.report(force.officer)
    with app.app_context():
        first = reviews.decide(_report(report_id), _user(force.supervisor), decision("approve"), NOW)
        assert first.outcome == reviews.DECIDED
        db.session.commit()
        again = reviews.decide(_report(report_id), _user(force.second_supervisor), decision("approve"), NOW)
        assert again.outcome == reviews.NOT_AWAITING_REVIEW
        db.session.rollback()
        assert len(_report(report_id).reviews) == 1


def test_an_invalid_or_forbidden_decision_changes_nothing(app, make, force):
    report_id = make.report(force.supervisor)
    with app.app_context():
        own = reviews.decide(_report(report_id), _user(force.supervisor), decision("approve"), NOW)
        assert own.outcome == reviews.FORBIDDEN
        db.session.rollback()
        invalid = reviews.decide(_report(report_id), _user(force.second_supervisor),
                                 decision("return", comment=""), NOW)
        assert invalid.outcome == reviews.INVALID
        assert invalid.errors == {"comment": ["Say what the officer must amend."]}
        db.session.rollback()
        report = _report(report_id)
        assert report.status == SUBMITTED
        assert report.reviews == []
        assert _audit("review.decide") == []


def test_a_supervisors_own_report_is_reviewed_by_the_teams_other_supervisor(app, make, force):
    report_id = make.report(force.supervisor)
    with app.app_context():
        assert report_id not in [w.report.id for w in reviews.queue(_user(force.supervisor), NOW)]
        outcome = reviews.decide(_report(report_id), _user(force.second_supervisor), decision("approve"), NOW)
        assert outcome.outcome == reviews.DECIDED
        db.session.commit()
        assert _report(report_id).reviews[0].reviewer_id == force.second_supervisor.id


def test_two_decisions_at_once_make_one_review(app, make, force):
    report_id = make.report(force.officer)
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def decide(person, choice: str) -> None:  # type: ignore[no-untyped-def]
        with app.app_context():
            start.wait()
            outcome = reviews.decide(_report(report_id), _user(person), decision(choice), datetime.now(UTC))
            outcomes.append(outcome.outcome)
            if outcome.outcome == reviews.DECIDED:
                db.session.commit()
            else:
                db.session.rollback()

    threads = [threading.Thread(target=decide, args=(force.supervisor, "approve")),
               threading.Thread(target=decide, args=(force.second_supervisor, "return"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [reviews.DECIDED, reviews.NOT_AWAITING_REVIEW]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Review)) == 1
        assert len(_audit("review.decide")) == 1
        assert audit.verify().ok


def test_return_amend_resubmit_and_back_in_the_queue(app, make, force):
    report_id = make.report(force.officer)
    with app.app_context():
        reviews.decide(_report(report_id), _user(force.supervisor),
                       decision("return", comment="Say why handcuffs were needed."), NOW)
        db.session.commit()
        assert [a.recipient_id for a in db.session.scalars(select(Alert).where(
            Alert.rule == "report_returned"))] == [force.officer.id]
        assert report_id not in [w.report.id for w in reviews.queue(_user(force.supervisor))]
        amended = reports.amend(_report(report_id), _user(force.officer), {
            "reason": "Added why handcuffs were needed.",
            "changes": {"narrative": "Handcuffed because he tried to run into the road."}})
        assert amended.outcome == "amended", amended.errors
        db.session.commit()
        report = _report(report_id)
        assert (report.status, report.version) == (RESUBMITTED, 2)
        [waiting] = [w for w in reviews.queue(_user(force.supervisor)) if w.report.id == report_id]
        assert not waiting.overdue
        second = reviews.decide(report, _user(force.supervisor), decision("approve"), datetime.now(UTC))
        db.session.commit()
        assert second.review is not None
        assert second.review.report_version == 2
        assert [r.decision for r in _report(report_id).reviews] == ["return", "approve"]
        # Review timeliness counts from the first decision; the second leaves it.
        assert _report(report_id).first_decided_at == NOW
