"""The dashboard pages: who sees what, the period selector, and charts whose tables give the same numbers."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from tests.dashboards.conftest import NOW, Seeded
from uof.extensions import db
from uof.models import AuditEvent
from uof.services import team_stats


class Page(HTMLParser):
    """The charts' bars (label and value) and the tables' body rows of a dashboard page, by name."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.charts: dict[str, dict[str, list[str]]] = {}
        self.svgs: list[dict[str, str | None]] = []
        self.rects: list[dict[str, str | None]] = []
        self.tables: dict[str, list[list[str]]] = {}
        self._chart: str | None = None
        self._text: str | None = None
        self._table: str | None = None
        self._in_body = False
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "svg" and attributes.get("data-chart"):
            self._chart = attributes["data-chart"]
            self.charts[self._chart] = {"labels": [], "values": []}
            self.svgs.append(attributes)
        elif tag == "text" and self._chart:
            classes = (attributes.get("class") or "").split()
            self._text = "values" if "data-value" in attributes else "labels" if "chart__label" in classes else None
        elif tag == "rect" and self._chart:
            self.rects.append(attributes)
        elif tag == "table" and attributes.get("data-table"):
            self._table = attributes["data-table"]
            self.tables[self._table] = []
        elif tag == "tbody" and self._table:
            self._in_body = True
        elif tag == "tr" and self._in_body and self._table:
            self.tables[self._table].append([])
        elif tag == "td" and self._in_body:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._chart = None
        elif tag == "text":
            self._text = None
        elif tag == "td" and self._cell is not None and self._table:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._chart and self._text:
            self.charts[self._chart][self._text].append(data)
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(team_stats, "utcnow", lambda: NOW)


def _page(client, path: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    response = client.get(path)
    return response.status_code, response.get_data(as_text=True)


def test_the_supervisor_sees_the_numbers_behind_every_chart(app, auth, client, seeded: Seeded, frozen):
    auth.login("sergeant.a@example.org")
    status, html = _page(client, f"/team/{seeded.team_id}?weeks=4")
    assert status == 200
    page = Page(html)
    assert set(page.charts) == {"weeks-chart", "tactics-chart", "statuses-chart", "officers-chart", "bwv-chart"}

    assert page.charts["weeks-chart"]["labels"] == ["10 Mar", "17 Mar", "24 Mar", "31 Mar"]
    assert page.tables["weeks"] == [["10 Mar 2025", "1"], ["17 Mar 2025", "1"], ["24 Mar 2025", "1"],
                                    ["31 Mar 2025", "2"]]
    assert page.charts["weeks-chart"]["values"] == [row[1] for row in page.tables["weeks"]]

    assert page.tables["tactics"] == [
        ["Compliant handcuffing", "2", "40%"], ["Non-compliant handcuffing", "2", "40%"],
        ["Irritant spray - drawn", "1", "20%"], ["CED Red-dot", "1", "20%"], ["CED Fired", "1", "20%"],
    ]
    assert page.charts["tactics-chart"]["values"] == [f"{n} ({share})" for _, n, share in page.tables["tactics"]]

    assert page.tables["statuses"] == [
        ["Submitted", "2"], ["Under review", "0"], ["Approved", "1"], ["Returned for amendment", "1"],
        ["Resubmitted", "0"], ["Referred to professional standards", "1"],
    ]
    assert page.charts["statuses-chart"]["values"] == [row[1] for row in page.tables["statuses"]]

    assert page.tables["officers"] == [
        ["Alice Able (A1)", "3", "At warning level, above team 95th percentile"],
        ["Bob Baker (B2)", "1", "None"], ["Carol Cole (C3)", "1", "None"], ["Dave Dunn (D4)", "0", "None"],
        ["Sam Sergeant", "0", "None"],  # a sergeant records force too, and is counted like the officers
    ]
    assert page.charts["officers-chart"]["values"] == [row[1] for row in page.tables["officers"]]
    assert ">at warning level</text>" in html
    assert ">above team 95th percentile</text>" in html

    assert page.tables["bwv"] == [["Camera worn", "80% (4 of 5)"], ["Camera recording", "60% (3 of 5)"],
                                  ["Footage reference given", "40% (2 of 5)"]]
    assert page.charts["bwv-chart"]["values"] == [row[1] for row in page.tables["bwv"]]


def test_the_page_states_the_policy_versions_and_the_overdue_reviews(app, auth, client, seeded: Seeded, frozen):
    auth.login("sergeant.a@example.org")
    _, html = _page(client, f"/team/{seeded.team_id}?weeks=4")
    assert "This period spans a change of recording policy" in html
    assert "Version 1: national preset" in html
    assert "Version 2: derogated preset" in html
    assert f'href="/review/{seeded.reports["r6"]}"' in html
    assert "98 hours" in html
    assert f'href="/review/{seeded.reports["r5"]}"' in html
    assert "<strong>2 overdue.</strong>" in html
    assert f'href="/review/{seeded.reports["r3"]}"' not in html
    assert "Incidents from Monday 10 Mar 2025 to Sunday 6 Apr 2025" in html

    _, later = _page(client, f"/team/{seeded.team_id}?weeks=52")
    assert "spans a change" in later  # 52 weeks back reaches the national version too


def test_charts_fit_a_phone(app, auth, client, seeded: Seeded, frozen):
    """Nothing in a chart has a fixed width: bars are percentages of the screen, so 320 px never scrolls."""
    auth.login("sergeant.a@example.org")
    page = Page(_page(client, f"/team/{seeded.team_id}")[1])
    assert page.svgs
    assert all(svg["width"] == "100%" and svg["role"] == "img" and svg["aria-label"]
                             for svg in page.svgs)
    assert page.rects
    assert all((rect["width"] or "").endswith("%") and (rect["x"] or "").endswith("%")
                              for rect in page.rects)


def test_each_view_is_audited(app, auth, client, seeded: Seeded):
    auth.login("sergeant.a@example.org")
    assert client.get(f"/team/{seeded.team_id}?weeks=26").status_code == 200
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "dashboard.view")).one()
        assert (event.object_type, event.object_id, event.detail) == ("team", str(seeded.team_id), {"weeks": 26})


def test_a_period_that_is_not_offered_is_explained(app, auth, client, seeded: Seeded):
    auth.login("sergeant.a@example.org")
    for bad in ("7", "abc", ""):
        status, html = _page(client, f"/team/{seeded.team_id}?weeks={bad}")
        assert status == 400
        assert "There is a problem" in html
        assert "Choose a period of 4, 12, 26 or 52 weeks." in html
        assert len(Page(html).tables["weeks"]) == team_stats.DEFAULT_WEEKS
    status, html = _page(client, f"/team/{seeded.team_id}?weeks=26")
    assert status == 200
    assert len(Page(html).tables["weeks"]) == 26


@pytest.mark.parametrize(("login", "expected"), [
    ("sergeant.a@example.org", 200),
    ("acc@example.org", 200),
    ("sergeant.b@example.org", 404),  # supervises another team
    ("alice@example.org", 403),  # officers, admins and auditors never see a dashboard
    ("admin@example.org", 403),
    ("auditor@example.org", 403),
])
def test_who_may_see_a_teams_dashboard(app, make, auth, client, seeded: Seeded, login, expected):
    make.user("acc@example.org", "governance")
    make.user("admin@example.org", "admin")
    make.user("auditor@example.org", "auditor")
    auth.login(login)
    assert client.get(f"/team/{seeded.team_id}").status_code == expected
    assert client.get("/team/999999").status_code == (404 if expected != 403 else 403)
    assert client.get(f"/team/{2**40}").status_code == (404 if expected != 403 else 403)


def test_anonymous_is_sent_to_log_in(client, seeded: Seeded):
    response = client.get(f"/team/{seeded.team_id}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_team_takes_a_supervisor_to_their_team_and_governance_to_every_team(app, make, auth, client, seeded: Seeded):
    auth.login("sergeant.a@example.org")
    response = client.get("/team")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/team/{seeded.team_id}")
    assert '>Team</a>' in client.get(f"/team/{seeded.team_id}").get_data(as_text=True)
    auth.logout()

    make.user("acc@example.org", "governance")
    auth.login("acc@example.org")
    status, html = _page(client, "/team")
    assert status == 200
    assert f'href="/team/{seeded.team_id}"' in html
    assert f'href="/team/{seeded.other_team_id}"' in html
    auth.logout()

    make.user("new.sergeant@example.org", "supervisor")
    auth.login("new.sergeant@example.org")
    status, html = _page(client, "/team")
    assert status == 200
    assert "You do not supervise a team yet" in html
    auth.logout()

    auth.login("alice@example.org")
    assert client.get("/team").status_code == 403
    assert '>Team</a>' not in client.get("/reports").get_data(as_text=True)


def test_a_supervisor_of_several_teams_can_switch(app, make, auth, client, seeded: Seeded):
    make.user("duty.inspector@example.org", "supervisor", teams=("Coventry Response", "Birmingham Central A"))
    auth.login("duty.inspector@example.org")
    response = client.get("/team")
    assert response.headers["Location"].endswith(f"/team/{seeded.team_id}")  # first by name
    html = client.get(f"/team/{seeded.team_id}?weeks=26").get_data(as_text=True)
    assert f'href="/team/{seeded.other_team_id}?weeks=26"' in html
