"""Reading the audit log, for auditors (professional standards, counter-corruption): filtered pages, the history
of one report, and a CSV export. Writing the log is uof.services.audit's job; nothing here changes it.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeAlias

from sqlalchemy import Select, func, or_, select

from uof.domain.spreadsheet import safe_cell
from uof.extensions import db
from uof.models import AuditEvent, User
from uof.uktime import local_to_utc, uk_datetime

PAGE_SIZE = 50
# The history of one report shows at most this many events; the filtered log pages through the rest.
REPORT_HISTORY_LIMIT = 500
CSV_BATCH = 1000
SUMMARY_LENGTH = 120

_Query: TypeAlias = "Select[AuditEvent, str, str | None]"

_REFERENCE = re.compile(r"^UOF-?0*(\d{1,10})$", re.IGNORECASE)
_TYPED = re.compile(r"^([a-z_]{1,40})(?:[\s:#/]+(\S{1,64}))?$", re.IGNORECASE)


class BadObject(ValueError):
    """An object filter that is neither a report reference nor "type id"."""


@dataclass(frozen=True)
class ObjectRef:
    type: str
    id: str | None = None


def parse_object(text: str) -> ObjectRef:
    """ "UOF-000123" → report 123; "report 123", "team:4", "alert #7" → that object; "report" → every report."""
    value = text.strip()
    if match := _REFERENCE.match(value):
        return ObjectRef("report", str(int(match.group(1))))
    if match := _TYPED.match(value):
        object_type, ident = match.group(1).lower(), match.group(2)
        if ident is not None and ident.isdigit():
            ident = str(int(ident))
        return ObjectRef(object_type, ident)
    raise BadObject("Enter an object as a report reference like UOF-000123, or a type and id like report 123.")


@dataclass(frozen=True)
class Filters:
    user: str | None = None
    action: str | None = None
    object: ObjectRef | None = None
    date_from: date | None = None
    date_to: date | None = None

    def describe(self) -> dict[str, Any]:
        """The filters as plain values, for the audit trail of the viewer itself."""
        described: dict[str, Any] = {}
        if self.user:
            described["user"] = self.user
        if self.action:
            described["action"] = self.action
        if self.object:
            described["object"] = f"{self.object.type} {self.object.id or ''}".strip()
        if self.date_from:
            described["from"] = self.date_from.isoformat()
        if self.date_to:
            described["to"] = self.date_to.isoformat()
        return described


@dataclass(frozen=True)
class Row:
    seq: int
    at: datetime
    actor_name: str | None
    actor_force_number: str | None
    actor_label: str | None
    action: str
    object_type: str | None
    object_id: str | None
    ip: str | None
    detail: dict[str, Any]

    @property
    def actor(self) -> str:
        """The person's name and force number; the typed username for a failed login of nobody known."""
        if self.actor_name:
            return f"{self.actor_name} ({self.actor_force_number})" if self.actor_force_number else self.actor_name
        return self.actor_label or "system"

    @property
    def object(self) -> str:
        """A report by its reference (auditors cannot open reports, so it is not a link); others by type and id."""
        if self.object_type == "report" and self.object_id and self.object_id.isdigit():
            return f"UOF-{int(self.object_id):06d}"
        if self.object_type:
            return f"{self.object_type.replace('_', ' ')} {self.object_id or ''}".strip()
        return ""

    @property
    def summary(self) -> str:
        return summarise(self.detail)


def summarise(detail: dict[str, Any] | None) -> str:
    """The detail as "key: value; …", cut short with an ellipsis."""
    if not detail:
        return ""
    parts = []
    for key, value in detail.items():
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
        parts.append(f"{str(key).replace('_', ' ')}: {shown}")
    text = "; ".join(parts)
    return text if len(text) <= SUMMARY_LENGTH else text[: SUMMARY_LENGTH - 1] + "…"


def _base() -> _Query:
    return select(AuditEvent, User.name, User.force_number).outerjoin(User, User.id == AuditEvent.actor_id)


def _row(event: AuditEvent, name: str | None, force_number: str | None) -> Row:
    return Row(event.seq, event.at, name, force_number, event.actor_label, event.action, event.object_type,
               event.object_id, event.ip, dict(event.detail or {}))


def _uk_midnight(day: date) -> datetime:
    # Midnight always exists in the UK: the clocks change at 01:00 and 02:00.
    return local_to_utc(datetime(day.year, day.month, day.day))


def _filtered(statement: _Query, filters: Filters) -> _Query:
    if filters.user:
        typed = filters.user.strip().lower()
        people = select(User.id).where(or_(func.lower(User.email) == typed, func.lower(User.force_number) == typed))
        statement = statement.where(or_(AuditEvent.actor_id.in_(people), func.lower(AuditEvent.actor_label) == typed))
    if filters.action:
        statement = statement.where(AuditEvent.action == filters.action)
    if filters.object:
        statement = statement.where(AuditEvent.object_type == filters.object.type)
        if filters.object.id is not None:
            statement = statement.where(AuditEvent.object_id == filters.object.id)
    if filters.date_from:
        statement = statement.where(AuditEvent.at >= _uk_midnight(filters.date_from))
    if filters.date_to:
        statement = statement.where(AuditEvent.at < _uk_midnight(filters.date_to + timedelta(days=1)))
    return statement


def actions() -> list[str]:
    """Every action that the log holds, alphabetically."""
    return sorted(db.session.scalars(select(AuditEvent.action).distinct()))


def newest_seq() -> int:
    return int(db.session.scalar(select(func.max(AuditEvent.seq))) or 0)


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    older: int | None  # pass as ``before`` for the next (older) page
    newer: int | None  # pass as ``after`` for the previous (newer) page


def page(filters: Filters, *, before: int | None = None, after: int | None = None) -> Page:
    """One page of events, newest first, by keyset on the chain's sequence number: ``before`` gives the page
    older than that entry, ``after`` the page newer than it."""
    statement = _filtered(_base(), filters)
    if after is not None:
        fetched = db.session.execute(
            statement.where(AuditEvent.seq > after).order_by(AuditEvent.seq.asc()).limit(PAGE_SIZE + 1)).all()
        more_newer = len(fetched) > PAGE_SIZE
        rows = [_row(*item) for item in reversed(fetched[:PAGE_SIZE])]
        return Page(rows, older=rows[-1].seq if rows else None, newer=rows[0].seq if rows and more_newer else None)
    if before is not None:
        statement = statement.where(AuditEvent.seq < before)
    fetched = db.session.execute(statement.order_by(AuditEvent.seq.desc()).limit(PAGE_SIZE + 1)).all()
    rows = [_row(*item) for item in fetched[:PAGE_SIZE]]
    older = rows[-1].seq if len(fetched) > PAGE_SIZE else None
    return Page(rows, older=older, newer=rows[0].seq if rows and before is not None else None)


@dataclass(frozen=True)
class Viewer:
    actor: str
    views: int
    first: datetime
    last: datetime


@dataclass(frozen=True)
class ReportHistory:
    reference: str
    events: list[Row]
    viewers: list[Viewer]
    truncated: bool


def report_history(report_id: int) -> ReportHistory:
    """Every event on one report, newest first, and who viewed it: how often, first and last."""
    fetched = db.session.execute(
        _base().where(AuditEvent.object_type == "report", AuditEvent.object_id == str(report_id))
        .order_by(AuditEvent.seq.desc()).limit(REPORT_HISTORY_LIMIT + 1)
    ).all()
    events = [_row(*item) for item in fetched[:REPORT_HISTORY_LIMIT]]
    seen: dict[str, list[datetime]] = {}
    for event in events:
        if event.action == "report.view":
            seen.setdefault(event.actor, []).append(event.at)
    viewers = [Viewer(actor, len(times), min(times), max(times)) for actor, times in seen.items()]
    viewers.sort(key=lambda viewer: viewer.last, reverse=True)
    return ReportHistory(f"UOF-{report_id:06d}", events, viewers, truncated=len(fetched) > REPORT_HISTORY_LIMIT)


CSV_HEADER = ("Sequence", "Time (UK)", "Time (UTC, ISO 8601)", "Actor", "Force number", "Actor label", "Action",
              "Object type", "Object id", "Object", "IP address", "Detail")


def _csv_line(cells: tuple[object, ...] | list[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([safe_cell(cell) for cell in cells])
    return buffer.getvalue()


def csv_lines(filters: Filters) -> Iterator[str]:
    """The filtered log as CSV, newest first, a batch at a time so that a long log streams."""
    yield _csv_line(CSV_HEADER)
    before: int | None = None
    statement = _filtered(_base(), filters)
    while True:
        batch = statement if before is None else statement.where(AuditEvent.seq < before)
        fetched = db.session.execute(batch.order_by(AuditEvent.seq.desc()).limit(CSV_BATCH)).all()
        if not fetched:
            return
        for item in fetched:
            row = _row(*item)
            yield _csv_line([
                row.seq, uk_datetime(row.at), row.at.isoformat(), row.actor_name, row.actor_force_number,
                row.actor_label, row.action, row.object_type, row.object_id, row.object, row.ip,
                json.dumps(row.detail, ensure_ascii=False, sort_keys=True, default=str),
            ])
        before = fetched[-1][0].seq
        db.session.expunge_all()
        if len(fetched) < CSV_BATCH:
            return
