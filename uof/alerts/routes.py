"""The inbox, one alert with what it is about, and acknowledging it with the action taken."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from uof.alerts import bp
from uof.alerts.forms import AcknowledgeForm
from uof.domain.alert_display import KIND_LABELS, SEVERITY_LABELS, SEVERITY_TAGS, figures
from uof.extensions import db
from uof.models import AWAITING_REVIEW, RETURNED, Alert, Report, User
from uof.services import alerts, reports, reviews

DELIVERY_LABELS = {
    "pending": "Being sent to your devices",
    "sent": "Sent to your devices",
    "failed": "Could not be sent to your devices",
    "inbox": "In this inbox only: no device of yours has alerts turned on",
}


def _unacknowledged_alerts() -> int | None:
    """The number on the header's Alerts badge: one count, queried only by the pages that show the badge."""
    if not current_user.is_authenticated:
        return None
    try:
        return alerts.unacknowledged_count(current_user)
    except SQLAlchemyError:
        # An error page about the database must still render, if without its badge.
        return None


@bp.app_context_processor
def alert_badge() -> dict[str, Any]:
    return {"unacknowledged_alerts": _unacknowledged_alerts}


@bp.context_processor
def alert_labels() -> dict[str, Any]:
    return {"alert_kind_labels": KIND_LABELS, "severity_labels": SEVERITY_LABELS, "severity_tags": SEVERITY_TAGS}


@dataclass(frozen=True)
class ReportLinks:
    """Where an alert about a report leads the person reading it."""

    report: Report
    href: str
    text: str
    can_amend: bool


def _report_links(alert: Alert, user: User) -> ReportLinks | None:
    report = alert.report
    if report is None or not reports.can_view(user, report):
        return None
    if report.status in AWAITING_REVIEW and reviews.can_review(user, report):
        href, text = url_for("review.report", report_id=report.id), f"Review {report.reference}"
    else:
        href, text = url_for("record.report", report_id=report.id), f"View {report.reference}"
    can_amend = alert.rule == reviews.RETURNED_RULE and report.officer_id == user.id and report.status == RETURNED
    return ReportLinks(report, href, text, can_amend)


def _render_alert(alert: Alert, form: AcknowledgeForm) -> str:
    return render_template(
        "alerts/alert.html", alert=alert, form=form, figures=figures(alert.detail),
        links=_report_links(alert, current_user), delivery=DELIVERY_LABELS.get(alert.status, ""),
    )


@bp.get("")
def inbox() -> str:
    """The user's alerts: those still to acknowledge first, newest first."""
    shown = alerts.inbox(current_user)
    return render_template(
        "alerts/inbox.html",
        to_acknowledge=[alert for alert in shown if alert.acknowledged_at is None],
        acknowledged=[alert for alert in shown if alert.acknowledged_at is not None],
    )


@bp.get("/<int:alert_id>")
def alert(alert_id: int) -> str:
    """One of the user's own alerts (anyone else's is not found); opening it marks it read."""
    shown = alerts.mine(current_user, alert_id) or abort(404)
    alerts.open_alert(shown, current_user)
    db.session.commit()
    return _render_alert(shown, AcknowledgeForm(formdata=None))


@bp.post("/<int:alert_id>/ack")
def acknowledge(alert_id: int) -> str | Response:
    """Record the action taken; back to the inbox, or the alert again with what to correct."""
    shown = alerts.mine(current_user, alert_id) or abort(404)
    form = AcknowledgeForm()
    result = alerts.acknowledge(shown, current_user, form.action.data or "")
    if result.outcome == alerts.INVALID:
        db.session.rollback()
        form.action.errors = list(result.errors)
        return _render_alert(shown, form)
    if result.outcome == alerts.ALREADY_ACKNOWLEDGED:
        db.session.rollback()
        flash("This alert was already acknowledged: the action recorded first stands.")
        return redirect(url_for("alerts.alert", alert_id=shown.id), code=303)
    db.session.commit()
    flash(f"Alert acknowledged: {shown.title}")
    return redirect(url_for("alerts.inbox"), code=303)
