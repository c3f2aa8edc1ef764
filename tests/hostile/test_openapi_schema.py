"""Schemathesis against ``/api/v1/openapi.json``: every operation, with data made from its schema (valid and
not), as a logged-in officer who also supervises: no server error, and every answer documented and matching its
schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.specs.openapi import checks as openapi_checks

from tests.conftest import AuthActions
from uof.api.openapi import document

CHECKS = [checks.not_a_server_error, openapi_checks.status_code_conformance,
          openapi_checks.content_type_conformance, openapi_checks.response_schema_conformance]


@pytest.fixture
def credentials(app, make):
    make.team()
    officer = make.user("pc.fuzz@example.org", "officer", "supervisor", teams=("Birmingham Central A",))
    make.report(officer)
    auth = AuthActions(app.test_client())
    auth.login("pc.fuzz@example.org")
    csrf = auth.client.get("/api/v1/session").get_json()["csrf_token"]
    cookie = auth.client.get_cookie("uof")  # after the token, which the session keeps
    assert cookie is not None
    # Uncompressed, since Schemathesis reads the body as it comes.
    return {"cookies": {"uof": cookie.value}, "headers": {"X-CSRFToken": csrf, "Accept-Encoding": "identity"}}


# The document the app serves; a test checks that /api/v1/openapi.json is exactly it.
schema = schemathesis.openapi.from_dict(document())


def test_the_schema_tested_is_the_one_served(client):
    assert client.get("/api/v1/openapi.json").get_json() == document()


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_every_operation_answers_as_documented(case, app, credentials):
    response = case.call(app=app, **credentials)
    case.validate_response(response, checks=CHECKS)
