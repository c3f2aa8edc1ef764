"""The scheduler lease: one holder at a time, renewed by its holder, taken over once it lapses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event, select

from uof.extensions import db
from uof.models import SchedulerLease
from uof.services import scheduler

T0 = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)


def holder(app):
    with app.app_context():
        lease = db.session.scalar(select(SchedulerLease))
        return (lease.holder, lease.expires_at) if lease else None


def test_a_second_holder_is_refused_while_the_first_is_valid(app):
    with app.app_context():
        assert scheduler.acquire("a", T0, 30)
        assert not scheduler.acquire("b", T0 + timedelta(seconds=29), 30)
    assert holder(app) == ("a", T0 + timedelta(seconds=30))


def test_the_holder_renews_and_keeps_it(app):
    with app.app_context():
        scheduler.acquire("a", T0, 30)
        assert scheduler.renew("a", T0 + timedelta(seconds=25), 30)
        assert not scheduler.acquire("b", T0 + timedelta(seconds=40), 30)
        assert scheduler.acquire("a", T0 + timedelta(seconds=41), 30)  # acquiring again is renewing


def test_another_takes_over_once_it_lapses_and_the_old_holder_stops(app):
    with app.app_context():
        scheduler.acquire("a", T0, 30)
        assert scheduler.acquire("b", T0 + timedelta(seconds=31), 30)
        assert not scheduler.renew("a", T0 + timedelta(seconds=32), 30)
    assert holder(app)[0] == "b"


def test_release_frees_it_at_once_but_only_for_its_holder(app):
    with app.app_context():
        scheduler.acquire("a", T0, 30)
        scheduler.release("b")
        assert not scheduler.acquire("b", T0 + timedelta(seconds=1), 30)
        scheduler.release("a")
        assert scheduler.acquire("b", T0 + timedelta(seconds=1), 30)


def test_holders_name_their_host_and_process():
    first, second = scheduler.new_holder(), scheduler.new_holder()
    assert first != second
    assert len(first) <= 120
    assert first.count(":") >= 2


def _statements(app, work):
    """The statements ``work`` runs, and the database errors it meets."""
    statements: list[str] = []
    errors: list[BaseException] = []
    with app.app_context():
        engine = db.engine
        on_execute = lambda *args: statements.append(args[2])  # noqa: E731
        on_error = lambda context: errors.append(context.original_exception)  # noqa: E731
        event.listen(engine, "before_cursor_execute", on_execute)
        event.listen(engine, "handle_error", on_error)
        try:
            result = work()
        finally:
            event.remove(engine, "before_cursor_execute", on_execute)
            event.remove(engine, "handle_error", on_error)
    return result, statements, errors


def test_a_standby_facing_a_live_holder_runs_no_failing_statement(app):
    with app.app_context():
        assert scheduler.acquire("a", T0, 30)
    for second in (10, 20):
        taken, statements, errors = _statements(
            app, lambda second=second: scheduler.acquire("b", T0 + timedelta(seconds=second), 30))
        assert not taken
        assert errors == []
        # The standby finds the row with its UPDATE and never tries to create one.
        assert not any(statement.lstrip().upper().startswith("INSERT") for statement in statements), statements
    assert holder(app) == ("a", T0 + timedelta(seconds=30))


def test_the_first_process_creates_the_lease_and_a_racing_one_is_told_no_quietly(app):
    with app.app_context():
        assert scheduler.acquire("a", T0, 30)
        # As if "b" had read no row just before "a" made it: its INSERT does nothing, and fails nothing.
        created, _, errors = _statements(app, lambda: scheduler._insert_if_absent("b", T0, T0 + timedelta(seconds=30)))
        assert created is False
        assert errors == []
        db.session.commit()
    assert holder(app) == ("a", T0 + timedelta(seconds=30))


def test_without_a_time_the_lease_goes_by_the_databases_clock(app):
    with app.app_context():
        database_now = scheduler.database_now()
        assert database_now.tzinfo == UTC
        assert abs(database_now - datetime.now(UTC)) < timedelta(minutes=1)
        # A holder whose host clock ran an hour fast wrote a lease the database's clock says is still valid...
        assert scheduler.acquire("fast", database_now + timedelta(hours=1), 30)
        assert not scheduler.acquire("b")
        assert not scheduler.renew("b")
        # ...and one whose host clock ran an hour slow wrote one that has lapsed by it.
        scheduler.release("fast")
        assert scheduler.acquire("slow", database_now - timedelta(hours=1), 30)
        assert scheduler.acquire("b")
        assert scheduler.renew("b")
    taken = holder(app)
    assert taken is not None
    assert taken[0] == "b"
    assert abs(taken[1] - (database_now + timedelta(seconds=scheduler.LEASE_SECONDS))) < timedelta(minutes=1)
