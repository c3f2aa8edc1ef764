"""The review queue and the review page, for supervisors.

A supervisor who may not even see a report gets 404, as everywhere; one who may see it but not review it (their
own report) gets 403. Opening the review page of a waiting report puts it under review.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from uof.domain.review import APPROVE, DECISION_LABELS, RETURN, describe_wait, recorded_reference
from uof.extensions import db
from uof.models import AWAITING_REVIEW, Report, utcnow
from uof.record.answers import answers, describe_diff
from uof.record.routes import STATUS_TAGS
from uof.record.sections import SECTIONS
from uof.review import bp
from uof.review.forms import ReviewForm
from uof.security import roles_required
from uof.services import audit, reports, reviews

# Where each decision field's errors are shown: the form field with that name, or the first radio.
FORM_FIELDS = ("decision", "comment", "bwv_reviewed", "bwv_reference", "debrief_held")


def _review_queue_count() -> int | None:
    """The number beside the Review link, counted only by the pages that show the link."""
    if not current_user.is_authenticated or not current_user.has_role("supervisor"):
        return None
    try:
        return reviews.queue_count(current_user)
    except SQLAlchemyError:
        # An error page about the database must still render, if without its count.
        return None


@bp.app_context_processor
def review_badge() -> dict[str, Any]:
    return {"review_queue_count": _review_queue_count}


@bp.context_processor
def review_globals() -> dict[str, Any]:
    return {"status_tags": STATUS_TAGS}


@bp.get("", endpoint="queue")
@roles_required("supervisor")
def queue() -> str:
    """The team reports waiting for the supervisor's decision, the longest waiting first."""
    waiting = reviews.queue(current_user, utcnow())
    overdue = [w for w in waiting if w.overdue]
    # Each team's review_overdue setting decides; one number when the overdue reports' teams share it.
    due_hours = {w.due_hours for w in overdue}
    return render_template("review/queue.html", waiting=waiting, overdue=len(overdue),
                           due_hours=due_hours.pop() if len(due_hours) == 1 else None, describe_wait=describe_wait)


def _reviewable(report_id: int) -> Report:
    report = reports.visible(current_user, report_id)
    if report is None:
        abort(404)
    if not reviews.can_review(current_user, report):
        abort(403, "You cannot review this report: a supervisor never reviews their own report.")
    return report


def _render(report: Report, form: ReviewForm) -> str:
    content = report.content
    error_links = [
        {"message": message, "href": f"#{name}"}
        for name in FORM_FIELDS for message in form[name].errors
    ]
    return render_template(
        "review/report.html",
        report=report,
        form=form,
        error_links=error_links,
        awaiting=report.status in AWAITING_REVIEW,
        summaries=[(each, answers(content, each.answers)) for each in SECTIONS],
        versions=[(version, describe_diff(version.diff)) for version in reversed(report.versions)],
        decision_labels=DECISION_LABELS,
        waited=describe_wait(utcnow() - report.awaiting_review_since) if report.awaiting_review_since else None,
    )


@bp.get("/<int:report_id>", endpoint="report")
@roles_required("supervisor")
def review_page(report_id: int) -> str:
    """The report, its history and the decision form; opening it puts a waiting report under review."""
    report = _reviewable(report_id)
    audit.record("report.view", actor=current_user, object_type="report", object_id=report.id)
    reviews.start(report, current_user)
    db.session.commit()
    form = ReviewForm(formdata=None, data={"bwv_reference": recorded_reference(report.content)})
    return _render(report, form)


def _done(report: Report, decision: str, alerted: int) -> str:
    if decision == APPROVE:
        return f"{report.reference} approved."
    if decision == RETURN:
        return f"{report.reference} returned to {report.officer.name} for amendment. They have been alerted."
    referred = f"{report.reference} referred to professional standards."
    if alerted == 0:
        return f"{referred} Nobody was alerted: there is no one in governance to alert. Tell an administrator."
    people = "1 person" if alerted == 1 else f"{alerted} people"
    return f"{referred} {people} in governance {'has' if alerted == 1 else 'have'} been alerted."


@bp.post("/<int:report_id>", endpoint="decide")
@roles_required("supervisor")
def decide(report_id: int) -> str | Response:
    """Record the decision; errors re-render the page with the error summary."""
    report = _reviewable(report_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        return _render(report, form)
    outcome = reviews.decide(report, current_user, form.decision_body())
    if outcome.outcome == reviews.NOT_AWAITING_REVIEW:
        db.session.rollback()
        flash(f"{report.reference} is no longer waiting for review: "
              f"it is {report.status_label.lower()}. Nothing was changed.")
        return redirect(url_for("review.queue"), code=303)
    if outcome.outcome == reviews.FORBIDDEN:
        db.session.rollback()
        abort(403)
    if outcome.outcome == reviews.INVALID:
        db.session.rollback()
        for name, messages in outcome.errors.items():
            target = form[name] if name in FORM_FIELDS else form.decision
            target.errors = [*target.errors, *messages]
        return _render(report, form)
    db.session.commit()
    assert outcome.review is not None
    flash(_done(report, outcome.review.decision, outcome.alerted))
    return redirect(url_for("review.queue"), code=303)
