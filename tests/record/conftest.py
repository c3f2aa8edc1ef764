from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.conftest import AuthActions
from tests.factories import Maker, Person
from tests.record.journey import Journey

TEAM = "Birmingham Central A"


@pytest.fixture
def officer(make: Maker) -> Person:
    make.team()
    return make.user("pc.one@example.org", "officer", teams=(TEAM,), force_number="1234")


@pytest.fixture
def journey(client: FlaskClient, auth: AuthActions, officer: Person) -> Journey:
    """The officer, logged in."""
    assert auth.login("1234").status_code in (302, 303)
    return Journey(client)
