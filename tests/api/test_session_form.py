"""API.md "JSON API": the session and form resources, and the rules every /api/v1 call follows
(401 before CSRF, CSRF on state changes, malformed JSON, body size)."""

from __future__ import annotations

import json
import re
import time

import pytest
from itsdangerous.timed import TimestampSigner
from sqlalchemy import select

from tests.conftest import sample_path
from tests.factories import report_body
from uof.domain import vocabulary as v
from uof.domain.policy import preset_tactics
from uof.extensions import db
from uof.models import Alert

API_PREFIX = "/api/v1/"
PUBLIC_API = {"/api/v1/openapi.json"}


def api_rules(app):
    """(path with sample arguments, method) for every /api/v1 rule except HEAD and OPTIONS."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIX):
            continue
        path = sample_path(app, rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield path, method


def test_unauthenticated_calls_get_401_json_never_a_redirect(app, client):
    checked = 0
    for path, method in api_rules(app):
        if path in PUBLIC_API:
            continue
        # No session and no CSRF token: the login check comes first.
        response = client.open(path, method=method, json={} if method != "GET" else None)
        assert response.status_code == 401, (method, path, response.status_code)
        assert response.is_json, (method, path)
        assert response.get_json()["error"] == "unauthenticated", (method, path)
        assert "Location" not in response.headers
        checked += 1
    assert checked >= 6


def test_unauthenticated_post_with_no_csrf_and_no_session_is_401(client):
    response = client.post("/api/v1/reports", data="{}", content_type="application/json")
    assert response.status_code == 401
    assert response.get_json() == {"error": "unauthenticated"}
    # Even a malformed body is answered 401, not bad_json.
    response = client.post("/api/v1/reports", data="{not json", content_type="application/json")
    assert response.status_code == 401


def test_unknown_api_path_is_a_json_404(force, login_as):
    caller = login_as(force.officer)
    response = caller.client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_session_shape(force, login_as):
    caller = login_as(force.supervisor)
    response = caller.client.get("/api/v1/session")
    assert response.status_code == 200
    data = response.get_json()
    assert set(data) == {"user", "csrf_token"}
    assert isinstance(data["csrf_token"], str)
    assert data["csrf_token"]
    user = data["user"]
    assert {"id", "name", "roles", "teams"} <= set(user)
    assert user["id"] == force.supervisor.id
    assert user["roles"] == ["supervisor"]
    assert [team["name"] for team in user["teams"]] == ["Birmingham Central A"]
    assert "password_hash" not in json.dumps(data)
    assert "session_nonce" not in json.dumps(data)
    assert response.headers["Cache-Control"] == "no-store"


def test_session_of_an_officer_lists_the_own_team(force, login_as):
    user = login_as(force.outsider).client.get("/api/v1/session").get_json()["user"]
    assert user["roles"] == ["officer"]
    assert user["name"] == "Pc Three"
    assert [(team["name"], team["area"]) for team in user["teams"]] == [("Walsall North B", "Walsall")]


def test_form_shape(force, login_as):
    response = login_as(force.officer).client.get("/api/v1/form")
    assert response.status_code == 200
    data = response.get_json()
    assert data["policy"] == {"version": 1, "preset": "national", "tactics": preset_tactics("national")}
    assert set(data["policy"]["tactics"].values()) == {"required"}
    vocabularies = data["vocabularies"]
    assert set(vocabularies) == set(v.ALL)
    for name, vocab in v.ALL.items():
        assert vocabularies[name] == {term.code: term.label for term in vocab.current}, name
    assert vocabularies["tactics"]["ced_red_dot"] == "Taser (CED) – red-dotted"
    # Retired codes are not offered.
    assert "chinese" not in vocabularies["ethnicity"]
    assert data["areas"] == ["Birmingham", "Walsall"]


def test_form_follows_a_policy_change(force, login_as, runner):
    result = runner.invoke(args=["uof", "policy", "set", "derogated"])
    assert result.exit_code == 0, result.output
    data = login_as(force.officer).client.get("/api/v1/form").get_json()
    assert data["policy"]["version"] == 2
    assert data["policy"]["preset"] == "derogated"
    assert data["policy"]["tactics"] == preset_tactics("derogated")
    optional = {code for code, level in data["policy"]["tactics"].items() if level == "optional"}
    assert optional == {t.code for t in v.TACTICS.current if t.lower_level}
    assert data["policy"]["tactics"]["ground_restraint"] == "required"


# --- CSRF ---------------------------------------------------------------------------------------------------

def test_missing_csrf_token_is_400_csrf(force, login_as):
    caller = login_as(force.officer)
    response = caller.client.post("/api/v1/reports", json=report_body())
    assert response.status_code == 400
    assert response.get_json()["error"] == "csrf"


def test_token_from_another_session_is_400_csrf(force, login_as):
    mine = login_as(force.officer)
    theirs = login_as(force.colleague)
    response = mine.client.post("/api/v1/reports", json=report_body(), headers={"X-CSRFToken": theirs.csrf()})
    assert response.status_code == 400
    assert response.get_json()["error"] == "csrf"


def test_token_from_before_login_is_400_csrf(app, force):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    before = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    token = token.group(1) if token else before
    response = client.post("/login", data={"username": force.officer.email,
                                           "password": "correct-horse-battery-staple", "csrf_token": token})
    assert response.status_code in (302, 303)
    # The session was renewed at login, so a token of the old session no longer works.
    response = client.post("/api/v1/reports", json=report_body(), headers={"X-CSRFToken": before})
    assert response.status_code == 400
    assert response.get_json()["error"] == "csrf"


def test_tampered_token_is_400_csrf(force, login_as):
    caller = login_as(force.officer)
    token = caller.csrf()
    tampered = token[:-4] + ("AAAA" if token[-4:] != "AAAA" else "BBBB")
    for bad in (tampered, "x" + token, "garbage", ""):
        response = caller.client.post("/api/v1/reports", json=report_body(), headers={"X-CSRFToken": bad})
        assert response.status_code == 400, bad
        assert response.get_json()["error"] == "csrf"


def test_token_past_its_time_limit_is_400_csrf(force, login_as, app, monkeypatch):
    caller = login_as(force.officer)
    token = caller.csrf()
    limit = app.config["WTF_CSRF_TIME_LIMIT"]
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) + limit + 60)
    response = caller.client.post("/api/v1/reports", json=report_body(), headers={"X-CSRFToken": token})
    assert response.status_code == 400
    assert response.get_json()["error"] == "csrf"
    # A fresh token from the same (still valid) session works.
    response = caller.api_post("/api/v1/reports", report_body())
    assert response.status_code == 201, response.get_json()


@pytest.mark.app_config(WTF_CSRF_TIME_LIMIT=1)
def test_token_past_a_short_time_limit_is_400_csrf(force, login_as):
    caller = login_as(force.officer)
    token = caller.csrf()
    time.sleep(2.05)
    response = caller.client.post("/api/v1/reports", json=report_body(), headers={"X-CSRFToken": token})
    assert response.status_code == 400
    assert response.get_json()["error"] == "csrf"


def test_amendments_need_a_csrf_token_too(force, login_as, make):
    report_id = make.report(force.officer)
    make.set_status(report_id, "returned")
    caller = login_as(force.officer)
    response = caller.client.post(f"/api/v1/reports/{report_id}/amendments",
                                  json={"reason": "typo", "changes": {"narrative": "fixed"}})
    assert response.status_code == 400
    assert response.get_json()["error"] == "csrf"


# --- malformed and oversized bodies -------------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["{not json", "", "{\"a\": 1,}", "[" * 5000 + "]" * 5000, "\xff\xfe"])
def test_malformed_json_is_400_bad_json(force, login_as, raw):
    caller = login_as(force.officer)
    response = caller.client.post("/api/v1/reports", data=raw.encode("latin-1"), content_type="application/json",
                                  headers={"X-CSRFToken": caller.csrf()})
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_json"


def test_malformed_json_on_amendments_is_400_bad_json(force, login_as, make):
    report_id = make.report(force.officer)
    make.set_status(report_id, "returned")
    caller = login_as(force.officer)
    response = caller.client.post(f"/api/v1/reports/{report_id}/amendments", data="{oops",
                                  content_type="application/json", headers={"X-CSRFToken": caller.csrf()})
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_json"


def test_oversized_body_is_413(force, login_as, app, counts):
    assert app.config["MAX_CONTENT_LENGTH"] == 128 * 1024
    caller = login_as(force.officer)
    before = counts()
    body = report_body(narrative="x" * (130 * 1024))
    response = caller.api_post("/api/v1/reports", body)
    assert response.status_code == 413
    assert response.get_json()["error"] == "too_large"
    assert counts() == before


def test_a_body_just_under_the_limit_is_read(force, login_as):
    caller = login_as(force.officer)
    body = report_body(narrative="x" * (120 * 1024))
    response = caller.api_post("/api/v1/reports", body)
    assert response.status_code == 422
    assert list(response.get_json()["fields"]) == ["narrative"]


def test_api_responses_are_json(force, login_as):
    caller = login_as(force.officer)
    for path in ("/api/v1/session", "/api/v1/form", "/api/v1/reports?mine=1", "/api/v1/openapi.json"):
        response = caller.client.get(path)
        assert response.status_code == 200, path
        assert response.mimetype == "application/json", path


def test_an_earlier_token_of_the_same_session_still_works(force, login_as):
    """The PWA may hold a token fetched before another tab fetched a newer one."""
    caller = login_as(force.officer)
    older = caller.csrf()
    newer = caller.csrf()
    for token in (older, newer):
        response = caller.client.post("/api/v1/reports", json=report_body(), headers={"X-CSRFToken": token})
        assert response.status_code == 201, response.get_json()


# JSON may escape a lone UTF-16 surrogate, which is no character and which no text column can store.
LONE_SURROGATE = '"x\\ud800"'


@pytest.mark.parametrize("route", ["report", "amendment", "review", "ack", "subscribe", "unsubscribe"])
def test_a_lone_surrogate_anywhere_is_400_bad_json_on_every_route(force, login_as, make, app, counts, route):
    report_id = make.report(force.officer, tactics=[{"code": "ced_fired", "effective": True}], ced_carried=True)
    if route == "amendment":
        make.set_status(report_id, "returned")
    with app.app_context():
        alert_id = db.session.scalar(select(Alert.id).where(Alert.recipient_id == force.supervisor.id))
    caller = login_as(force.supervisor if route in ("review", "ack") else force.officer)
    url, method, raw = {
        "report": ("/api/v1/reports", "POST", f'{{"narrative": {LONE_SURROGATE}}}'),
        "amendment": (f"/api/v1/reports/{report_id}/amendments", "POST",
                      f'{{"reason": {LONE_SURROGATE}, "changes": {{}}}}'),
        "review": (f"/api/v1/reports/{report_id}/review", "POST",
                   f'{{"decision": "return", "comment": {LONE_SURROGATE}, "bwv_reviewed": false}}'),
        "ack": (f"/api/v1/alerts/{alert_id}/ack", "POST", f'{{"action": {LONE_SURROGATE}}}'),
        "subscribe": ("/api/v1/push/subscriptions", "POST", f'{{"endpoint": {LONE_SURROGATE}}}'),
        "unsubscribe": ("/api/v1/push/subscriptions", "DELETE", f'{{"endpoint": {LONE_SURROGATE}}}'),
    }[route]
    before = counts()
    response = caller.client.open(url, method=method, data=raw, content_type="application/json",
                                  headers={"X-CSRFToken": caller.csrf()})
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["error"] == "bad_json"
    assert counts() == before
