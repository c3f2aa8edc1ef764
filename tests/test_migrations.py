"""The migrations on an empty database: up, down to nothing, up again, one step at a time, and in step with
the models (what `alembic check` would say)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy.engine import make_url

from tests.conftest import BACKENDS, IN_CI, PG_URL, _app_for, _pg_admin
from uof import MIGRATIONS
from uof.extensions import db, migrate


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it at all."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    if not PG_URL:
        if IN_CI:
            pytest.fail("CI=true but UOF_TEST_DATABASE_URL is not set")
        pytest.skip("set UOF_TEST_DATABASE_URL to run the tests on PostgreSQL")
    name = f"uof_migrations_{os.getpid()}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def empty_app(empty_database_url: str, tmp_path: Path) -> Iterator[Flask]:
    application = _app_for(empty_database_url, tmp_path / "instance")
    yield application
    with application.app_context():
        db.engine.dispose()


def tables() -> set[str]:
    with db.engine.connect() as conn:
        return set(sa.inspect(conn).get_table_names())


def model_tables() -> set[str]:
    return set(db.metadata.tables)


def schema_differences() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        return compare_metadata(context, db.metadata)


def revisions() -> list[str]:
    script = ScriptDirectory.from_config(migrate.get_config())
    return [revision.revision for revision in reversed(list(script.walk_revisions("base", "heads")))]


def test_the_database_starts_empty(empty_app):
    with empty_app.app_context():
        assert tables() == set()


def test_upgrade_downgrade_upgrade(empty_app):
    with empty_app.app_context():
        upgrade()
        assert tables() == model_tables() | {"alembic_version"}
        with db.engine.connect() as conn:
            seeded = conn.execute(sa.text("SELECT version, preset FROM policy_versions")).all()
        assert [tuple(row) for row in seeded] == [(1, "national")]
        downgrade(revision="base")
        assert tables() == {"alembic_version"}
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar() == 0
            if db.engine.dialect.name == "postgresql":
                functions = conn.execute(sa.text(
                    "SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace")).scalars().all()
                assert functions == []
        upgrade()
        assert tables() == model_tables() | {"alembic_version"}
        assert schema_differences() == []


def test_each_revision_one_step_at_a_time(empty_app):
    with empty_app.app_context():
        steps = revisions()
        assert steps, "no migrations found"
        assert steps[0] == "0001"
        for revision in steps:
            upgrade(revision=revision)
            with db.engine.connect() as conn:
                assert MigrationContext.configure(conn).get_current_revision() == revision
        assert schema_differences() == []
        script = ScriptDirectory.from_config(migrate.get_config())
        for revision in reversed(steps):
            down = script.get_revision(revision).down_revision
            downgrade(revision=down or "base")
            with db.engine.connect() as conn:
                assert MigrationContext.configure(conn).get_current_revision() == down
        assert tables() == {"alembic_version"}


def test_there_is_a_single_head():
    # Pure: no database needed, only the migration scripts.
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    assert len(script.get_heads()) == 1


def test_the_models_match_the_migrated_schema(empty_app):
    with empty_app.app_context():
        upgrade()
        differences = schema_differences()
        assert differences == [], differences


def test_the_audit_triggers_are_created_and_removed(empty_app):
    with empty_app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            if db.engine.dialect.name == "postgresql":
                query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname"
            else:
                query = "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
            names = conn.execute(sa.text(query)).scalars().all()
        assert names in (["audit_events_append_only"], ["audit_events_no_delete", "audit_events_no_update"])


def test_the_comparison_would_notice_a_drift(empty_app):
    """A control for the check above: a schema that differs from the models is reported."""
    with empty_app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP INDEX ix_reports_status"))
        differences = schema_differences()
        assert any(diff[0] == "add_index" and diff[1].name == "ix_reports_status" for diff in differences)


def test_facts_and_totals_are_backfilled_for_reports_already_recorded(empty_app):
    """Migrations 0004, 0006, 0007 and 0008 give the reports recorded before them the same facts and totals as
    submission and review would have."""
    from datetime import UTC, datetime, timedelta

    from tests.factories import make_team, make_user, report_body
    from uof.domain.facts import HANDLING_DIMENSIONS, LOCATION_SETTING
    from uof.models import FactCrossTotal, FactTotal, ReportFact
    from uof.services import reports, reviews

    def stored() -> tuple[set[tuple[object, ...]], ...]:
        return tuple({tuple(getattr(row, column.name) for column in model.__table__.columns)
                      for row in db.session.scalars(sa.select(model))}
                     for model in (ReportFact, FactTotal, FactCrossTotal))

    with empty_app.app_context():
        upgrade()
        make_team("Birmingham Central A", "Birmingham")
        officer = make_user("pc.one@example.org", "officer", teams=("Birmingham Central A",))
        sergeant = make_user("ps.one@example.org", "supervisor", teams=("Birmingham Central A",))
        # The first submitted within the hour and decided late, the second submitted late and not decided.
        on_time = datetime(2026, 4, 1, 0, 30, tzinfo=UTC)
        for when, codes, now in (("2026-03-31T23:30:00Z", ["ced_drawn", "ced_fired"], on_time),
                                 ("2026-04-02T10:00:00Z", ["compliant_handcuffing"], None)):
            submission = reports.submit(officer, report_body(incident_at=when, ced_carried=True,
                                                             tactics=[{"code": c, "effective": True} for c in codes]),
                                        now=now)
            assert submission.outcome == "created", submission.errors
            if now is not None:
                assert submission.report is not None
                approval = {"decision": "approve", "bwv_reviewed": False, "debrief_held": False}
                decided = reviews.decide(submission.report, sergeant, approval, on_time + timedelta(days=5))
                assert decided.review is not None, decided.errors
        db.session.commit()
        submitted = stored()
        assert all(submitted)
        assert {(row[1], row[2]) for row in submitted[0] if row[1] in HANDLING_DIMENSIONS} == {
            ("recording_policy", "1"), ("submission", "on_time"), ("submission", "late"), ("first_decision", "late")}
        db.session.remove()
        downgrade(revision="0003")
        upgrade()
        assert stored() == submitted
        # 0007 adds the location settings to the facts and totals 0004 and 0006 made without them.
        db.session.remove()
        downgrade(revision="0006")
        assert not any(LOCATION_SETTING in row for rows in stored() for row in rows)
        db.session.remove()
        upgrade()
        assert stored() == submitted
        # 0008 adds the handling facts, and their totals, to those the earlier migrations made without them.
        db.session.remove()
        downgrade(revision="0007")
        assert not any(dimension in row for rows in stored() for row in rows for dimension in HANDLING_DIMENSIONS)
        db.session.remove()
        upgrade()
        assert stored() == submitted


def test_the_first_decision_time_is_backfilled_from_the_reviews(empty_app):
    """Migration 0007 gives each report already reviewed the time of its earliest review, and none to the rest;
    going down and up again keeps the reviews."""
    from datetime import UTC, datetime, timedelta

    from tests.factories import make_team, make_user, report_body
    from uof.models import Report, Review
    from uof.services import reports, reviews

    decided = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
    with empty_app.app_context():
        upgrade()
        make_team("Birmingham Central A", "Birmingham")
        officer = make_user("pc.one@example.org", "officer", teams=("Birmingham Central A",))
        sergeant = make_user("ps.one@example.org", "supervisor", teams=("Birmingham Central A",))
        first, second = (reports.submit(officer, report_body(incident_at=when)).report
                         for when in ("2026-05-03T22:00:00Z", "2026-05-03T23:00:00Z"))
        assert first is not None
        assert second is not None
        body = {"bwv_reviewed": False, "debrief_held": False}
        for decision, when in (("return", decided), ("approve", decided + timedelta(days=1))):
            outcome = reviews.decide(first, sergeant, {**body, "decision": decision, "comment": "Add detail."}, when)
            assert outcome.review is not None, outcome.errors
            first.status = "resubmitted"
            db.session.flush()
        db.session.commit()
        ids = first.id, second.id
        db.session.remove()
        downgrade(revision="0006")
        upgrade()
        assert [db.session.get(Report, report_id).first_decided_at for report_id in ids] == [decided, None]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Review)) == 2


def test_postgresql_is_told_how_facts_are_distributed(empty_app):
    """Migration 0008 sets the facts' distinct report ids as a share of their rows, which ANALYZE underestimates
    (so the planner would walk every report for one team's facts), and has the dimension and value of a fact
    counted together; going down takes both away."""
    def options() -> list[str]:
        with db.engine.connect() as conn:
            return conn.execute(sa.text(
                "SELECT attoptions FROM pg_attribute WHERE attrelid = 'report_facts'::regclass "
                "AND attname = 'report_id'")).scalar_one() or []

    def statistics() -> list[str]:
        with db.engine.connect() as conn:
            return list(conn.execute(sa.text(
                "SELECT stxname FROM pg_statistic_ext WHERE stxrelid = 'report_facts'::regclass")).scalars())

    with empty_app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("a PostgreSQL planner setting")
        upgrade()
        assert "n_distinct=-0.036" in options()
        assert statistics() == ["st_report_facts_dimension_value"]
        downgrade(revision="0007")
        assert not [option for option in options() if option.startswith("n_distinct")]
        assert statistics() == []
