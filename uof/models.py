"""Typed SQLAlchemy 2.0 models. The schema itself comes from the Alembic migrations."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, String, Text, TypeDecorator, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from uof.domain.review import DECISION_LABELS
from uof.extensions import db

ROLES = ("officer", "supervisor", "governance", "admin", "auditor")
RECORDING_ROLES = frozenset({"officer", "supervisor"})


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC, so SQLite and PostgreSQL behave the same."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


class Team(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    area: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[User]] = relationship(back_populates="team", foreign_keys="User.team_id")
    supervisors: Mapped[list[User]] = relationship(secondary="team_supervisors", back_populates="supervised")


class TeamSupervisor(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "team_supervisors"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class UserRole(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


def new_session_nonce() -> str:
    return secrets.token_urlsafe(16)


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    force_number: Mapped[str | None] = mapped_column(String(20), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of the login cookie; replacing it ends every session of this user (logout, password change).
    session_nonce: Mapped[str] = mapped_column(String(32), default=new_session_nonce)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team | None] = relationship(back_populates="members", foreign_keys=[team_id])
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    supervised: Mapped[list[Team]] = relationship(secondary="team_supervisors", back_populates="supervisors")

    @property
    def roles(self) -> list[str]:
        held = {row.role for row in self.role_rows}
        return [role for role in ROLES if role in held]

    def has_role(self, *roles: str) -> bool:
        return any(row.role in roles for row in self.role_rows)

    @property
    def can_record(self) -> bool:
        return self.has_role(*RECORDING_ROLES)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:  # Flask-Login
        return f"{self.id}.{self.session_nonce}"

    @property
    def teams(self) -> list[Team]:
        """The user's own team first, then the teams they supervise."""
        teams = [self.team] if self.team else []
        return teams + [team for team in self.supervised if team not in teams]


class PolicyVersion(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "policy_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    preset: Mapped[str] = mapped_column(String(20))
    overrides: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    effective_from: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(String(500))

    created_by: Mapped[User | None] = relationship()


# Report statuses, in lifecycle order.
SUBMITTED = "submitted"
UNDER_REVIEW = "under_review"
APPROVED = "approved"
RETURNED = "returned"
RESUBMITTED = "resubmitted"
REFERRED = "referred"
STATUSES = (SUBMITTED, UNDER_REVIEW, APPROVED, RETURNED, RESUBMITTED, REFERRED)
STATUS_LABELS = {
    SUBMITTED: "Submitted",
    UNDER_REVIEW: "Under review",
    APPROVED: "Approved",
    RETURNED: "Returned for amendment",
    RESUBMITTED: "Resubmitted",
    REFERRED: "Referred to professional standards",
}
# The statuses in which a report waits for a supervisor's decision.
AWAITING_REVIEW = (SUBMITTED, UNDER_REVIEW, RESUBMITTED)


def report_reference(report_id: int) -> str:
    """The reference people quote for a report: UOF- and its id, six digits at least."""
    return f"UOF-{report_id:06d}"


class Report(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("officer_id", "client_id"),
        Index("ix_reports_officer_incident_reference", "officer_id", "incident_reference"),
        # A team's or an area's reports of a period, with the policy version each was recorded under, from the
        # index alone: the team dashboard, and the governance figures for one team or one area.
        Index("ix_reports_team_incident_policy", "team_id", "incident_at", "policy_version"),
        Index("ix_reports_area_incident_policy", "area", "incident_at", "policy_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(36))
    # SHA-256 of the first submission's body, so that a retry is told apart from a conflicting reuse.
    content_hash: Mapped[str] = mapped_column(String(64))
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    status: Mapped[str] = mapped_column(String(20), default=SUBMITTED, index=True)
    version: Mapped[int] = mapped_column(default=1)
    policy_version: Mapped[int] = mapped_column(ForeignKey("policy_versions.version"), index=True)
    incident_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    incident_reference: Mapped[str] = mapped_column(String(40))
    area: Mapped[str | None] = mapped_column(String(80))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the report last started waiting for a supervisor's decision (submission or resubmission); cleared by
    # the decision. The review queue's order and the overdue-review rule both read it.
    awaiting_review_since: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # When a supervisor first decided on the report, for review timeliness; later decisions leave it.
    first_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    officer: Mapped[User] = relationship(foreign_keys=[officer_id])
    team: Mapped[Team | None] = relationship()
    versions: Mapped[list[ReportVersion]] = relationship(
        back_populates="report", order_by="ReportVersion.version", cascade="all, delete-orphan"
    )
    reviews: Mapped[list[Review]] = relationship(
        back_populates="report", order_by="Review.id", cascade="all, delete-orphan"
    )

    @property
    def reference(self) -> str:
        return report_reference(self.id)

    @property
    def current(self) -> ReportVersion:
        return self.versions[-1]

    @property
    def content(self) -> dict[str, Any]:
        return self.current.content

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


class ReportVersion(db.Model):  # type: ignore[name-defined,misc]
    """One immutable version of a report. Version 1 is the submission; later ones are amendments."""

    __tablename__ = "report_versions"
    __table_args__ = (UniqueConstraint("report_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    version: Mapped[int]
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    # {dotted.path: [before, after]} against the previous version.
    diff: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    report: Mapped[Report] = relationship(back_populates="versions")
    author: Mapped[User] = relationship(lazy="joined")


class ReportFact(db.Model):  # type: ignore[name-defined,misc]
    """One thing the current version of a report counts towards (``uof.domain.facts``), kept in step with it.

    The incident time is copied here so that a period's figures are one range scan of one index.
    """

    __tablename__ = "report_facts"
    __table_args__ = (
        Index("ix_report_facts_period", "incident_at", "dimension", "value", "times"),
        # The reports of a period with one given fact (a type of force, a footage reference missing, a field not
        # reported), read from the index alone.
        Index("ix_report_facts_value_period", "dimension", "value", "incident_at", "report_id"),
    )

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(24), primary_key=True)
    value: Mapped[str] = mapped_column(String(64), primary_key=True)
    times: Mapped[int] = mapped_column(default=1)
    incident_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FactTotal(db.Model):  # type: ignore[name-defined,misc]
    """Reports of one UK day or month, in one area, with one fact, over every report (``tactic_group`` "") or over
    those using one type of force (``uof.domain.rollups``), kept in step with ``report_facts``."""

    __tablename__ = "fact_totals"

    span: Mapped[str] = mapped_column(String(5), primary_key=True)
    tactic_group: Mapped[str] = mapped_column(String(40), primary_key=True)
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    area: Mapped[str] = mapped_column(String(80), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(24), primary_key=True)
    value: Mapped[str] = mapped_column(String(64), primary_key=True)
    reports: Mapped[int]
    times: Mapped[int]


class FactCrossTotal(db.Model):  # type: ignore[name-defined,misc]
    """Reports of one UK month, force-wide, with one tactic row and one other fact: the Home Office tables 2-9."""

    __tablename__ = "fact_cross_totals"

    dimension: Mapped[str] = mapped_column(String(24), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    row_dimension: Mapped[str] = mapped_column(String(24), primary_key=True)
    row_value: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(64), primary_key=True)
    reports: Mapped[int]
    times: Mapped[int]


class Draft(db.Model):  # type: ignore[name-defined,misc]
    """A report being written through the HTML form, saved section by section on the server."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("officer_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(36))
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Set when the draft is an amendment of a returned report rather than a new report.
    amends_report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    amends: Mapped[Report | None] = relationship()


class AuditEvent(db.Model):  # type: ignore[name-defined,misc]
    """An append-only, hash-chained record of who did what, when and from where."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor_label: Mapped[str | None] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(40), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),)


class AuditHead(db.Model):  # type: ignore[name-defined,misc]
    """The newest entry of the audit chain, with a keyed MAC, so that entries deleted from the end are found."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))


class Review(db.Model):  # type: ignore[name-defined,misc]
    """A supervisor's decision on one version of a report, with the body-worn video review and debrief."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    report_version: Mapped[int]
    decision: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str | None] = mapped_column(Text)
    bwv_reviewed: Mapped[bool] = mapped_column(default=False)
    bwv_reference: Mapped[str | None] = mapped_column(String(60))
    debrief_held: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    report: Mapped[Report] = relationship(back_populates="reviews")
    reviewer: Mapped[User] = relationship(lazy="joined")

    @property
    def decision_label(self) -> str:
        return DECISION_LABELS.get(self.decision, self.decision)


class AlertRuleSetting(db.Model):  # type: ignore[name-defined,misc]
    """An alert rule's settings, force-wide or for one team; the rules themselves are uof.domain.alert_rules."""

    __tablename__ = "alert_rule_settings"
    __table_args__ = (UniqueConstraint("scope", "rule"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # "force", or "team-<id>": a NULL team could not take part in a portable unique constraint.
    scope: Mapped[str] = mapped_column(String(20))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(40))
    enabled: Mapped[bool] = mapped_column(default=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    team: Mapped[Team | None] = relationship()




class Alert(db.Model):  # type: ignore[name-defined,misc]
    """One alert for one person: a row first (the outbox and the inbox), then Web Push to their devices.

    ``dedupe_key`` names the condition and the recipient, so that one condition never alerts anyone twice,
    however many scheduler runs, workers or retries meet it.
    """

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_recipient_acknowledged", "recipient_id", "acknowledged_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    rule: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(10))
    # Shown in the inbox after login; the push payload carries only a generic title for the kind.
    title: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"), index=True)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    # pending: devices still to reach; sent: at least one device took it; failed: none could; inbox: no device.
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    action_taken: Mapped[str | None] = mapped_column(Text)

    recipient: Mapped[User] = relationship(foreign_keys=[recipient_id])
    officer: Mapped[User | None] = relationship(foreign_keys=[officer_id])
    report: Mapped[Report | None] = relationship()
    team: Mapped[Team | None] = relationship()
    deliveries: Mapped[list[PushDelivery]] = relationship(back_populates="alert", cascade="all, delete-orphan")


class PushSubscription(db.Model):  # type: ignore[name-defined,misc]
    """A browser's Web Push subscription (``PushSubscription.toJSON()``) for one user."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(Text)
    # SHA-256 of the endpoint: unique, indexable whatever the endpoint's length, and safe to log.
    endpoint_hash: Mapped[str] = mapped_column(String(64), unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))

    user: Mapped[User] = relationship()


# Delivery states: pending (due at next_attempt_at), sending (claimed by one dispatcher), sent, gone (the push
# service said the subscription no longer exists), failed (refused for good).
class PushDelivery(db.Model):  # type: ignore[name-defined,misc]
    """One alert to one subscription, claimed by exactly one dispatcher at a time."""

    __tablename__ = "push_deliveries"
    __table_args__ = (
        UniqueConstraint("alert_id", "subscription_id"),
        Index("ix_push_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    # Indexed so that removing a subscription (ON DELETE SET NULL) does not scan every delivery.
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("push_subscriptions.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    alert: Mapped[Alert] = relationship(back_populates="deliveries")
    subscription: Mapped[PushSubscription | None] = relationship()


class JobRun(db.Model):  # type: ignore[name-defined,misc]
    """One run of a scheduled job for one period; unique, so a restart or a second scheduler never repeats it."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class SchedulerLease(db.Model):  # type: ignore[name-defined,misc]
    """Who may run the scheduler: the holder renews ``expires_at``; another process takes over once it lapses."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PopulationBaseline(db.Model):  # type: ignore[name-defined,misc]
    """Usual residents of an area in one Census ethnic group: the denominator of the disproportionality rates."""

    __tablename__ = "population_baselines"
    __table_args__ = (UniqueConstraint("area", "ethnic_group"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area: Mapped[str] = mapped_column(String(80))
    ethnic_group: Mapped[str] = mapped_column(String(20))
    population: Mapped[int]
    source: Mapped[str] = mapped_column(String(300))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ScrutinySample(db.Model):  # type: ignore[name-defined,misc]
    """A random sample of reports drawn for an external scrutiny panel (``uof.domain.sampling``).

    The seed is kept and shown, so that anyone can draw the same sample again from the same reports; the
    population is how many reports the sample was drawn from.
    """

    __tablename__ = "scrutiny_samples"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(120))
    # UK dates of the incidents, both ends included (uof.services.exports.Period).
    period_start: Mapped[date]
    period_end: Mapped[date]
    area: Mapped[str | None] = mapped_column(String(80))
    size_requested: Mapped[int]
    population: Mapped[int]
    seed: Mapped[int]
    stratified: Mapped[bool]
    # "open" while the panel grades it, "closed" once its grading is final (uof.domain.scrutiny).
    status: Mapped[str] = mapped_column(String(10), default="open")

    created_by: Mapped[User] = relationship()
    items: Mapped[list[ScrutinySampleItem]] = relationship(
        back_populates="sample", order_by="ScrutinySampleItem.position", cascade="all, delete-orphan"
    )


class ScrutinySampleItem(db.Model):  # type: ignore[name-defined,misc]
    """One report in a scrutiny sample, with the panel's grade (green, amber or red) and feedback."""

    __tablename__ = "scrutiny_sample_items"
    __table_args__ = (UniqueConstraint("sample_id", "report_id"), UniqueConstraint("sample_id", "position"))

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("scrutiny_samples.id", ondelete="CASCADE"))
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"))
    # The sample number the panel sees, from 1, in the order of the draw.
    position: Mapped[int]
    # The report's most serious Home Office type of force when it was drawn.
    stratum: Mapped[str] = mapped_column(String(40))
    grade: Mapped[str | None] = mapped_column(String(5))
    feedback: Mapped[str | None] = mapped_column(Text)
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    graded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    sample: Mapped[ScrutinySample] = relationship(back_populates="items")
