"""Keeping each report's facts (``uof.domain.facts``) and the running totals over them (``uof.domain.rollups``)
in step with its current version, in the transaction that changes the report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from uof.domain import rollups
from uof.domain.facts import Fact, facts_of, handling_facts
from uof.extensions import db
from uof.models import FactCrossTotal, FactTotal, Report, ReportFact, ReportVersion

REBUILD_BATCH = 2000
TOTAL_COLUMNS = ("span", "period_start", "tactic_group", "area", "dimension", "value")
CROSS_COLUMNS = ("month", "row_dimension", "row_value", "dimension", "value")


@dataclass(frozen=True)
class Placed:
    """Where a report's facts were counted: its incident time and area before a change."""

    incident_at: datetime
    area: str | None


def placed(report: Report) -> Placed:
    return Placed(report.incident_at, report.area)


def refresh(report: Report, before: Placed | None = None) -> None:
    """Replace the report's facts with those of its current version and of its handling, and move the totals with
    them; ``before`` is where the report was counted until now (None for a new report)."""
    _replace(report, before, [*facts_of(report.content), *handling_facts(
        report.policy_version, report.incident_at, report.submitted_at, report.first_decided_at)])


def withdraw(report: Report) -> None:
    """Take the report's facts, and what they add to the totals, away: before the report itself is deleted."""
    _replace(report, placed(report), [])


def _replace(report: Report, before: Placed | None, new: list[Fact]) -> None:
    db.session.flush()
    old = [Fact(dimension, value, times) for dimension, value, times in db.session.execute(
        select(ReportFact.dimension, ReportFact.value, ReportFact.times).where(ReportFact.report_id == report.id))]
    db.session.execute(delete(ReportFact).where(ReportFact.report_id == report.id))
    _insert_facts(report.id, report.incident_at, new)
    old_totals = rollups.total_keys(before.incident_at, before.area, old) if before and old else {}
    old_cross = rollups.cross_keys(before.incident_at, old) if before and old else {}
    new_totals = rollups.total_keys(report.incident_at, report.area, new) if new else {}
    new_cross = rollups.cross_keys(report.incident_at, new) if new else {}
    _add(FactTotal, TOTAL_COLUMNS, rollups.changes(old_totals, new_totals))
    _add(FactCrossTotal, CROSS_COLUMNS, rollups.changes(old_cross, new_cross))


def _insert_facts(report_id: int, incident_at: datetime, facts: Sequence[Fact]) -> None:
    if facts:
        db.session.execute(insert(ReportFact), [
            {"report_id": report_id, "dimension": fact.dimension, "value": fact.value, "times": fact.times,
             "incident_at": incident_at} for fact in facts])


def _add(model: type[FactTotal] | type[FactCrossTotal], columns: tuple[str, ...],
         changes: Sequence[tuple[tuple[Any, ...], int, int]]) -> None:
    """Add each change to its total, creating the total if it is new (one statement, keys in order)."""
    if not changes:
        return
    dialect = db.session.get_bind().dialect.name
    upsert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)
    table = model.__table__
    statement = upsert.on_conflict_do_update(
        index_elements=list(columns),
        set_={"reports": table.c.reports + upsert.excluded.reports, "times": table.c.times + upsert.excluded.times})
    db.session.execute(statement, [{**dict(zip(columns, key, strict=True)), "reports": reports, "times": times}
                                   for key, reports, times in changes])


def rebuild() -> int:
    """Recompute every report's facts from its current version, then all the totals (after a change to the
    counting rules); returns the number of reports."""
    db.session.execute(delete(ReportFact))
    done = 0
    query = (select(Report.id, Report.incident_at, ReportVersion.content, Report.policy_version, Report.submitted_at,
                    Report.first_decided_at)
             .join(ReportVersion, (ReportVersion.report_id == Report.id) & (ReportVersion.version == Report.version))
             .order_by(Report.id)
             .execution_options(yield_per=REBUILD_BATCH))
    for batch in db.session.execute(query).partitions():
        rows = [{"report_id": report_id, "dimension": fact.dimension, "value": fact.value, "times": fact.times,
                 "incident_at": incident_at}
                for report_id, incident_at, content, policy_version, submitted_at, first_decided_at in batch
                for fact in (*facts_of(content),
                             *handling_facts(policy_version, incident_at, submitted_at, first_decided_at))]
        if rows:
            db.session.execute(insert(ReportFact), rows)
        done += len(batch)
    rebuild_totals()
    return done


def rebuild_totals() -> None:
    """Recompute the running totals from the stored facts, reading reports in order of their incident so that
    only one month's totals are held at a time."""
    for model in (FactTotal, FactCrossTotal):
        db.session.execute(delete(model))
    months = rollups.MonthByMonth()
    rows = db.session.execute(
        select(Report.id, Report.incident_at, Report.area, ReportFact.dimension, ReportFact.value, ReportFact.times)
        .join(ReportFact, ReportFact.report_id == Report.id)
        .order_by(Report.incident_at, Report.id)
        .execution_options(yield_per=REBUILD_BATCH * 20))
    for (_, incident_at, area), group in groupby(rows, key=lambda row: (row[0], row[1], row[2])):
        _write_totals(months.add(incident_at, area, [Fact(dimension, value, times)
                                                      for *_, dimension, value, times in group]))
    _write_totals(months.take())


def _write_totals(month: tuple[dict[Any, list[int]], dict[Any, list[int]]] | None) -> None:
    if month is None:
        return
    for model, columns, totals in ((FactTotal, TOTAL_COLUMNS, month[0]), (FactCrossTotal, CROSS_COLUMNS, month[1])):
        rows = [{**dict(zip(columns, key, strict=True)), "reports": reports, "times": times}
                for key, (reports, times) in totals.items()]
        for offset in range(0, len(rows), REBUILD_BATCH):
            db.session.execute(insert(model), rows[offset:offset + REBUILD_BATCH])
