"""Dispatch right after the commit that raised an alert, in a worker thread, without waiting for the scheduler."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from tests.factories import report_body
from tests.push.conftest import alert_state, deliveries, raise_alert, register
from uof.domain.alert_kinds import CRITICAL
from uof.extensions import db
from uof.models import Alert, User
from uof.services import alerts, dispatch


def test_an_alert_reaches_the_device_after_its_commit_without_run_due(app, push_service, sergeant):
    register(app, sergeant, push_service.subscription())
    alert_id = raise_alert(app, sergeant, severity=CRITICAL)
    [message] = push_service.wait_for(1, timeout=5)
    assert message.payload["url"] == f"/alerts/{alert_id}"
    assert dispatch.wait_idle(5)
    assert alert_state(app, alert_id)[0] == "sent"
    assert deliveries(app, alert_id)[0].status == "sent"


def test_a_submission_through_the_api_pushes_to_the_supervisor(app, make, auth, push_service, sergeant):
    make.user("pc.ali@example.org", "officer", teams=("Birmingham Central A",))
    register(app, sergeant, push_service.subscription())
    auth.login("pc.ali@example.org")
    # A baton used alerts the team's supervisor at once (an immediate rule).
    response = auth.api_post("/api/v1/reports", report_body(tactics=[{"code": "baton_used", "effective": True}]))
    assert response.status_code == 201, response.get_json()
    with app.app_context():
        raised = db.session.scalars(select(Alert.id).where(Alert.recipient_id == sergeant.id)).all()
    assert raised
    received = push_service.wait_for(len(raised), timeout=5)
    assert {m.payload["url"] for m in received} == {f"/alerts/{alert_id}" for alert_id in raised}


def test_nothing_is_sent_for_a_rolled_back_alert(app, push_service, sergeant):
    register(app, sergeant, push_service.subscription())
    with app.app_context():
        recipient = db.session.get(User, sergeant.id)
        alert = alerts.raise_alert(recipient=recipient, kind="immediate", rule="ced_discharge", severity=CRITICAL,
                                   title="Taser discharged", dedupe_key="rolled-back")
        assert alert is not None
        db.session.rollback()
        assert alerts.QUEUED_DELIVERIES not in db.session.info
        db.session.commit()
    assert dispatch.wait_idle(5)
    assert push_service.attempts == []


@pytest.mark.app_config(UOF_DISPATCH_AFTER_COMMIT=False)
def test_the_flag_leaves_sending_to_the_scheduler(app, push_service, sergeant):
    register(app, sergeant, push_service.subscription())
    alert_id = raise_alert(app, sergeant)
    assert dispatch.wait_idle(5)
    assert push_service.attempts == []
    assert deliveries(app, alert_id)[0].status == "pending"


def test_a_failing_dispatch_never_reaches_the_request(app, push_service, sergeant, caplog, monkeypatch):
    register(app, sergeant, push_service.subscription())

    def broken(delivery_id, now=None):
        raise RuntimeError("database went away")

    monkeypatch.setattr(dispatch, "deliver", broken)
    with caplog.at_level(logging.ERROR, logger="uof.dispatch"):
        alert_id = raise_alert(app, sergeant)
        assert dispatch.wait_idle(5)
    assert "the scheduler will retry" in caplog.text
    # The delivery is still waiting for the scheduler's dispatch job.
    assert deliveries(app, alert_id)[0].status == "pending"


def test_one_failing_delivery_does_not_stop_the_rest(app, push_service, sergeant, caplog, monkeypatch):
    """E.g. a deadlock on one delivery: it is logged and left to the scheduler, and the others still go."""
    for _ in range(3):
        register(app, sergeant, push_service.subscription())
    real = dispatch.deliver
    failed: list[int] = []

    def flaky(delivery_id, now=None):
        if not failed:
            failed.append(delivery_id)
            raise RuntimeError("deadlock detected")
        return real(delivery_id, now)

    monkeypatch.setattr(dispatch, "deliver", flaky)
    with caplog.at_level(logging.ERROR, logger="uof.dispatch"):
        alert_id = raise_alert(app, sergeant)
        push_service.wait_for(2, timeout=5)
        assert dispatch.wait_idle(5)
    assert f"delivery {failed[0]}" in caplog.text
    assert "the scheduler will retry" in caplog.text
    assert sorted(d.status for d in deliveries(app, alert_id)) == ["pending", "sent", "sent"]
    assert len(push_service.attempts) == 2
