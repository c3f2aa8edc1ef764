"""Error responses: JSON with a stable ``error`` code for the API, a page for everyone else."""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from uof import logs
from uof.extensions import db
from uof.security import is_api_request

API_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}


def _respond(status: int, code: str, message: str) -> tuple[Response, int] | tuple[str, int]:
    # The id of the request's log lines, for the user to quote when they report the problem.
    reference = logs.request_id()
    if is_api_request():
        return jsonify(error=code, message=message, **({"request_id": reference} if reference else {})), status
    return render_template("error.html", status=status, message=message, reference=reference), status


def handle_http(error: HTTPException) -> tuple[Response, int] | tuple[str, int]:
    status = error.code or 500
    return _respond(status, API_CODES.get(status, "error"), error.description or "")


def handle_csrf(error: CSRFError) -> tuple[Response, int] | tuple[str, int]:
    return _respond(
        400, "csrf",
        "This form has expired or was sent from another page. Go back, reload the page and try again.",
    )


def handle_database_unavailable(error: OperationalError) -> Response:
    """The database dropped the connection, refused it, or stayed locked: a moment's outage, not a bug. The
    transaction is rolled back, and the client is told to try again; an officer's outbox does so with the same
    ``client_id``, so a report whose commit did reach the database is not stored twice."""
    current_app.logger.warning("database unavailable", exc_info=error,
                               extra={"fields": {"request_id": logs.request_id()}})
    db.session.rollback()
    body, status = _respond(503, "unavailable", "The database did not answer. Try again in a moment.")
    response = current_app.make_response((body, status))
    response.headers["Retry-After"] = "2"
    return response


def handle_unexpected(error: Exception) -> tuple[Response, int] | tuple[str, int]:
    current_app.logger.error("unhandled error", exc_info=error, extra={"fields": {"request_id": logs.request_id()}})
    db.session.rollback()
    return handle_http(InternalServerError())


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(OperationalError, handle_database_unavailable)
    if not app.testing:
        app.register_error_handler(Exception, handle_unexpected)
