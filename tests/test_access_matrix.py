"""Role × endpoint: every route, for every kind of user, answers exactly what it should.

The matrix must name every rule in the app's URL map, so a new route cannot be added without deciding who
may reach it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask

from tests.conftest import AuthActions, csrf_from
from tests.factories import Maker, report_body

ACTORS = ("anonymous", "owner", "colleague", "supervisor", "other_supervisor", "governance", "admin", "auditor")
RECORDERS = {"owner", "colleague", "supervisor", "other_supervisor"}
READERS_OF_REPORT = {"owner", "supervisor", "governance"}
# The installable app shell: public, so that it installs before login and works after a session ends.
APP_SHELL = ("/manifest.webmanifest", "/sw.js", "/offline")


@dataclass(frozen=True)
class World:
    report_id: int
    draft_id: str
    logins: dict[str, str]


def _world(app: Flask, make: Maker) -> World:
    make.team("Birmingham Central A", "Birmingham")
    make.team("Coventry Response", "Coventry")
    owner = make.user("owner@example.org", "officer", teams=("Birmingham Central A",))
    make.user("colleague@example.org", "officer", teams=("Birmingham Central A",))
    make.user("sergeant.a@example.org", "supervisor", "officer", teams=("Birmingham Central A",))
    make.user("sergeant.b@example.org", "supervisor", "officer", teams=("Coventry Response",))
    make.user("acc@example.org", "governance")
    make.user("admin@example.org", "admin")
    make.user("auditor@example.org", "auditor")
    report_id = make.report(owner)
    client = app.test_client()
    AuthActions(client).login("owner@example.org")
    token = csrf_from(client.get("/reports").get_data(as_text=True))
    location = client.post("/record", data={"csrf_token": token}).headers["Location"]
    draft_id = location.split("/")[2]
    return World(report_id, draft_id, {
        "owner": "owner@example.org", "colleague": "colleague@example.org", "supervisor": "sergeant.a@example.org",
        "other_supervisor": "sergeant.b@example.org", "governance": "acc@example.org", "admin": "admin@example.org",
        "auditor": "auditor@example.org",
    })


def _expected(rule: str, method: str, actor: str) -> set[int]:
    """The status codes ``actor`` may get for ``method rule``."""
    anonymous = actor == "anonymous"
    api = rule.startswith("/api/")
    if rule in ("/login", "/static/<path:filename>", "/api/v1/openapi.json"):
        return {200, 302, 303, 404} if rule.startswith("/static") else {200, 302, 303}
    if rule in APP_SHELL or rule in ("/public", "/public/open-data.csv"):  # public figures: anyone
        return {200}
    if rule in ("/healthz", "/readyz"):  # the probes: anyone who can reach the server, with nothing but a status
        return {200}
    if anonymous:
        return {401} if api else {302}
    if rule == "/logout":
        return {303}
    if rule == "/":
        return {200, 302}
    if rule == "/admin/policy":
        return {200, 302} if actor == "admin" else {403}
    if rule in ("/api/v1/session", "/api/v1/form") or (rule == "/api/v1/reports" and method == "GET"):
        return {200}
    if rule == "/api/v1/reports":  # POST
        return {422} if actor in RECORDERS else {403}
    if rule == "/api/v1/reports/<int:report_id>":
        return {200} if actor in READERS_OF_REPORT else {404}
    if rule == "/api/v1/reports/<int:report_id>/amendments":
        return {409} if actor == "owner" else {403} if actor in READERS_OF_REPORT else {404}
    if rule == "/reports/<int:report_id>":
        return {200} if actor in READERS_OF_REPORT else {404}
    # --- review routes ---
    if rule == "/review":
        return {200} if actor in ("supervisor", "other_supervisor") else {403}
    if rule == "/review/<int:report_id>":  # GET opens the review; POST {} re-renders with the errors
        return {200} if actor == "supervisor" else {404} if actor == "other_supervisor" else {403}
    if rule == "/api/v1/reports/<int:report_id>/review":
        return {422} if actor == "supervisor" else {403} if actor in READERS_OF_REPORT else {404}
    # --- push routes ---
    # Any logged-in user may register a device; the empty body is refused field by field.
    if rule == "/api/v1/push/key":
        return {200}
    if rule == "/api/v1/push/subscriptions":
        return {422}
    # --- alert routes ---
    # The World raises no alert before these run (POST /api/v1/push/test sorts after them), so alert 1 is nobody's.
    if rule in ("/alerts", "/api/v1/alerts"):
        return {200}
    if rule.startswith(("/alerts/<int:alert_id>", "/api/v1/alerts/<int:alert_id>")):
        return {404}
    if rule == "/api/v1/push/test":
        return {201}
    # --- admin alert rule routes ---
    if rule == "/admin/alert-rules":
        return {200, 302, 303} if actor == "admin" else {403}
    # --- dashboard routes ---
    # Team 1 is the owner's team, which the supervisor supervises; officers, admins and auditors have no dashboard.
    if rule == "/team":
        return {302} if actor in ("supervisor", "other_supervisor") else {200} if actor == "governance" else {403}
    if rule == "/team/<int:team_id>":
        if actor in ("supervisor", "governance"):
            return {200}
        return {404} if actor == "other_supervisor" else {403}
    # No dates: the current quarter.
    if rule in ("/governance", "/governance/export.csv", "/governance/disproportionality", "/governance/pack",
                "/governance/pack.xlsx"):
        return {200} if actor == "governance" else {403}
    if rule == "/governance/home-office.csv":  # no year: a 400 saying what to change
        return {400} if actor == "governance" else {403}
    # --- audit log viewer: auditors only; they see the log of report 1, never the report ---
    if rule in ("/audit", "/audit.csv", "/audit/report/<int:report_id>"):
        return {200} if actor == "auditor" else {403}
    # --- scrutiny samples: governance only; the world draws none, so sample 1 and its item 1 do not exist ---
    if rule == "/governance/samples":  # POST {} is refused field by field
        return ({200} if method == "GET" else {400}) if actor == "governance" else {403}
    if rule.startswith("/governance/samples/<int:sample_id>"):
        return {404} if actor == "governance" else {403}
    recording_only = actor not in RECORDERS
    if rule in ("/record", "/reports"):
        return {403} if recording_only else {200, 303}
    if rule == "/reports/<int:report_id>/amend":
        return {403} if recording_only else {302, 303} if actor == "owner" else {404}
    if rule == "/record/device":
        return {403} if recording_only else {200}
    if rule.startswith("/record/<uuid:draft_id>"):
        return {403} if recording_only else {200, 302, 303} if actor == "owner" else {404}
    raise AssertionError(f"no expectation for {method} {rule}")


def _url(rule: str, world: World) -> str:
    return (rule.replace("<int:report_id>", str(world.report_id))
            .replace("<int:alert_id>", "1")
            .replace("<uuid:draft_id>", world.draft_id)
            .replace("<slug>", "incident")
            .replace("<int:team_id>", "1")
            .replace("<int:sample_id>", "1")
            .replace("<int:item_id>", "1")
            .replace("<path:filename>", "css/app.css"))


def _token(client, actor: str) -> str:  # type: ignore[no-untyped-def]
    if actor == "anonymous":
        return csrf_from(client.get("/login").get_data(as_text=True))
    return str(client.get("/api/v1/session").get_json()["csrf_token"])


@pytest.mark.parametrize("actor", ACTORS)
def test_every_route_for_every_actor(app, make, actor):
    world = _world(app, make)
    client = app.test_client()
    auth = AuthActions(client)
    if actor != "anonymous":
        assert auth.login(world.logins[actor]).status_code == 303
    checked = 0
    # Deleting the draft comes last, so that the other draft routes find it.
    rules = sorted(app.url_map.iter_rules(),
                   key=lambda rule: (rule.rule.endswith("/delete"), rule.rule, sorted(rule.methods or ())))
    for rule in rules:
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if rule.rule == "/logout":
                continue  # checked last: it ends the session
            url = _url(rule.rule, world)
            if method == "GET":
                response = client.get(url)
            else:
                token = _token(client, actor)
                if rule.rule.startswith("/api/"):
                    body = {"reason": "r", "changes": {"narrative": "x"}} if "amendments" in rule.rule else {}
                    response = client.open(url, method=method, json=body, headers={"X-CSRFToken": token})
                else:
                    response = client.post(url, data={"csrf_token": token})
            response.close()
            allowed = _expected(rule.rule, method, actor)
            assert response.status_code in allowed, (actor, method, rule.rule, response.status_code)
            checked += 1
    logout = client.post("/logout", data={"csrf_token": _token(client, actor)})
    assert logout.status_code in _expected("/logout", "POST", actor)
    assert checked >= 20


def test_officer_never_reads_another_officers_report_by_any_id(app, make, auth, client):
    make.team()
    owner = make.user("owner@example.org", "officer", teams=("Birmingham Central A",))
    make.user("colleague@example.org", "officer", teams=("Birmingham Central A",))
    ids = [make.report(owner, incident_reference=f"CAD-{n}") for n in range(3)]
    auth.login("colleague@example.org")
    for report_id in [*ids, max(ids) + 1]:
        assert client.get(f"/reports/{report_id}").status_code == 404
        assert client.get(f"/api/v1/reports/{report_id}").status_code == 404
    mine = client.get("/api/v1/reports?mine=1").get_json()["reports"]
    assert mine == []
    assert auth.api_post("/api/v1/reports", report_body()).status_code == 201
