"""Arbitrary input at every door: any JSON at every state-changing API route, any string in every field of every
form the app shows. Never a server error, and a refused request writes nothing (the rows of every table but the
audit log, which records refusals, and drafts, which keep what an officer typed, are counted before and after)."""

from __future__ import annotations

import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import AuthActions, csrf_from
from tests.factories import Maker, report_body
from uof.extensions import db
from uof.record.sections import SECTIONS

UNCOUNTED = {"audit_events", "audit_head", "drafts", "alembic_version"}
FUZZ = settings(max_examples=30, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=15,
)
# Anything a browser can send in a field: any Unicode, control characters and NUL, very long or empty.
FIELD = st.one_of(st.text(), st.text(string.printable, min_size=200, max_size=5000), st.just(""),
                  st.sampled_from(["\x00", "0", "-1", "99999999999999999999", "1e309", "NaN", "<script>", "' OR 1=1 --",
                                   "=cmd|' /C calc'!A0", "2026-02-30", "national", "returned", "approved"]))


def _with_arbitrary_leaves(body: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A valid report with some of its values replaced by anything: past the JSON checks, into validation."""
    return st.fixed_dictionaries({key: st.one_of(st.just(value), JSON) for key, value in body.items()})


@dataclass(frozen=True)
class World:
    officer: str
    supervisor: str
    report_id: int
    colleague_report_id: int
    alert_id: int
    draft_path: str


@pytest.fixture
def world(app: Flask, make: Maker) -> World:
    make.team()
    officer = make.user("pc.fuzz@example.org", "officer", "admin", teams=("Birmingham Central A",))
    colleague = make.user("pc.other@example.org", "officer", teams=("Birmingham Central A",))
    make.user("ps.fuzz@example.org", "supervisor", "governance", teams=("Birmingham Central A",))
    report_id = make.report(officer)
    colleague_report = make.report(colleague)
    make.set_status(report_id, "returned")
    auth = AuthActions(app.test_client())
    auth.login("ps.fuzz@example.org")
    alert = auth.api_post("/api/v1/push/test", {})
    assert alert.status_code == 201, alert.get_data(as_text=True)
    auth = AuthActions(app.test_client())
    auth.login("pc.fuzz@example.org")
    token = csrf_from(auth.client.get("/reports").get_data(as_text=True))
    draft = auth.client.post("/record", data={"csrf_token": token}).headers["Location"]
    return World("pc.fuzz@example.org", "ps.fuzz@example.org", report_id, colleague_report,
                 alert.get_json()["alert_id"], draft)


def _counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        tables = [name for name in sa.inspect(db.engine).get_table_names() if name not in UNCOUNTED]
        return {name: db.session.scalar(sa.select(sa.func.count()).select_from(sa.table(name))) or 0
                for name in tables}



def _api_routes(world: World) -> list[tuple[str, str, str, str]]:
    """(user, method, rule, path) for every state-changing API route, with the ids of real objects."""
    report, colleague, alert = world.report_id, world.colleague_report_id, world.alert_id
    return [
        (world.officer, "POST", "/api/v1/reports", "/api/v1/reports"),
        (world.officer, "POST", "/api/v1/reports/<int:report_id>/amendments", f"/api/v1/reports/{report}/amendments"),
        (world.supervisor, "POST", "/api/v1/reports/<int:report_id>/review", f"/api/v1/reports/{colleague}/review"),
        (world.supervisor, "POST", "/api/v1/alerts/<int:alert_id>/ack", f"/api/v1/alerts/{alert}/ack"),
        (world.officer, "POST", "/api/v1/push/subscriptions", "/api/v1/push/subscriptions"),
        (world.officer, "DELETE", "/api/v1/push/subscriptions", "/api/v1/push/subscriptions"),
        (world.officer, "POST", "/api/v1/push/test", "/api/v1/push/test"),
    ]


def test_the_api_route_list_is_complete(app: Flask, world: World) -> None:
    changing = {(method, rule.rule) for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")
                for method in (rule.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}}
    assert {(method, rule) for _user, method, rule, _path in _api_routes(world)} == changing


def _answered_and_never_half_written(app: Flask, send: Callable[[], Any], accepted: Callable[[int], bool]) -> None:
    before = _counts(app)
    response = send()
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if not accepted(response.status_code):
        assert _counts(app) == before, response.get_data(as_text=True)[:300]


@pytest.mark.parametrize("route", range(7))
def test_any_json_at_an_api_route_is_answered_and_never_half_written(app: Flask, world: World, route: int) -> None:
    user, method, _rule, path = _api_routes(world)[route]
    auth = AuthActions.logged_in(app, user)
    headers = {"X-CSRFToken": auth.client.get("/api/v1/session").get_json()["csrf_token"]}

    @FUZZ
    @given(body=JSON | _with_arbitrary_leaves(report_body()) | st.binary(max_size=300))
    def send(body: Any) -> None:
        if isinstance(body, bytes):
            request = lambda: auth.client.open(path, method=method, data=body, headers=headers,  # noqa: E731
                                               content_type="application/json")
        else:
            request = lambda: auth.client.open(path, method=method, json=body, headers=headers)  # noqa: E731
        _answered_and_never_half_written(app, request, accepted=lambda status: status < 400)

    send()


class _Forms(HTMLParser):
    """The POST forms of a page: their action and the names of their fields."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form" and (found.get("method") or "").lower() == "post":
            self.forms.append((found.get("action") or "", []))
        elif (tag in ("input", "select", "textarea") and self.forms and found.get("name")
              and found["name"] not in ("csrf_token", *self.forms[-1][1])):
            self.forms[-1][1].append(found["name"] or "")


def _forms_on(client: FlaskClient, page: str) -> list[tuple[str, list[str]]]:
    response = client.get(page)
    assert response.status_code == 200, page
    parser = _Forms()
    parser.feed(response.get_data(as_text=True))
    # Logging out would leave the rest of the page's forms to an anonymous visitor.
    return [(action or page, fields) for action, fields in parser.forms if fields and action != "/logout"]


def _pages(world: World) -> Iterator[tuple[str, str]]:
    """(user, page) for every page with a form that takes input."""
    draft = world.draft_path.rsplit("/", 1)[0]
    for section in SECTIONS:
        yield world.officer, f"{draft}/{section.slug}"
    yield world.officer, "/admin/policy"
    yield world.officer, "/admin/alert-rules"
    yield world.supervisor, f"/review/{world.colleague_report_id}"
    yield world.supervisor, "/governance/samples"


@pytest.mark.parametrize("page", range(len(SECTIONS) + 4))
def test_any_string_in_any_form_field_is_answered_and_never_half_written(app: Flask, world: World,
                                                                         page: int) -> None:
    user, path = list(_pages(world))[page]
    auth = AuthActions.logged_in(app, user)
    forms = _forms_on(auth.client, path)
    assert forms, f"no form on {path}"
    token = auth.csrf()
    for action, fields in forms:
        _fuzz_form(app, auth.client, action, fields, token)


def _fuzz_form(app: Flask, client: FlaskClient, action: str, fields: list[str], token: str) -> None:
    @FUZZ
    @given(values=st.fixed_dictionaries({name: FIELD for name in fields}))
    def send(values: dict[str, str]) -> None:
        _answered_and_never_half_written(
            app, lambda: client.post(action, data={**values, "csrf_token": token}),
            # A form that was accepted redirects; one refused shows itself again with its errors.
            accepted=lambda status: status in (302, 303))

    send()
