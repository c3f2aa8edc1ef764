"""Request logs: one JSON line per request with its id, route, status and duration, and nothing a user sent."""

from __future__ import annotations

import json
import logging

import pytest

from tests.conftest import AuthActions, csrf_from
from tests.factories import report_body
from uof.logs import JsonFormatter

SECRET = "Jonathan Featherstonehaugh"


def _lines(caplog: pytest.LogCaptureFixture) -> list[dict]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(record)) for record in caplog.records]


def _request_lines(caplog: pytest.LogCaptureFixture) -> list[dict]:
    return [line for line in _lines(caplog) if line["logger"] == "uof.request"]


def test_every_request_is_logged_by_route_with_its_id_status_and_duration(client, caplog):
    with caplog.at_level(logging.INFO, logger="uof.request"):
        response = client.get(f"/login?next=/reports%3Fq%3D{SECRET}")
    (line,) = _request_lines(caplog)
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert len(line["request_id"]) == 32
    assert {key: line[key] for key in ("level", "message", "method", "route", "status")} == {
        "level": "INFO", "message": "request", "method": "GET", "route": "/login", "status": 200}
    assert line["duration_ms"] >= 0
    assert "Featherstonehaugh" not in caplog.text
    assert "next" not in json.dumps(line)


def test_a_route_is_logged_as_its_pattern_and_a_refused_request_is_logged_too(client, caplog):
    with caplog.at_level(logging.INFO, logger="uof.request"):
        client.get("/reports/12345")
        client.get("/no/such/page")
    refused, missing = _request_lines(caplog)
    assert (refused["route"], refused["status"]) == ("/reports/<int:report_id>", 302)
    assert (missing["route"], missing["status"]) == (None, 404)
    assert "12345" not in caplog.text


@pytest.mark.parametrize(("sent", "kept"), [("lb-7f3a9c2e-0001", True), ("short", False),
                                            ("<script>alert(1)</script>", False), ("x" * 65, False)])
def test_the_proxy_request_id_is_kept_only_when_it_is_plainly_an_id(client, caplog, sent, kept):
    with caplog.at_level(logging.INFO, logger="uof.request"):
        response = client.get("/healthz", headers={"X-Request-ID": sent})
    (line,) = _request_lines(caplog)
    assert (response.headers["X-Request-ID"] == sent) is kept
    assert line["request_id"] == response.headers["X-Request-ID"]


def test_an_api_error_carries_its_request_id(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.get_json()["request_id"] == response.headers["X-Request-ID"]


def test_a_submitted_report_leaves_no_content_in_the_logs(app, make, client, caplog):
    make.team()
    make.user("pc.log@example.org", "officer", teams=("Birmingham Central A",))
    auth = AuthActions(client)
    auth.login("pc.log@example.org")
    body = report_body()
    body["narrative"] = f"{SECRET} was restrained on the floor."
    with caplog.at_level(logging.DEBUG):
        response = auth.api_post("/api/v1/reports", body)
    assert response.status_code == 201
    assert SECRET not in caplog.text
    assert "pc.log@example.org" not in caplog.text
    assert any(line.get("route") == "/api/v1/reports" and line["status"] == 201 for line in _lines(caplog))


@pytest.mark.app_config(TESTING=False)
def test_an_unexpected_error_shows_its_reference_and_logs_where_not_what(app, caplog):
    def fail() -> str:
        raise ValueError(f"cannot file the report on {SECRET}")

    # Under public., so that no login stands in the way.
    app.add_url_rule("/public/failing", endpoint="public.failing", view_func=fail)
    with caplog.at_level(logging.INFO):
        response = app.test_client().get("/public/failing")
    assert response.status_code == 500
    reference = response.headers["X-Request-ID"]
    assert reference in response.get_data(as_text=True)
    assert SECRET not in response.get_data(as_text=True)
    error = next(line for line in _lines(caplog) if line["message"] == "unhandled error")
    assert error["request_id"] == reference
    assert error["error"] == "builtins.ValueError"
    assert "in fail" in error["traceback"]
    assert SECRET not in json.dumps(_lines(caplog))
    assert any(line.get("route") == "/public/failing" and line["status"] == 500 for line in _lines(caplog))


def test_database_errors_keep_the_values_out_of_their_message(app):
    with app.app_context():
        from uof.extensions import db

        assert db.engine.hide_parameters


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_a_request_turned_away_by_the_rate_limit_is_logged_with_its_id(client, caplog):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    with caplog.at_level(logging.INFO, logger="uof.request"):
        for _ in range(11):
            response = client.post("/login", data={"username": "nobody@example.org", "password": "x",
                                                   "csrf_token": token})
    assert response.status_code == 429
    assert _request_lines(caplog)[-1]["status"] == 429
    assert _request_lines(caplog)[-1]["request_id"] == response.headers["X-Request-ID"]
