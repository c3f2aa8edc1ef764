"""An IDOR sweep: every route that takes an id, given the id of a real object that belongs to someone else, for
every kind of user who is not entitled to it, by every method it answers. Nobody sees or changes what is not
theirs (403 or 404; an anonymous visitor is sent to log in), and afterwards every object is as it was."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.conftest import AuthActions, csrf_from
from tests.factories import Maker
from tests.push.test_api import FCM, _keys
from tests.test_access_matrix import ACTORS
from uof.extensions import db
from uof.models import Alert, Draft, PushSubscription, Report, ScrutinySample, ScrutinySampleItem, User
from uof.services import scrutiny

REFUSED = {403, 404}


@dataclass(frozen=True)
class World:
    ids: dict[str, Any]
    logins: dict[str, str]


@pytest.fixture
def world(app: Flask, make: Maker) -> World:
    make.team("Birmingham Central A", "Birmingham")
    make.team("Coventry Response", "Coventry")
    owner = make.user("owner@example.org", "officer", teams=("Birmingham Central A",))
    make.user("colleague@example.org", "officer", teams=("Birmingham Central A",))
    make.user("sergeant.a@example.org", "supervisor", teams=("Birmingham Central A",))
    make.user("sergeant.b@example.org", "supervisor", "officer", teams=("Coventry Response",))
    make.user("acc@example.org", "governance")
    make.user("admin@example.org", "admin")
    make.user("auditor@example.org", "auditor")
    report_id = make.report(owner)

    owner_client = AuthActions.logged_in(app, "owner@example.org")
    token = csrf_from(owner_client.client.get("/reports").get_data(as_text=True))
    draft_id = owner_client.client.post("/record", data={"csrf_token": token}).headers["Location"].split("/")[2]
    sergeant = AuthActions.logged_in(app, "sergeant.a@example.org")
    assert sergeant.api_post("/api/v1/push/subscriptions", {"endpoint": FCM, "keys": _keys()}).status_code in (200, 201)
    alert_id = sergeant.api_post("/api/v1/push/test", {}).get_json()["alert_id"]
    with app.app_context():
        governance = db.session.scalars(sa.select(User).where(User.email == "acc@example.org")).one()
        sample = scrutiny.create(governance, scrutiny.parse_request(
            {"title": "Panel", "size": "1", "date_from": (date.today() - timedelta(days=40)).isoformat(),
             "date_to": date.today().isoformat(), "seed": "1"}, date.today()))
        db.session.commit()
        item_id = db.session.scalars(sa.select(ScrutinySampleItem.id).where(
            ScrutinySampleItem.sample_id == sample.id)).one()
        ids = {"report_id": report_id, "draft_id": draft_id, "alert_id": alert_id, "team_id": 1,
               "sample_id": sample.id, "item_id": item_id}
    return World(ids, {"owner": "owner@example.org", "colleague": "colleague@example.org",
                       "supervisor": "sergeant.a@example.org", "other_supervisor": "sergeant.b@example.org",
                       "governance": "acc@example.org", "admin": "admin@example.org",
                       "auditor": "auditor@example.org"})



def _entitled(rule: str) -> set[str]:
    """Who may reach the object behind ``rule``: its owner and those whose role is to see it."""
    if rule.startswith(("/record/<uuid:draft_id>", "/reports/<int:report_id>/amend",
                        "/api/v1/reports/<int:report_id>/amendments")):
        return {"owner"}
    if rule.startswith("/review/") or rule == "/api/v1/reports/<int:report_id>/review":
        return {"supervisor"}
    if rule in ("/reports/<int:report_id>", "/api/v1/reports/<int:report_id>"):
        return {"owner", "supervisor", "governance"}
    if rule == "/audit/report/<int:report_id>":
        return {"auditor"}
    if "<int:alert_id>" in rule:
        return {"supervisor"}
    if rule == "/team/<int:team_id>":
        return {"supervisor", "governance"}
    if "<int:sample_id>" in rule:
        return {"governance"}
    raise AssertionError(f"{rule} takes an id: say who may reach its object")


def _state(app: Flask, world: World) -> tuple[Any, ...]:
    with app.app_context():
        report = db.session.get_one(Report, world.ids["report_id"])
        alert = db.session.get_one(Alert, world.ids["alert_id"])
        sample = db.session.get_one(ScrutinySample, world.ids["sample_id"])
        item = db.session.get_one(ScrutinySampleItem, world.ids["item_id"])
        return (report.status, report.version, alert.acknowledged_at, sample.status, item.grade,
                db.session.scalar(sa.select(sa.func.count()).select_from(Draft)),
                db.session.scalar(sa.select(sa.func.count()).select_from(PushSubscription)))


@pytest.mark.parametrize("actor", ACTORS)
def test_nobody_reaches_another_persons_object_by_its_id(app: Flask, world: World, actor: str) -> None:
    before = _state(app, world)
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    if actor != "anonymous":
        auth = AuthActions(client)
        auth.login(world.logins[actor])
        token = auth.csrf()
    swept = 0
    for rule in app.url_map.iter_rules():
        arguments = set(rule.arguments) - {"filename", "slug"}
        if not arguments or actor in _entitled(rule.rule):
            continue
        path = app.url_map.bind("localhost").build(rule.endpoint, {
            **{name: world.ids[name] for name in arguments}, **({"slug": "incident"} if "slug" in rule.arguments
                                                                  else {})})
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if rule.rule.startswith("/api/"):
                response = client.open(path, method=method, json={"decision": "approve", "bwv_reviewed": True,
                                                                  "reason": "r", "changes": {"narrative": "x"}},
                                       headers={"X-CSRFToken": token})
            else:
                response = client.open(path, method=method, data={"csrf_token": token, "decision": "approve",
                                                                  "grade": "red", "feedback": "x"})
            response.close()
            expected = ({401} if rule.rule.startswith("/api/") else {302}) if actor == "anonymous" else REFUSED
            assert response.status_code in expected, (actor, method, path, response.status_code)
            swept += 1
    assert swept >= 10
    assert _state(app, world) == before


def test_nobody_removes_another_persons_device(app: Flask, world: World) -> None:
    other = AuthActions.logged_in(app, "colleague@example.org")
    response = other.client.open("/api/v1/push/subscriptions", method="DELETE", json={"endpoint": FCM},
                                 headers={"X-CSRFToken": other.csrf()})
    assert response.get_json() == {"deleted": False}
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PushSubscription)) == 1
