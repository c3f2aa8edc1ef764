"""Digests: each team's supervisors once a day after the set hour (UK time), governance once a week."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tests.alerts.conftest import alerts_in, submit
from tests.conftest import _app_for
from uof.domain.alert_kinds import DIGEST
from uof.extensions import db
from uof.models import JobRun, User
from uof.services import alert_rules, scheduler

# Thursday 26 November 2026, Greenwich Mean Time: UK time is UTC.
THURSDAY = datetime(2026, 11, 26, tzinfo=UTC)


def at(day: datetime, hour: int, minute: int = 0) -> datetime:
    return day + timedelta(hours=hour, minutes=minute)


def daily(app):
    return [(a.recipient_id, a.title) for a in alerts_in(app, rule="daily_team_digest")]


def test_one_daily_digest_per_supervisor_however_often_the_jobs_run(app, force, database_url, tmp_path):
    submit(app, force.officer, now=at(THURSDAY, 6) - timedelta(hours=100))  # awaiting review, overdue
    submit(app, force.officer, now=at(THURSDAY, 6), incident_reference="CAD-2")
    with app.app_context():
        scheduler.run_all(at(THURSDAY, 6, 59))
    assert daily(app) == []
    for hour, minute in ((7, 0), (7, 20), (9, 45), (13, 0)):
        with app.app_context():
            scheduler.run_all(at(THURSDAY, hour, minute))
    # A restart: a new app and new connections on the same database.
    restarted = _app_for(database_url, tmp_path / "restarted")
    with restarted.app_context():
        scheduler.run_all(at(THURSDAY, 23, 50))
        db.engine.dispose()
    assert daily(app) == [(force.supervisor.id, "Daily digest for Birmingham Central A"),
                          (force.other_supervisor.id, "Daily digest for Walsall North B")]
    [team_a] = [a for a in alerts_in(app, rule="daily_team_digest") if a.recipient_id == force.supervisor.id]
    assert team_a.severity == "info"
    # Open: the overdue review, and the officer at the top of the team (2 reports against 0 and 0).
    assert team_a.detail == {"reports_24h": 1, "awaiting_review": 2, "overdue": 1, "open_alerts": 2}
    with app.app_context():
        periods = db.session.scalars(select(JobRun.period).where(JobRun.job == "daily_digest")).all()
    assert sorted(periods) == [f"2026-11-26/team-{force.team_a}", f"2026-11-26/team-{force.team_b}"]


def test_the_next_day_brings_the_next_digest(app, force):
    with app.app_context():
        alert_rules.send_due_digests(at(THURSDAY, 8))
        alert_rules.send_due_digests(at(THURSDAY, 31))  # Friday 07:00
        db.session.commit()
    assert len(daily(app)) == 4


def test_the_hour_is_uk_time_in_summer(app, force):
    june = datetime(2026, 6, 10, tzinfo=UTC)
    with app.app_context():
        assert alert_rules.send_due_digests(at(june, 5, 59)) == 0  # 06:59 BST on a Wednesday
        assert alert_rules.send_due_digests(at(june, 6, 0)) == 2   # 07:00 BST
        db.session.commit()


def test_a_team_can_have_its_digest_later_or_none(app, force):
    with app.app_context():
        admin = db.session.get(User, force.admin.id)
        alert_rules.save("daily_team_digest", team_id=force.team_a, enabled=True, params={"hour": 9}, actor=admin)
        alert_rules.save("daily_team_digest", team_id=force.team_b, enabled=False, params={"hour": 7}, actor=admin)
        db.session.commit()
        assert alert_rules.send_due_digests(at(THURSDAY, 8)) == 0
        assert alert_rules.send_due_digests(at(THURSDAY, 9)) == 1
        db.session.commit()


def test_the_weekly_summary_goes_to_governance_once_on_monday_from_0800(app, force):
    monday = datetime(2026, 11, 30, tzinfo=UTC)
    submit(app, force.officer, "baton_used", now=monday - timedelta(days=2))
    with app.app_context():
        for hour in (7, 8, 12, 23, 30):  # Monday, then Tuesday
            alert_rules.send_due_digests(at(monday, hour, 59))
            db.session.commit()
    [weekly] = alerts_in(app, rule="weekly_governance_summary")
    assert weekly.recipient_id == force.governance.id
    assert weekly.title == "Weekly summary for the force: 23 Nov 2026 to 30 Nov 2026"
    assert weekly.detail["reports_7d"] == 1
    assert weekly.detail["reports_with_immediate_alerts"] == 1
    with app.app_context():
        assert db.session.scalars(select(JobRun.period).where(JobRun.job == "weekly_summary")).all() == ["2026-W49"]


def test_a_scheduler_down_at_0800_catches_up_later_that_day(app, force):
    monday = datetime(2026, 11, 30, tzinfo=UTC)
    with app.app_context():
        alert_rules.send_due_digests(at(monday, 15))
        db.session.commit()
    assert len(alerts_in(app, rule="weekly_governance_summary")) == 1


def test_no_weekly_summary_on_other_days(app, force):
    with app.app_context():
        for day in range(7):
            alert_rules.send_due_digests(at(datetime(2026, 12, 1, tzinfo=UTC), 24 * day + 12))  # Tue to Mon
            db.session.commit()
    [weekly] = alerts_in(app, rule="weekly_governance_summary")
    assert "to 7 Dec 2026" in weekly.title


def test_nobody_to_send_to_means_no_digest_and_no_run_recorded(app, make):
    make.team("Empty Team", "Dudley")
    with app.app_context():
        assert alert_rules.send_due_digests(at(THURSDAY, 10)) == 0
        db.session.commit()
        assert db.session.scalars(select(JobRun)).all() == []
    assert alerts_in(app, kind=DIGEST) == []
