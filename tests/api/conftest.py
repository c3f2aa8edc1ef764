"""A small force for the API tests: two teams, their officers and supervisors, and the other roles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.conftest import AuthActions
from tests.factories import Maker, Person
from uof.extensions import db
from uof.models import AuditEvent, Report, ReportVersion

TEAM_A = "Birmingham Central A"
TEAM_B = "Walsall North B"


@dataclass(frozen=True)
class Force:
    officer: Person          # team A
    colleague: Person        # team A, another officer
    outsider: Person         # team B
    supervisor: Person       # supervises team A
    other_supervisor: Person  # supervises team B
    governance: Person
    admin: Person
    auditor: Person


@pytest.fixture
def force(make: Maker) -> Force:
    make.team(TEAM_A, "Birmingham")
    make.team(TEAM_B, "Walsall")
    return Force(
        officer=make.user("pc.one@example.org", "officer", teams=(TEAM_A,), force_number="1234"),
        colleague=make.user("pc.two@example.org", "officer", teams=(TEAM_A,), force_number="2345"),
        outsider=make.user("pc.three@example.org", "officer", teams=(TEAM_B,), force_number="3456"),
        supervisor=make.user("ps.a@example.org", "supervisor", teams=(TEAM_A,), force_number="9001"),
        other_supervisor=make.user("ps.b@example.org", "supervisor", teams=(TEAM_B,), force_number="9002"),
        governance=make.user("acc@example.org", "governance"),
        admin=make.user("admin@example.org", "admin"),
        auditor=make.user("psd@example.org", "auditor"),
    )


@pytest.fixture
def login_as(app: Flask) -> Callable[[Person], AuthActions]:
    """A logged-in API caller for ``person``, each with its own client (its own cookie jar)."""

    def login(person: Person) -> AuthActions:
        client = app.test_client()
        actions = AuthActions(client)
        response = actions.login(person.email)
        assert response.status_code in (302, 303), response.get_data(as_text=True)
        return actions

    return login


@dataclass(frozen=True)
class Counts:
    reports: int
    versions: int
    audit: int


@pytest.fixture
def counts(app: Flask) -> Callable[[], Counts]:
    def count() -> Counts:
        with app.app_context():
            return Counts(
                reports=db.session.scalar(select(func.count()).select_from(Report)),
                versions=db.session.scalar(select(func.count()).select_from(ReportVersion)),
                audit=db.session.scalar(select(func.count()).select_from(AuditEvent)),
            )

    return count
