"""``/healthz`` answers while the process runs; ``/readyz`` only while it can serve: the database answers and its
schema is at the migrations' head, so that a worker started before ``flask db upgrade`` gets no traffic."""

from __future__ import annotations

from functools import cache

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Response, jsonify
from sqlalchemy.exc import SQLAlchemyError

from uof import MIGRATIONS
from uof.extensions import db
from uof.health import bp


@cache
def migration_heads() -> frozenset[str]:
    """The revisions this code expects, read once: they change only with a new release."""
    return frozenset(ScriptDirectory(str(MIGRATIONS)).get_heads())


@bp.get("/healthz")
def healthz() -> Response:
    return _no_store(jsonify(status="ok"))


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    try:
        with db.engine.connect() as connection:
            current = frozenset(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError:
        return _no_store(jsonify(status="unavailable", database="unreachable")), 503
    expected = migration_heads()
    if current != expected:
        return _no_store(jsonify(status="unavailable", database="ok", migrations="not current",
                                 revision=sorted(current), expected=sorted(expected))), 503
    return _no_store(jsonify(status="ready", database="ok", migrations="current", revision=sorted(current))), 200


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response
