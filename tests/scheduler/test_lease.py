"""The scheduler lease: one holder at a time, renewed by its holder, taken over once it lapses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

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
