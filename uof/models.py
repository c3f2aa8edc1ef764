"""Typed SQLAlchemy 2.0 models. The schema itself comes from the Alembic migrations."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Text, TypeDecorator, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
STATUSES = (SUBMITTED, UNDER_REVIEW, APPROVED, RETURNED, RESUBMITTED)
STATUS_LABELS = {
    SUBMITTED: "Submitted",
    UNDER_REVIEW: "Under review",
    APPROVED: "Approved",
    RETURNED: "Returned for amendment",
    RESUBMITTED: "Resubmitted",
}


class Report(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("officer_id", "client_id"),
        Index("ix_reports_officer_incident_reference", "officer_id", "incident_reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(36))
    # SHA-256 of the first submission's body, so that a retry is told apart from a conflicting reuse.
    content_hash: Mapped[str] = mapped_column(String(64))
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=SUBMITTED, index=True)
    version: Mapped[int] = mapped_column(default=1)
    policy_version: Mapped[int] = mapped_column(ForeignKey("policy_versions.version"), index=True)
    incident_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    incident_reference: Mapped[str] = mapped_column(String(40))
    area: Mapped[str | None] = mapped_column(String(80), index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    officer: Mapped[User] = relationship(foreign_keys=[officer_id])
    team: Mapped[Team | None] = relationship()
    versions: Mapped[list[ReportVersion]] = relationship(
        back_populates="report", order_by="ReportVersion.version", cascade="all, delete-orphan"
    )

    @property
    def reference(self) -> str:
        return f"UOF-{self.id:06d}"

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
