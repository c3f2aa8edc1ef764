"""``run_all`` and ``uof run-jobs``: every job once per period, in one transaction with its JobRun row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.alerts.conftest import alerts_in, submit
from uof.extensions import db
from uof.models import Alert, JobRun
from uof.services import alert_rules, scheduler

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday


def job_runs(app):
    with app.app_context():
        return sorted((run.job, run.period) for run in db.session.scalars(select(JobRun)))


def test_periods_are_slots_of_each_jobs_interval():
    workflow, patterns, digests = scheduler.JOBS
    moment = datetime(2026, 11, 26, 7, 14, 59, tzinfo=UTC)
    assert scheduler.period_of(workflow, moment) == "2026-11-26T07:10"
    assert scheduler.period_of(patterns, moment) == "2026-11-26T07:00"
    assert scheduler.period_of(digests, moment) == "2026-11-26T07:00"


def test_run_all_runs_each_period_once(app, force):
    submit(app, force.officer, now=T0 - timedelta(hours=80))
    with app.app_context():
        first = scheduler.run_all(T0)
        again = scheduler.run_all(T0 + timedelta(minutes=2))
    assert first["workflow"] == 1
    assert first["patterns"] == 0
    assert first["digests"] >= 1
    assert (again["workflow"], again["patterns"], again["digests"]) == (None, None, None)
    assert first["dispatch"] != "failed"  # uof.services.dispatch ran (its summary is its own business)
    assert ("workflow", "2026-11-23T09:00") in job_runs(app)
    with app.app_context():
        assert scheduler.run_all(T0 + timedelta(minutes=5))["workflow"] == 0  # the next slot: nothing new


def test_a_failing_job_leaves_no_trace_and_the_others_still_run(app, force, monkeypatch):
    def broken(now):
        db.session.add(JobRun(job="half-written", period="x"))
        db.session.flush()
        raise RuntimeError("boom")

    workflow, patterns, digests = scheduler.JOBS
    monkeypatch.setattr(scheduler, "JOBS", (scheduler.Job("workflow", workflow.every, broken, workflow.misfire_grace),
                                           patterns, digests))
    with app.app_context():
        results = scheduler.run_all(T0)
    assert results["workflow"] == "failed"
    assert results["patterns"] == 0
    assert [job for job, _ in job_runs(app)] == ["daily_digest", "daily_digest", "digests", "patterns",
                                                 "weekly_summary"]


def test_the_cli_runs_the_jobs_as_of_a_given_time(app, force, runner):
    submit(app, force.officer, now=T0 - timedelta(hours=80))
    result = runner.invoke(args=["uof", "run-jobs", "--now", "2026-11-23T09:00:00Z"])
    assert result.exit_code == 0, result.output
    assert "workflow: 1" in result.output
    assert "dispatch: " in result.output
    assert "dispatch: failed" not in result.output
    assert [a.rule for a in alerts_in(app, rule="review_overdue")] == ["review_overdue"]
    again = runner.invoke(args=["uof", "run-jobs", "--now", "2026-11-23T09:01:00+00:00"])
    assert "workflow: already ran for this period" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Alert.id)).where(Alert.rule == "review_overdue")) == 1


def test_a_time_without_a_zone_is_uk_time(app, force, runner):
    # 07:30 on 1 June is 06:30 UTC; the digest hour is 07:00 UK time.
    result = runner.invoke(args=["uof", "run-jobs", "--now", "2026-06-01T07:30"])
    assert result.exit_code == 0, result.output
    assert len(alerts_in(app, rule="daily_team_digest")) == 2
    assert ("digests", "2026-06-01T06:30") in job_runs(app)


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01T00:00Z", "2026-03-29T01:30"])
def test_a_bad_time_is_refused_clearly(app, runner, text):
    result = runner.invoke(args=["uof", "run-jobs", "--now", text])
    assert result.exit_code == 2
    assert "Invalid value for '--now'" in result.output
    assert job_runs(app) == []


def test_a_failed_job_makes_the_cli_exit_1(app, force, runner, monkeypatch):
    def broken(now):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(alert_rules, "evaluate_patterns", broken)
    monkeypatch.setattr(scheduler, "JOBS", tuple(
        scheduler.Job(j.name, j.every, broken if j.name == "patterns" else j.run, j.misfire_grace)
        for j in scheduler.JOBS
    ))
    result = runner.invoke(args=["uof", "run-jobs", "--now", "2026-11-23T09:00:00Z"])
    assert result.exit_code == 1
    assert "patterns: failed" in result.output
