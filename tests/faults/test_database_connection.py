"""PostgreSQL connections terminated under the app (``pg_terminate_backend``, as a failover or a restart of the
server does): between requests the pool replaces them unseen; during a request the client gets 503 with
Retry-After, nothing half-written, and its retry succeeds. Never a 500."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.conftest import AuthActions
from tests.factories import report_body
from uof.extensions import db
from uof.models import Report
from uof.services import reports

# pg_terminate_backend is PostgreSQL's.
pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

TERMINATE_OTHERS = ("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.fixture
def officer_client(app, make):
    make.team()
    make.user("pc.fault@example.org", "officer", teams=("Birmingham Central A",))
    auth = AuthActions(app.test_client())
    auth.login("pc.fault@example.org")
    return auth


def _terminate_the_apps_connections(database_url: str) -> int:
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        killed = connection.scalar(sa.text(TERMINATE_OTHERS))
    engine.dispose()
    return int(killed or 0)


def _stored(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Report)) or 0


def test_connections_terminated_between_requests_are_replaced_unseen(app, officer_client, database_url):
    assert officer_client.client.get("/reports").status_code == 200
    assert _terminate_the_apps_connections(database_url) >= 1
    assert officer_client.client.get("/reports").status_code == 200
    assert _terminate_the_apps_connections(database_url) >= 1
    assert officer_client.api_post("/api/v1/reports", report_body()).status_code == 201
    assert _stored(app) == 1


def test_a_connection_terminated_during_a_submission_answers_503_and_the_retry_stores_it_once(
        app, officer_client, monkeypatch):
    submit = reports.submit

    def cut_off(*args, **kwargs):
        db.session.execute(sa.text("SELECT 1 FROM reports LIMIT 1"))  # the request's transaction is under way
        db.session.execute(sa.text("SELECT pg_terminate_backend(pg_backend_pid())"))
        return submit(*args, **kwargs)

    monkeypatch.setattr(reports, "submit", cut_off)
    body = report_body()
    response = officer_client.api_post("/api/v1/reports", body)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert response.get_json()["error"] == "unavailable"
    assert _stored(app) == 0

    monkeypatch.setattr(reports, "submit", submit)
    assert officer_client.api_post("/api/v1/reports", body).status_code == 201
    assert officer_client.api_post("/api/v1/reports", body).status_code == 200
    assert _stored(app) == 1


def test_a_page_whose_connection_is_cut_off_says_to_try_again(app, officer_client, monkeypatch):
    mine = reports.mine

    def cut_off(*args, **kwargs):
        db.session.execute(sa.text("SELECT pg_terminate_backend(pg_backend_pid())"))
        return mine(*args, **kwargs)

    monkeypatch.setattr(reports, "mine", cut_off)
    response = officer_client.client.get("/reports")
    assert response.status_code == 503
    assert "Try again in a moment" in response.get_data(as_text=True)
    monkeypatch.setattr(reports, "mine", mine)
    assert officer_client.client.get("/reports").status_code == 200
