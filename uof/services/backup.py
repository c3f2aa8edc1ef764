"""A backup of the whole database, and its restore.

SQLite: the online backup API copies a consistent snapshot while the app goes on writing, into one
self-contained file. PostgreSQL: ``pg_dump`` in its custom format, restored by ``pg_restore`` in one transaction
(both from the PostgreSQL client tools of the server's major version or newer).

The audit log's key is not in the database, so not in a backup either: the restored chain verifies only with the
deployment's own key. Each backup (after it is taken) and each restore is written to the audit log.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import URL

from uof.extensions import db
from uof.models import AuditEvent, Report
from uof.services import audit


class BackupError(Exception):
    """The backup or the restore could not be done; nothing was changed."""


@dataclass(frozen=True)
class Contents:
    reports: int
    audit_entries: int
    size_bytes: int


def backup(path: Path) -> Contents:
    """Write a backup of the database to ``path``, which must not exist yet."""
    if path.exists():
        raise BackupError(f"{path} exists already; give a new file name")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a folder")
    reports, entries = _counts()
    url = db.engine.url
    partial = path.with_name(f".{path.name}.partial")
    try:
        if url.get_backend_name() == "sqlite":
            _sqlite_backup(_sqlite_file(url), partial)
        else:
            _run(["pg_dump", "--format=custom", "--no-owner", f"--file={partial}", f"--dbname={_libpq(url)}"], url)
        partial.rename(path)
    finally:
        partial.unlink(missing_ok=True)
    contents = Contents(reports, entries, path.stat().st_size)
    audit.record("backup.create", actor_label="cli", detail={"file": path.name, "reports": reports})
    db.session.commit()
    return contents


def restore(path: Path) -> Contents:
    """Replace the whole database with the backup at ``path``; the app's processes must be stopped first."""
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    url = db.engine.url
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold the old database open
    if url.get_backend_name() == "sqlite":
        _sqlite_restore(path, _sqlite_file(url))
    else:
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
              f"--dbname={_libpq(url)}", str(path)], url)
    reports, entries = _counts()
    audit.record("backup.restore", actor_label="cli", detail={"file": path.name, "reports": reports})
    db.session.commit()
    return Contents(reports, entries, path.stat().st_size)


def _counts() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(Report)) or 0,
            db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def _sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("the database is not a file")
    return Path(url.database)


def _sqlite_backup(source: Path, target: Path) -> None:
    with _sqlite(source) as live, _sqlite(target) as copy:
        live.backup(copy)
        # One self-contained file, rather than a database in WAL mode that wants its -wal and -shm beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
        _check(copy, target)


def _sqlite_restore(backup_file: Path, live_file: Path) -> None:
    with _sqlite(backup_file) as saved:
        _check(saved, backup_file)
        if saved.execute("SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'").fetchone()[0] != 1:
            raise BackupError(f"{backup_file} is not a uof database")
        live_file.parent.mkdir(parents=True, exist_ok=True)
        with _sqlite(live_file) as live:
            # Page by page under one lock: the live database is the backup's, or (on failure) still its own.
            saved.backup(live)


class _sqlite:
    """A plain sqlite3 connection that is closed on leaving (sqlite3's own context manager only commits)."""

    def __init__(self, path: Path) -> None:
        try:
            self.connection = sqlite3.connect(path, isolation_level=None)
        except sqlite3.Error as error:
            raise BackupError(f"cannot open {path}: {error}") from None

    def __enter__(self) -> sqlite3.Connection:
        return self.connection

    def __exit__(self, *_exc: object) -> None:
        self.connection.close()


def _check(connection: sqlite3.Connection, path: Path) -> None:
    try:
        result = connection.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a readable SQLite database: {error}") from None
    if result != "ok":
        raise BackupError(f"{path} failed SQLite's check: {result}")


def _libpq(url: URL) -> str:
    """The URL as libpq reads it, without its password, which goes in the environment instead of the command
    line (where every user of the machine could read it)."""
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run(command: list[str], url: URL) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed: install the PostgreSQL client tools")
    env = {**os.environ, **({"PGPASSWORD": str(url.password)} if url.password else {})}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 (a fixed program; the URL is ours)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip() or done.returncode}")
