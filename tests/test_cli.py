"""API.md "Command line": create-team, create-user, policy show/set, and policy versions on reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from uof.extensions import db
from uof.models import AuditEvent, PolicyVersion, Report, Team, User
from uof.services import policy as policy_service

NEW_PASSWORD = "a-long-enough-password"


def invoke(runner, *args, password=NEW_PASSWORD):
    return runner.invoke(args=["uof", *args], env={"UOF_NEW_PASSWORD": password} if password else None)


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def audit_actions(app):
    with app.app_context():
        return db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()


def test_create_team(app, runner):
    result = invoke(runner, "create-team", "Walsall North B", "--area", "Walsall")
    assert result.exit_code == 0, result.output
    assert "Walsall North B" in result.output
    with app.app_context():
        team = db.session.scalars(select(Team)).one()
        assert (team.name, team.area) == ("Walsall North B", "Walsall")
    assert audit_actions(app) == ["team.create"]


def test_create_team_without_an_area(app, runner):
    result = invoke(runner, "create-team", "Dog Section")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalars(select(Team.area)).one() is None


def test_duplicate_team_is_refused(app, runner):
    invoke(runner, "create-team", "Walsall North B", "--area", "Walsall")
    result = invoke(runner, "create-team", "walsall north b")
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert count(app, Team) == 1


def test_create_officer(app, runner):
    invoke(runner, "create-team", "Walsall North B", "--area", "Walsall")
    result = invoke(runner, "create-user", "--email", "PC.One@Example.org", "--name", "PC One", "--role", "officer",
                    "--team", "Walsall North B", "--force-number", "wm1234")
    assert result.exit_code == 0, result.output
    assert "pc.one@example.org" in result.output
    with app.app_context():
        user = db.session.scalars(select(User)).one()
        assert user.email == "pc.one@example.org"
        assert user.force_number == "WM1234"
        assert user.roles == ["officer"]
        assert user.team.name == "Walsall North B"
        assert user.supervised == []
        assert user.password_hash.startswith("$argon2")
        assert NEW_PASSWORD not in user.password_hash
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.create")).one()
        assert event.actor_label == "cli"
        assert NEW_PASSWORD not in str(event.detail)


def test_the_new_user_can_log_in_with_the_password(app, runner, auth):
    invoke(runner, "create-team", "Walsall North B")
    invoke(runner, "create-user", "--email", "pc.one@example.org", "--name", "PC One", "--role", "officer",
           "--team", "Walsall North B", "--force-number", "1234")
    assert auth.login("1234", NEW_PASSWORD).status_code in (302, 303)


def test_create_supervisor_of_several_teams(app, runner):
    invoke(runner, "create-team", "Team A", "--area", "Birmingham")
    invoke(runner, "create-team", "Team B", "--area", "Walsall")
    result = invoke(runner, "create-user", "--email", "ps@example.org", "--name", "PS Two", "--role", "supervisor",
                    "--team", "Team A", "--team", "Team B")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalars(select(User)).one()
        assert user.roles == ["supervisor"]
        assert sorted(team.name for team in user.supervised) == ["Team A", "Team B"]
        assert user.team.name == "Team A"


def test_several_roles(app, runner):
    result = invoke(runner, "create-user", "--email", "acc@example.org", "--name", "ACC", "--role", "governance",
                    "--role", "auditor")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalars(select(User)).one().roles == ["governance", "auditor"]


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["--role", "officer", "--team", "No Such Team"], NEW_PASSWORD, "No team called"),
        (["--role", "officer"], "short", "at least 12 characters"),
        (["--role", "officer", "--team", "Team A", "--team", "Team B"], NEW_PASSWORD,
         "Only a supervisor can have several teams"),
    ],
)
def test_create_user_errors_write_nothing(app, runner, args, password, message):
    invoke(runner, "create-team", "Team A")
    invoke(runner, "create-team", "Team B")
    before = audit_actions(app)
    result = invoke(runner, "create-user", "--email", "pc.new@example.org", "--name", "PC New", *args,
                    password=password)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert count(app, User) == 0
    assert audit_actions(app) == before


@pytest.mark.parametrize(
    ("email", "force_number"),
    [("pc.one@example.org", None), ("PC.ONE@example.org", None), ("someone.else@example.org", "1234")],
)
def test_duplicate_email_or_force_number_is_refused(app, runner, email, force_number):
    first = invoke(runner, "create-user", "--email", "pc.one@example.org", "--name", "PC One", "--role", "officer",
                   "--force-number", "1234")
    assert first.exit_code == 0, first.output
    before = audit_actions(app)
    args = ["create-user", "--email", email, "--name", "Another", "--role", "officer"]
    if force_number:
        args += ["--force-number", force_number]
    result = invoke(runner, *args)
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert count(app, User) == 1
    assert audit_actions(app) == before


def test_unknown_role_is_refused(app, runner):
    result = invoke(runner, "create-user", "--email", "x@example.org", "--name", "X", "--role", "chief")
    assert result.exit_code != 0
    assert "chief" in result.output
    assert count(app, User) == 0


def test_the_password_is_prompted_for_without_the_environment_variable(app, runner, monkeypatch):
    monkeypatch.delenv("UOF_NEW_PASSWORD", raising=False)
    result = runner.invoke(
        args=["uof", "create-user", "--email", "x@example.org", "--name", "X", "--role", "officer"],
        input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert count(app, User) == 1


def test_policy_show(app, runner):
    result = invoke(runner, "policy", "show")
    assert result.exit_code == 0, result.output
    assert "Version 1 (national) is in force." in result.output
    assert "compliant_handcuffing" in result.output
    assert "v1 national" in result.output


def test_policy_set_makes_a_new_audited_version_each_time(app, runner):
    result = invoke(runner, "policy", "set", "derogated")
    assert result.exit_code == 0, result.output
    assert "Policy version 2 (derogated)" in result.output
    result = invoke(runner, "policy", "set", "national")
    assert result.exit_code == 0, result.output
    assert "Policy version 3 (national)" in result.output
    with app.app_context():
        rows = db.session.scalars(select(PolicyVersion).order_by(PolicyVersion.version)).all()
        assert [(row.version, row.preset) for row in rows] == [(1, "national"), (2, "derogated"), (3, "national")]
        assert rows[1].effective_from <= rows[2].effective_from <= datetime.now(UTC)
        assert policy_service.active().version == 3
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "policy.change")).all()
        assert [(e.object_type, e.object_id, e.detail["preset"], e.actor_label) for e in events] == [
            ("policy", "2", "derogated", "cli"), ("policy", "3", "national", "cli"),
        ]
    shown = invoke(runner, "policy", "show").output
    assert "Version 3 (national) is in force." in shown
    assert "v2 derogated" in shown


def test_policy_set_refuses_an_unknown_preset(app, runner):
    result = invoke(runner, "policy", "set", "lenient")
    assert result.exit_code != 0
    assert count(app, PolicyVersion) == 1


def test_a_report_takes_the_policy_version_in_force_at_its_incident(app, make):
    make.team()
    officer = make.user("pc.one@example.org", "officer", teams=("Birmingham Central A",))
    now = datetime.now(UTC)
    with app.app_context():
        policy_service.set_policy("derogated", actor=None, effective_from=now - timedelta(days=10))
        policy_service.set_policy("national", actor=None, effective_from=now - timedelta(days=1))
        db.session.commit()

    def at(delta):
        return (now - delta).strftime("%Y-%m-%dT%H:%M:%SZ")

    old = make.report(officer, incident_at=at(timedelta(days=30)))
    middle = make.report(officer, incident_at=at(timedelta(days=5)),
                         tactics=[{"code": "compliant_handcuffing", "effective": True}])
    recent = make.report(officer, incident_at=at(timedelta(hours=2)))
    with app.app_context():
        versions = {r.id: r.policy_version for r in db.session.scalars(select(Report))}
        assert versions == {old: 1, middle: 2, recent: 3}


def test_a_policy_set_from_the_command_line_applies_from_now(app, runner, make):
    make.team()
    officer = make.user("pc.one@example.org", "officer", teams=("Birmingham Central A",))
    invoke(runner, "policy", "set", "derogated")
    earlier = make.report(officer)  # the factory's incident is two hours ago
    with app.app_context():
        assert db.session.get(Report, earlier).policy_version == 1
