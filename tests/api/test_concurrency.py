"""The same report sent at the same moment by several connections is stored exactly once."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from tests.factories import report_body
from uof.extensions import db
from uof.models import AuditEvent, Report
from uof.services import audit

SENDERS = 8


def test_concurrent_retries_store_one_report(app, force, login_as):
    caller = login_as(force.officer)
    token = caller.csrf()  # stored in the session, so the cookie is read after it
    cookie = caller.client.get_cookie("uof")
    assert cookie is not None
    body = report_body()
    statuses: list[int] = []
    start = threading.Barrier(SENDERS)

    def send() -> None:
        client = app.test_client()
        client.set_cookie("uof", cookie.value)
        start.wait()
        statuses.append(client.post("/api/v1/reports", json=body, headers={"X-CSRFToken": token}).status_code)

    threads = [threading.Thread(target=send) for _ in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200] * (SENDERS - 1) + [201]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Report)) == 1
        creates = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "report.create")
        assert db.session.scalar(creates) == 1
        assert audit.verify().ok
