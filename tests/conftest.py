"""Fixtures: a fresh database per test, built by the migrations, on SQLite and (when configured) PostgreSQL.

Set ``UOF_TEST_DATABASE_URL`` (e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/test``) to run every
database test on PostgreSQL as well; under ``CI=true`` it is required.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from sqlalchemy.engine import make_url
from werkzeug.routing import Rule

from tests.factories import PASSWORD, Maker
from tests.pushservice import FakePushService
from uof import create_app
from uof.extensions import db
from uof.services import accounts

PG_URL = os.environ.get("UOF_TEST_DATABASE_URL", "")
IN_CI = os.environ.get("CI", "").lower() == "true"

BACKENDS = ["sqlite", "postgresql"]

# Cheap password hashing in tests: the production parameters cost ~0.1 s per hash and per login, which adds
# up over hundreds of tests. The hash format and the code paths stay the same.
accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
accounts._DUMMY_HASH = accounts._hasher.hash("not a real password, only for timing")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "app_config(**settings): Flask settings for the `app` fixture (e.g. RATELIMIT_ENABLED=True)"
    )


def _app_for(
    url: str,
    instance: Path,
    monkeypatch: pytest.MonkeyPatch | None = None,
    config: dict[str, Any] | None = None,
) -> Flask:
    env = {"UOF_DATABASE_URL": url, "UOF_INSTANCE_PATH": str(instance), "UOF_SECRET_KEY": "test-" + "x" * 40,
           "UOF_ENV": "development"}
    test_config = {"TESTING": True, "RATELIMIT_ENABLED": False, **(config or {})}
    if monkeypatch is not None:
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        return create_app(test_config)
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        return create_app(test_config)
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


# A fingerprint of everything in the schema besides the rows: a test that changes it (e.g. drops the audit
# log's trigger) gets its database replaced rather than reset.
_SCHEMA_FINGERPRINT = """
SELECT md5(coalesce(string_agg(item, ',' ORDER BY item), '')) FROM (
  SELECT 'c:' || table_name || '.' || column_name || ':' || data_type || ':' || is_nullable
    FROM information_schema.columns WHERE table_schema = 'public'
  UNION ALL SELECT 't:' || tgname || ':' || tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal
  UNION ALL SELECT 'i:' || indexdef FROM pg_indexes WHERE schemaname = 'public'
  UNION ALL SELECT 'f:' || proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace
  UNION ALL SELECT 'k:' || conname FROM pg_constraint WHERE connamespace = 'public'::regnamespace
) AS schema(item)
"""


class _PgWorkspace:
    """One PostgreSQL database cloned from the migrated template and put back to that state after each test.

    Cloning a database per test costs ~0.3 s of server I/O; deleting the rows and restoring the template's
    own rows (the seeded policy version, alembic_version) and sequences costs ~10 ms and leaves the same
    state: a fresh, fully migrated database."""

    def __init__(self, template: str) -> None:
        self.template = template
        self.name = f"uof_test_{os.getpid()}"
        self.url = make_url(PG_URL).set(database=self.name).render_as_string(hide_password=False)
        self._create()

    def _engine(self) -> sa.Engine:
        return sa.create_engine(self.url, poolclass=sa.pool.NullPool)

    def _create(self) -> None:
        admin = _pg_admin()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{self.name}" TEMPLATE "{self.template}"')
        admin.dispose()
        engine = self._engine()
        with engine.connect() as conn:
            metadata = sa.MetaData()
            metadata.reflect(conn)
            self.tables = list(metadata.sorted_tables)
            self.rows = {table.name: [dict(row._mapping) for row in conn.execute(sa.select(table))]
                         for table in self.tables}
            self.sequences: list[tuple[str, sa.Table, str]] = []
            for table in self.tables:
                for column in table.columns:
                    sequence = conn.execute(sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                                            {"t": f'"{table.name}"', "c": column.name}).scalar()
                    if sequence:
                        self.sequences.append((sequence, table, column.name))
            self.fingerprint = conn.exec_driver_sql(_SCHEMA_FINGERPRINT).scalar()
        engine.dispose()

    def reset(self) -> None:
        engine = self._engine()
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql("SET LOCAL lock_timeout = '5s'")
                if conn.exec_driver_sql(_SCHEMA_FINGERPRINT).scalar() != self.fingerprint:
                    raise LookupError("schema changed")
                # Without triggers, so that the append-only audit log can be emptied.
                conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
                for table in reversed(self.tables):
                    conn.execute(table.delete())
                for table in self.tables:
                    if self.rows[table.name]:
                        conn.execute(table.insert(), self.rows[table.name])
                for sequence, table, column in self.sequences:
                    highest = sa.select(sa.func.max(table.c[column])).scalar_subquery()
                    conn.execute(sa.select(sa.func.setval(sequence, sa.func.coalesce(highest, 0) + 1, False)))
        except (LookupError, sa.exc.DBAPIError):
            engine.dispose()
            self._create()
        finally:
            engine.dispose()

    def drop(self) -> None:
        admin = _pg_admin()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="session")
def pg_workspace(pg_template: str) -> Iterator[_PgWorkspace]:
    workspace = _PgWorkspace(pg_template)
    yield workspace
    workspace.drop()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, fully migrated database for one test."""
    if request.param == "sqlite":
        path = tmp_path / "uof.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    workspace: _PgWorkspace = request.getfixturevalue("pg_workspace")
    yield workspace.url
    workspace.reset()


@pytest.fixture
def app(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[Flask]:
    """The app on a fresh database. No app context stays pushed: each request gets its own, as in production
    (a shared one would carry ``g`` and the database session from one request to the next).

    ``@pytest.mark.app_config(KEY=value)`` sets Flask settings before the extensions read them (Flask-Limiter
    reads ``RATELIMIT_ENABLED`` once, in ``init_app``)."""
    marker = request.node.get_closest_marker("app_config")
    application = _app_for(database_url, tmp_path / "instance", monkeypatch, marker.kwargs if marker else None)
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


def sample_path(app: Flask, rule: Rule) -> str:
    """A concrete URL for a URL rule, with a plausible value for each of its arguments."""
    values: dict[str, Any] = {}
    for name in rule.arguments:
        converter = type(rule._converters[name]).__name__
        values[name] = {"IntegerConverter": 1, "FloatConverter": 1.0,
                        "UUIDConverter": "8e1b0f5c-2f6b-4c1a-9c5e-3c7e6f1a2b3c"}.get(converter, "x")
    return app.url_map.bind("localhost").build(rule.endpoint, values)


class AuthActions:
    """Log in and out through the real login form, and call the JSON API with a fresh CSRF token."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    @classmethod
    def logged_in(cls, app: Flask, username: str) -> AuthActions:
        """A new client of ``app``, logged in as ``username``."""
        auth = cls(app.test_client())
        assert auth.login(username).status_code in (302, 303), f"{username} could not log in"
        return auth

    @property
    def client(self) -> FlaskClient:
        return self._client

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


@pytest.fixture
def push_service(app: Flask) -> Iterator[FakePushService]:
    """A fake push service on 127.0.0.1 that the app may post to (over http, as only loopback may), checking
    each push against the app's own VAPID key. After-commit dispatches are drained before it stops."""
    from uof.services import dispatch, push

    settings = app.config["UOF_SETTINGS"]
    app.config["UOF_SETTINGS"] = dataclasses.replace(
        settings, push_allowed_hosts=(*settings.push_allowed_hosts, "127.0.0.1"))
    with app.app_context():
        public_key = push.public_key()
    with FakePushService(expected_public_key=public_key) as service:
        yield service
        dispatch.wait_idle(10)
