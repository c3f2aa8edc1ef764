"""Early intervention: an officer's counted reports over a rolling period against set levels and their team."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.alerts.conftest import alerts_in, submit
from uof.domain.alert_kinds import PATTERN
from uof.extensions import db
from uof.models import User
from uof.services import alert_rules

NOW = datetime.now(UTC)


def run(app, now=NOW) -> int:
    with app.app_context():
        raised = alert_rules.evaluate_patterns(now)
        db.session.commit()
        return raised


def reports_for(app, person, n, *codes, days_ago=1):
    for i in range(n):
        submit(app, person, *(codes or ("ground_restraint",)), incident_at=NOW - timedelta(days=days_ago, hours=i),
               incident_reference=f"CAD-{person.id}-{days_ago}-{i}")


COUNT = "officer_report_count"


def levels(app, officer_id):
    return [a.severity for a in alerts_in(app, rule=COUNT) if a.officer_id == officer_id]


def test_warning_at_3_and_critical_at_6(app, force):
    reports_for(app, force.officer, 2)
    run(app)
    assert levels(app, force.officer.id) == []
    reports_for(app, force.officer, 1, days_ago=2)
    run(app)
    assert levels(app, force.officer.id) == ["warning"]
    reports_for(app, force.officer, 2, days_ago=3)  # 5: still a warning, already alerted
    run(app)
    assert levels(app, force.officer.id) == ["warning"]
    reports_for(app, force.officer, 1, days_ago=4)  # 6
    run(app)
    assert levels(app, force.officer.id) == ["warning", "critical"]


def test_the_alert_states_the_team_figures_beside_the_count(app, force):
    reports_for(app, force.officer, 3)
    reports_for(app, force.colleague, 1)
    run(app)
    [alert] = alerts_in(app, rule=COUNT)
    assert alert.recipient_id == force.supervisor.id
    # Team A records force: officer 3, colleague 1, supervisor 0.
    assert alert.detail | {} == {"count": 3, "days": 90, "level": "warning", "warning": 3, "critical": 6,
                                 "team_median": 1, "team_p95": pytest.approx(2.8), "team_size": 3}
    assert alert.title == ("Early intervention (warning): PC Pat Jones (1234) — 3 reports in 90 days; "
                           "team median 1, 95th percentile 2.8")


def test_compliant_handcuffing_and_tactical_communication_are_not_counted(app, force):
    reports_for(app, force.officer, 2, "compliant_handcuffing")
    reports_for(app, force.officer, 2, "tactical_communication", "compliant_handcuffing", days_ago=2)
    assert run(app) == 0
    reports_for(app, force.officer, 2, "compliant_handcuffing", "ground_restraint", days_ago=3)
    reports_for(app, force.officer, 1, "tactical_communication", "unarmed_skills", days_ago=4)
    run(app)
    assert [a.detail["count"] for a in alerts_in(app, rule=COUNT)] == [3]


def test_only_the_rolling_period_counts(app, force):
    reports_for(app, force.officer, 2, days_ago=91)
    reports_for(app, force.officer, 2, days_ago=89)
    run(app)
    assert levels(app, force.officer.id) == []


def test_no_duplicate_across_repeated_runs_but_again_next_period(app, force):
    epoch_days = (NOW - datetime(1970, 1, 1, tzinfo=UTC)).days
    period_start = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=epoch_days // 90 * 90)
    first = period_start + timedelta(days=1, hours=12)
    for i in range(3):
        submit(app, force.officer, incident_at=first - timedelta(hours=2 + i), now=first,
               incident_reference=f"CAD-{i}")
    raised = [run(app, first) for _ in range(3)]
    assert raised[0] > 0
    assert raised[1:] == [0, 0]
    assert run(app, first + timedelta(days=80)) == 0
    assert run(app, first + timedelta(days=89)) == raised[0]  # the next 90-day period
    assert levels(app, force.officer.id) == ["warning", "warning"]


def test_a_team_setting_beats_the_force_default(app, force):
    with app.app_context():
        admin = db.session.get(User, force.admin.id)
        alert_rules.save("officer_report_count", team_id=force.team_a, enabled=True, actor=admin,
                         params={"days": 90, "warning": 2, "critical": 4, "excluded_tactics": []})
        db.session.commit()
    reports_for(app, force.officer, 2, "compliant_handcuffing")
    reports_for(app, force.outsider, 2)
    run(app)
    [alert] = alerts_in(app, rule=COUNT)
    assert (alert.officer_id, alert.detail["warning"]) == (force.officer.id, 2)


def test_a_force_default_beats_the_catalogue(app, force):
    with app.app_context():
        admin = db.session.get(User, force.admin.id)
        alert_rules.save("officer_report_count", team_id=None, enabled=True, actor=admin,
                         params={"days": 30, "warning": 2, "critical": 3,
                                 "excluded_tactics": ["tactical_communication", "compliant_handcuffing"]})
        db.session.commit()
    reports_for(app, force.outsider, 2)
    reports_for(app, force.officer, 2, days_ago=40)
    run(app)
    assert [a.officer_id for a in alerts_in(app, rule=COUNT)] == [force.outsider.id]


def test_the_team_percentile_rule_with_a_worked_team(app, make, force):
    make.team("Dudley Response", "Dudley")
    # Ten people who record force: nine officers and their supervisor, with these counts in 90 days.
    counts = [0, 0, 0, 1, 1, 1, 1, 2, 2, 7]
    people = [make.user(f"pc{n}@example.org", "officer", teams=("Dudley Response",), force_number=f"7{n:03d}")
              for n in range(9)]
    people.append(make.user("ps.dudley@example.org", "supervisor", teams=("Dudley Response",)))
    people = people[-1:] + people[:-1]  # the supervisor has 0
    for person, count in zip(people, counts, strict=True):
        reports_for(app, person, count)
    run(app)
    above = [a for a in alerts_in(app, rule="officer_above_team_percentile")]
    assert len(above) == 1
    top = people[-1]
    assert above[0].officer_id == top.id
    assert above[0].recipient_id == people[0].id  # the team's supervisor
    assert above[0].detail == {"count": 7, "days": 90, "level": "warning", "percentile": 95,
                               "percentile_value": 4.8, "team_median": 1, "team_p95": pytest.approx(4.75),
                               "team_size": 10}
    # Those on 2 are at the minimum but not above the 95th percentile.
    assert {a.officer_id for a in alerts_in(app, kind=PATTERN)} == {top.id}


def test_a_team_of_near_zeros_does_not_flag_one_report(app, force):
    reports_for(app, force.colleague, 1)
    run(app)
    assert alerts_in(app, rule="officer_above_team_percentile") == []


def test_the_top_of_a_small_team_is_flagged_from_the_minimum(app, force):
    reports_for(app, force.colleague, 2)
    run(app)
    [alert] = alerts_in(app, rule="officer_above_team_percentile")
    # Team A: 2, 0, 0; the 95th percentile interpolates to 1.8.
    assert (alert.officer_id, alert.detail["percentile_value"]) == (force.colleague.id, 1.8)


def test_an_officer_in_no_team_is_compared_with_nobody(app, make, force):
    loner = make.user("pc.loner@example.org", "officer", force_number="5555")
    reports_for(app, loner, 3)
    run(app)
    [alert] = alerts_in(app, kind=PATTERN)  # no team, so no percentile either
    assert alert.recipient_id == force.governance.id
    assert "team_median" not in alert.detail
    assert "95th percentile none" in alert.title


def test_a_switched_off_rule_stays_quiet(app, force):
    with app.app_context():
        admin = db.session.get(User, force.admin.id)
        alert_rules.save("officer_report_count", team_id=None, enabled=False, actor=admin,
                         params={"days": 90, "warning": 3, "critical": 6, "excluded_tactics": []})
        db.session.commit()
    reports_for(app, force.officer, 6)
    run(app)
    assert levels(app, force.officer.id) == []


MIXES = [("compliant_handcuffing",), ("compliant_handcuffing", "tactical_communication"),
         ("tactical_communication", "non_compliant_handcuffing"), ("ced_drawn",), ("ced_drawn", "ced_aimed"),
         ("ced_aimed", "ced_fired"), ("irritant_spray_cs_drawn",), ("irritant_spray_pava_drawn", "baton_drawn"),
         ("unarmed_skills",), ("ced_drawn", "compliant_handcuffing")]
EXCLUSIONS = [("compliant_handcuffing", "tactical_communication"), ("ced_drawn",), ("ced_aimed",),
              ("irritant_spray_cs_drawn",), ("irritant_spray_cs_drawn", "irritant_spray_pava_drawn"), ()]


def test_counting_by_facts_and_by_tactics_agree_for_every_exclusion(app, force):
    """Whether the count reads the tactic facts (an exclusion that follows Home Office rows) or the tactics
    themselves (one that does not), a report counts when it has a tactic outside the exclusion."""
    now = datetime.now(UTC)
    people = (force.officer, force.colleague, force.outsider)
    for index, mix in enumerate(MIXES):
        submit(app, people[index % 3], *mix, now=now)
    with app.app_context():
        for excluded in EXCLUSIONS:
            expected: dict[int, int] = {}
            for index, mix in enumerate(MIXES):
                if set(mix) - set(excluded):
                    person = people[index % 3].id
                    expected[person] = expected.get(person, 0) + 1
            counted = alert_rules.officer_counts(now, 90, excluded)
            assert {officer: count for officer, (_team, count) in counted.items()} == expected, excluded
