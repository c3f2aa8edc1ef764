"""A small force for the review tests: team A with two supervisors, team B with its own, and the other roles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from flask import Flask

from tests.conftest import AuthActions
from tests.factories import Maker, Person
from uof.extensions import db
from uof.models import Report

TEAM_A = "Birmingham Central A"
TEAM_B = "Walsall North B"


@dataclass(frozen=True)
class Force:
    officer: Person            # team A
    colleague: Person          # team A, another officer
    outsider: Person           # team B
    supervisor: Person         # supervises team A
    second_supervisor: Person  # also supervises team A
    other_supervisor: Person   # supervises team B
    governance: Person
    admin: Person
    auditor: Person


@pytest.fixture
def force(make: Maker) -> Force:
    make.team(TEAM_A, "Birmingham")
    make.team(TEAM_B, "Walsall")
    return Force(
        officer=make.user("pc.one@example.org", "officer", teams=(TEAM_A,), force_number="1234", name="Amy One"),
        colleague=make.user("pc.two@example.org", "officer", teams=(TEAM_A,), force_number="2345"),
        outsider=make.user("pc.three@example.org", "officer", teams=(TEAM_B,), force_number="3456"),
        supervisor=make.user("ps.a@example.org", "supervisor", "officer", teams=(TEAM_A,), force_number="9001",
                             name="Sergeant Alpha"),
        second_supervisor=make.user("ps.a2@example.org", "supervisor", "officer", teams=(TEAM_A,),
                                    force_number="9003", name="Sergeant Second"),
        other_supervisor=make.user("ps.b@example.org", "supervisor", "officer", teams=(TEAM_B,),
                                   force_number="9002"),
        governance=make.user("acc@example.org", "governance"),
        admin=make.user("admin@example.org", "admin"),
        auditor=make.user("psd@example.org", "auditor"),
    )


@pytest.fixture
def login_as(app: Flask) -> Callable[[Person], AuthActions]:
    """A logged-in caller for ``person``, each with its own client (its own cookie jar)."""

    def login(person: Person) -> AuthActions:
        actions = AuthActions(app.test_client())
        response = actions.login(person.email)
        assert response.status_code in (302, 303), response.get_data(as_text=True)
        return actions

    return login


@pytest.fixture
def set_waiting(app: Flask) -> Callable[[int, datetime], None]:
    """Make a report wait for review since ``since``."""

    def set_since(report_id: int, since: datetime) -> None:
        with app.app_context():
            report = db.session.get(Report, report_id)
            assert report is not None
            report.awaiting_review_since = since
            db.session.commit()

    return set_since


def decision(decision: str = "approve", **overrides: Any) -> dict[str, Any]:
    """A valid decision body for a report whose camera was recording (reference BWV-88812)."""
    body: dict[str, Any] = {"decision": decision, "comment": None if decision == "approve" else "Add detail.",
                            "bwv_reviewed": True, "bwv_reference": "BWV-88812", "debrief_held": False}
    body.update(overrides)
    return body
