"""JSON shapes of the API's resources."""

from __future__ import annotations

from typing import Any

from flask import url_for

from uof.domain.validation import format_datetime
from uof.models import Alert, Report, Review, User


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "name": user.name,
        "force_number": user.force_number,
        "roles": user.roles,
        "teams": [{"id": team.id, "name": team.name, "area": team.area} for team in user.teams],
    }


def report_summary(report: Report) -> dict[str, Any]:
    return {
        "id": report.id,
        "reference": report.reference,
        "client_id": report.client_id,
        "status": report.status,
        "version": report.version,
        "policy_version": report.policy_version,
        "incident_at": format_datetime(report.incident_at),
        "incident_reference": report.incident_reference,
        "submitted_at": format_datetime(report.submitted_at),
        "url": url_for("record.report", report_id=report.id),
    }


def report_json(report: Report) -> dict[str, Any]:
    body = report.content | report_summary(report)
    body["officer"] = {"id": report.officer.id, "name": report.officer.name,
                       "force_number": report.officer.force_number}
    body["team"] = report.team.name if report.team else None
    body["area"] = report.content.get("area") or report.area
    body["versions"] = [
        {
            "version": version.version,
            "created_at": format_datetime(version.created_at),
            "author_id": version.author_id,
            "reason": version.reason,
            "diff": version.diff,
        }
        for version in report.versions
    ]
    body["reviews"] = [review_json(review) for review in report.reviews]
    return body


def review_json(review: Review) -> dict[str, Any]:
    return {
        "id": review.id,
        "decision": review.decision,
        "comment": review.comment,
        "bwv_reviewed": review.bwv_reviewed,
        "bwv_reference": review.bwv_reference,
        "debrief_held": review.debrief_held,
        "report_version": review.report_version,
        "reviewer": {"id": review.reviewer.id, "name": review.reviewer.name},
        "created_at": format_datetime(review.created_at),
    }


def alert_json(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.id,
        "kind": alert.kind,
        "rule": alert.rule,
        "severity": alert.severity,
        "title": alert.title,
        "created_at": format_datetime(alert.created_at),
        "read_at": format_datetime(alert.read_at) if alert.read_at else None,
        "acknowledged_at": format_datetime(alert.acknowledged_at) if alert.acknowledged_at else None,
        "action_taken": alert.action_taken,
        "status": alert.status,
        "url": url_for("alerts.alert", alert_id=alert.id),
        "report_id": alert.report_id,
    }
