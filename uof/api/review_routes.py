"""POST /api/v1/reports/<id>/review: a supervisor's decision on a report of their team."""

from __future__ import annotations

from flask import abort, jsonify
from flask_login import current_user
from werkzeug.wrappers import Response

from uof.api import bp
from uof.api.routes import error_response, json_body
from uof.api.serialize import report_json
from uof.extensions import db
from uof.services import reports, reviews

FORBIDDEN_MESSAGE = "Only a supervisor of the officer's team reviews a report, never the report's own officer."


@bp.post("/reports/<int:report_id>/review")
def review_report(report_id: int) -> Response:
    """Approve, return or refer a report waiting for review."""
    report = reports.visible(current_user, report_id) or abort(404)
    if not reviews.can_review(current_user, report):
        return error_response(403, "forbidden", message=FORBIDDEN_MESSAGE)
    outcome = reviews.decide(report, current_user, json_body())
    if outcome.outcome == reviews.FORBIDDEN:
        db.session.rollback()
        return error_response(403, "forbidden", message=FORBIDDEN_MESSAGE)
    if outcome.outcome == reviews.NOT_AWAITING_REVIEW:
        db.session.rollback()
        return error_response(409, "not_awaiting_review",
                      message=f"The report is not waiting for review: it is {report.status_label.lower()}.")
    if outcome.outcome == reviews.INVALID:
        db.session.rollback()
        return error_response(422, "validation", fields=outcome.errors)
    db.session.commit()
    response = jsonify(report_json(report))
    response.status_code = 201
    return response
