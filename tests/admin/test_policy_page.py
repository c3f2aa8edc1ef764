from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from tests.conftest import csrf_from
from uof.extensions import db
from uof.models import AuditEvent
from uof.services import policy


def _admin(make, auth):
    make.user("admin@example.org", "admin")
    auth.login("admin@example.org")


def test_only_admins_reach_the_policy_page(make, auth, client):
    make.team()
    make.user("pc@example.org", "officer", teams=("Birmingham Central A",))
    auth.login("pc@example.org")
    assert client.get("/admin/policy").status_code == 403


def test_page_shows_the_version_in_force(make, auth, client):
    _admin(make, auth)
    page = client.get("/admin/policy").get_data(as_text=True)
    assert "Version <strong>1</strong> is in force" in page
    assert "Handcuffing – compliant" in page


def test_applying_a_preset_makes_an_audited_version(app, make, auth, client):
    _admin(make, auth)
    token = csrf_from(client.get("/admin/policy").get_data(as_text=True))
    response = client.post("/admin/policy", data={
        "preset-csrf_token": token, "preset-preset": "derogated", "preset-note": "Force derogation agreed",
        "preset-effective_from": "",
    })
    assert response.status_code == 302
    with app.app_context():
        active = policy.active()
        assert (active.version, active.preset) == (2, "derogated")
        assert active.level("compliant_handcuffing") == "optional"
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "policy.change")).one()
        assert event.object_id == "2"


def test_excluding_one_tactic(app, make, auth, client):
    _admin(make, auth)
    token = csrf_from(client.get("/admin/policy").get_data(as_text=True))
    with app.app_context():
        levels = {f"levels-tactic_{code}": level for code, level in policy.active().tactics.items()}
    levels["levels-tactic_tactical_communication"] = "excluded"
    response = client.post("/admin/policy", data=levels | {"levels-csrf_token": token, "levels-note": "Not needed"})
    assert response.status_code == 302
    with app.app_context():
        active = policy.active()
        assert active.preset == "national"
        assert active.level("tactical_communication") == "excluded"
        assert dict(active.overrides) == {"tactical_communication": "excluded"}


def test_a_future_change_is_scheduled_not_applied(app, make, auth, client):
    _admin(make, auth)
    token = csrf_from(client.get("/admin/policy").get_data(as_text=True))
    later = (datetime.now(ZoneInfo("Europe/London")) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    client.post("/admin/policy", data={"preset-csrf_token": token, "preset-preset": "derogated",
                                       "preset-note": "From Monday", "preset-effective_from": later})
    with app.app_context():
        assert policy.active().version == 1
        assert policy.policy_at(datetime.now(UTC) + timedelta(days=3)).version == 2


def test_back_dating_and_a_missing_reason_are_refused(app, make, auth, client):
    _admin(make, auth)
    token = csrf_from(client.get("/admin/policy").get_data(as_text=True))
    response = client.post("/admin/policy", data={"preset-csrf_token": token, "preset-preset": "derogated",
                                                  "preset-note": "", "preset-effective_from": "2020-01-01T10:00"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Give the reason for the change." in page
    token = csrf_from(page)
    response = client.post("/admin/policy", data={"preset-csrf_token": token, "preset-preset": "derogated",
                                                  "preset-note": "Oops", "preset-effective_from": "2020-01-01T10:00"})
    assert "The effective time must be now or later." in response.get_data(as_text=True)
    with app.app_context():
        assert policy.active().version == 1


def test_a_time_skipped_by_the_clock_change_is_refused(app, make, auth, client):
    _admin(make, auth)
    token = csrf_from(client.get("/admin/policy").get_data(as_text=True))
    # The clocks go forward at 01:00 on the last Sunday of March: 01:30 never happens that night.
    response = client.post("/admin/policy", data={"preset-csrf_token": token, "preset-preset": "derogated",
                                                  "preset-note": "Spring", "preset-effective_from": "2027-03-28T01:30"})
    assert "There was no 01:30 on 28 Mar 2027 in the UK" in response.get_data(as_text=True)
    with app.app_context():
        assert policy.active().version == 1
