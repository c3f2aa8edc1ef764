"""A team with an officer, their supervisor, another team's supervisor and governance; alerts raised for them
through the alerts service, as the rules raise them."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from flask import Flask

from tests.factories import Maker, Person
from uof.domain.alert_kinds import WARNING, WORKFLOW
from uof.extensions import db
from uof.models import Report, User
from uof.services import alerts

_keys = itertools.count(1)


@dataclass(frozen=True)
class People:
    officer: Person
    supervisor: Person
    other_supervisor: Person
    governance: Person


@pytest.fixture
def people(make: Maker) -> People:
    make.team("Birmingham Central A", "Birmingham")
    make.team("Coventry Response", "Coventry")
    return People(
        officer=make.user("pc.jones@example.org", "officer", teams=("Birmingham Central A",), force_number="1234",
                          name="Pat Jones"),
        supervisor=make.user("sgt.a@example.org", "supervisor", "officer", teams=("Birmingham Central A",)),
        other_supervisor=make.user("sgt.b@example.org", "supervisor", "officer", teams=("Coventry Response",)),
        governance=make.user("acc@example.org", "governance"),
    )


def raise_for(app: Flask, person: Person, *, kind: str = WORKFLOW, rule: str = "report_overdue",
              severity: str = WARNING, title: str = "UOF-000001 not reviewed within 72 hours",
              report_id: int | None = None, officer: Person | None = None, detail: dict[str, Any] | None = None,
              now: datetime | None = None) -> int:
    """Raise one alert for ``person`` and commit it; returns its id."""
    with app.app_context():
        recipient = db.session.get(User, person.id)
        assert recipient is not None
        report = db.session.get(Report, report_id) if report_id else None
        about = db.session.get(User, officer.id) if officer else None
        alert = alerts.raise_alert(
            recipient=recipient, kind=kind, rule=rule, severity=severity, title=title,
            dedupe_key=f"test-{next(_keys)}", report=report, officer=about,
            team=report.team if report else None, detail=detail, now=now,
        )
        assert alert is not None
        db.session.commit()
        return alert.id
