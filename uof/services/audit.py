"""The append-only, hash-chained audit log (Data Protection Act 2018 s.62 logging).

Each row's hash covers its own fields and the previous row's hash, so editing or deleting any row breaks the
chain from that point. Database triggers also refuse UPDATE and DELETE on the table.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import has_request_context, request
from sqlalchemy import select, text

from uof.extensions import db
from uof.models import AuditEvent, User, utcnow

GENESIS = "0" * 64
# Any fixed 64-bit number: the PostgreSQL advisory lock that serialises appends to the chain.
CHAIN_LOCK = 0x756F665F61756469


def _digest(event: AuditEvent) -> str:
    body = {
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "ip": event.ip,
        "detail": event.detail,
        "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def record(
    action: str,
    *,
    actor: User | None = None,
    actor_label: str | None = None,
    object_type: str | None = None,
    object_id: object = None,
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Append an event in the current transaction; it is committed (or rolled back) with the change it logs."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    last = db.session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    if ip is None and has_request_context():
        ip = request.remote_addr
    event = AuditEvent(
        seq=(last.seq + 1) if last else 1,
        # In UTC, as the column gives it back, so that the hash still matches when the row is read.
        at=(at or utcnow()).astimezone(UTC),
        actor_id=actor.id if actor else None,
        actor_label=actor_label or (actor.email if actor else None),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        ip=ip,
        detail=detail or {},
        prev_hash=last.hash if last else GENESIS,
    )
    event.hash = _digest(event)
    db.session.add(event)
    db.session.flush()
    return event


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    bad_seq: int | None = None
    problem: str | None = None


def verify(batch: int = 5000) -> Verification:
    """Walk the whole chain; report the first row that was edited, deleted or inserted out of order."""
    expected_seq, prev_hash, checked = 1, GENESIS, 0
    last_seq = 0
    while True:
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.seq > last_seq).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            return Verification(ok=True, checked=checked)
        for event in rows:
            if event.seq != expected_seq:
                return Verification(False, checked, expected_seq, f"entry {expected_seq} is missing")
            if event.prev_hash != prev_hash:
                return Verification(False, checked, event.seq, "the link to the previous entry is broken")
            if _digest(event) != event.hash:
                return Verification(False, checked, event.seq, "the entry was changed after it was written")
            prev_hash, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
            last_seq = event.seq
        db.session.expunge_all()
