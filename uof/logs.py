"""Structured logs: one JSON object per line on standard error, and one line for every request with its id, route,
status and duration.

What users send never goes in: no query string, no path parameters (the route is logged as its pattern), no form or
JSON content, no exception message (it may quote a value), no address, no name, no token. The request id is sent
back in ``X-Request-ID`` and shown on the error page, so that a user's report of a failure finds its log lines.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import traceback
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
# An id set by the proxy in front is kept, so that its logs and ours join up; anything else is replaced.
_INBOUND_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")

request_log = logging.getLogger("uof.request")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context() and "request_id" in g:
            entry["request_id"] = g.request_id
        entry.update(getattr(record, "fields", {}))
        if record.exc_info and record.exc_info[0] is not None:
            error_type, _error, trace = record.exc_info
            entry["error"] = f"{error_type.__module__}.{error_type.__qualname__}"
            # Where it failed, without the exception's message, which may quote what a user sent.
            entry["traceback"] = "".join(traceback.format_tb(trace))
        return json.dumps(entry, default=str)


def configure(level: int = logging.INFO) -> None:
    """Send every logger's records to standard error as JSON lines (the process supervisor keeps them)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # APScheduler logs every run of every job at INFO; its warnings and errors are what an operator needs.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # Alembic's upgrades are worth a line each; the plugins it loads on every command are not.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def request_id() -> str | None:
    return g.get("request_id")


def _start() -> None:
    inbound = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = inbound if _INBOUND_ID.fullmatch(inbound) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    started = g.get("request_started")
    if started is None:  # a response made before the first before_request function ran
        return response
    response.headers[REQUEST_ID_HEADER] = g.request_id
    request_log.info("request", extra={"fields": {
        "request_id": g.request_id,
        "method": request.method,
        "route": request.url_rule.rule if request.url_rule is not None else None,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        "bytes": response.content_length,
    }})
    return response


def init_app(app: Flask) -> None:
    """Called before any other extension registers its request hooks (``uof.create_app``)."""
    app.before_request(_start)
    app.after_request(_finish)
