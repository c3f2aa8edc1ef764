"""Keeping each report's facts (``uof.domain.facts``) in step with its current version."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, insert, select

from uof.domain.facts import facts_of
from uof.extensions import db
from uof.models import Report, ReportFact, ReportVersion

REBUILD_BATCH = 2000


def rows_for(report_id: int, incident_at: Any, content: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"report_id": report_id, "dimension": fact.dimension, "value": fact.value, "times": fact.times,
             "incident_at": incident_at} for fact in facts_of(content)]


def refresh(report: Report) -> None:
    """Replace the report's facts with those of its current version, in the caller's transaction."""
    db.session.flush()
    db.session.execute(delete(ReportFact).where(ReportFact.report_id == report.id))
    rows = rows_for(report.id, report.incident_at, report.content)
    if rows:
        db.session.execute(insert(ReportFact), rows)


def rebuild() -> int:
    """Recompute every report's facts (after a change to the counting rules); returns the reports done."""
    db.session.execute(delete(ReportFact))
    done = 0
    query = (select(Report.id, Report.incident_at, ReportVersion.content)
             .join(ReportVersion, (ReportVersion.report_id == Report.id) & (ReportVersion.version == Report.version))
             .order_by(Report.id)
             .execution_options(yield_per=REBUILD_BATCH))
    for batch in db.session.execute(query).partitions():
        _insert(row for report_id, incident_at, content in batch for row in rows_for(report_id, incident_at, content))
        done += len(batch)
    return done


def _insert(rows: Iterable[dict[str, Any]]) -> None:
    listed = list(rows)
    if listed:
        db.session.execute(insert(ReportFact), listed)
