"""Test data: people, teams and valid report bodies, made through the same services the app uses."""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask

from uof.extensions import db
from uof.models import Report, Team, User
from uof.services import accounts, reports

PASSWORD = "correct-horse-battery-staple"


def make_team(name: str = "Birmingham Central A", area: str | None = "Birmingham") -> Team:
    team = accounts.create_team(name, area)
    db.session.commit()
    return team


def make_user(
    email: str,
    *roles: str,
    teams: tuple[str, ...] = (),
    force_number: str | None = None,
    name: str | None = None,
) -> User:
    user = accounts.create_user(
        email=email, name=name or email.split("@")[0].replace(".", " ").title(), roles=roles or ("officer",),
        password=PASSWORD, teams=teams, force_number=force_number,
    )
    db.session.commit()
    return user


def report_body(**overrides: Any) -> dict[str, Any]:
    """A complete, valid report body in the API.md shape; keyword arguments replace top-level fields."""
    body: dict[str, Any] = {
        "client_id": str(uuid.uuid4()),
        "incident_at": (datetime.now(UTC) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "incident_reference": "CAD-1234-25NOV26",
        "locations": ["street_highway"],
        "subject": {"age_band": "age_18_34", "gender": "male", "ethnicity": "white", "health_condition": "none"},
        "conduct": "active_resistance",
        "impact_factors": ["alcohol"],
        "reasons": ["protect_self", "effect_arrest"],
        "tactics": [{"code": "non_compliant_handcuffing", "effective": True}],
        "officer_injury": {"injured": False, "intentional_assault": False, "level": "none"},
        "subject_injury": {"injured": False, "level": "none", "medical_assistance": "none"},
        "outcomes": ["arrested"],
        "single_crewed": False,
        "ced_trained": True,
        "ced_carried": False,
        "bwv": {"worn": True, "recording": True, "reference": "BWV-88812", "viewed_before_account": False},
        "narrative": "Detained for a breach of the peace; resisted handcuffing.",
    }
    body.update(copy.deepcopy(overrides))
    return body


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    force_number: str | None


class Maker:
    """Makes test data in its own app context and returns plain values, so no ORM object outlives it."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def team(self, name: str = "Birmingham Central A", area: str | None = "Birmingham") -> int:
        with self.app.app_context():
            return make_team(name, area).id

    def user(self, email: str, *roles: str, teams: tuple[str, ...] = (), force_number: str | None = None,
             name: str | None = None) -> Person:
        with self.app.app_context():
            user = make_user(email, *roles, teams=teams, force_number=force_number, name=name)
            return Person(user.id, user.email, user.force_number)

    def report(self, officer: Person, **overrides: Any) -> int:
        """Submit a report for ``officer`` through the submission service; returns its id."""
        with self.app.app_context():
            user = db.session.get(User, officer.id)
            assert user is not None
            submission = reports.submit(user, report_body(**overrides))
            assert submission.outcome == "created", submission.errors
            db.session.commit()
            assert submission.report is not None
            return submission.report.id

    def set_status(self, report_id: int, status: str) -> None:
        with self.app.app_context():
            report = db.session.get(Report, report_id)
            assert report is not None
            report.status = status
            db.session.commit()
