"""Fixtures: a fresh database per test, built by the migrations, on SQLite and (when configured) PostgreSQL.

Set ``UOF_TEST_DATABASE_URL`` (e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/test``) to run every
database test on PostgreSQL as well; under ``CI=true`` it is required.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from tests.factories import PASSWORD, Maker
from uof import create_app
from uof.extensions import db

PG_URL = os.environ.get("UOF_TEST_DATABASE_URL", "")
IN_CI = os.environ.get("CI", "").lower() == "true"
_counter = itertools.count()

BACKENDS = ["sqlite", "postgresql"]


def _app_for(url: str, instance: Path, monkeypatch: pytest.MonkeyPatch | None = None) -> Flask:
    env = {"UOF_DATABASE_URL": url, "UOF_INSTANCE_PATH": str(instance), "UOF_SECRET_KEY": "test-" + "x" * 40,
           "UOF_ENV": "development"}
    if monkeypatch is not None:
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        return create_app({"TESTING": True, "RATELIMIT_ENABLED": False})
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        return create_app({"TESTING": True, "RATELIMIT_ENABLED": False})
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _migrate(url: str, instance: Path) -> None:
    app = _app_for(url, instance)
    with app.app_context():
        upgrade()
        db.engine.dispose()


def _pg_admin() -> sa.Engine:
    return sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("template")
    path = directory / "template.sqlite3"
    _migrate(f"sqlite:///{path}", directory)
    return path


@pytest.fixture(scope="session")
def pg_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not PG_URL:
        if IN_CI:
            pytest.fail("CI=true but UOF_TEST_DATABASE_URL is not set: the PostgreSQL tests cannot be skipped")
        pytest.skip("set UOF_TEST_DATABASE_URL to run the tests on PostgreSQL")
    name = f"uof_template_{os.getpid()}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    _migrate(url, tmp_path_factory.mktemp("pg-template"))
    yield name
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, fully migrated database for one test."""
    if request.param == "sqlite":
        path = tmp_path / "uof.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("pg_template")
    name = f"uof_test_{os.getpid()}_{next(_counter)}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def app(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """The app on a fresh database. No app context stays pushed: each request gets its own, as in production
    (a shared one would carry ``g`` and the database session from one request to the next)."""
    application = _app_for(database_url, tmp_path / "instance", monkeypatch)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def make(app: Flask) -> Maker:
    return Maker(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


def csrf_from(html: str) -> str:
    marker = '<meta name="csrf-token" content="'
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)]


class AuthActions:
    """Log in and out through the real login form, and call the JSON API with a fresh CSRF token."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, username: str, password: str = PASSWORD) -> Any:
        page = self._client.get("/login")
        token = csrf_from(page.get_data(as_text=True))
        return self._client.post("/login", data={"username": username, "password": password, "csrf_token": token})

    def logout(self) -> Any:
        token = self.csrf()
        return self._client.post("/logout", data={"csrf_token": token})

    def csrf(self) -> str:
        return str(self._client.get("/api/v1/session").get_json()["csrf_token"])

    def api_post(self, path: str, body: Any) -> Any:
        return self._client.post(path, json=body, headers={"X-CSRFToken": self.csrf()})


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)
