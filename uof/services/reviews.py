"""Supervisors' reviews: the queue of their teams' reports, opening a review, and the decision with its alerts.

A supervisor reviews the reports of the teams they supervise, never their own: a sergeant's own report is
reviewed by another supervisor of the team. One decision closes one wait for review; the report's row is
locked first, so two supervisors deciding at once make one review and the second is told it came too late.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import joinedload

from uof.domain.alert_kinds import CRITICAL, WARNING, WORKFLOW
from uof.domain.alert_rules import RULES, effective
from uof.domain.review import APPROVE, REFER, RETURN, check_decision, video_recorded
from uof.domain.validation import Errors
from uof.extensions import db
from uof.models import (
    APPROVED,
    AWAITING_REVIEW,
    REFERRED,
    RESUBMITTED,
    RETURNED,
    SUBMITTED,
    UNDER_REVIEW,
    Report,
    Review,
    TeamSupervisor,
    User,
    utcnow,
)
from uof.services import alert_rules, alerts, audit, facts

# When a review is overdue where no admin has changed the review_overdue rule (the demo force). The queue, the
# alert, the digests and the dashboard read the team's own setting of that rule.
REVIEW_DUE = timedelta(hours=effective(RULES[alert_rules.REVIEW_RULE]).number("hours"))
STATUS_AFTER = {APPROVE: APPROVED, RETURN: RETURNED, REFER: REFERRED}
RETURNED_RULE = "report_returned"
REFERRED_RULE = "report_referred"


def supervises(user: User, team_id: int | None) -> bool:
    return team_id is not None and user.has_role("supervisor") and any(t.id == team_id for t in user.supervised)


def can_review(user: User, report: Report) -> bool:
    """A supervisor of the report's team who is not the officer who made it."""
    return report.officer_id != user.id and supervises(user, report.team_id)


@dataclass(frozen=True)
class Waiting:
    """A report in a supervisor's queue, how long it has waited for a decision, and whether that is too long."""

    report: Report
    since: datetime
    waited: timedelta
    # The team's review_overdue setting: the hours after which the alert rule and the dashboard call it overdue.
    due_hours: int

    @property
    def overdue(self) -> bool:
        # Waiting more than the hours, as the alert rule, the digests and the dashboard judge it (``overdue_since``).
        return self.waited > timedelta(hours=self.due_hours)


def _queue_query(user: User) -> Select[Any]:
    supervised = select(TeamSupervisor.team_id).where(TeamSupervisor.user_id == user.id)
    return select(Report).where(
        Report.team_id.in_(supervised), Report.status.in_(AWAITING_REVIEW), Report.officer_id != user.id,
    )


def queue(user: User, now: datetime | None = None) -> list[Waiting]:
    """The reports ``user`` may review that wait for a decision, the longest waiting first."""
    if not user.has_role("supervisor"):
        return []
    now = now or utcnow()
    rows = db.session.scalars(
        _queue_query(user)
        .options(joinedload(Report.officer), joinedload(Report.team))
        .order_by(Report.awaiting_review_since, Report.id)
    ).unique()
    settings = alert_rules.load()  # once for the whole queue
    waiting = []
    for report in rows:
        # Set at submission and resubmission (and by the migration for older reports), cleared by the decision.
        since = report.awaiting_review_since
        assert since is not None, f"{report.reference} waits for review with no awaiting_review_since"
        hours = settings.of(alert_rules.REVIEW_RULE, report.team_id).number("hours")
        waiting.append(Waiting(report, since, now - since, hours))
    return waiting


def queue_count(user: User) -> int:
    """How many reports wait for ``user``'s review: the number beside the Review link."""
    if not user.has_role("supervisor"):
        return 0
    return db.session.scalar(
        select(func.count()).select_from(_queue_query(user).subquery())
    ) or 0


def start(report: Report, user: User, now: datetime | None = None) -> bool:
    """An eligible supervisor opened the review: a submitted or resubmitted report is now under review.

    The update is conditional on the status, so a report already under review or decided is left alone, and
    two supervisors opening it at once move it once. True when this call moved it.
    """
    if not can_review(user, report):
        return False
    moved = db.session.execute(
        update(Report)
        .where(Report.id == report.id, Report.status.in_((SUBMITTED, RESUBMITTED)))
        .values(status=UNDER_REVIEW, updated_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(report)
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        return False
    audit.record("review.open", actor=user, object_type="report", object_id=report.id,
                 detail={"version": report.version})
    return True


DECIDED = "decided"
INVALID = "invalid"
NOT_AWAITING_REVIEW = "not_awaiting_review"
FORBIDDEN = "forbidden"


@dataclass
class Outcome:
    """What became of a decision: ``decided``, ``invalid``, ``not_awaiting_review`` or ``forbidden``."""

    outcome: str
    report: Report
    review: Review | None = None
    errors: Errors = field(default_factory=dict)
    # How many people the decision alerted (the officer of a return; governance, for a referral).
    alerted: int = 0


def decide(report: Report, user: User, body: object, now: datetime | None = None) -> Outcome:
    """Record ``user``'s decision on the report's current version, in the caller's transaction."""
    now = now or utcnow()
    db.session.refresh(report, with_for_update=True)
    if not can_review(user, report):
        return Outcome(FORBIDDEN, report)
    if report.status not in AWAITING_REVIEW:
        return Outcome(NOT_AWAITING_REVIEW, report)
    checked = check_decision(body, video_recorded=video_recorded(report.content))
    if checked.decision is None:
        return Outcome(INVALID, report, errors=checked.errors)
    decision = checked.decision
    review = Review(
        report_id=report.id, reviewer_id=user.id, report_version=report.version, decision=decision.decision,
        comment=decision.comment, bwv_reviewed=decision.bwv_reviewed, bwv_reference=decision.bwv_reference,
        debrief_held=decision.debrief_held, created_at=now,
    )
    report.reviews.append(review)
    report.status = STATUS_AFTER[decision.decision]
    report.awaiting_review_since = None
    if report.first_decided_at is None:
        report.first_decided_at = now
        facts.refresh(report, facts.placed(report))  # its first decision is a fact: on time or late
    report.updated_at = now
    db.session.flush()
    # The comment stays out of the audit log: it may name people, and the review row keeps it.
    audit.record("review.decide", actor=user, object_type="report", object_id=report.id, detail={
        "review_id": review.id, "decision": decision.decision, "version": report.version,
        "bwv_reviewed": decision.bwv_reviewed, "debrief_held": decision.debrief_held,
    })
    alerted = 0
    if decision.decision == RETURN:
        alerted = _alert_officer(report, review, now)
    elif decision.decision == REFER:
        alerted = _alert_governance(report, review, now)
    return Outcome(DECIDED, report, review, alerted=alerted)


def _alert_officer(report: Report, review: Review, now: datetime) -> int:
    officer = report.officer
    alert = alerts.raise_alert(
        recipient=officer, kind=WORKFLOW, rule=RETURNED_RULE, severity=WARNING,
        title=f"{report.reference} returned for amendment", dedupe_key=f"{RETURNED_RULE}:{review.id}",
        report=report, officer=officer, team=report.team, now=now,
    )
    return int(alert is not None)


def _alert_governance(report: Report, review: Review, now: datetime) -> int:
    """Alert everyone in governance but the officer; how many were alerted."""
    return len(alerts.raise_alerts([
        alerts.NewAlert(
            recipient=recipient, kind=WORKFLOW, rule=REFERRED_RULE, severity=CRITICAL,
            title=f"{report.reference} referred to professional standards",
            dedupe_key=f"{REFERRED_RULE}:{review.id}:{recipient.id}",
            report=report, officer=report.officer, team=report.team,
        )
        for recipient in alerts.governance_users(excluding=report.officer_id)
    ], now))
