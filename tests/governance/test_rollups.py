"""The running totals always equal a count of the facts themselves, through submissions, first decisions and
amendments that move a report's day, area and facts, and a rebuild from scratch gives the same totals."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.factories import Maker, Person
from uof.domain import rollups
from uof.extensions import db
from uof.models import AWAITING_REVIEW, FactCrossTotal, FactTotal, Report, ReportFact, User
from uof.services import facts, figures, reports, reviews
from uof.services.exports import Period

TACTIC_MIXES = (["compliant_handcuffing"], ["ced_drawn", "ced_fired"], ["baton_drawn", "unarmed_skills"],
                ["irritant_spray_cs_drawn", "irritant_spray_pava_drawn", "tactical_communication"],
                ["ground_restraint", "limb_body_restraints"])
# Around the clocks going forward (29 March 2026) and a month end in summer time.
MOMENTS = ("2026-03-28T23:30:00Z", "2026-03-31T23:30:00Z", "2026-04-15T10:00:00Z", "2026-05-31T23:15:00Z",
           "2026-06-01T08:00:00Z")


def tactics(codes: list[str]) -> list[dict[str, object]]:
    return [{"code": code, "effective": True} for code in codes]


def body(rng: random.Random) -> dict[str, object]:
    mix = rng.choice(TACTIC_MIXES)
    return {"incident_at": rng.choice(MOMENTS), "tactics": tactics(mix), "ced_carried": "ced_drawn" in mix,
            "area": rng.choice(["Birmingham", "Coventry", ""]),
            "outcomes": rng.choice([["arrested"], ["no_further_action", "other"], ["hospitalised", "arrested"]]),
            "subject": {"age_band": rng.choice(["age_18_34", "age_11_17"]), "gender": "male",
                        "ethnicity": rng.choice(["white", "black", "not_reported"]), "health_condition": "none"}}


@pytest.fixture
def officer(make: Maker) -> Person:
    make.team("Birmingham Central A", "Birmingham")
    make.team("Coventry Response", "Coventry")
    return make.user("pc.one@example.org", "officer", teams=("Birmingham Central A",))


def _totals() -> dict[tuple[object, ...], tuple[int, int]]:
    rows = db.session.execute(select(FactTotal)).scalars()
    found = {(t.span, t.period_start, t.tactic_group, t.area, t.dimension, t.value): (t.reports, t.times)
             for t in rows if t.reports or t.times}
    rows2 = db.session.execute(select(FactCrossTotal)).scalars()
    found |= {(c.month, c.row_dimension, c.row_value, c.dimension, c.value): (c.reports, c.times)
              for c in rows2 if c.reports or c.times}
    return found


def _raw_counts(filters: figures.Filters) -> figures.Counts:
    counted: figures.Counts = {}
    query = (select(ReportFact.dimension, ReportFact.value, func.count(), func.sum(ReportFact.times))
             .where(ReportFact.report_id.in_(select(Report.id).where(*figures.report_scope(filters))))
             .group_by(ReportFact.dimension, ReportFact.value))
    for dimension, value, count, times in db.session.execute(query):
        counted.setdefault(dimension, {})[value] = figures.Count(count, int(times))
    return counted


def _decide_some(ids: list[int], rng: random.Random) -> None:
    """A decision on two in three of the reports awaiting one, within the due time or after it."""
    sergeant = db.session.scalar(select(User).where(User.email == "ps.one@example.org"))
    assert sergeant is not None
    for report_id in ids:
        report = db.session.get(Report, report_id)
        assert report is not None
        if report.status in AWAITING_REVIEW and rng.random() < 2 / 3:
            after = timedelta(hours=rng.choice([1, 71, 73, 200]))
            outcome = reviews.decide(report, sergeant, {"decision": rng.choice(["approve", "return"]),
                                                        "comment": "Say more.", "bwv_reviewed": False,
                                                        "debrief_held": False}, now=report.submitted_at + after)
            assert outcome.review is not None, outcome.errors
    db.session.commit()


def _tally_by_hand(filters: figures.Filters) -> tuple[dict[date, int], dict[int, int]]:
    months: Counter[date] = Counter()
    versions: Counter[int] = Counter()
    for incident_at, version in db.session.execute(
            select(Report.incident_at, Report.policy_version).where(*figures.report_scope(filters))):
        months[rollups.uk_day(incident_at).replace(day=1)] += 1
        versions[version] += 1
    return dict(months), dict(versions)


def test_totals_follow_submissions_decisions_and_amendments(app: Flask, make: Maker, officer: Person) -> None:
    rng = random.Random(7)  # noqa: S311 - reproducible test data
    make.user("ps.one@example.org", "supervisor", teams=("Birmingham Central A",))
    ids = [make.report(officer, **body(rng)) for _ in range(24)]
    with app.app_context():
        _decide_some(ids, rng)
        decided = {report_id: db.session.get(Report, report_id).first_decided_at for report_id in ids}
        author = db.session.get(User, officer.id)
        assert author is not None
        amended = 0
        for report_id in rng.sample(ids, 10):
            report = db.session.get(Report, report_id)
            assert report is not None
            report.status = "returned"
            db.session.commit()
            outcome = reports.amend(report, author, {"reason": "Corrected.", "changes": body(rng)})
            assert outcome.outcome in ("amended", "invalid"), outcome.errors
            amended += outcome.outcome == "amended"
            db.session.commit()
        assert amended >= 8
        # A resubmitted report's next decision is not its first.
        _decide_some(ids, rng)
        for report_id, when in decided.items():
            assert when is None or db.session.get(Report, report_id).first_decided_at == when
        first_decisions = _raw_counts(figures.Filters(Period(date(2026, 3, 1), date(2026, 6, 30))))["first_decision"]
        assert sum(count.reports for count in first_decisions.values()) == sum(
            1 for report_id in ids if db.session.get(Report, report_id).first_decided_at is not None)
        assert set(first_decisions) == {"on_time", "late"}

        periods = [Period(date(2026, 3, 1), date(2026, 6, 30)), Period(date(2026, 4, 1), date(2026, 6, 30)),
                   Period(date(2026, 3, 29), date(2026, 5, 31)), Period(date(2026, 6, 1), date(2026, 6, 1))]
        for period in periods:
            for filters in (figures.Filters(period), figures.Filters(period, area="Coventry"),
                            figures.Filters(period, tactic_group="Less lethal weapons"),
                            figures.Filters(period, area="Birmingham", tactic_group="Restraint")):
                assert figures.counts(filters) == _raw_counts(filters), filters
                tallied = figures.tally(filters)
                months, versions = _tally_by_hand(filters)
                assert {month.start: month.reports for month in tallied.months if month.reports} == months, filters
                assert {policy.version: policy.reports for policy in tallied.policies} == versions, filters
            team = figures.Filters(period, team_id=author.team_id)
            assert figures.tally(team) == figures.tally(figures.Filters(period)), period
        whole = figures.Filters(periods[1])
        assert figures.whole_months(whole.period) == ([date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)], [])
        by_rollup = figures.tactic_cross_tab(whole, "ethnicity")
        by_join = figures.tactic_cross_tab(figures.Filters(whole.period, tactic_group=None, area=None,
                                                           team_id=author.team_id), "ethnicity")
        assert by_rollup == by_join  # every report here is the one officer's team's

        incremental = _totals()
        assert facts.rebuild() == 24
        db.session.commit()
        assert _totals() == incremental


def test_periods_split_into_whole_months_and_days() -> None:
    months, runs = figures.whole_months(Period(date(2026, 3, 29), date(2026, 6, 2)))
    assert months == [date(2026, 4, 1), date(2026, 5, 1)]
    assert runs == [(date(2026, 3, 29), date(2026, 3, 31)), (date(2026, 6, 1), date(2026, 6, 2))]
    assert figures.whole_months(Period(date(2026, 12, 1), date(2027, 1, 31))) == (
        [date(2026, 12, 1), date(2027, 1, 1)], [])


def test_changes_are_ordered_and_net() -> None:
    one = {("day", date(2026, 4, 2), "", "", "gender", "male"): rollups.Amounts(1, 1),
           ("day", date(2026, 4, 1), "", "", "gender", "male"): rollups.Amounts(1, 1)}
    two = {("day", date(2026, 4, 2), "", "", "gender", "male"): rollups.Amounts(1, 1)}
    assert rollups.changes(one, two) == [(("day", date(2026, 4, 1), "", "", "gender", "male"), -1, -1)]
    assert rollups.changes({}, one)[0][0][1] == date(2026, 4, 1)


def test_a_withdrawn_report_leaves_the_totals_as_if_it_had_never_been(app: Flask, make: Maker,
                                                                      officer: Person) -> None:
    rng = random.Random(11)  # noqa: S311 - reproducible test data
    kept = [make.report(officer, **body(rng)) for _ in range(6)]
    with app.app_context():
        before = _totals()
    gone = [make.report(officer, **body(rng)) for _ in range(4)]
    with app.app_context():
        for report_id in gone:
            report = db.session.get(Report, report_id)
            assert report is not None
            facts.withdraw(report)
            db.session.delete(report)
        db.session.commit()
        assert _totals() == before
        left = select(func.count()).select_from(ReportFact).where(ReportFact.report_id.in_(gone))
        assert db.session.scalar(left) == 0
        assert len(kept) == db.session.scalar(select(func.count()).select_from(Report))
