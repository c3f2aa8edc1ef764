"""Job runs: one row per job and period, unique, so that no period's work is ever done twice.

The row is inserted in the same transaction as the work it stands for. A second scheduler, a restart or a
concurrent ``uof run-jobs`` fails the insert (or waits for the first transaction and then fails it) and skips
the period; a run that crashes rolls its row back with its work, so the period runs again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from uof.extensions import db
from uof.models import JobRun


def claim(job: str, period: str, now: datetime) -> JobRun | None:
    """Add the run of ``job`` for ``period`` to the current transaction; None if that period has run."""
    if db.session.scalar(select(JobRun.id).where(JobRun.job == job, JobRun.period == period)) is not None:
        return None
    run = JobRun(job=job, period=period, started_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(run)
            db.session.flush()
    except IntegrityError:
        return None
    return run


def claimed(job: str, periods: list[str]) -> set[str]:
    """Which of ``periods`` already ran, in one query."""
    if not periods:
        return set()
    return set(db.session.scalars(select(JobRun.period).where(JobRun.job == job, JobRun.period.in_(periods))))
