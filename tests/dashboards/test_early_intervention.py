"""The dashboard's officers and flags are the early-intervention rules' own: one team, one count, one judgement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from tests.factories import Maker, Person
from uof.domain.alert_kinds import PATTERN
from uof.extensions import db
from uof.models import Alert, AlertRuleSetting, Team
from uof.services import alert_rules, team_stats

TEAM = "Birmingham Central A"


def tactics(*codes: str) -> list[dict[str, Any]]:
    return [{"code": code, "effective": True} for code in codes]


def _reports(make: Maker, person: Person, count: int, *codes: str, now: datetime) -> None:
    for day in range(count):
        incident = (now - timedelta(days=day + 1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        make.report(person, incident_at=incident, tactics=tactics(*codes))


def _flags(dashboard: team_stats.TeamDashboard) -> set[tuple[int, str, str]]:
    flags = set()
    for row in dashboard.officers.officers:
        if row.level:
            flags.add((row.officer.id, alert_rules.COUNT_RULE, row.level))
        if row.above_percentile:
            flags.add((row.officer.id, alert_rules.PERCENTILE_RULE, "warning"))
    return flags


def test_the_dashboards_flags_are_the_alerts_the_rules_raise(app: Flask, make: Maker):
    now = datetime.now(UTC).replace(microsecond=0)
    team_id = make.team(TEAM)
    make.user("acc@example.org", "governance")  # someone to alert about the sergeant, who reviews nobody's own
    sergeant = make.user("ps.sam@example.org", "supervisor", teams=(TEAM,), force_number="9001", name="Sam Sergeant")
    alice = make.user("alice@example.org", "officer", teams=(TEAM,), force_number="A1", name="Alice Able")
    bob = make.user("bob@example.org", "officer", teams=(TEAM,), force_number="B2", name="Bob Baker")
    dave = make.user("dave@example.org", "officer", teams=(TEAM,), force_number="D4", name="Dave Dunn")
    with app.app_context():
        # Nothing left out: compliant handcuffing counts like any other force.
        db.session.add_all([
            AlertRuleSetting(scope="force", rule=alert_rules.COUNT_RULE,
                             params={"warning": 3, "critical": 5, "excluded_tactics": []}),
            AlertRuleSetting(scope="force", rule=alert_rules.PERCENTILE_RULE, params={"excluded_tactics": []}),
        ])
        db.session.commit()
    _reports(make, alice, 3, "compliant_handcuffing", now=now)  # counted only because nothing is left out
    _reports(make, sergeant, 5, "non_compliant_handcuffing", now=now)  # a sergeant who used force
    _reports(make, bob, 1, "baton_drawn", now=now)

    with app.app_context():
        assert alert_rules.evaluate_patterns(now) > 0
        db.session.commit()
        alerted = {(a.officer_id, a.rule, a.severity)
                   for a in db.session.scalars(select(Alert).where(Alert.kind == PATTERN))}
        team = db.session.get(Team, team_id)
        assert team is not None
        dashboard = team_stats.for_team(team, weeks=4, now=now)

    assert _flags(dashboard) == alerted
    assert alerted == {
        (sergeant.id, alert_rules.COUNT_RULE, "critical"),
        (sergeant.id, alert_rules.PERCENTILE_RULE, "warning"),  # 5 above 4.7, the 95th percentile of 0, 1, 3, 5
        (alice.id, alert_rules.COUNT_RULE, "warning"),
    }
    rows = {row.officer.id: row.reports for row in dashboard.officers.officers}
    assert rows == {sergeant.id: 5, alice.id: 3, bob.id: 1, dave.id: 0}
    assert dashboard.officers.median == 2.0
    with app.app_context():
        detail = db.session.scalars(select(Alert.detail).where(Alert.officer_id == sergeant.id)).first()
    assert detail is not None
    assert (detail["team_size"], detail["team_median"]) == (4, dashboard.officers.median)
    assert detail["team_p95"] == dashboard.officers.percentile_level


def test_a_switched_off_rule_flags_nobody_on_the_dashboard_either(app: Flask, make: Maker):
    now = datetime.now(UTC).replace(microsecond=0)
    team_id = make.team(TEAM)
    alice = make.user("alice@example.org", "officer", teams=(TEAM,), force_number="A1", name="Alice Able")
    make.user("bob@example.org", "officer", teams=(TEAM,), force_number="B2", name="Bob Baker")
    make.user("ps.sam@example.org", "supervisor", teams=(TEAM,), force_number="9001", name="Sam Sergeant")
    with app.app_context():
        db.session.add(AlertRuleSetting(scope="force", rule=alert_rules.PERCENTILE_RULE, enabled=False))
        db.session.commit()
    _reports(make, alice, 3, "baton_drawn", now=now)
    with app.app_context():
        alert_rules.evaluate_patterns(now)
        db.session.commit()
        alerted = {(a.officer_id, a.rule, a.severity)
                   for a in db.session.scalars(select(Alert).where(Alert.kind == PATTERN))}
        team = db.session.get(Team, team_id)
        assert team is not None
        dashboard = team_stats.for_team(team, weeks=4, now=now)
    assert alerted == {(alice.id, alert_rules.COUNT_RULE, "warning")}
    assert _flags(dashboard) == alerted
