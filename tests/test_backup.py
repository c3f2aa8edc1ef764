"""``uof backup`` and ``uof restore``: back up, wipe, restore, and the audit log still verifies with every report
intact; and a backup or restore that cannot be done changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from uof.extensions import db
from uof.models import AuditEvent, ReportVersion


@pytest.fixture
def recorded(app, make):
    make.team()
    officer = make.user("pc.backup@example.org", "officer", teams=("Birmingham Central A",))
    for _ in range(3):
        make.report(officer)
    return _snapshot(app)


def _snapshot(app) -> list[tuple]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            sa.select(ReportVersion.report_id, ReportVersion.version, ReportVersion.content,
                      ReportVersion.created_at).order_by(ReportVersion.id))]


def _wipe(app) -> None:
    with app.app_context():
        url = db.engine.url
        db.engine.dispose()
        if url.get_backend_name() == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{url.database}{suffix}").unlink(missing_ok=True)
        else:
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP SCHEMA public CASCADE"))
                connection.execute(sa.text("CREATE SCHEMA public"))
            db.engine.dispose()


def _actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.seq)))


def test_a_backup_restores_every_report_and_an_audit_log_that_verifies(app, runner, recorded, tmp_path):
    path = tmp_path / "uof.backup"
    made = runner.invoke(args=["uof", "backup", str(path)])
    assert made.exit_code == 0, made.output
    assert "Backed up 3 report(s)" in made.output
    assert path.stat().st_size > 0

    _wipe(app)
    with app.app_context():
        assert not sa.inspect(db.engine).has_table("reports")

    restored = runner.invoke(args=["uof", "restore", str(path), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert "Restored 3 report(s)" in restored.output
    assert "Audit log intact" in restored.output
    assert _snapshot(app) == recorded
    # The backup holds the log as it stood before the backup; its restore is logged on top.
    assert _actions(app)[-1] == "backup.restore"
    assert "backup.create" not in _actions(app)
    verified = runner.invoke(args=["uof", "audit", "verify"])
    assert verified.exit_code == 0, verified.output


def test_a_backup_is_taken_while_the_app_is_open_and_is_logged(app, runner, recorded, tmp_path):
    with app.app_context():
        db.session.execute(sa.select(1))  # a pooled connection holds the database open
        result = runner.invoke(args=["uof", "backup", str(tmp_path / "open.backup")])
    assert result.exit_code == 0, result.output
    assert _actions(app)[-1] == "backup.create"


def test_restore_asks_first_and_changes_nothing_when_not_confirmed(app, runner, recorded, tmp_path):
    path = tmp_path / "uof.backup"
    assert runner.invoke(args=["uof", "backup", str(path)]).exit_code == 0
    result = runner.invoke(args=["uof", "restore", str(path)], input="n\n")
    assert result.exit_code == 1
    assert "Aborted" in result.output
    assert _actions(app)[-1] == "backup.create"


def test_a_backup_never_overwrites_a_file(runner, recorded, tmp_path):
    path = tmp_path / "taken.backup"
    path.write_text("something precious")
    result = runner.invoke(args=["uof", "backup", str(path)])
    assert result.exit_code == 1
    assert "exists already" in result.output
    assert path.read_text() == "something precious"
    assert not list(tmp_path.glob(".*partial"))


def test_restoring_something_that_is_not_a_backup_changes_nothing(app, runner, recorded, tmp_path):
    path = tmp_path / "not-a-backup"
    path.write_bytes(b"this is not a database" * 100)
    result = runner.invoke(args=["uof", "restore", str(path), "--yes"])
    assert result.exit_code == 1
    assert "Error:" in result.output
    assert _snapshot(app) == recorded
    assert runner.invoke(args=["uof", "audit", "verify"]).exit_code == 0
