"""Behind the TLS proxy (``UOF_PROXY_HOPS``): the client's address and scheme are the ones the proxy saw, and
without a proxy those headers are nobody's to set."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.conftest import AuthActions, _app_for
from tests.factories import Maker
from uof.extensions import db
from uof.models import AuditEvent

CLIENT = "203.0.113.9"


@pytest.mark.parametrize(("hops", "address", "secure"), [("1", CLIENT, True), ("0", "127.0.0.1", False)])
def test_the_client_address_and_scheme_come_from_the_proxy_only_when_there_is_one(
        database_url, tmp_path, monkeypatch, hops, address, secure):
    monkeypatch.setenv("UOF_PROXY_HOPS", hops)
    app = _app_for(database_url, tmp_path / "instance", monkeypatch)
    Maker(app).user("pc.proxy@example.org", "officer")
    client = app.test_client()
    client.environ_base.update({"HTTP_X_FORWARDED_FOR": CLIENT, "HTTP_X_FORWARDED_PROTO": "https",
                                "HTTP_REFERER": "https://localhost/login"})
    AuthActions(client).login("pc.proxy@example.org")
    assert ("Strict-Transport-Security" in client.get("/login").headers) is secure
    with app.app_context():
        logged = db.session.scalar(sa.select(AuditEvent.ip).where(AuditEvent.action == "login"))
    with app.app_context():  # once the session has given its connection back, so that all of them are closed
        db.engine.dispose()
    assert logged == address
