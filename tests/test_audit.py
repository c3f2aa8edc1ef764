"""The audit log: hash-chained, append-only in the database, and `uof audit verify` finds tampering."""

from __future__ import annotations

import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from uof.extensions import db
from uof.models import AuditEvent
from uof.services import audit


@pytest.fixture
def history(make, auth):
    """A few real events: team and user creation, a login, a report, a view, a logout."""
    make.team()
    officer = make.user("pc.one@example.org", "officer", teams=("Birmingham Central A",), force_number="1234")
    report_id = make.report(officer)
    auth.login("1234")
    auth.client.get(f"/api/v1/reports/{report_id}")
    auth.logout()
    return officer


def rows(app):
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        db.session.expunge_all()
        return events


def drop_triggers():
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("DROP TRIGGER audit_events_append_only ON audit_events"))
    else:
        db.session.execute(sa.text("DROP TRIGGER audit_events_no_update"))
        db.session.execute(sa.text("DROP TRIGGER audit_events_no_delete"))
    db.session.commit()


def verify(runner):
    result = runner.invoke(args=["uof", "audit", "verify"])
    return result.exit_code, result.output


def test_rows_are_hash_chained(app, history):
    events = rows(app)
    assert [e.action for e in events] == [
        "team.create", "user.create", "report.create", "login", "report.view", "logout",
    ]
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == audit.GENESIS
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash
    with app.app_context():
        assert all(audit._digest(e) == e.hash for e in events)
    assert len({e.hash for e in events}) == len(events)
    login = events[3]
    assert (login.actor_id, login.actor_label, login.ip) == (history.id, "pc.one@example.org", "127.0.0.1")
    assert login.at.tzinfo is not None


def test_verify_passes_on_an_intact_log(app, runner, history):
    code, output = verify(runner)
    assert code == 0, output
    assert "intact" in output
    assert "6 entries" in output
    with app.app_context():
        assert audit.verify() == audit.Verification(ok=True, checked=6)


def test_verify_passes_on_an_empty_log(app, runner):
    code, output = verify(runner)
    assert code == 0
    assert "0 entries" in output


def test_verify_walks_the_chain_in_batches(app, history):
    with app.app_context():
        assert audit.verify(batch=2) == audit.Verification(ok=True, checked=6)


def test_the_database_refuses_update_and_delete(app, history):
    with app.app_context():
        for statement in (
            sa.update(AuditEvent).where(AuditEvent.seq == 2).values(action="tampered"),
            sa.update(AuditEvent).values(detail={}),
            sa.delete(AuditEvent).where(AuditEvent.seq == 2),
            sa.delete(AuditEvent),
        ):
            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                db.session.execute(statement)
            db.session.rollback()
    assert len(rows(app)) == 6


def test_an_edited_entry_is_found_and_named(app, runner, history):
    with app.app_context():
        drop_triggers()
        db.session.execute(sa.update(AuditEvent).where(AuditEvent.seq == 3).values(detail={"client_id": "forged"}))
        db.session.commit()
    code, output = verify(runner)
    assert code == 1
    assert "entry 3" in output
    assert "changed" in output
    with app.app_context():
        result = audit.verify()
        assert (result.ok, result.bad_seq, result.checked) == (False, 3, 2)


@pytest.mark.parametrize("column", ["actor_id", "at", "action", "ip", "object_id"])
def test_any_edited_field_breaks_the_chain(app, runner, history, column):
    with app.app_context():
        drop_triggers()
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.seq == 4)).one()
        value = {"actor_id": None, "at": event.at.replace(year=2020), "action": "logout", "ip": "10.0.0.1",
                 "object_id": "99"}[column]
        db.session.execute(sa.update(AuditEvent).where(AuditEvent.seq == 4).values({column: value}))
        db.session.commit()
        assert audit.verify().bad_seq == 4


def test_an_entry_rewritten_with_a_fresh_hash_breaks_the_next_link(app, runner, history):
    with app.app_context():
        drop_triggers()
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.seq == 2)).one()
        event.detail = {"roles": ["admin"]}
        forged = audit._digest(event)
        db.session.rollback()
        db.session.execute(
            sa.update(AuditEvent).where(AuditEvent.seq == 2).values(detail={"roles": ["admin"]}, hash=forged)
        )
        db.session.commit()
    code, output = verify(runner)
    assert code == 1
    assert "entry 3" in output
    assert "link" in output


def test_a_deleted_middle_entry_is_found_and_named(app, runner, history):
    with app.app_context():
        drop_triggers()
        db.session.execute(sa.delete(AuditEvent).where(AuditEvent.seq == 4))
        db.session.commit()
    code, output = verify(runner)
    assert code == 1
    assert "entry 4" in output
    assert "missing" in output


def test_a_deleted_first_entry_is_found(app, runner, history):
    with app.app_context():
        drop_triggers()
        db.session.execute(sa.delete(AuditEvent).where(AuditEvent.seq == 1))
        db.session.commit()
    code, output = verify(runner)
    assert code == 1
    assert "entry 1" in output


def test_new_entries_continue_the_chain_after_a_failed_transaction(app, runner, history):
    with app.app_context():
        audit.record("test.discarded", actor_label="test")
        db.session.rollback()
        audit.record("test.kept", actor_label="test", detail={"n": 1})
        db.session.commit()
    events = rows(app)
    assert [e.action for e in events][-1] == "test.kept"
    assert "test.discarded" not in [e.action for e in events]
    assert verify(runner)[0] == 0


def test_an_entry_written_with_a_local_time_still_verifies(app, runner):
    """The hash must cover what the database gives back: times are stored in UTC."""
    with app.app_context():
        audit.record("test.local", actor_label="test", at=datetime(2026, 7, 1, 9, 30, tzinfo=ZoneInfo("Europe/London")))
        audit.record("test.after", actor_label="test")
        db.session.commit()
    code, output = verify(runner)
    assert code == 0, output
    assert rows(app)[0].at.isoformat() == "2026-07-01T08:30:00+00:00"


def test_entries_deleted_from_the_end_are_found(app, runner, history):
    with app.app_context():
        drop_triggers()
        db.session.execute(sa.text("DELETE FROM audit_events WHERE seq > 4"))
        db.session.commit()
    code, output = verify(runner)
    assert code == 1
    assert "entries 5 to 6 were deleted" in output


def test_a_row_rehashed_without_the_key_is_found(app, runner, history):
    with app.app_context():
        drop_triggers()
        last = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        forged = hashlib.sha256(b"anything").hexdigest()
        db.session.execute(sa.text("UPDATE audit_events SET detail = :d, hash = :h WHERE seq = :s"),
                           {"d": '{"forged": true}', "h": forged, "s": last.seq})
        db.session.execute(sa.text("UPDATE audit_head SET hash = :h"), {"h": forged})
        db.session.commit()
    code, output = verify(runner)
    assert code == 1
    assert "entry 6" in output
