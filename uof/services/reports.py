"""Submitting and amending reports: idempotent, versioned, validated, audited, in one transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from uof.domain.validation import (
    Errors,
    Result,
    has_control_characters,
    parse_datetime,
    validate_amendment,
    validate_report,
)
from uof.extensions import db
from uof.models import (
    RESUBMITTED,
    RETURNED,
    SUBMITTED,
    Report,
    ReportVersion,
    Team,
    User,
    utcnow,
)
from uof.services import alert_rules, audit, facts, policy

# Sub-objects that an amendment merges key by key; every other field is replaced whole.
MERGED_OBJECTS = ("subject", "officer_injury", "subject_injury", "bwv")


def content_hash(body: Mapping[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def known_areas() -> list[str]:
    return sorted({a for a in db.session.scalars(select(Team.area).where(Team.area.is_not(None))) if a})


def validate(body: object, now: datetime | None = None) -> Result:
    return validate_report(body, policy_for=policy.policy_at, now=now or utcnow(), areas=known_areas())


@dataclass
class Submission:
    """What happened to a submission: ``created``, ``replayed``, ``conflict`` or ``invalid``."""

    outcome: str
    report: Report | None = None
    errors: Errors = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _existing(officer: User, client_id: str) -> Report | None:
    return db.session.scalar(select(Report).where(Report.officer_id == officer.id, Report.client_id == client_id))


def duplicate_warnings(
    officer: User, incident_reference: str, exclude_id: int | None = None, before_id: int | None = None
) -> list[str]:
    if not incident_reference or has_control_characters(incident_reference):
        return []
    query = select(Report).where(Report.officer_id == officer.id, Report.incident_reference == incident_reference)
    if exclude_id is not None:
        query = query.where(Report.id != exclude_id)
    if before_id is not None:
        query = query.where(Report.id < before_id)
    earlier = db.session.scalars(query.order_by(Report.id)).all()
    return [
        f"You already submitted {report.reference} for incident reference {incident_reference}. "
        "Each officer makes one report per person they used force on, so check this is not a duplicate."
        for report in earlier
    ]


def submit(officer: User, body: object, *, now: datetime | None = None) -> Submission:
    """Submit a report. Retrying with the same client_id and content returns the stored report."""
    now = now or utcnow()
    client_id = body.get("client_id") if isinstance(body, Mapping) else None
    result = validate(body, now)
    if isinstance(client_id, str) and result.content.get("client_id"):
        existing = _existing(officer, result.content["client_id"])
        if existing is not None:
            return _replay(officer, existing, body)  # type: ignore[arg-type]
    if not result.ok:
        return Submission("invalid", errors=result.errors)
    assert result.policy is not None
    content = result.content
    warnings = duplicate_warnings(officer, content["incident_reference"])
    report = Report(
        client_id=content["client_id"],
        content_hash=content_hash(body),  # type: ignore[arg-type]
        officer_id=officer.id,
        team_id=officer.team_id,
        status=SUBMITTED,
        version=1,
        policy_version=result.policy.version,
        incident_at=parse_datetime(content["incident_at"]),
        incident_reference=content["incident_reference"],
        area=content["area"] or (officer.team.area if officer.team else None),
        submitted_at=now,
        updated_at=now,
        awaiting_review_since=now,
    )
    report.versions.append(ReportVersion(version=1, content=content, author_id=officer.id, created_at=now))
    try:
        with db.session.begin_nested():
            db.session.add(report)
            db.session.flush()
    except IntegrityError:
        # The same officer's same client_id committed by a concurrent request: treat as a retry.
        existing = _existing(officer, content["client_id"])
        if existing is None:
            raise
        return _replay(officer, existing, body)  # type: ignore[arg-type]
    facts.refresh(report)
    audit.record("report.create", actor=officer, object_type="report", object_id=report.id,
                 detail={"client_id": report.client_id, "version": 1, "policy_version": report.policy_version})
    alert_rules.evaluate_immediate(report, now)
    return Submission("created", report=report, warnings=warnings)


def _replay(officer: User, existing: Report, body: Mapping[str, Any]) -> Submission:
    if existing.content_hash == content_hash(body):
        # The same answer as the first receipt, warnings included (API.md: "200 with the same body").
        warnings = duplicate_warnings(officer, existing.incident_reference, before_id=existing.id)
        return Submission("replayed", report=existing, warnings=warnings)
    return Submission("conflict", report=existing)


def merge(content: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    merged = json.loads(json.dumps(content))
    for key, value in changes.items():
        if key in MERGED_OBJECTS and isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key].update(value)
        else:
            merged[key] = value
    return merged


def diff(before: Any, after: Any, path: str = "") -> dict[str, list[Any]]:
    """Changed leaves as {dotted.path: [before, after]}; lists are compared whole."""
    if isinstance(before, dict) and isinstance(after, dict):
        changes: dict[str, list[Any]] = {}
        for key in sorted(set(before) | set(after)):
            changes.update(diff(before.get(key), after.get(key), f"{path}.{key}" if path else key))
        return changes
    return {} if before == after else {path: [before, after]}


@dataclass
class Amendment:
    outcome: str  # "amended", "invalid", "not_returned"
    report: Report
    errors: Errors = field(default_factory=dict)


def amend(report: Report, author: User, body: object, *, now: datetime | None = None) -> Amendment:
    """Make a new version of a returned report from ``{"reason", "changes"}``; nothing earlier is overwritten.

    The report's row is locked first, so two amendments sent at once make one version and one 409.
    """
    now = now or utcnow()
    db.session.refresh(report, with_for_update=True)
    if report.status != RETURNED:
        return Amendment("not_returned", report)
    errors = validate_amendment(body, report.client_id)
    if errors:
        return Amendment("invalid", report, errors)
    assert isinstance(body, Mapping)
    reason, changes = body["reason"].strip(), body["changes"]
    before = report.content
    counted = facts.placed(report)
    # Judged by the policy in force at the (possibly corrected) incident time, as a new report would be.
    result = validate(merge(before, changes), now)
    if not result.ok:
        return Amendment("invalid", report, {f"changes.{k}": v for k, v in result.errors.items()})
    assert result.policy is not None
    changed = diff(before, result.content)
    if not changed:
        return Amendment("invalid", report, {"changes": ["The changes are the same as the current version."]})
    report.version += 1
    report.versions.append(ReportVersion(
        version=report.version, content=result.content, reason=reason, diff=changed, author_id=author.id,
        created_at=now,
    ))
    report.status = RESUBMITTED
    report.awaiting_review_since = now
    report.policy_version = result.policy.version
    report.incident_at = parse_datetime(result.content["incident_at"]) or report.incident_at
    report.incident_reference = result.content["incident_reference"]
    report.area = result.content["area"] or report.area
    report.updated_at = now
    facts.refresh(report, counted)
    audit.record("report.amend", actor=author, object_type="report", object_id=report.id,
                 detail={"version": report.version, "fields": sorted(changed),
                         "policy_version": report.policy_version})
    # Only what the amendment newly shows alerts: a rule that already alerted for this report stays quiet.
    alert_rules.evaluate_immediate(report, now)
    return Amendment("amended", report)


# Ids past a 32-bit integer cannot exist, and PostgreSQL refuses to compare an integer column with them.
MAX_ID = 2**31 - 1


def visible(user: User, report_id: int) -> Report | None:
    """The report if ``user`` may read it; None both when it does not exist and when it is not theirs."""
    if not 0 < report_id <= MAX_ID:
        return None
    report = db.session.get(Report, report_id)
    return report if report is not None and can_view(user, report) else None


def can_view(user: User, report: Report) -> bool:
    """Its officer, a supervisor of the report's team, and governance."""
    if report.officer_id == user.id or user.has_role("governance"):
        return True
    return user.has_role("supervisor") and any(team.id == report.team_id for team in user.supervised)


def mine(officer: User) -> list[Report]:
    return list(db.session.scalars(
        select(Report).where(Report.officer_id == officer.id).order_by(Report.submitted_at.desc(), Report.id.desc())
    ))
