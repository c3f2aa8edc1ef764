"""The governance figures: facts kept in step with each report, and the shared aggregates counted from them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from tests.factories import Maker, Person
from uof.extensions import db
from uof.models import Report, ReportFact, User
from uof.services import figures, policy, reports
from uof.services.exports import Period, PeriodError

# 2026: British Summer Time from 29 March 01:00 UTC to 25 October 01:00 UTC.
SPRING = "2026-04-10T12:00:00Z"


def tactics(*codes: str) -> list[dict[str, object]]:
    return [{"code": code, "effective": True} for code in codes]


@pytest.fixture
def officers(make: Maker) -> tuple[Person, Person]:
    make.team("Birmingham Central A", "Birmingham")
    make.team("Coventry Response", "Coventry")
    return (make.user("pc.one@example.org", "officer", teams=("Birmingham Central A",)),
            make.user("pc.two@example.org", "officer", teams=("Coventry Response",)))


def stored_facts(report_id: int) -> set[tuple[str, str, int]]:
    return {(fact.dimension, fact.value, fact.times) for fact in db.session.scalars(
        select(ReportFact).where(ReportFact.report_id == report_id))}


def year(start: int = 2026) -> figures.Filters:
    return figures.Filters(Period(date(start, 4, 1), date(start + 1, 3, 31)))


def test_facts_follow_the_report_through_submission_and_amendment(app: Flask, make: Maker, officers) -> None:
    report_id = make.report(officers[0], incident_at=SPRING, tactics=tactics("ced_drawn", "ced_aimed"),
                            ced_carried=True)
    make.set_status(report_id, "returned")
    with app.app_context():
        assert ("tactic", "CED Aimed", 1) in stored_facts(report_id)
        report = db.session.get(Report, report_id)
        author = db.session.get(User, officers[0].id)
        assert report is not None
        assert author is not None
        outcome = reports.amend(report, author, {"reason": "It was fired.", "changes": {
            "tactics": tactics("ced_drawn", "ced_aimed", "ced_fired"), "incident_at": "2026-05-02T09:00:00Z"}})
        assert outcome.outcome == "amended", outcome.errors
        db.session.commit()
        found = stored_facts(report_id)
        assert ("tactic", "CED Fired", 1) in found
        assert not any(value == "CED Aimed" for _, value, _ in found)
        moved = db.session.scalars(select(ReportFact.incident_at).where(ReportFact.report_id == report_id)).all()
        assert set(moved) == {datetime(2026, 5, 2, 9, tzinfo=UTC)}


def test_rebuild_recomputes_the_same_facts(app: Flask, make: Maker, officers, runner) -> None:
    ids = [make.report(officers[0], incident_at=SPRING), make.report(officers[1], incident_at=SPRING,
                                                                    tactics=tactics("baton_drawn", "baton_used"))]
    with app.app_context():
        before = {report_id: stored_facts(report_id) for report_id in ids}
        db.session.query(ReportFact).delete()
        db.session.commit()
    result = runner.invoke(args=["uof", "facts", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "Facts rebuilt for 2 report(s)." in result.output
    with app.app_context():
        assert {report_id: stored_facts(report_id) for report_id in ids} == before


def test_counts_and_cross_tabs_by_the_home_office_rules(app: Flask, make: Maker, officers) -> None:
    one, two = officers
    make.report(one, incident_at=SPRING, tactics=tactics("ced_drawn", "ced_aimed", "ced_fired"),
                ced_carried=True)
    make.report(one, incident_at=SPRING, tactics=tactics("irritant_spray_cs_drawn", "irritant_spray_pava_drawn",
                                                         "tactical_communication"),
                subject={"age_band": "age_11_17", "gender": "female", "ethnicity": "black",
                         "health_condition": "none"})
    make.report(two, incident_at=SPRING, tactics=tactics("ced_red_dot"), ced_carried=True)
    make.report(two, incident_at="2025-12-01T12:00:00Z")  # the year before
    with app.app_context():
        filters = year()
        assert figures.total_reports(filters) == 3
        counted = figures.counts(filters)
        assert counted["tactic"]["CED Fired"] == figures.Count(1, 1)
        assert counted["tactic"]["CED Red-dot"] == figures.Count(1, 1)
        assert "CED Drawn" not in counted["tactic"]
        assert counted["tactic"]["Irritant spray - drawn"] == figures.Count(1, 2)
        assert counted["tactic_subgroup"]["CED"].reports == 2
        assert counted["tactic_group"] == {"Less lethal weapons": figures.Count(2, 2),
                                           "Other equipment": figures.Count(1, 1)}
        crossed = figures.tactic_cross_tab(filters, "ethnicity")
        assert crossed[("tactic", "Irritant spray - drawn")] == {"black": figures.Count(1, 2)}
        assert crossed[("tactic_subgroup", "CED")] == {"white": figures.Count(2, 2)}
        assert figures.counts(figures.Filters(filters.period, area="Coventry"))["tactic"] == {
            "CED Red-dot": figures.Count(1, 1)}
        team = db.session.scalar(select(User.team_id).where(User.id == one.id))
        assert figures.total_reports(figures.Filters(filters.period, team_id=team)) == 2
        assert figures.total_reports(figures.Filters(filters.period, tactic_group="Other equipment")) == 1


def test_months_are_uk_calendar_months(app: Flask, make: Maker, officers) -> None:
    make.report(officers[0], incident_at="2026-04-30T23:30:00Z")  # 00:30 BST on 1 May
    make.report(officers[0], incident_at="2026-04-30T22:30:00Z")  # 23:30 BST on 30 April
    make.report(officers[1], incident_at="2026-06-15T12:00:00Z")
    quarter, may = Period(date(2026, 4, 1), date(2026, 6, 30)), Period(date(2026, 5, 1), date(2026, 5, 31))
    with app.app_context():
        # Force-wide from the running totals, for one area or team from the reports themselves.
        for narrowing, june in (({}, 1), ({"area": "Birmingham"}, 0), ({"team_id": 1}, 0)):
            months = figures.tally(figures.Filters(quarter, **narrowing)).months
            assert [(month.start, month.reports) for month in months] == [
                (date(2026, 4, 1), 1), (date(2026, 5, 1), 1), (date(2026, 6, 1), june)], narrowing
            single = figures.tally(figures.Filters(may, **narrowing)).months
            assert [(month.start, month.reports) for month in single] == [(date(2026, 5, 1), 1)], narrowing


def test_policy_versions_of_a_period(app: Flask, make: Maker, officers) -> None:
    make.report(officers[0], incident_at=SPRING)
    with app.app_context():
        policy.set_policy("derogated", actor=None, effective_from=datetime.now(UTC) - timedelta(days=1))
        db.session.commit()
    make.report(officers[0])
    with app.app_context():
        found = figures.policy_versions(figures.Filters(Period(date(2026, 4, 1), date(2099, 1, 1))))
        assert [(row.version, row.preset, row.reports) for row in found] == [(1, "national", 1), (2, "derogated", 1)]


def test_filters_from_query_parameters(app: Flask, make: Maker, officers) -> None:
    today = date(2026, 11, 26)
    with app.app_context():
        plain = figures.parse_filters({}, today)
        assert plain.period == Period(date(2026, 10, 1), date(2026, 12, 31))
        team = db.session.scalar(select(User.team_id).where(User.id == officers[0].id))
        chosen = figures.parse_filters({"from": "2026-04-01", "to": "2026-06-30", "area": "Coventry",
                                        "team": str(team), "group": "Firearms"}, today)
        assert chosen.query() == {"from": "2026-04-01", "to": "2026-06-30", "area": "Coventry", "team": str(team),
                                  "group": "Firearms"}
        assert figures.parse_filters({"area": "", "team": "", "group": ""}, today) == plain
        for bad in ({"team": "999"}, {"team": "x"}, {"area": "Atlantis"}, {"group": "Tactical communication"}):
            with pytest.raises(figures.FilterError):
                figures.parse_filters(bad, today)
        with pytest.raises(PeriodError):
            figures.parse_filters({"from": "2026-04-01"}, today)


def hours_ago(hours: int) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_data_quality_counts_each_report_with_a_problem_once(app: Flask, make: Maker, officers) -> None:
    """Late alone, late with a field not reported, on time with a field not reported, and on time and complete:
    three reports with a problem, the latest first, each with all its problems."""
    from uof.services import governance

    not_reported = {"age_band": "age_18_34", "gender": "male", "ethnicity": "not_reported", "health_condition": "none"}
    late_only = make.report(officers[0], incident_at=hours_ago(50))
    late_and_missing = make.report(officers[0], incident_at=hours_ago(40), subject=not_reported)
    missing_only = make.report(officers[1], incident_at=hours_ago(3), subject=not_reported)
    make.report(officers[1], incident_at=hours_ago(2))
    today = datetime.now(UTC).date()
    with app.app_context():
        found = governance.overview(figures.Filters(Period(today - timedelta(days=5), today + timedelta(days=1))))
    quality = found.quality
    assert (quality.late_submissions, quality.with_problems, quality.reports) == (2, 3, 4)
    assert [(issue.report_id, issue.problems) for issue in quality.listed] == [
        (missing_only, ("Ethnicity not reported",)),
        (late_and_missing, (governance.LATE_PROBLEM, "Ethnicity not reported")),
        (late_only, (governance.LATE_PROBLEM,)),
    ]
