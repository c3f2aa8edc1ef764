"""A small force for the alert rule tests, and helpers that submit reports as of a chosen time and read the
alerts back as plain values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tests.factories import Maker, Person, report_body
from uof.extensions import db
from uof.models import Alert, Report, User
from uof.services import reports

TEAM_A = "Birmingham Central A"
TEAM_B = "Walsall North B"


@dataclass(frozen=True)
class Force:
    officer: Person           # team A, PC Pat Jones (1234)
    colleague: Person         # team A
    supervisor: Person        # supervises team A
    other_supervisor: Person  # supervises team B
    outsider: Person          # team B
    governance: Person
    admin: Person
    team_a: int
    team_b: int


@pytest.fixture
def force(make: Maker) -> Force:
    team_a = make.team(TEAM_A, "Birmingham")
    team_b = make.team(TEAM_B, "Walsall")
    return Force(
        officer=make.user("pc.jones@example.org", "officer", teams=(TEAM_A,), force_number="1234",
                          name="PC Pat Jones"),
        colleague=make.user("pc.two@example.org", "officer", teams=(TEAM_A,), force_number="2345"),
        supervisor=make.user("ps.a@example.org", "supervisor", teams=(TEAM_A,), force_number="9001"),
        other_supervisor=make.user("ps.b@example.org", "supervisor", teams=(TEAM_B,), force_number="9002"),
        outsider=make.user("pc.three@example.org", "officer", teams=(TEAM_B,), force_number="3456"),
        governance=make.user("acc@example.org", "governance"),
        admin=make.user("admin@example.org", "admin"),
        team_a=team_a,
        team_b=team_b,
    )


def tactics(*codes: str) -> list[dict[str, Any]]:
    return [{"code": code, "effective": True} for code in codes]


def body(*codes: str, incident_at: datetime | None = None, **overrides: Any) -> dict[str, Any]:
    """A valid report body using ``codes`` (a Taser tactic comes with a carried Taser)."""
    fields: dict[str, Any] = {"tactics": tactics(*(codes or ("ground_restraint",)))}
    if any(code.startswith("ced_") for code in codes):
        fields |= {"ced_trained": True, "ced_carried": True}
    if incident_at is not None:
        fields["incident_at"] = incident_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return report_body(**(fields | overrides))


def submit(app: Flask, person: Person, *codes: str, now: datetime | None = None,
           incident_at: datetime | None = None, **overrides: Any) -> int:
    """Submit and commit a report as of ``now``; its incident an hour earlier unless given."""
    now = now or datetime.now(UTC)
    with app.app_context():
        officer = db.session.get(User, person.id)
        assert officer is not None
        submission = reports.submit(officer, body(*codes, incident_at=incident_at or now - timedelta(hours=1),
                                                  **overrides), now=now)
        assert submission.outcome == "created", submission.errors
        db.session.commit()
        assert submission.report is not None
        return submission.report.id


@dataclass(frozen=True)
class Seen:
    recipient_id: int
    kind: str
    rule: str
    severity: str
    title: str
    report_id: int | None
    officer_id: int | None
    detail: dict[str, Any]
    dedupe_key: str


def alerts_in(app: Flask, *, rule: str | None = None, kind: str | None = None) -> list[Seen]:
    with app.app_context():
        query = select(Alert).order_by(Alert.id)
        if rule is not None:
            query = query.where(Alert.rule == rule)
        if kind is not None:
            query = query.where(Alert.kind == kind)
        return [Seen(a.recipient_id, a.kind, a.rule, a.severity, a.title, a.report_id, a.officer_id,
                     dict(a.detail), a.dedupe_key) for a in db.session.scalars(query)]


def set_report(app: Flask, report_id: int, **values: Any) -> None:
    with app.app_context():
        report = db.session.get(Report, report_id)
        assert report is not None
        for name, value in values.items():
            setattr(report, name, value)
        db.session.commit()
