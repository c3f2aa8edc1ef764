"""The JSON API of API.md."""

from __future__ import annotations

import json
from typing import Any

from flask import abort, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response

from uof.api import bp
from uof.api.openapi import document
from uof.api.serialize import report_json, report_summary, user_json
from uof.domain.vocabulary import ALL
from uof.extensions import db
from uof.services import audit, policy, reports


def error_response(status: int, code: str, **extra: Any) -> Response:
    response = jsonify(error=code, **extra)
    response.status_code = status
    return response


def json_body() -> Any:
    raw = request.get_data(cache=True)
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        abort(error_response(400, "bad_json", message="The request body is not valid JSON."))
    try:
        # JSON may escape a lone UTF-16 surrogate ("\ud800"), which is no character at all and which no database
        # text column can store: refuse it here rather than fail when it is written.
        json.dumps(body, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        abort(error_response(400, "bad_json", message="The request body contains text that is not valid Unicode."))
    return body


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3 description of this API."""
    return jsonify(document())


@bp.get("/session")
def session_info() -> Response:
    """Who is logged in, and a fresh CSRF token for state-changing calls."""
    return jsonify(user=user_json(current_user), csrf_token=generate_csrf())


@bp.get("/form")
def form() -> Response:
    """The vocabularies and the recording policy in force now."""
    return jsonify(
        policy=policy.active().as_json(),
        vocabularies={name: vocab.labels() for name, vocab in ALL.items()},
        areas=reports.known_areas(),
    )


@bp.post("/reports")
def submit_report() -> Response:
    """Submit one report; a retry with the same client_id and content is answered with the stored one."""
    if not current_user.can_record:
        return error_response(403, "forbidden", message="Only officers and supervisors record use of force.")
    body = json_body()
    submission = reports.submit(current_user, body)
    if submission.outcome == "invalid":
        db.session.rollback()
        return error_response(422, "validation", fields=submission.errors)
    if submission.outcome == "conflict":
        db.session.rollback()
        return error_response(422, "idempotency_conflict",
                      message="This client_id was already used for a report with different content.")
    db.session.commit()
    assert submission.report is not None
    payload = report_summary(submission.report) | {"warnings": submission.warnings}
    response = jsonify(payload)
    response.status_code = 201 if submission.outcome == "created" else 200
    response.headers["Location"] = payload["url"]
    return response


@bp.get("/reports")
def list_reports() -> Response:
    """The caller's own reports, newest first (``mine=1``)."""
    if request.args.get("mine", "1") not in ("1", "true"):
        return error_response(400, "bad_request", message="Only mine=1 is supported.")
    return jsonify(reports=[report_summary(report) for report in reports.mine(current_user)])


@bp.get("/reports/<int:report_id>")
def get_report(report_id: int) -> Response:
    """One report with its versions; audited as a view."""
    report = reports.visible(current_user, report_id) or abort(404)
    audit.record("report.view", actor=current_user, object_type="report", object_id=report.id)
    db.session.commit()
    return jsonify(report_json(report))


@bp.post("/reports/<int:report_id>/amendments")
def amend_report(report_id: int) -> Response:
    """A new version of a report returned for amendment, by its own officer."""
    report = reports.visible(current_user, report_id) or abort(404)
    if report.officer_id != current_user.id:
        return error_response(403, "forbidden", message="Only the officer who made the report can amend it.")
    amendment = reports.amend(report, current_user, json_body())
    if amendment.outcome == "not_returned":
        db.session.rollback()
        return error_response(409, "not_returned", message="A report can be amended only after it is returned.")
    if amendment.outcome == "invalid":
        db.session.rollback()
        return error_response(422, "validation", fields=amendment.errors)
    db.session.commit()
    response = jsonify(report_json(report))
    response.status_code = 201
    return response

