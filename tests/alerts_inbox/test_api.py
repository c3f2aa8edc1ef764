"""GET /api/v1/alerts, POST /api/v1/alerts/<id>/ack and POST /api/v1/push/test."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.alerts_inbox.conftest import raise_for
from uof.domain.alert_kinds import CRITICAL, TEST
from uof.extensions import db
from uof.models import Alert, AuditEvent, PushDelivery, PushSubscription

FIELDS = {"id", "kind", "rule", "severity", "title", "created_at", "read_at", "acknowledged_at", "action_taken",
          "status", "url", "report_id"}


def test_the_inbox_lists_the_callers_alerts_and_the_count(app, people, make, auth, client):
    report_id = make.report(people.officer)
    older = raise_for(app, people.supervisor, title="older")
    newer = raise_for(app, people.supervisor, title="newer", severity=CRITICAL, report_id=report_id,
                      rule="ced_discharged")
    raise_for(app, people.other_supervisor, title="someone else's")
    auth.login(people.supervisor.email)
    body = client.get("/api/v1/alerts").get_json()
    mine = [alert for alert in body["alerts"] if alert["id"] in (older, newer)]
    assert [alert["id"] for alert in mine] == [newer, older]
    assert all(set(alert) == FIELDS for alert in body["alerts"])
    assert "someone else's" not in {alert["title"] for alert in body["alerts"]}
    assert body["unacknowledged"] == len(body["alerts"])
    first = mine[0]
    assert first["url"] == f"/alerts/{newer}"
    assert (first["severity"], first["rule"], first["report_id"], first["status"]) == (
        "critical", "ced_discharged", report_id, "inbox")
    assert first["created_at"].endswith("Z")
    assert first["read_at"] is None
    assert first["acknowledged_at"] is None
    assert first["action_taken"] is None


def test_acknowledging_returns_the_alert(app, people, auth, client):
    alert_id = raise_for(app, people.supervisor)
    auth.login(people.supervisor.email)
    before = client.get("/api/v1/alerts").get_json()["unacknowledged"]
    response = auth.api_post(f"/api/v1/alerts/{alert_id}/ack", {"action": " Debriefed the officer. "})
    assert response.status_code == 200
    alert = response.get_json()
    assert alert["id"] == alert_id
    assert alert["action_taken"] == "Debriefed the officer."
    assert alert["acknowledged_at"] is not None
    assert alert["read_at"] is not None
    assert client.get("/api/v1/alerts").get_json()["unacknowledged"] == before - 1
    with app.app_context():
        [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "alert.acknowledge")).all()
        assert event.object_id == str(alert_id)

    again = auth.api_post(f"/api/v1/alerts/{alert_id}/ack", {"action": "Another"})
    assert again.status_code == 409
    assert again.get_json()["error"] == "already_acknowledged"


@pytest.mark.parametrize(("body", "field"), [
    ({}, "action"),
    ({"action": ""}, "action"),
    ({"action": "   "}, "action"),
    ({"action": None}, "action"),
    ({"action": 5}, "action"),
    ({"action": "x" * 2001}, "action"),
    ({"action": "nul\x00"}, "action"),
    ({"action": "ok", "extra": 1}, "extra"),
    ([], "body"),
    ("text", "body"),
])
def test_an_invalid_acknowledgement_is_refused_and_changes_nothing(app, people, auth, client, body, field):
    alert_id = raise_for(app, people.supervisor)
    auth.login(people.supervisor.email)
    response = auth.api_post(f"/api/v1/alerts/{alert_id}/ack", body)
    assert response.status_code == 422
    answer = response.get_json()
    assert answer["error"] == "validation"
    assert list(answer["fields"]) == [field]
    assert all(isinstance(message, str) and message for message in answer["fields"][field])
    with app.app_context():
        alert = db.session.get(Alert, alert_id)
        assert alert is not None
        assert alert.acknowledged_at is None
        assert alert.action_taken is None


def test_malformed_json_csrf_and_login_come_first(app, people, auth, client):
    alert_id = raise_for(app, people.supervisor)
    url = f"/api/v1/alerts/{alert_id}/ack"
    assert client.get("/api/v1/alerts").status_code == 401
    anonymous = client.post(url, json={"action": "x"})
    assert (anonymous.status_code, anonymous.get_json()["error"]) == (401, "unauthenticated")
    auth.login(people.supervisor.email)
    no_token = client.post(url, json={"action": "x"})
    assert (no_token.status_code, no_token.get_json()["error"]) == (400, "csrf")
    bad = client.post(url, data="{not json", content_type="application/json", headers={"X-CSRFToken": auth.csrf()})
    assert (bad.status_code, bad.get_json()["error"]) == (400, "bad_json")


def test_someone_elses_alert_is_not_found(app, people, auth, client):
    alert_id = raise_for(app, people.supervisor)
    auth.login(people.other_supervisor.email)
    for target in (alert_id, alert_id + 1, 2**31, 2**40):
        response = auth.api_post(f"/api/v1/alerts/{target}/ack", {"action": "x"})
        assert response.status_code == 404, target
        assert response.get_json()["error"] == "not_found"
    assert alert_id not in {alert["id"] for alert in client.get("/api/v1/alerts").get_json()["alerts"]}


@pytest.mark.app_config(UOF_DISPATCH_AFTER_COMMIT=False)
def test_a_test_notification_is_an_alert_for_the_caller_and_each_device(app, people, auth, client):
    auth.login(people.supervisor.email)
    response = auth.api_post("/api/v1/push/test", {})
    assert response.status_code == 201
    answer = response.get_json()
    assert answer["devices"] == 0
    with app.app_context():
        alert = db.session.get(Alert, answer["alert_id"])
        assert alert is not None
        assert (alert.kind, alert.recipient_id, alert.status) == (TEST, people.supervisor.id, "inbox")
        db.session.add(PushSubscription(user_id=people.supervisor.id, endpoint="https://fcm.googleapis.com/x",
                                        endpoint_hash="b" * 64, p256dh="key", auth="secret"))
        db.session.commit()
    second = auth.api_post("/api/v1/push/test", {}).get_json()
    assert second["devices"] == 1
    assert second["alert_id"] != answer["alert_id"]
    with app.app_context():
        deliveries = db.session.scalars(select(PushDelivery).where(PushDelivery.alert_id == second["alert_id"]))
        assert len(deliveries.all()) == 1
        tests = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "alert.test")).all()
        assert {event.actor_id for event in tests} == {people.supervisor.id}
        assert len(tests) == 2
    inbox = client.get("/api/v1/alerts").get_json()
    assert {alert["kind"] for alert in inbox["alerts"]} == {"test"}
    assert inbox["unacknowledged"] == 2


def test_a_test_notification_needs_a_login_and_a_token(app, people, auth, client):
    assert client.post("/api/v1/push/test", json={}).status_code == 401
    auth.login(people.officer.email)
    assert client.post("/api/v1/push/test", json={}).status_code == 400
    with app.app_context():
        assert db.session.scalars(select(Alert)).all() == []


@pytest.mark.app_config(RATELIMIT_ENABLED=True, UOF_DISPATCH_AFTER_COMMIT=False)
def test_test_notifications_are_rate_limited_per_user(app, people, auth, client):
    auth.login(people.supervisor.email)
    answers = [auth.api_post("/api/v1/push/test", {}).status_code for _ in range(11)]
    assert answers == [201] * 10 + [429]
    limited = auth.api_post("/api/v1/push/test", {})
    assert limited.get_json()["error"] == "rate_limited"


def test_a_test_notification_reaches_each_of_the_callers_devices(app, people, auth, client, push_service):
    """Through the real path: subscribe over the API, ask for a test, and the after-commit dispatch pushes it."""
    auth.login(people.supervisor.email)
    phone, laptop = push_service.subscription(), push_service.subscription()
    for device in (phone, laptop):
        assert auth.api_post("/api/v1/push/subscriptions", device).status_code == 201
    answer = auth.api_post("/api/v1/push/test", {}).get_json()
    assert answer["devices"] == 2
    push_service.wait_for(2)
    for device in (phone, laptop):
        [received] = push_service.for_endpoint(device)
        assert received.payload["type"] == "test"
        assert received.payload["url"] == f"/alerts/{answer['alert_id']}"
        assert received.payload["title"]


@pytest.mark.parametrize("changes", [
    pytest.param({"vapid_subject": None}, id="no subject"),
    pytest.param({"vapid_subject": "mailto:push-admin@force.police.uk"}, id="no key"),
])
def test_a_test_notification_claims_no_device_while_push_is_off(app, people, auth, client, changes):
    """Production without UOF_VAPID_SUBJECT or without a VAPID key: the test says push is off, not "sent to 1"."""
    import dataclasses

    auth.login(people.supervisor.email)
    with app.app_context():
        db.session.add(PushSubscription(user_id=people.supervisor.id, endpoint="https://fcm.googleapis.com/x",
                                        endpoint_hash="c" * 64, p256dh="key", auth="secret"))
        db.session.commit()
    settings = app.config["UOF_SETTINGS"]
    app.config["UOF_SETTINGS"] = dataclasses.replace(settings, env="production", **changes)
    response = auth.api_post("/api/v1/push/test", {})
    assert response.status_code == 503
    body = response.get_json()
    assert body["error"] == "push_disabled"
    assert "devices" not in body
    assert "not available on this server" in body["message"]
    with app.app_context():
        assert db.session.scalars(select(Alert)).all() == []
        assert db.session.scalars(select(PushDelivery)).all() == []
    # Other alerts still reach the inbox, with nothing waiting to be pushed.
    alert_id = raise_for(app, people.supervisor)
    [listed] = [a for a in client.get("/api/v1/alerts").get_json()["alerts"] if a["id"] == alert_id]
    assert listed["status"] == "inbox"
