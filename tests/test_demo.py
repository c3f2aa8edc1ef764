"""The demo force: ``flask uof demo`` seeds a realistic, reproducible force once, through the real services."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from tests.conftest import AuthActions
from uof.domain import vocabulary as v
from uof.extensions import db
from uof.models import AWAITING_REVIEW, AuditEvent, Report, ReportVersion, Team, User, UserRole
from uof.services import audit, demo, reviews

NOW = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")


def _counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {
            name: db.session.scalar(select(func.count()).select_from(model)) or 0
            for name, model in (("teams", Team), ("users", User), ("reports", Report),
                                ("versions", ReportVersion), ("audit", AuditEvent))
        }


def _reports(app: Flask) -> list[dict[str, Any]]:
    """Every report as plain values: its columns and its (only) version's content."""
    with app.app_context():
        return [
            {"officer_id": r.officer_id, "team_id": r.team_id, "client_id": r.client_id, "status": r.status,
             "version": r.version, "policy_version": r.policy_version, "versions": len(r.versions),
             "incident_at": r.incident_at, "submitted_at": r.submitted_at,
             "incident_reference": r.incident_reference, "area": r.area, "content": r.content}
            for r in db.session.scalars(select(Report).order_by(Report.id))
        ]


def _share(rows: list[dict[str, Any]], test: Callable[[dict[str, Any]], bool]) -> float:
    return sum(1 for row in rows if test(row["content"])) / len(rows)


def _uses(content: dict[str, Any], codes: set[str] | frozenset[str]) -> bool:
    return any(tactic["code"] in codes for tactic in content["tactics"])


@pytest.fixture
def seeded(app: Flask) -> Flask:
    with app.app_context():
        assert demo.seed(now=NOW) is True
        db.session.commit()
    return app


def test_demo_command_seeds_once_prints_logins_that_work(app: Flask, runner: FlaskCliRunner, client: FlaskClient,
                                                         auth: AuthActions) -> None:
    first = runner.invoke(args=["uof", "demo"])
    assert first.exit_code == 0, first.output
    assert "Seeded the demo force." in first.output
    assert demo.DEMO_PASSWORD in first.output
    for person in demo.PEOPLE:
        assert person.email in first.output
        assert person.force_number is None or person.force_number in first.output
    seeded = _counts(app)
    assert seeded["reports"] == demo.REPORT_COUNT

    again = runner.invoke(args=["uof", "demo"])
    assert again.exit_code == 0, again.output
    assert "already there" in again.output
    assert demo.DEMO_PASSWORD in again.output
    assert _counts(app) == seeded

    verified = runner.invoke(args=["uof", "audit", "verify"])
    assert verified.exit_code == 0, verified.output

    busiest = max((p for p in demo.PEOPLE if p.force_number), key=lambda p: p.activity)
    assert auth.login(str(busiest.force_number), demo.DEMO_PASSWORD).status_code in (302, 303)
    with app.app_context():
        officer = db.session.scalar(select(User).where(User.email == busiest.email))
        assert officer is not None
        own = db.session.scalar(select(func.count()).select_from(Report).where(Report.officer_id == officer.id))
    assert len(client.get("/api/v1/reports?mine=1").get_json()["reports"]) == own > 0


def test_demo_force_has_its_teams_people_and_a_year_of_submitted_reports(seeded: Flask) -> None:
    with seeded.app_context():
        teams = {team.name: team for team in db.session.scalars(select(Team))}
        assert {name: team.area for name, team in teams.items()} == {
            "Birmingham Central A": "Birmingham", "Birmingham Central B": "Birmingham",
            "Coventry Response": "Coventry",
        }
        assert Counter(db.session.scalars(select(UserRole.role))) == {
            "officer": 15, "supervisor": 4, "governance": 1, "admin": 1, "auditor": 1,
        }
        inspector = db.session.scalar(select(User).where(User.email == "joanne.tranter@" + demo.DOMAIN))
        assert inspector is not None
        assert inspector.team_id is None
        for team in teams.values():
            # The team's own sergeant, and the inspector who reviews the sergeant's own reports.
            sergeants = [s for s in team.supervisors if s.team_id == team.id]
            assert len(sergeants) == 1
            assert {s.id for s in team.supervisors} == {sergeants[0].id, inspector.id}
            assert len(team.members) == 5
            assert all(member.force_number for member in team.members)
        report_events = db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "report.create"))
    assert report_events == demo.REPORT_COUNT

    rows = _reports(seeded)
    assert len(rows) == demo.REPORT_COUNT
    # The force went derogated partway through the year: earlier incidents under version 1, later under 2.
    changed = demo.derogation_date(NOW)
    assert {r["policy_version"] for r in rows} == {1, 2}
    assert all(r["policy_version"] == (2 if r["incident_at"] >= changed else 1) for r in rows)
    assert all(r["version"] == r["versions"] for r in rows)
    # Reproducible: the same "now" makes the same reports.
    assert {r["client_id"] for r in rows} == {p.body["client_id"] for p in demo.plan_reports(NOW)}

    for row in rows:
        assert NOW - timedelta(days=365) <= row["incident_at"] <= NOW - timedelta(hours=1)
        assert row["incident_at"] < row["submitted_at"] <= NOW
    delays = [row["submitted_at"] - row["incident_at"] for row in rows]
    assert median(delays) < timedelta(hours=3)
    assert any(delay > timedelta(days=1) for delay in delays)
    local = [row["incident_at"].astimezone(LONDON) for row in rows]
    days = Counter(moment.strftime("%a") for moment in local)
    assert days["Fri"] + days["Sat"] > days["Mon"] + days["Tue"]
    evening_and_night = sum(1 for moment in local if moment.hour >= 18 or moment.hour < 3)
    morning = sum(1 for moment in local if 6 <= moment.hour < 15)
    assert evening_and_night > 2 * morning


def test_demo_reports_follow_the_national_mix(seeded: Flask) -> None:
    rows = _reports(seeded)
    force = Counter(t["code"] for row in rows for t in row["content"]["tactics"] if v.is_force(t["code"]))
    assert force.most_common(1)[0][0] == "compliant_handcuffing"
    assert 0.6 <= _share(rows, lambda c: _uses(c, {"compliant_handcuffing", "non_compliant_handcuffing"})) <= 0.8
    taser_codes = {t.code for t in v.TACTICS if isinstance(t, v.Tactic) and t.ced_rank}
    assert 0.02 <= _share(rows, lambda c: _uses(c, taser_codes)) <= 0.09
    assert _share(rows, lambda c: _uses(c, v.CED_DISCHARGE)) < _share(rows, lambda c: _uses(c, taser_codes)) / 3
    assert 0.6 <= _share(rows, lambda c: "arrested" in c["outcomes"]) <= 0.8

    assert _share(rows, lambda c: c["subject"]["age_band"] == "age_18_34") > 0.45
    assert 0.75 <= _share(rows, lambda c: c["subject"]["gender"] == "male") <= 0.92
    for area, census in demo.AREA_POPULATION.items():
        in_area = [row for row in rows if row["area"] == area]
        assert Counter(row["content"]["subject"]["ethnicity"] for row in in_area).most_common(1)[0][0] == "white"
        # Black people are over-represented against the area's population, as in the Home Office figures.
        assert _share(in_area, lambda c: c["subject"]["ethnicity"] == "black") > 1.5 * census["black"] / sum(
            census.values())

    reasons = [reason for reason, _ in Counter(r for row in rows for r in row["content"]["reasons"]).most_common(4)]
    assert reasons[0] == "protect_self"
    assert {"protect_other_officers", "effect_arrest"} <= set(reasons)
    factors = Counter(f for row in rows for f in row["content"]["impact_factors"])
    assert factors.most_common(1)[0][0] == "alcohol"
    places = [place for place, _ in Counter(p for row in rows for p in row["content"]["locations"]).most_common(3)]
    assert places[0] == "street_highway"
    assert {"dwelling", "custody_block"} <= set(places)
    assert 0 < _share(rows, lambda c: c["subject_injury"]["injured"]) < 0.1
    assert 0 < _share(rows, lambda c: c["officer_injury"]["injured"]) < 0.1

    assert _share(rows, lambda c: c["bwv"]["worn"]) > 0.8
    for row in rows:
        bwv = row["content"]["bwv"]
        assert (bwv["reference"] or "").startswith("BWV-") == bwv["recording"]


def test_demo_incidents_with_several_officers_share_a_reference(seeded: Flask) -> None:
    rows = _reports(seeded)
    by_reference: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_reference.setdefault(row["incident_reference"], []).append(row)
    shared = [group for group in by_reference.values() if len(group) > 1]
    assert shared
    assert 0.1 <= sum(len(group) for group in shared) / len(rows) <= 0.25
    for group in shared:
        assert len({row["officer_id"] for row in group}) == len(group)
        assert len({row["team_id"] for row in group}) == 1
        assert len({row["incident_at"] for row in group}) == 1
        assert not any(row["content"]["single_crewed"] for row in group)
    assert all(reference.startswith("CAD-") for reference in by_reference)


def test_demo_reports_are_reviewed_as_a_force_would(seeded: Flask) -> None:
    with seeded.app_context():
        rows = list(db.session.scalars(select(Report).order_by(Report.submitted_at, Report.id)))
        statuses = Counter(report.status for report in rows)
        assert statuses["approved"] > 0.9 * demo.REPORT_COUNT
        assert statuses["returned"] == 1  # the latest return, still waiting for the officer's amendment
        assert statuses["referred"] == demo.REFERRALS
        assert statuses["under_review"] == 1
        waiting = [report for report in rows if report.status in AWAITING_REVIEW]
        due = NOW - reviews.REVIEW_DUE
        assert sum(1 for report in waiting if report.awaiting_review_since < due) == demo.OVERDUE_LEFT
        assert waiting == rows[-len(waiting):]  # the newest wait; everything older was decided
        assert all(report.submitted_at >= NOW - timedelta(days=14) for report in waiting)

        amended = [report for report in rows if report.version == 2]
        assert amended
        assert all([r.decision for r in report.reviews] == ["return", "approve"] for report in amended)
        assert all(report.reviews[1].report_version == 2 for report in amended)
        approvals = [r for report in rows for r in report.reviews if r.decision == "approve"]
        recorded = [r for r in approvals if r.report.content["bwv"]["recording"]]
        assert 0.7 < sum(r.bwv_reviewed for r in recorded) / len(recorded) < 0.95
        assert all(r.bwv_reference == r.report.content["bwv"]["reference"] for r in recorded if r.bwv_reviewed)
        assert not any(r.bwv_reviewed for r in approvals if not r.report.content["bwv"]["recording"])
        assert any(r.debrief_held for r in approvals)
        late = [r for r in approvals
                if r.report.version == 1 and r.created_at - r.report.submitted_at > reviews.REVIEW_DUE]
        assert 0 < len(late) < 0.1 * len(approvals)

        for report in rows:
            for review in report.reviews:
                assert review.reviewer_id != report.officer_id
                assert any(team.id == report.team_id for team in review.reviewer.supervised)
                assert report.submitted_at < review.created_at < NOW
                if review.decision != "approve":
                    assert review.comment
        assert audit.verify().ok
