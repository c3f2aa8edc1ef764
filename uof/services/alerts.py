"""Alerts: a row first (the outbox and the in-app inbox), then Web Push to each of the recipient's devices.

Every alert names its condition in a unique ``dedupe_key``, so that one condition never alerts one person twice,
whichever worker, scheduler run or retry meets it. Raising an alert also queues one delivery per device of the
recipient; ``uof.services.dispatch`` sends them after the transaction commits, and the scheduler retries.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy import insert as sa_insert
from sqlalchemy.dialects import postgresql, sqlite

from uof.domain.alert_kinds import ALERT_KINDS, INFO, SEVERITIES, TEST
from uof.domain.validation import has_control_characters
from uof.extensions import db
from uof.models import Alert, PushDelivery, PushSubscription, Report, Team, TeamSupervisor, User, UserRole, utcnow
from uof.services import audit, push

# The session-info key under which the ids of deliveries queued in the current transaction wait for the commit.
QUEUED_DELIVERIES = "uof.queued_deliveries"
ACTION_MAX_LENGTH = 2000


@dataclass
class NewAlert:
    """An alert to raise: for whom, what, and the condition (``dedupe_key``) that alerts once."""

    recipient: User
    kind: str
    rule: str
    severity: str
    title: str
    dedupe_key: str
    report: Report | None = None
    officer: User | None = None
    team: Team | None = None
    detail: dict[str, Any] | None = None


def raise_alert(
    *,
    recipient: User,
    kind: str,
    rule: str,
    severity: str,
    title: str,
    dedupe_key: str,
    report: Report | None = None,
    officer: User | None = None,
    team: Team | None = None,
    detail: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Alert | None:
    """``raise_alerts`` of one alert: the alert, or None if its condition already alerted."""
    raised = raise_alerts([NewAlert(recipient, kind, rule, severity, title, dedupe_key, report, officer, team,
                                    detail)], now)
    return raised[0] if raised else None


def raise_alerts(new: Sequence[NewAlert], now: datetime | None = None) -> list[Alert]:
    """Add the alerts whose condition has not alerted yet, and a delivery to each of their recipients' devices,
    to the current transaction: one statement for the alerts and one for the deliveries, however many (an
    early-intervention run over a whole force raises thousands). Returns the alerts raised.

    A condition already alerted, here or by a concurrent transaction (which this one waits for), is skipped by the
    database's unique ``dedupe_key``, so it never alerts twice and never fails the transaction."""
    now = now or utcnow()
    wanted: dict[str, NewAlert] = {}
    for item in new:
        wanted.setdefault(item.dedupe_key[:200], item)
    if not wanted:
        return []
    for item in wanted.values():
        assert item.kind in ALERT_KINDS, item.kind
        assert item.severity in SEVERITIES, item.severity
    devices: dict[int, list[int]] = {}
    if push.enabled():
        # With push switched off no delivery could ever go out: the alert is for the inbox alone.
        for user_id, subscription_id in db.session.execute(
                select(PushSubscription.user_id, PushSubscription.id)
                .where(PushSubscription.user_id.in_({item.recipient.id for item in wanted.values()}))
                .order_by(PushSubscription.id)):
            devices.setdefault(user_id, []).append(subscription_id)
    rows = [{"recipient_id": item.recipient.id, "kind": item.kind, "rule": item.rule, "severity": item.severity,
             "title": item.title[:200], "dedupe_key": key, "report_id": item.report.id if item.report else None,
             "officer_id": item.officer.id if item.officer else None, "team_id": item.team.id if item.team else None,
             "detail": item.detail or {}, "created_at": now,
             "status": "pending" if devices.get(item.recipient.id) else "inbox"}
            for key, item in wanted.items()]
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(Alert)
    inserted = db.session.execute(
        insert.on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(Alert.id, Alert.recipient_id),
        rows).all()
    deliveries = [{"alert_id": alert_id, "subscription_id": subscription_id, "status": "pending",
                   "next_attempt_at": now}
                  for alert_id, recipient_id in inserted for subscription_id in devices.get(recipient_id, [])]
    if deliveries:
        queued = db.session.scalars(sa_insert(PushDelivery).returning(PushDelivery.id), deliveries).all()
        db.session.info.setdefault(QUEUED_DELIVERIES, set()).update(queued)
    ids = [alert_id for alert_id, _ in inserted]
    return list(db.session.scalars(select(Alert).where(Alert.id.in_(ids)).order_by(Alert.id))) if ids else []


def supervisors_of(team_id: int | None, *, excluding: int | None = None) -> list[User]:
    """The supervisors of a team, never the person the alert is about."""
    if team_id is None:
        return []
    return [user for user in supervisors_of_teams([team_id]).get(team_id, []) if user.id != excluding]


def supervisors_of_teams(team_ids: Iterable[int]) -> dict[int, list[User]]:
    """The active supervisors of each of these teams, in one query: {team id: supervisors}."""
    query = (
        select(TeamSupervisor.team_id, User).join(TeamSupervisor, TeamSupervisor.user_id == User.id)
        .where(TeamSupervisor.team_id.in_(list(team_ids)), User.active.is_(True))
        .order_by(TeamSupervisor.team_id, User.id)
    )
    found: dict[int, list[User]] = {}
    for team_id, user in db.session.execute(query):
        found.setdefault(team_id, []).append(user)
    return found


def governance_users(*, excluding: int | None = None) -> list[User]:
    query = (
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "governance", User.active.is_(True))
        .order_by(User.id)
    )
    return [user for user in db.session.scalars(query) if user.id != excluding]


def reviewers_for(team_id: int | None, *, officer_id: int) -> list[User]:
    """Who hears about an officer's force: the team's supervisors other than the officer, else governance."""
    return supervisors_of(team_id, excluding=officer_id) or governance_users(excluding=officer_id)


def inbox(user: User, *, limit: int = 200) -> list[Alert]:
    """The user's alerts, unacknowledged first, newest first."""
    return list(db.session.scalars(
        select(Alert).where(Alert.recipient_id == user.id)
        .order_by(Alert.acknowledged_at.is_not(None), Alert.created_at.desc(), Alert.id.desc())
        .limit(limit)
    ))


def unacknowledged_count(user: User) -> int:
    return db.session.scalar(
        select(func.count(Alert.id)).where(Alert.recipient_id == user.id, Alert.acknowledged_at.is_(None))
    ) or 0


def mine(user: User, alert_id: int) -> Alert | None:
    """The alert if it is ``user``'s; None whether it does not exist or belongs to someone else."""
    if not 0 < alert_id <= 2**31 - 1:
        return None
    alert = db.session.get(Alert, alert_id)
    return alert if alert is not None and alert.recipient_id == user.id else None


def mark_read(alert: Alert, *, now: datetime | None = None) -> None:
    if alert.read_at is None:
        alert.read_at = now or utcnow()


def open_alert(alert: Alert, user: User, *, now: datetime | None = None) -> None:
    """The recipient opened the alert: it is read from now on, and the view is audited like a report's."""
    mark_read(alert, now=now)
    audit.record("alert.view", actor=user, object_type="alert", object_id=alert.id,
                 detail={"rule": alert.rule, "report_id": alert.report_id})


def action_errors(action: object) -> list[str]:
    """What is wrong with the text of an action taken; empty when it will do."""
    if not isinstance(action, str) or not action.strip():
        return ["Say what action you took."]
    if len(action.strip()) > ACTION_MAX_LENGTH:
        return [f"Keep the action to {ACTION_MAX_LENGTH:,} characters or fewer."]
    if has_control_characters(action):
        return ["Remove the special characters from the action."]
    return []


ACKNOWLEDGED = "acknowledged"
ALREADY_ACKNOWLEDGED = "already_acknowledged"
INVALID = "invalid"


@dataclass(frozen=True)
class Acknowledgement:
    outcome: str
    errors: list[str] = field(default_factory=list)


def acknowledge(alert: Alert, user: User, action: object, *, now: datetime | None = None) -> Acknowledgement:
    """Record that the recipient dealt with the alert and what they did.

    Only the first acknowledgement counts: the update is conditional on the alert being unacknowledged, so two
    at once (two devices, a double tap) store one action, and the other is told it came second.
    """
    if alert.acknowledged_at is not None:
        return Acknowledgement(ALREADY_ACKNOWLEDGED)
    errors = action_errors(action)
    if errors:
        return Acknowledgement(INVALID, errors)
    assert isinstance(action, str)
    now = now or utcnow()
    claimed = db.session.execute(
        update(Alert)
        .where(Alert.id == alert.id, Alert.acknowledged_at.is_(None))
        .values(acknowledged_at=now, read_at=func.coalesce(Alert.read_at, now), action_taken=action.strip())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        db.session.refresh(alert)
        return Acknowledgement(ALREADY_ACKNOWLEDGED)
    db.session.refresh(alert)
    audit.record("alert.acknowledge", actor=user, object_type="alert", object_id=alert.id,
                 detail={"rule": alert.rule, "report_id": alert.report_id})
    return Acknowledgement(ACKNOWLEDGED)


def devices_of(user: User) -> int:
    return db.session.scalar(
        select(func.count(PushSubscription.id)).where(PushSubscription.user_id == user.id)
    ) or 0


def raise_test(user: User, *, now: datetime | None = None) -> Alert:
    """A test alert for the user's own devices and inbox; each test is a new condition, so it always alerts."""
    alert = raise_alert(
        recipient=user, kind=TEST, rule="test", severity=INFO, title="Test notification",
        dedupe_key=f"test:{user.id}:{uuid.uuid4().hex}", now=now,
    )
    assert alert is not None, "a fresh dedupe key cannot have alerted before"
    audit.record("alert.test", actor=user, object_type="alert", object_id=alert.id)
    return alert
