"""The admin page for alert rules: force-wide defaults, team overrides, validation, and the audit trail."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import csrf_from
from uof.domain.alert_rules import CATALOGUE
from uof.extensions import db
from uof.models import AlertRuleSetting, AuditEvent, User
from uof.services import alert_rules


def form(token: str, *, team: bool = False, **changes: object) -> dict[str, object]:
    """Every rule's field at its catalogue default, with ``changes`` ({"rule__part": value}) on top."""
    data: dict[str, object] = {"csrf_token": token}
    for rule in CATALOGUE:
        if team and not rule.per_team:
            continue
        if team:
            data[f"{rule.key}__mode"] = "force"
        data[f"{rule.key}__enabled"] = "on"
        for name, value in rule.defaults.items():
            data[f"{rule.key}__{name}"] = list(value) if isinstance(value, tuple) else str(value)
    return data | changes


def token(client, url="/admin/alert-rules") -> str:
    return csrf_from(client.get(url).get_data(as_text=True))


def settings_rows(app):
    with app.app_context():
        return [(row.scope, row.rule, row.enabled, row.params)
                for row in db.session.scalars(select(AlertRuleSetting).order_by(AlertRuleSetting.id))]


def audits(app):
    with app.app_context():
        return [(e.object_id, e.detail) for e in
                db.session.scalars(select(AuditEvent).where(AuditEvent.action == "alert_rule.update"))]


def test_only_admins_reach_the_page(force, auth, client):
    auth.login("ps.a@example.org")
    assert client.get("/admin/alert-rules").status_code == 403
    assert client.post("/admin/alert-rules", data=form(auth.csrf(), baton_used__enabled="off")).status_code == 403


def test_the_page_lists_every_rule_with_its_settings(force, auth, client):
    auth.login("admin@example.org")
    page = client.get("/admin/alert-rules").get_data(as_text=True)
    for rule in CATALOGUE:
        assert rule.label.replace("'", "&#39;") in page
    assert 'name="officer_report_count__warning"' in page
    assert 'value="3"' in page
    assert "Birmingham Central A" in page  # in the team chooser
    assert 'href="/admin/alert-rules"' in client.get("/admin/policy").get_data(as_text=True)  # the nav link


def test_changing_a_force_wide_level_is_saved_and_audited(app, force, auth, client):
    auth.login("admin@example.org")
    response = client.post("/admin/alert-rules", data=form(token(client), officer_report_count__warning="4"))
    assert response.status_code == 302
    assert settings_rows(app) == [("force", "officer_report_count", True, {
        "days": 90, "warning": 4, "critical": 6, "excluded_tactics": ["tactical_communication",
                                                                      "compliant_handcuffing"]})]
    [(object_id, detail)] = audits(app)
    assert object_id == "force:officer_report_count"
    assert detail["before"] is None
    assert detail["after"]["params"]["warning"] == 4
    assert "1 rule(s) changed" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_saving_the_defaults_changes_nothing(app, force, auth, client):
    auth.login("admin@example.org")
    response = client.post("/admin/alert-rules", data=form(token(client)), follow_redirects=True)
    assert "No changes" in response.get_data(as_text=True)
    assert settings_rows(app) == []
    assert audits(app) == []


def test_switching_a_rule_off_and_clearing_a_tactic_list(app, force, auth, client):
    auth.login("admin@example.org")
    data = form(token(client), baton_used__enabled="off")
    del data["officer_report_count__excluded_tactics"]  # no boxes ticked: count every report
    assert client.post("/admin/alert-rules", data=data).status_code == 302
    with app.app_context():
        settings = alert_rules.load()
        assert settings.of("baton_used").enabled is False
        assert settings.of("officer_report_count").codes("excluded_tactics") == ()


def test_bad_parameters_are_shown_and_nothing_is_saved(app, force, auth, client):
    auth.login("admin@example.org")
    response = client.post("/admin/alert-rules", data=form(
        token(client), baton_used__enabled="off", officer_report_count__warning="seven",
        review_overdue__escalate_hours="48", daily_team_digest__hour="25",
    ))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Alert rules" in page
    assert "There is a problem" in page
    assert 'href="#officer_report_count__warning"' in page
    assert "Warning at must be a whole number, like 3." in page
    assert "Escalate to governance after must be more than alert supervisors after (72)." in page
    assert "Sent at (hour, UK time) must be between 0 and 23." in page
    assert 'value="seven"' in page  # what was typed stays in the box
    assert settings_rows(app) == []  # not even the valid change
    assert audits(app) == []


def test_a_missing_choice_is_an_error_not_a_crash(force, auth, client):
    auth.login("admin@example.org")
    data = form(token(client))
    del data["firearm__enabled"]
    response = client.post("/admin/alert-rules", data=data)
    assert response.status_code == 200
    assert "Choose whether Firearm aimed or fired is on or off." in response.get_data(as_text=True)


def test_a_team_override_and_back_to_the_force_default(app, force, auth, client):
    auth.login("admin@example.org")
    url = f"/admin/alert-rules?team={force.team_a}"
    page = client.get(url).get_data(as_text=True)
    assert "Alert rules for Birmingham Central A" in page
    assert "Weekly governance summary" in page
    assert 'name="weekly_governance_summary__hour"' not in page
    response = client.post(url, data=form(token(client, url), team=True, review_overdue__mode="team",
                                          review_overdue__hours="48", review_overdue__escalate_hours="96"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(url)
    assert settings_rows(app) == [(f"team-{force.team_a}", "review_overdue", True,
                                   {"hours": 48, "escalate_hours": 96})]
    with app.app_context():
        settings = alert_rules.load()
        assert settings.of("review_overdue", force.team_a).number("hours") == 48
        assert settings.of("review_overdue", force.team_b).number("hours") == 72
    page = client.get(url).get_data(as_text=True)
    assert "<strong>Force-wide:</strong> On; Alert supervisors after: 72" in page

    assert client.post(url, data=form(token(client, url), team=True)).status_code == 302
    assert settings_rows(app) == []
    assert [detail["after"] for _, detail in audits(app)] == [{"enabled": True,
                                                               "params": {"hours": 48, "escalate_hours": 96}}, None]


def test_an_unknown_team_is_not_found(force, auth, client):
    auth.login("admin@example.org")
    assert client.get("/admin/alert-rules?team=999").status_code == 404
    assert client.get("/admin/alert-rules?team=99999999999").status_code == 404
    assert client.get("/admin/alert-rules?team=abc").status_code == 200  # not a number: the force-wide page


def test_a_force_only_rule_cannot_be_set_for_a_team(app, force):
    with app.app_context():
        admin = db.session.get(User, force.admin.id)
        result = alert_rules.save("weekly_governance_summary", team_id=force.team_a, enabled=False,
                                  params={"weekday": 0, "hour": 8}, actor=admin)
        assert result.errors
        assert not result.changed
