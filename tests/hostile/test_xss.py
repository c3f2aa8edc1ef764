"""Script in every free-text field (a report's reference, account and footage reference; a review's comment
and footage reference; an amendment's reason; a panel's feedback; a typed username in the audit log; names of
teams and people), then every page of the app as every kind of user: the text is shown, escaped, never as markup.
A real browser then opens the pages that show the most of it and no script runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask
from werkzeug.routing import Rule

from tests.conftest import AuthActions, csrf_from
from tests.factories import Maker
from uof.extensions import db
from uof.models import ScrutinySampleItem, User
from uof.services import scrutiny

PAYLOADS = ("<script>alert('x')</script>", '"><svg onload=alert(1)>', "<img src=x onerror=alert(2)>",
            "javascript:alert(3)//")
# What would be markup if a payload were not escaped (the last one only matters inside an href or src).
MARKUP = ("<script>alert", "<svg onload", "<img src=x", 'href="javascript:', 'src="javascript:')
SHORT = PAYLOADS[1]  # 23 characters: fits the shortest field (the incident reference, 40)
LONG = " ".join(PAYLOADS)


@dataclass(frozen=True)
class World:
    report_id: int
    returned_id: int
    draft_path: str
    sample_id: int
    users: dict[str, str]


@pytest.fixture
def world(app: Flask, make: Maker) -> World:
    make.team(f"Team {SHORT}", area="Birmingham")
    make.team("Birmingham Central A", area="Birmingham")
    officer = make.user("pc.xss@example.org", "officer", teams=("Birmingham Central A",), name=f"PC {SHORT}")
    make.user("ps.xss@example.org", "supervisor", teams=("Birmingham Central A",))
    make.user("acc.xss@example.org", "governance")
    make.user("admin.xss@example.org", "admin")
    make.user("auditor.xss@example.org", "auditor")
    body = {"incident_reference": SHORT, "narrative": LONG,
            "bwv": {"worn": True, "recording": True, "reference": SHORT, "viewed_before_account": False}}
    report_id = make.report(officer, **body)
    returned_id = make.report(officer, **body)

    supervisor = AuthActions.logged_in(app, "ps.xss@example.org")
    for target, decision in ((report_id, "approve"), (returned_id, "return")):
        answer = supervisor.api_post(f"/api/v1/reports/{target}/review",
                                     {"decision": decision, "comment": LONG, "bwv_reviewed": True,
                                      "bwv_reference": SHORT})
        assert answer.status_code in (200, 201), answer.get_data(as_text=True)
    author = AuthActions.logged_in(app, "pc.xss@example.org")
    amended = author.api_post(f"/api/v1/reports/{returned_id}/amendments",
                              {"reason": LONG, "changes": {"narrative": f"Amended: {LONG}"}})
    assert amended.status_code in (200, 201), amended.get_data(as_text=True)
    token = csrf_from(author.client.get("/reports").get_data(as_text=True))
    draft = author.client.post("/record", data={"csrf_token": token}).headers["Location"]

    anonymous = app.test_client()
    page = anonymous.get("/login").get_data(as_text=True)
    anonymous.post("/login", data={"username": SHORT, "password": "x", "csrf_token": csrf_from(page)})

    with app.app_context():
        governance = db.session.query(User).filter_by(email="acc.xss@example.org").one()
        sample = scrutiny.create(governance, scrutiny.parse_request(
            {"title": f"Panel {SHORT}", "size": "2", "date_from": (date.today() - timedelta(days=40)).isoformat(),
             "date_to": date.today().isoformat(), "seed": "7"}, date.today()))
        for item in db.session.query(ScrutinySampleItem).filter_by(sample_id=sample.id):
            assert not scrutiny.grade(item, governance, "amber", LONG)
        db.session.commit()
        sample_id = sample.id
    return World(report_id, returned_id, draft, sample_id, {
        "officer": "pc.xss@example.org", "supervisor": "ps.xss@example.org", "governance": "acc.xss@example.org",
        "admin": "admin.xss@example.org", "auditor": "auditor.xss@example.org"})



def _path(app: Flask, rule: Rule, world: World) -> str:
    values: dict[str, object] = {}
    for name in rule.arguments:
        values[name] = {"report_id": world.report_id, "team_id": 2, "sample_id": world.sample_id, "item_id": 1,
                        "alert_id": 1, "draft_id": world.draft_path.split("/")[2], "slug": "account",
                        "filename": "app.css"}.get(name, 1)
    return app.url_map.bind("localhost").build(rule.endpoint, values)


def test_no_page_shows_a_users_text_as_markup(app: Flask, world: World) -> None:
    pages = [rule for rule in app.url_map.iter_rules() if "GET" in (rule.methods or set())
             and not rule.rule.startswith(("/static", "/api/"))]
    shown = 0
    for role, email in (*world.users.items(), ("anonymous", None)):
        client = AuthActions.logged_in(app, email).client if email else app.test_client()
        for rule in pages:
            for path in {_path(app, rule, world),
                         _path(app, rule, world).replace(f"/{world.report_id}", f"/{world.returned_id}")}:
                response = client.get(path, headers={"Accept-Encoding": "identity"})
                body = response.get_data()
                response.close()
                if not response.mimetype.startswith("text/html"):
                    continue
                html = body.decode()
                found = [marker for marker in MARKUP if marker in html]
                assert not found, f"{role} GET {path}: {found}"
                shown += "&lt;script&gt;alert" in html or "&lt;svg onload" in html
    assert shown >= 15  # the payloads were on the pages, escaped
