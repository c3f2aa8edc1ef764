"""The team's figures against hand counts of the seeded team (see conftest), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import Flask
from sqlalchemy import event

from tests.dashboards.conftest import NOW, POLICY_CHANGE, Seeded
from uof.extensions import db
from uof.models import AlertRuleSetting, Team
from uof.services import team_stats


def _dashboard(app: Flask, team_id: int, weeks: int = 4, now: datetime = NOW) -> team_stats.TeamDashboard:
    with app.app_context():
        team = db.session.get(Team, team_id)
        assert team is not None
        return team_stats.for_team(team, weeks=weeks, now=now)


def test_weeks_are_uk_weeks_zero_filled_across_the_clock_change(app, seeded: Seeded):
    four = _dashboard(app, seeded.team_id)
    assert [(week.monday, week.reports) for week in four.weeks] == [
        (date(2025, 3, 10), 1),
        (date(2025, 3, 17), 1),  # r2: Saturday 22 March, 23:30 GMT
        (date(2025, 3, 24), 1),
        (date(2025, 3, 31), 2),  # r3: Sunday 23:30 UTC is Monday 00:30 BST, so this week, not the one before
    ]
    assert four.reports == 5
    assert four.period.start == datetime(2025, 3, 10, 0, 0, tzinfo=UTC)
    assert four.period.end == datetime(2025, 4, 6, 23, 0, tzinfo=UTC)  # Monday 7 April, 00:00 BST

    twelve = _dashboard(app, seeded.team_id, weeks=12)
    assert len(twelve.weeks) == 12
    assert twelve.weeks[0].monday == date(2025, 1, 13)
    assert {week.monday: week.reports for week in twelve.weeks if week.reports} == {
        date(2025, 3, 3): 1, date(2025, 3, 10): 1, date(2025, 3, 17): 1, date(2025, 3, 24): 1, date(2025, 3, 31): 2,
    }
    assert twelve.reports == 6


def test_tactic_mix_counts_categories_once_per_report_taser_at_its_highest_and_no_tactical_communication(
    app, seeded: Seeded
):
    mix = _dashboard(app, seeded.team_id).tactics
    assert [(item.category, item.reports, item.share) for item in mix] == [
        ("Compliant handcuffing", 2, 40.0),
        ("Non-compliant handcuffing", 2, 40.0),
        ("Irritant spray - drawn", 1, 20.0),  # CS and PAVA drawn in one report: one
        ("CED Red-dot", 1, 20.0),
        ("CED Fired", 1, 20.0),  # drawn, aimed and fired: counted as fired only
    ]


def test_review_statuses_and_the_overdue_list(app, seeded: Seeded):
    dashboard = _dashboard(app, seeded.team_id)
    assert [(item.status, item.reports) for item in dashboard.statuses] == [
        ("submitted", 2), ("under_review", 0), ("approved", 1), ("returned", 1), ("resubmitted", 0), ("referred", 1),
    ]
    # Waiting more than 72 hours, whatever the period (r5's incident is before it); r3 has waited 52 hours;
    # the other team's r7 is not this team's.
    assert [(item.report_id, item.hours_waiting, item.officer_name) for item in dashboard.overdue] == [
        (seeded.reports["r5"], 648, "Bob Baker"),
        (seeded.reports["r6"], 98, "Carol Cole"),
    ]
    assert dashboard.overdue_total == 2
    assert dashboard.review_due_hours == 72


def test_a_long_overdue_list_shows_the_longest_waiting_and_counts_the_rest(app, seeded: Seeded, monkeypatch):
    monkeypatch.setattr(team_stats, "OVERDUE_LISTED", 1)
    dashboard = _dashboard(app, seeded.team_id)
    assert [item.report_id for item in dashboard.overdue] == [seeded.reports["r5"]]
    assert dashboard.overdue_total == 2


def test_officers_counted_as_early_intervention_counts_against_median_and_95th_percentile(app, seeded: Seeded):
    officers = _dashboard(app, seeded.team_id).officers
    counts = [(row.officer.name, row.reports, row.flags) for row in officers.officers]
    # alice: r1, r2, r3 (irritant spray drawn counts even beside compliant handcuffing); bob: r5 only, as r4's
    # tactics are only compliant handcuffing and tactical communication; carol: r6; dave: none.
    assert counts == [
        ("Alice Able", 3, ["at warning level", "above team 95th percentile"]),
        ("Bob Baker", 1, []),
        ("Carol Cole", 1, []),
        ("Dave Dunn", 0, []),
        ("Sam Sergeant", 0, []),  # the sergeant records force too, so is one of the team counted
    ]
    assert officers.median == 1.0  # of 0, 0, 1, 1, 3
    assert officers.percentile_level == pytest.approx(2.6)  # 1 + 0.8 × (3 − 1)
    assert [row.officer.name for row in officers.flagged] == ["Alice Able"]


def test_the_teams_own_rule_settings_are_what_the_dashboard_follows(app, seeded: Seeded):
    with app.app_context():
        db.session.add_all([
            AlertRuleSetting(scope=f"team-{seeded.team_id}", team_id=seeded.team_id, rule="officer_report_count",
                             params={"warning": 4, "critical": 8}),
            AlertRuleSetting(scope="force", rule="review_overdue", params={"hours": 48, "escalate_hours": 96}),
        ])
        db.session.commit()
    dashboard = _dashboard(app, seeded.team_id)
    assert dashboard.officers.officers[0].flags == ["above team 95th percentile"]
    assert dashboard.review_due_hours == 48
    assert [item.report_id for item in dashboard.overdue] == [
        seeded.reports["r5"], seeded.reports["r6"], seeded.reports["r3"]]


def test_body_worn_video_coverage(app, seeded: Seeded):
    coverage = _dashboard(app, seeded.team_id).bwv
    assert (coverage.reports, coverage.worn, coverage.recording, coverage.referenced) == (5, 4, 3, 2)
    assert coverage.of_reports(coverage.worn) == 80.0


def test_policy_versions_in_a_period_that_spans_the_change(app, seeded: Seeded):
    policies = _dashboard(app, seeded.team_id).policies
    assert policies.spans_change
    assert [(v.version, v.preset, v.reports, v.until) for v in policies.versions] == [
        (1, "national", 1, POLICY_CHANGE),
        (2, "derogated", 4, None),
    ]


def test_policy_version_of_a_period_after_the_change(app, seeded: Seeded):
    policies = _dashboard(app, seeded.team_id, now=datetime(2025, 6, 30, 12, 0, tzinfo=UTC)).policies
    assert not policies.spans_change
    assert [(v.version, v.preset, v.reports) for v in policies.versions] == [(2, "derogated", 0)]


def test_another_teams_figures_are_its_own(app, seeded: Seeded):
    other = _dashboard(app, seeded.other_team_id)
    assert other.reports == 1
    assert [row.officer.name for row in other.officers.officers] == ["Eve Evans", "Olu Other"]


def test_a_fixed_number_of_queries_however_many_reports(app, make, seeded: Seeded):
    def count_queries() -> int:
        with app.app_context():
            statements: list[str] = []
            engine = db.engine
            listener = lambda *args: statements.append(args[2])  # noqa: E731
            event.listen(engine, "before_cursor_execute", listener)
            try:
                team = db.session.get(Team, seeded.team_id)
                team_stats.for_team(team, weeks=4, now=NOW)
            finally:
                event.remove(engine, "before_cursor_execute", listener)
            return len(statements)

    before = count_queries()
    for day in range(11, 21):
        make.report(seeded.carol, incident_at=f"2025-03-{day}T09:00:00Z")
    assert count_queries() == before
