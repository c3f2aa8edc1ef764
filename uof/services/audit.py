"""The append-only, hash-chained audit log (Data Protection Act 2018 s.62 logging).

Each row's hash is an HMAC, under a key kept outside the database, of its own fields and the previous row's
hash, so editing or deleting a row breaks the chain from that point and cannot be covered up by re-hashing
without the key. A one-row head records the newest entry under the same key, so entries deleted from the end
are found too. Database triggers also refuse UPDATE and DELETE on the log.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app, has_request_context, request
from sqlalchemy import select, text

from uof.extensions import db
from uof.models import AuditEvent, AuditHead, User, utcnow

GENESIS = "0" * 64
# Any fixed 64-bit number: the PostgreSQL advisory lock that serialises appends to the chain.
CHAIN_LOCK = 0x756F665F61756469


HEAD_ID = 1


def _mac(message: str) -> str:
    key = current_app.config["UOF_SETTINGS"].audit_key.encode()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def _head_mac(seq: int, chain_hash: str) -> str:
    return _mac(f"head:{seq}:{chain_hash}")


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
    return _mac(json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True))


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
    head = db.session.get(AuditHead, HEAD_ID) or AuditHead(id=HEAD_ID)
    head.seq, head.hash, head.mac = event.seq, event.hash, _head_mac(event.seq, event.hash)
    db.session.add(head)
    db.session.flush()
    return event


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    bad_seq: int | None = None
    problem: str | None = None


def verify(batch: int = 5000) -> Verification:
    """Walk the whole chain and check it against the head; report the first entry edited, deleted or
    inserted out of order."""
    expected_seq, prev_hash, checked = 1, GENESIS, 0
    while True:
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.seq >= expected_seq).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            break
        for event in rows:
            if event.seq != expected_seq:
                return Verification(False, checked, expected_seq, f"entry {expected_seq} is missing")
            if event.prev_hash != prev_hash:
                return Verification(False, checked, event.seq, "the link to the previous entry is broken")
            if not hmac.compare_digest(_digest(event), event.hash):
                return Verification(False, checked, event.seq, "the entry was changed after it was written")
            prev_hash, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
        db.session.expunge_all()
    return _verify_head(checked, prev_hash)


def _verify_head(checked: int, last_hash: str) -> Verification:
    head = db.session.get(AuditHead, HEAD_ID)
    if head is None:
        if checked:
            return Verification(False, checked, 1, "the record of the newest entry is missing")
        return Verification(ok=True, checked=0)
    if not hmac.compare_digest(_head_mac(head.seq, head.hash), head.mac):
        return Verification(False, checked, head.seq, "the record of the newest entry was changed")
    if head.seq > checked:
        return Verification(False, checked, checked + 1, f"entries {checked + 1} to {head.seq} were deleted")
    if head.seq < checked or head.hash != last_hash:
        return Verification(False, checked, head.seq + 1, "entries after the recorded newest one were added")
    return Verification(ok=True, checked=checked)
