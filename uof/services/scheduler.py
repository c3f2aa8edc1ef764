"""The scheduled jobs, and the one scheduler process that runs them.

``run_all`` is ``uof run-jobs``: every job once as of a given time, then the due notifications. ``Scheduler``
is ``uof scheduler``: an APScheduler ``BlockingScheduler`` in its own process (never in a web worker), which
runs the jobs only while it holds the database lease, so at most one scheduler is active per database; a
standby takes over when the holder's lease lapses. Each job's period is also claimed by a unique JobRun row in
the same transaction as its work, so even two active schedulers could not repeat a period.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from uof.extensions import db
from uof.models import SchedulerLease, utcnow
from uof.services import alert_rules, dispatch, job_runs

log = logging.getLogger("uof.scheduler")

LEASE = "scheduler"
LEASE_SECONDS = 30
RENEW_SECONDS = 10


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[datetime], int]
    # How late a run may start and still run (APScheduler's default of 1 s skips runs after a busy moment).
    misfire_grace: timedelta


JOBS = (
    Job("workflow", timedelta(minutes=5), alert_rules.evaluate_workflow, timedelta(minutes=5)),
    Job("patterns", timedelta(hours=1), alert_rules.evaluate_patterns, timedelta(hours=1)),
    Job("digests", timedelta(minutes=15), alert_rules.send_due_digests, timedelta(minutes=15)),
)
DISPATCH_EVERY = timedelta(seconds=10)


def period_of(job: Job, now: datetime) -> str:
    """The slot of ``job.every`` that ``now`` falls in, in UTC: "2026-11-26T07:15"."""
    seconds = int(job.every.total_seconds())
    start = datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, UTC)
    return start.strftime("%Y-%m-%dT%H:%M")


def run_job(job: Job, now: datetime) -> int | None:
    """Run ``job`` for the period ``now`` falls in and commit; the alerts raised, or None if the period ran."""
    try:
        run = job_runs.claim(job.name, period_of(job, now), now)
        if run is None:
            db.session.rollback()
            return None
        raised = job.run(now)
        run.finished_at = utcnow()
        run.detail = {"alerts": raised}
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return raised


def dispatch_due(now: datetime | None = None) -> Any:
    """Send the notifications that are due (``uof.services.dispatch`` claims each delivery, so runs may overlap)."""
    return dispatch.run_due(now)


def run_all(now: datetime | None = None) -> dict[str, Any]:
    """Every job once as of ``now``, then the due notifications: what each did ("failed" if it raised)."""
    now = now or utcnow()
    results: dict[str, Any] = {}
    for job in JOBS:
        try:
            results[job.name] = run_job(job, now)
        except Exception:
            log.exception("%s failed", job.name)
            results[job.name] = "failed"
    try:
        results["dispatch"] = dispatch_due(now)
    except Exception:
        log.exception("dispatch failed")
        results["dispatch"] = "failed"
    return results


# --- the lease --------------------------------------------------------------------------------------------

def new_holder() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def database_now() -> datetime:
    """The database server's clock, in UTC, so that every scheduler judges the lease by the same clock whatever
    its own host's says. SQLite gives ``CURRENT_TIMESTAMP`` as naive UTC to the second; PostgreSQL an aware time
    (the start of the transaction, which the lease's calls each begin)."""
    value = db.session.scalar(select(func.current_timestamp()))
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _insert_if_absent(holder: str, now: datetime, expires: datetime) -> bool:
    """INSERT the lease row unless there is one (ON CONFLICT DO NOTHING): a process that loses the race to create
    it writes no failing statement. True if this call created it (RETURNING: psycopg's rowcount is -1 here)."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(SchedulerLease)
        .values(name=LEASE, holder=holder, acquired_at=now, expires_at=expires)
        .on_conflict_do_nothing(index_elements=[SchedulerLease.name])
        .returning(SchedulerLease.name)
    )
    return db.session.execute(statement).scalar() is not None


def acquire(holder: str, now: datetime | None = None, seconds: int = LEASE_SECONDS) -> bool:
    """Take the lease if nobody holds it or the holder's has lapsed (or renew our own); commits.

    One conditional UPDATE; if it took nothing, a look for the row; only when there is none at all, an INSERT that
    does nothing if another process has just made one. Two processes can never both succeed, on SQLite or
    PostgreSQL, and a standby facing a live holder runs no statement that fails (no error line in the database's
    log at every renewal). ``now`` is the database's clock unless given.
    """
    now = now or database_now()
    expires = now + timedelta(seconds=seconds)
    taken = db.session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == LEASE,
               (SchedulerLease.holder == holder) | (SchedulerLease.expires_at < now))
        .values(holder=holder, acquired_at=now, expires_at=expires)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if not taken and db.session.scalar(select(SchedulerLease.name).where(SchedulerLease.name == LEASE)) is None:
        taken = _insert_if_absent(holder, now, expires)
    db.session.commit()
    return bool(taken)


def renew(holder: str, now: datetime | None = None, seconds: int = LEASE_SECONDS) -> bool:
    """Extend our lease; False if it is no longer ours (another process took it after it lapsed). ``now`` is the
    database's clock unless given."""
    now = now or database_now()
    renewed = db.session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == LEASE, SchedulerLease.holder == holder)
        .values(expires_at=now + timedelta(seconds=seconds))
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    db.session.commit()
    return bool(renewed)


def release(holder: str) -> None:
    """Give the lease up at once, so a standby need not wait for it to lapse."""
    db.session.execute(delete(SchedulerLease).where(SchedulerLease.name == LEASE, SchedulerLease.holder == holder))
    db.session.commit()


# --- the process ------------------------------------------------------------------------------------------

class _Stop(Exception):
    """SIGTERM or SIGINT: leave the scheduler's loop and shut down cleanly."""


class Scheduler:
    """The ``uof scheduler`` process: a BlockingScheduler whose jobs run only while this process leads."""

    def __init__(self, app: Flask, *, lease_seconds: int = LEASE_SECONDS, renew_seconds: int = RENEW_SECONDS,
                 dispatch_seconds: float = DISPATCH_EVERY.total_seconds()) -> None:
        self.app = app
        self.holder = new_holder()
        self.lease_seconds = lease_seconds
        self.leading = threading.Event()
        self.scheduler = BlockingScheduler(
            # A thread for every job and the lease, so that a long job never delays the lease's renewal.
            timezone=UTC, executors={"default": ThreadPoolExecutor(len(JOBS) + 2)},
            job_defaults={"coalesce": True, "max_instances": 1},
        )
        start = datetime.now(UTC)
        self.scheduler.add_job(self.keep_lease, "interval", seconds=renew_seconds, id="lease",
                               replace_existing=True, misfire_grace_time=renew_seconds, next_run_time=start)
        self.scheduler.add_job(self.dispatch, "interval", seconds=dispatch_seconds, id="dispatch",
                               replace_existing=True, misfire_grace_time=30, next_run_time=start)
        for job in JOBS:
            self.scheduler.add_job(self.run, "interval", args=[job], seconds=job.every.total_seconds(), id=job.name,
                                   replace_existing=True, misfire_grace_time=int(job.misfire_grace.total_seconds()),
                                   next_run_time=start)

    def keep_lease(self) -> None:
        with self.app.app_context():
            try:
                if self.leading.is_set():
                    if not renew(self.holder, seconds=self.lease_seconds):
                        self.leading.clear()
                        log.warning("lost the lease to another scheduler; standing by")
                elif acquire(self.holder, seconds=self.lease_seconds):
                    self.leading.set()
                    log.info("holding the lease as %s; running the jobs", self.holder)
                    self._run_everything_now()
            except Exception:
                db.session.rollback()
                if self.leading.is_set():
                    self.leading.clear()
                    log.exception("could not renew the lease; jobs stop until it is held again")
                else:
                    log.exception("could not reach the lease")

    def _run_everything_now(self) -> None:
        """Catch up at once on taking over: the jobs' own periods say what is still to do."""
        now = datetime.now(UTC)
        for job_id in ("dispatch", *(job.name for job in JOBS)):
            self.scheduler.modify_job(job_id, next_run_time=now)

    def run(self, job: Job) -> None:
        if not self.leading.is_set():
            return
        with self.app.app_context():
            raised = run_job(job, utcnow())
        if raised is None:
            log.info("%s: this period already ran", job.name)
        else:
            log.info("%s: %d alert(s) raised", job.name, raised)

    def dispatch(self) -> None:
        if not self.leading.is_set():
            return
        with self.app.app_context():
            result = dispatch_due()
        if result:
            log.info("dispatch: %s", result)

    def serve(self) -> None:
        """Run until SIGTERM or SIGINT, then wait for running jobs and release the lease."""

        def stop(signum: int, _frame: FrameType | None) -> None:
            raise _Stop(signal.Signals(signum).name)

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        log.info("scheduler %s starting; waiting for the lease", self.holder)
        try:
            self.scheduler.start()
        except _Stop as reason:
            log.info("%s received; stopping", reason)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            if self.scheduler.running:
                self.scheduler.shutdown(wait=True)
            self.leading.clear()
            with self.app.app_context():
                release(self.holder)
            log.info("scheduler %s stopped; lease released", self.holder)
