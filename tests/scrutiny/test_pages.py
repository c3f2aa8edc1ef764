"""The scrutiny pages: governance only, unknown ids 404, the form's errors, grading, the anonymised panel pack
and the grading report."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.conftest import AuthActions, csrf_from
from tests.scrutiny.conftest import HOSTILE_AREA, HOSTILE_BWV, HOSTILE_REFERENCE, PERIOD, World
from uof.extensions import db
from uof.models import AuditEvent, ScrutinySample
from uof.services import scrutiny

INDEX = "/governance/samples"
NOT_GOVERNANCE = ["alice.smith@example.org", "sergeant@example.org", "admin@example.org", "auditor@example.org"]


def _token(client: FlaskClient, path: str = INDEX) -> str:
    return csrf_from(client.get(path).get_data(as_text=True))


def _draw(client: FlaskClient, **answers: Any) -> Any:
    data = {"title": "Independent panel, July 2025", **PERIOD, "size": "7", "seed": "5", "stratified": "y",
            "csrf_token": _token(client), **answers}
    return client.post(INDEX, data=data)


def _sample_id(response: Any) -> int:
    match = re.fullmatch(r"/governance/samples/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def _items(app, sample_id: int) -> dict[int, int]:  # type: ignore[no-untyped-def]
    """Report id -> item id."""
    with app.app_context():
        sample = db.session.get(ScrutinySample, sample_id)
        assert sample is not None
        return {item.report_id: item.id for item in sample.items}


def _grade(client: FlaskClient, sample_id: int, item_id: int, **answers: str) -> Any:
    token = _token(client, f"{INDEX}/{sample_id}")
    data = {f"item-{item_id}-csrf_token": token, **{f"item-{item_id}-{key}": value for key, value in answers.items()}}
    return client.post(f"{INDEX}/{sample_id}/items/{item_id}", data=data)


def _actions(app) -> list[str]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("scrutiny.%"))
                                       .order_by(AuditEvent.seq)))


@pytest.fixture
def governance(auth: AuthActions, world: World) -> FlaskClient:
    assert auth.login("acc@example.org").status_code == 303
    return auth.client


@pytest.fixture
def drawn(app, governance: FlaskClient) -> int:  # type: ignore[no-untyped-def]
    response = _draw(governance)
    assert response.status_code == 303
    return _sample_id(response)


# --- who may use them --------------------------------------------------------------------------------------

def _every_route(client: FlaskClient, sample_id: int, item_id: int, token: str) -> dict[str, int]:
    base = f"{INDEX}/{sample_id}"
    return {
        "list": client.get(INDEX).status_code,
        "draw": client.post(INDEX, data={"csrf_token": token, "title": "x", "size": "1"}).status_code,
        "sample": client.get(base).status_code,
        "grade": client.post(f"{base}/items/{item_id}", data={"csrf_token": token, "grade": "red"}).status_code,
        "close": client.post(f"{base}/close", data={"csrf_token": token}).status_code,
        "csv": client.get(f"{base}.csv").status_code,
        "report": client.get(f"{base}/report").status_code,
    }


@pytest.mark.parametrize("email", NOT_GOVERNANCE)
def test_every_other_role_is_refused(app, client, auth, world, drawn, email):
    item_id = next(iter(_items(app, drawn).values()))
    auth.logout()
    auth.login(email)
    token = auth.csrf()
    assert set(_every_route(client, drawn, item_id, token).values()) == {403}
    with app.app_context():
        sample = db.session.get(ScrutinySample, drawn)
        assert sample is not None
        assert [item.grade for item in sample.items] == [None] * 7
        assert sample.status == "open"


def test_nobody_logged_in_is_sent_to_log_in(app, client, world):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    for name, status in _every_route(client, 1, 1, token).items():
        assert status == 302, name


def test_unknown_samples_and_items_are_404(app, governance, drawn):
    items = list(_items(app, drawn).values())
    token = _token(governance)
    for sample_id in (drawn + 1, 2**31 - 1, 2**31, 10**12):
        base = f"{INDEX}/{sample_id}"
        assert governance.get(base).status_code == 404
        assert governance.get(f"{base}.csv").status_code == 404
        assert governance.get(f"{base}/report").status_code == 404
        assert governance.post(f"{base}/close", data={"csrf_token": token}).status_code == 404
        assert governance.post(f"{base}/items/{items[0]}", data={"csrf_token": token}).status_code == 404
    for item_id in (max(items) + 1, 2**31, 0):
        assert _grade(governance, drawn, item_id, grade="green").status_code == 404


def test_an_item_of_another_sample_is_404_there(app, governance, drawn):
    other = _sample_id(_draw(governance, seed="9"))
    item_id = next(iter(_items(app, other).values()))
    assert _grade(governance, drawn, item_id, grade="green").status_code == 404
    assert _grade(governance, other, item_id, grade="green").status_code == 303


def test_a_post_without_a_csrf_token_is_refused(app, governance, drawn):
    item_id = next(iter(_items(app, drawn).values()))
    for path, data in ((INDEX, {"title": "x", "size": "1"}),
                       (f"{INDEX}/{drawn}/items/{item_id}", {f"item-{item_id}-grade": "red"}),
                       (f"{INDEX}/{drawn}/close", {})):
        response = governance.post(path, data=data)
        assert response.status_code == 400, path
        assert "This form has expired" in response.get_data(as_text=True)
    assert "scrutiny.grade" not in _actions(app)


# --- drawing -----------------------------------------------------------------------------------------------

def test_the_list_and_the_form(app, governance, world):
    page = governance.get(INDEX)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>Scrutiny samples</h1>" in html
    assert "No sample has been drawn yet." in html
    for label in ("Title or panel name", "From", "To", "Area", "Number of reports", "Seed (optional)",
                  "Share the sample among the types of force"):
        assert f">{label}</label>" in html
    assert _actions(app) == ["scrutiny.list"]


def test_drawing_a_sample(app, governance, world):
    response = _draw(governance)
    assert response.status_code == 303
    sample_id = _sample_id(response)
    page = governance.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert "Sample drawn: 7 of the 7 reports in the period, with seed 5." in html
    assert "<h1>Independent panel, July 2025</h1>" in html
    assert '<dd data-seed>5</dd>' in html
    assert html.count("data-sample-number=") == 7
    assert _actions(app) == ["scrutiny.list", "scrutiny.create", "scrutiny.view"]
    listing = governance.get(INDEX).get_data(as_text=True)
    assert f'data-sample="{sample_id}"' in listing
    assert "Independent panel, July 2025" in listing


def test_a_refused_draw_shows_what_to_change(app, governance, world):
    response = _draw(governance, title="", size="0", seed="abc", area="Atlantis", date_from="2025-13-01")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    for message in ("Give the sample a title", "a whole number from 1 to 500", "The seed must be a whole number",
                    "Choose one of the force&#39;s areas", "is not a real date"):
        assert message in html
    assert 'href="#title"' in html
    assert 'href="#date_from"' in html
    with app.app_context():
        assert db.session.scalar(select(ScrutinySample.id)) is None


def test_a_period_with_no_report_is_a_400(app, governance, world):
    response = _draw(governance, date_from="2024-01-01", date_to="2024-01-31")
    assert response.status_code == 400
    assert "No report has an incident in this period" in response.get_data(as_text=True)


def test_the_same_seed_draws_the_same_sample_through_the_form(app, governance, world):
    first = _items(app, _sample_id(_draw(governance, size="3", seed="31337")))
    again = _items(app, _sample_id(_draw(governance, size="3", seed="31337")))
    assert list(first) == list(again)


# --- grading -----------------------------------------------------------------------------------------------

def test_grading_an_item(app, governance, world, drawn):
    item_id = _items(app, drawn)[world.restraint]
    response = _grade(governance, drawn, item_id, grade="amber", feedback="Handcuffs not double-locked.")
    assert response.status_code == 303
    assert re.fullmatch(rf"/governance/samples/{drawn}#sample-\d", response.headers["Location"])
    html = governance.get(f"{INDEX}/{drawn}").get_data(as_text=True)
    assert re.search(r"Sample \d graded amber\.", html)
    assert 'data-grade="amber">Amber</span>' in html
    assert "Handcuffs not double-locked.</textarea>" in html
    regraded = _grade(governance, drawn, item_id, grade="green", feedback="")
    assert regraded.status_code == 303
    with app.app_context():
        sample = db.session.get(ScrutinySample, drawn)
        assert sample is not None
        [item] = [item for item in sample.items if item.id == item_id]
        assert (item.grade, item.feedback) == ("green", None)
        befores = [event.detail["before"]["grade"] for event in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "scrutiny.grade").order_by(AuditEvent.seq))]
    assert befores == [None, "amber"]


def test_a_refused_grade_is_a_400_beside_its_report(app, governance, world, drawn):
    item_id = _items(app, drawn)[world.firearms]
    response = _grade(governance, drawn, item_id, grade="purple", feedback="x" * 2001)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Choose green, amber or red." in html
    assert "Feedback must be at most 2,000 characters; it has 2,001." in html
    assert f'href="#item-{item_id}-grade"' in html
    assert f'href="#item-{item_id}-feedback"' in html
    control = _grade(governance, drawn, item_id, grade="red", feedback="bad\x07bell")
    assert control.status_code == 400
    assert "control characters" in control.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "scrutiny.grade")) is None


def test_a_closed_sample_shows_its_grades_and_refuses_more(app, governance, world, drawn):
    item_id = _items(app, drawn)[world.unarmed]
    _grade(governance, drawn, item_id, grade="green", feedback="Proportionate & well explained <b>.")
    token = _token(governance, f"{INDEX}/{drawn}")
    assert governance.post(f"{INDEX}/{drawn}/close", data={"csrf_token": token}).status_code == 303
    html = governance.get(f"{INDEX}/{drawn}").get_data(as_text=True)
    assert "The sample is closed: its grades are final." in html
    assert "<form method=\"post\" action=\"/governance/samples/" not in html
    assert "Proportionate &amp; well explained &lt;b&gt;." in html
    assert governance.post(f"{INDEX}/{drawn}/close", data={"csrf_token": token}).status_code == 303
    assert "already closed" in governance.get(f"{INDEX}/{drawn}").get_data(as_text=True)
    refused = _grade(governance, drawn, item_id, grade="red")
    assert refused.status_code == 400
    assert "This sample is closed" in refused.get_data(as_text=True)


# --- the panel pack ----------------------------------------------------------------------------------------

IDENTIFIERS = ("Alice", "Smith", "PC4521", "Bob", "Jones", "PC9876", "alice.smith", "bob.jones",
               "CAD-1234-25NOV26", HOSTILE_REFERENCE, "UOF-0")


def _csv_rows(response: Any) -> list[list[str]]:
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_the_panel_pack_is_anonymised_and_formula_safe(app, governance, world, drawn):
    items = _items(app, drawn)
    _grade(governance, drawn, items[world.hostile], grade="red", feedback="=cmd|' /C calc'!A0")
    response = governance.get(f"{INDEX}/{drawn}.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="scrutiny-sample-{drawn}.csv"'
    rows = _csv_rows(response)
    assert tuple(rows[0]) == scrutiny.CSV_HEADER
    assert [row[0] for row in rows[1:]] == [str(n) for n in range(1, 8)]
    text = response.get_data(as_text=True)
    for identifier in IDENTIFIERS:
        assert identifier.lower() not in text.lower(), identifier
    for row in rows[1:]:
        # No report id: the sample number is the only number in a row.
        assert [cell for cell in row[1:] if cell.strip().isdigit()] == []
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    [hostile] = [dict(zip(rows[0], row, strict=True)) for row in rows[1:] if row[3].startswith("'=")]
    assert hostile["Area"] == "'" + HOSTILE_AREA.replace("Smith PC4521", "[removed] [removed]")
    assert hostile["BWV reference"] == "'" + HOSTILE_BWV.replace("Alice Smith PC4521 CAD-777-HOSTILE",
                                                                   "[removed] [removed] [removed]")
    assert hostile["Grade"] == "Red"
    assert hostile["Feedback"] == "'=cmd|' /C calc'!A0"
    assert hostile["Incident month"] == "Jun 2025"
    assert hostile["Tactics (Home Office)"] == "Ground restraint"
    assert _actions(app)[-1] == "scrutiny.export"


def test_the_sample_page_is_anonymised_too(app, governance, world, drawn):
    html = governance.get(f"{INDEX}/{drawn}").get_data(as_text=True)
    body = html[html.index("<main"):html.index("</main>")]
    for identifier in IDENTIFIERS:
        assert identifier.lower() not in body.lower(), identifier
    assert "[removed]" in body
    assert "May 2025" in body
    assert "2 May 2025" not in body


# --- the grading report ------------------------------------------------------------------------------------

def test_the_grading_report(app, governance, world, drawn):
    items = _items(app, drawn)
    for report_id, grade, feedback in ((world.restraint, "green", "Good record."), (world.hostile, "red", ""),
                                       (world.firearms, "amber", "Ask why the firearm was aimed."),
                                       (world.unarmed, "green", "")):
        assert _grade(governance, drawn, items[report_id], grade=grade, feedback=feedback).status_code == 303
    response = governance.get(f"{INDEX}/{drawn}/report")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "4 of the 7 reports graded." in html
    shares = re.findall(r'<tr data-grade="(\w+)">\s*<th scope="row">[^<]+</th>\s*<td class="numeric">(\d+)</td>\s*'
                        r'<td class="numeric">(\d+)%</td>', html)
    assert shares == [("green", "2", "29"), ("amber", "1", "14"), ("red", "1", "14"), ("none", "3", "43")]
    assert 'role="img" aria-label="Reports by panel grade"' in html
    restraint = re.search(r'<tr data-stratum="Restraint">(.*?)</tr>', html, re.S)
    assert restraint is not None
    assert re.findall(r"<td class=\"numeric\">(\d+)</td>", restraint.group(1)) == ["1", "0", "1", "1"]
    assert "Good record." in html
    assert "Ask why the firearm was aimed." in html
    assert html.count("data-feedback-for=") == 2
    assert _actions(app)[-1] == "scrutiny.view"
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert event is not None
        assert event.detail == {"page": "report", "items": 7}


def test_the_report_of_a_sample_with_no_grades(app, governance, drawn):
    html = governance.get(f"{INDEX}/{drawn}/report").get_data(as_text=True)
    assert "0 of the 7 reports graded." in html
    assert "The panel has given no feedback yet." in html


def test_hostile_area_names_are_escaped_in_the_form(app, governance, world):
    html = governance.get(INDEX).get_data(as_text=True)
    assert HOSTILE_AREA not in html
    assert "=HYPERLINK(&#34;http://x.example&#34;" in html or "=HYPERLINK(&quot;http://x.example&quot;" in html
