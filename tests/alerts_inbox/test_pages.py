"""The inbox, the alert page and acknowledging in HTML; the Alerts badge in the header; login back to an alert."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import event, select

from tests.alerts_inbox.conftest import raise_for
from tests.conftest import csrf_from
from tests.factories import PASSWORD
from uof.domain.alert_kinds import CRITICAL, INFO, PATTERN
from uof.extensions import db
from uof.models import RETURNED, Alert, AuditEvent


def _page(client, path: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def _badge(html: str) -> str | None:
    """The accessible name of the header's Alerts link: its label, else its text."""
    match = re.search(r'<a href="/alerts" class="site-nav__alerts"(?: aria-label="([^"]*)")?>(.*?)</a>', html, re.S)
    if match is None:
        return None
    return match.group(1) or re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(2))).strip()


def _ack(client, alert_id: int, action: str):  # type: ignore[no-untyped-def]
    token = csrf_from(_page(client, "/alerts"))
    return client.post(f"/alerts/{alert_id}/ack", data={"action": action, "csrf_token": token})


def test_the_inbox_shows_what_to_acknowledge_first(app, people, auth, client):
    first = raise_for(app, people.supervisor, title="UOF-000007: Taser discharged", severity=CRITICAL)
    second = raise_for(app, people.supervisor, title="Daily digest for Birmingham Central A", severity=INFO)
    raise_for(app, people.other_supervisor, title="Not for this supervisor")
    auth.login(people.supervisor.email)
    assert _ack(client, first, "Spoke to the officer.").status_code == 303
    html = _page(client, "/alerts")
    assert "Not for this supervisor" not in html
    waiting, done = html.split("<h2>Acknowledged</h2>")
    assert "Daily digest for Birmingham Central A" in waiting
    assert "Taser discharged" in done
    assert f'href="/alerts/{second}"' in waiting
    assert "Information" in waiting
    assert "Unread" in waiting
    assert "Critical" in done
    assert "1 to acknowledge." in html
    # Times in UK local time, with the machine-readable instant beside them.
    assert re.search(r'<time datetime="[^"]+">\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}</time>', html)
    # The device buttons wait for alerts.js; the page loads it from a file, as the CSP requires.
    assert 'data-device-alerts aria-labelledby="device-alerts-title" hidden' in html
    assert '<script src="/static/js/alerts.js" defer></script>' in html


def test_an_empty_inbox_says_so(app, people, auth, client):
    auth.login(people.officer.email)
    html = _page(client, "/alerts")
    assert "You have no alerts waiting." in html
    assert "Nothing to acknowledge." in html


def test_anyone_elses_alert_is_not_found(app, people, auth, client):
    alert_id = raise_for(app, people.supervisor)
    for other in (people.other_supervisor, people.governance, people.officer):
        auth.login(other.email)
        assert client.get(f"/alerts/{alert_id}").status_code == 404
        token = csrf_from(_page(client, "/alerts"))
        assert client.post(f"/alerts/{alert_id}/ack", data={"action": "x", "csrf_token": token}).status_code == 404
        auth.logout()
    auth.login(people.supervisor.email)
    for missing in (alert_id + 1, 2**31, 2**40):
        assert client.get(f"/alerts/{missing}").status_code == 404


def test_opening_an_alert_marks_it_read_and_audits_the_view(app, people, auth, client):
    alert_id = raise_for(app, people.supervisor)
    auth.login(people.supervisor.email)
    assert "Unread" in _page(client, "/alerts")
    _page(client, f"/alerts/{alert_id}")
    assert "Unread" not in _page(client, "/alerts")
    with app.app_context():
        alert = db.session.get(Alert, alert_id)
        assert alert is not None
        assert alert.read_at is not None
        assert alert.acknowledged_at is None
        views = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "alert.view")).all()
        assert [(event.actor_id, event.object_id) for event in views] == [(people.supervisor.id, str(alert_id))]


def test_a_pattern_alert_shows_the_count_beside_the_team_median_and_95th_percentile(app, people, auth, client):
    alert_id = raise_for(
        app, people.supervisor, kind=PATTERN, rule="officer_above_team_percentile", officer=people.officer,
        title="Pat Jones (1234): above the team's 95th percentile",
        detail={"count": 7, "team_median": 2.0, "team_p95": 5.5, "period_days": 90, "team_size": 12},
    )
    auth.login(people.supervisor.email)
    html = _page(client, f"/alerts/{alert_id}")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Early intervention alert" in text
    assert "Reports in the period 7" in text
    assert "Team median 2 " in text
    assert "Team 95th percentile 5.5" in text
    assert "Period (days) 90" in text
    assert "Officer Pat Jones (1234)" in text


def test_an_alert_about_a_report_leads_the_reviewer_to_review_it(app, people, make, auth, client):
    report_id = make.report(people.officer)
    for_supervisor = raise_for(app, people.supervisor, report_id=report_id, officer=people.officer)
    for_governance = raise_for(app, people.governance, report_id=report_id, officer=people.officer)
    auth.login(people.supervisor.email)
    assert f'href="/review/{report_id}"' in _page(client, f"/alerts/{for_supervisor}")
    make.set_status(report_id, "approved")  # decided: nothing left to review, so the report itself
    decided = _page(client, f"/alerts/{for_supervisor}")
    assert f'href="/reports/{report_id}"' in decided
    assert f'href="/review/{report_id}"' not in decided
    auth.logout()
    auth.login(people.governance.email)
    html = _page(client, f"/alerts/{for_governance}")
    assert f'href="/reports/{report_id}"' in html
    assert f'href="/review/{report_id}"' not in html


def test_a_returned_report_alert_offers_the_officer_the_amendment(app, people, make, auth, client):
    report_id = make.report(people.officer)
    make.set_status(report_id, RETURNED)
    alert_id = raise_for(app, people.officer, rule="report_returned", report_id=report_id,
                         title="UOF report returned for amendment")
    auth.login(people.officer.email)
    html = _page(client, f"/alerts/{alert_id}")
    assert f'action="/reports/{report_id}/amend"' in html
    assert f'href="/reports/{report_id}"' in html
    make.set_status(report_id, "approved")
    assert f'action="/reports/{report_id}/amend"' not in _page(client, f"/alerts/{alert_id}")


def test_acknowledging_needs_an_action_then_records_it(app, people, auth, client):
    alert_id = raise_for(app, people.supervisor, title="UOF-000009 not reviewed within 72 hours")
    auth.login(people.supervisor.email)
    empty = _ack(client, alert_id, "   ")
    assert empty.status_code == 200
    html = empty.get_data(as_text=True)
    assert "<title>Error: " in html
    assert 'class="error-summary"' in html
    assert 'href="#action"' in html
    assert "Say what action you took." in html
    too_long = _ack(client, alert_id, "x" * 2001).get_data(as_text=True)
    assert "Keep the action to 2,000 characters or fewer." in too_long
    assert "x" * 2001 in too_long  # what was typed is kept to correct
    with app.app_context():
        assert db.session.get(Alert, alert_id).acknowledged_at is None  # type: ignore[union-attr]

    done = _ack(client, alert_id, "Reviewed it myself; <b>no</b> further action.")
    assert done.status_code == 303
    assert done.headers["Location"] == "/alerts"
    inbox = _page(client, "/alerts")
    assert "Alert acknowledged: UOF-000009 not reviewed within 72 hours" in inbox
    page = _page(client, f"/alerts/{alert_id}")
    assert "Reviewed it myself; &lt;b&gt;no&lt;/b&gt; further action." in page
    assert 'action="/alerts/' not in page  # no second form
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "alert.acknowledge")).all()
        assert [(event.actor_id, event.object_id) for event in events] == [(people.supervisor.id, str(alert_id))]

    again = _ack(client, alert_id, "Something else")
    assert again.status_code == 303
    assert again.headers["Location"] == f"/alerts/{alert_id}"
    assert "already acknowledged" in _page(client, f"/alerts/{alert_id}")
    with app.app_context():
        assert db.session.get(Alert, alert_id).action_taken.startswith("Reviewed it myself")  # type: ignore[union-attr]


def test_acknowledging_without_the_csrf_token_is_refused(app, people, auth, client):
    alert_id = raise_for(app, people.supervisor)
    auth.login(people.supervisor.email)
    assert client.post(f"/alerts/{alert_id}/ack", data={"action": "x"}).status_code == 400
    with app.app_context():
        assert db.session.get(Alert, alert_id).acknowledged_at is None  # type: ignore[union-attr]


def test_the_header_counts_unacknowledged_alerts_on_every_page(app, people, auth, client):
    first = raise_for(app, people.supervisor)
    raise_for(app, people.supervisor)
    raise_for(app, people.supervisor)
    auth.login(people.supervisor.email)
    for path in ("/reports", "/alerts", "/record", f"/alerts/{first}"):
        html = _page(client, path)
        assert _badge(html) == "Alerts, 3 unacknowledged", path
        assert '<span class="count-badge" data-alert-count>3</span>' in html
    _ack(client, first, "Done.")
    assert _badge(_page(client, "/reports")) == "Alerts, 2 unacknowledged"
    # The device form is cached on a shared phone and names nobody: no count there.
    assert _badge(_page(client, "/record/device")) is None
    auth.logout()
    auth.login(people.governance.email)
    assert _badge(_page(client, "/")) == "Alerts"
    auth.logout()
    assert _badge(_page(client, "/login")) is None


def test_the_count_is_one_query(app, people, auth, client):
    raise_for(app, people.supervisor)
    auth.login(people.supervisor.email)
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        _page(client, "/reports")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert sum("count(alerts.id)" in statement for statement in statements) == 1


def test_logging_in_from_an_alert_link_comes_back_to_the_alert(app, people, client):
    alert_id = raise_for(app, people.supervisor)
    response = client.get(f"/alerts/{alert_id}")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == [f"/alerts/{alert_id}"]
    login_page = client.get(response.headers["Location"])
    token = csrf_from(login_page.get_data(as_text=True))
    logged_in = client.post(response.headers["Location"],
                            data={"username": people.supervisor.email, "password": PASSWORD,
                                  "csrf_token": token})
    assert logged_in.status_code == 303
    assert logged_in.headers["Location"] == f"/alerts/{alert_id}"
    assert client.get(logged_in.headers["Location"]).status_code == 200
