"""Stored recording-policy versions: which one is in force at a time, and changing it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import func, select

from uof.domain.policy import Policy, overrides_for
from uof.extensions import db
from uof.models import PolicyVersion, User, utcnow
from uof.services import audit


def to_policy(row: PolicyVersion) -> Policy:
    return Policy(version=row.version, preset=row.preset, overrides=dict(row.overrides or {}))


def version_at(when: datetime) -> PolicyVersion:
    """The version in force at ``when``: the newest whose effective time has passed.

    Version 1 is created by the first migration, effective from the start of national recording, so a
    version is always found for any incident the validation accepts.
    """
    row = db.session.scalars(
        select(PolicyVersion)
        .where(PolicyVersion.effective_from <= when)
        .order_by(PolicyVersion.effective_from.desc(), PolicyVersion.version.desc())
        .limit(1)
    ).first()
    if row is None:
        row = db.session.scalars(select(PolicyVersion).order_by(PolicyVersion.version).limit(1)).one()
    return row


def policy_at(when: datetime) -> Policy:
    return to_policy(version_at(when))


def active() -> Policy:
    return policy_at(utcnow())


def history() -> list[PolicyVersion]:
    return list(db.session.scalars(select(PolicyVersion).order_by(PolicyVersion.version.desc())))


def by_version(version: int) -> Policy:
    row = db.session.scalars(select(PolicyVersion).where(PolicyVersion.version == version)).one()
    return to_policy(row)


def set_policy(
    preset: str,
    *,
    actor: User | None,
    tactics: Mapping[str, str] | None = None,
    effective_from: datetime | None = None,
    note: str | None = None,
) -> PolicyVersion:
    """Create a new version (a preset with optional per-tactic levels) and audit it; the caller commits."""
    overrides = overrides_for(preset, tactics or {})
    latest = db.session.scalar(select(func.max(PolicyVersion.version))) or 0
    row = PolicyVersion(
        version=latest + 1,
        preset=preset,
        overrides=overrides,
        effective_from=effective_from or utcnow(),
        created_by_id=actor.id if actor else None,
        note=note,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "policy.change",
        actor=actor,
        actor_label=None if actor else "cli",
        object_type="policy",
        object_id=row.version,
        detail={"preset": preset, "overrides": overrides, "effective_from": row.effective_from.isoformat()},
    )
    return row
