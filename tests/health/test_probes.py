"""``/healthz`` and ``/readyz``: what the load balancer and the process supervisor ask."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.conftest import _app_for
from uof.extensions import db
from uof.health.routes import migration_heads


def test_healthz_says_the_process_is_up_and_nothing_else(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_readyz_is_ready_on_a_database_at_the_migrations_head(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "database": "ok", "migrations": "current",
                                   "revision": sorted(migration_heads())}
    assert "Set-Cookie" not in response.headers


def test_readyz_turns_traffic_away_until_the_migrations_have_run(app, client):
    with app.app_context():
        db.session.execute(sa.text("UPDATE alembic_version SET version_num = '0007'"))
        db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "ok", "migrations": "not current",
                                   "revision": ["0007"], "expected": sorted(migration_heads())}
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize("url", ["sqlite:////nonexistent/folder/uof.sqlite3",
                                 "postgresql+psycopg://postgres@127.0.0.1:1/test"], ids=["sqlite", "postgresql"])
def test_readyz_says_so_when_the_database_cannot_be_reached(url, tmp_path, monkeypatch):
    app = _app_for(url, tmp_path / "instance", monkeypatch)
    client = app.test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "unreachable"}
    assert client.get("/healthz").status_code == 200
