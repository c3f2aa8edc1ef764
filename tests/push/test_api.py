"""GET /api/v1/push/key, POST and DELETE /api/v1/push/subscriptions."""

from __future__ import annotations

import base64
import dataclasses
import os

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select

from tests.pushservice import FakePushService
from uof.extensions import db
from uof.models import AuditEvent, PushSubscription
from uof.services import push

FCM = "https://fcm.googleapis.com/fcm/send/dAbC123:APA91bH"


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.fixture
def browser() -> dict:
    """What a browser subscribed with a real (allowed) push service sends."""
    return {"endpoint": FCM, "expirationTime": None, "keys": _keys()}


@pytest.fixture
def officer(make):
    make.team()
    return make.user("pc.shah@example.org", "officer", teams=("Birmingham Central A",))


def devices(app):
    with app.app_context():
        return [(row.user_id, row.endpoint, row.p256dh, row.auth, row.user_agent)
                for row in db.session.scalars(select(PushSubscription).order_by(PushSubscription.id))]


def audits(app, action):
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                  .order_by(AuditEvent.seq)).all()


def test_the_public_key_is_an_uncompressed_p256_point(app, client, auth, officer):
    auth.login(officer.email)
    response = client.get("/api/v1/push/key")
    assert response.status_code == 200
    key = response.get_json()["public_key"]
    assert "=" not in key
    raw = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    assert len(raw) == 65
    assert raw[0] == 4
    assert client.get("/api/v1/push/key").get_json()["public_key"] == key
    with app.app_context():
        assert push.public_key() == key


def test_anonymous_calls_get_401_before_csrf(client, browser):
    assert client.get("/api/v1/push/key").status_code == 401
    for method in ("POST", "DELETE"):
        response = client.open("/api/v1/push/subscriptions", method=method, json=browser)
        assert (response.status_code, response.get_json()) == (401, {"error": "unauthenticated"})


def test_csrf_is_required(client, auth, officer, browser):
    auth.login(officer.email)
    for method in ("POST", "DELETE"):
        response = client.open("/api/v1/push/subscriptions", method=method, json=browser)
        assert (response.status_code, response.get_json()["error"]) == (400, "csrf")


def test_subscribe_registers_the_browser_once(app, client, auth, officer, browser):
    auth.login(officer.email)
    response = auth.api_post("/api/v1/push/subscriptions", browser)
    assert response.status_code == 201
    body = response.get_json()
    assert body["endpoint_hash"] == push.endpoint_hash(FCM)
    assert body["already_registered"] is False
    [(user_id, endpoint, p256dh, secret, agent)] = devices(app)
    assert (user_id, endpoint, p256dh, secret) == (officer.id, FCM, browser["keys"]["p256dh"], browser["keys"]["auth"])
    assert agent.startswith("Werkzeug/")
    # API.md: 201 for a registration, also of a device registered before; the body says which it was.
    again = auth.api_post("/api/v1/push/subscriptions", browser)
    assert again.status_code == 201
    assert again.get_json() == body | {"already_registered": True}
    assert len(devices(app)) == 1
    [event] = audits(app, "push.subscribe")
    assert event.actor_id == officer.id
    assert event.detail == {"endpoint": body["endpoint_hash"][:12]}
    assert FCM not in str(event.detail)
    assert "dAbC123" not in str(event.detail)


def test_new_keys_for_the_same_endpoint_update_the_row(app, auth, officer, browser):
    auth.login(officer.email)
    first = auth.api_post("/api/v1/push/subscriptions", browser).get_json()
    renewed = {"endpoint": FCM, "keys": _keys()}
    response = auth.api_post("/api/v1/push/subscriptions", renewed)
    assert response.status_code == 201
    assert response.get_json()["id"] == first["id"]
    assert response.get_json()["already_registered"] is False
    [(_, _, p256dh, secret, _)] = devices(app)
    assert (p256dh, secret) == (renewed["keys"]["p256dh"], renewed["keys"]["auth"])


def test_a_shared_phone_moves_to_the_officer_now_using_it(app, make, client, auth, officer, browser):
    other = make.user("pc.wood@example.org", "officer", teams=("Birmingham Central A",))
    auth.login(officer.email)
    assert auth.api_post("/api/v1/push/subscriptions", browser).status_code == 201
    auth.logout()
    auth.login(other.email)
    assert auth.api_post("/api/v1/push/subscriptions", browser).status_code == 201
    assert [row[0] for row in devices(app)] == [other.id]
    moved = audits(app, "push.subscribe")[-1]
    assert moved.detail["moved_from_user"] == officer.id


def test_unsubscribe_is_idempotent_and_only_for_the_callers_own_device(app, make, client, auth, officer, browser):
    other = make.user("pc.wood@example.org", "officer", teams=("Birmingham Central A",))
    auth.login(officer.email)
    auth.api_post("/api/v1/push/subscriptions", browser)
    auth.logout()
    auth.login(other.email)
    token = auth.csrf()
    response = client.delete("/api/v1/push/subscriptions", json={"endpoint": FCM}, headers={"X-CSRFToken": token})
    # API.md: every response is JSON; someone else's device looks like one that was never registered.
    assert (response.status_code, response.get_json()) == (200, {"deleted": False})
    assert response.mimetype == "application/json"
    assert len(devices(app)) == 1
    auth.logout()
    auth.login(officer.email)
    token = auth.csrf()
    answers = [client.delete("/api/v1/push/subscriptions", json=browser, headers={"X-CSRFToken": token})
               for _ in range(2)]
    assert [(r.status_code, r.get_json()) for r in answers] == [(200, {"deleted": True}), (200, {"deleted": False})]
    assert devices(app) == []
    [event] = audits(app, "push.unsubscribe")
    assert event.actor_id == officer.id
    assert FCM not in str(event.detail)


@pytest.mark.parametrize(("body", "field"), [
    ({}, "endpoint"),
    ({"endpoint": ""}, "endpoint"),
    ({"endpoint": 7}, "endpoint"),
    ({"endpoint": "https://" + "a" * 2100 + ".fcm.googleapis.com/x"}, "endpoint"),
    ({"endpoint": FCM, "extra": 1}, "extra"),
    ([FCM], "body"),
])
def test_unsubscribe_refuses_a_bad_body(client, auth, officer, body, field):
    auth.login(officer.email)
    response = client.delete("/api/v1/push/subscriptions", json=body, headers={"X-CSRFToken": auth.csrf()})
    assert response.status_code == 422
    assert field in response.get_json()["fields"]


def test_bad_json_is_400(client, auth, officer):
    auth.login(officer.email)
    for method in ("POST", "DELETE"):
        response = client.open("/api/v1/push/subscriptions", method=method, data="{not json",
                               content_type="application/json", headers={"X-CSRFToken": auth.csrf()})
        assert (response.status_code, response.get_json()["error"]) == (400, "bad_json")


HOSTILE_ENDPOINTS = [
    "https://evil.example/push/1",
    "https://fcm.googleapis.com.evil.example/push/1",
    "https://evilfcm.googleapis.com/push/1",
    "https://user:pass@fcm.googleapis.com/push/1",
    "https://fcm.googleapis.com@evil.example/push/1",
    "https://127.0.0.1/push/1",
    "http://127.0.0.1:8080/push/1",
    "https://[::1]/push/1",
    "https://169.254.169.254/latest/meta-data",
    "https://10.0.0.1/push",
    "http://fcm.googleapis.com/fcm/send/1",
    "ftp://fcm.googleapis.com/x",
    "file:///etc/passwd",
    "https://localhost/push/1",
    "https://fcm.googleapis.com:99999/x",
    "https://fcm.googleapis.com./x",
    "https://fcm.googleapis.com/" + "x" * 2048,
    "https://fcm.googleapis.com/a b",
    "//fcm.googleapis.com/x",
    "fcm.googleapis.com/x",
]


@pytest.mark.parametrize("endpoint", HOSTILE_ENDPOINTS)
def test_subscribe_refuses_endpoints_that_are_not_allowed_push_services(app, auth, officer, browser, endpoint):
    auth.login(officer.email)
    response = auth.api_post("/api/v1/push/subscriptions", browser | {"endpoint": endpoint})
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "validation"
    assert list(body["fields"]) == ["endpoint"]
    assert devices(app) == []
    assert audits(app, "push.subscribe") == []


def _keys(**changes):
    """A browser's keys: its P-256 public key and a 16-byte authentication secret."""
    point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return {"p256dh": b64(point), "auth": b64(os.urandom(16))} | changes


NOT_ON_THE_CURVE = b"\x04" + (1).to_bytes(32, "big") + (1).to_bytes(32, "big")


@pytest.mark.parametrize(("keys", "field"), [
    (None, "keys"),
    ("p256dh", "keys"),
    ({"auth": b64(b"a" * 16)}, "keys.p256dh"),
    (_keys(p256dh=b64(b"\x04" + b"a" * 63)), "keys.p256dh"),
    (_keys(p256dh=b64(NOT_ON_THE_CURVE)), "keys.p256dh"),
    (_keys(p256dh=b64(b"\x02" + b"a" * 64)), "keys.p256dh"),
    (_keys(p256dh="not base64!"), "keys.p256dh"),
    (_keys(p256dh=12), "keys.p256dh"),
    (_keys(auth=b64(b"a" * 15)), "keys.auth"),
    (_keys(auth=b64(b"a" * 17)), "keys.auth"),
    (_keys(auth=None), "keys.auth"),
    (_keys(extra="x"), "keys.extra"),
])
def test_subscribe_refuses_malformed_keys(app, auth, officer, browser, keys, field):
    auth.login(officer.email)
    body = dict(browser)
    if keys is None:
        body.pop("keys")
    else:
        body["keys"] = keys
    response = auth.api_post("/api/v1/push/subscriptions", body)
    assert response.status_code == 422
    assert list(response.get_json()["fields"]) == [field]
    assert devices(app) == []


@pytest.mark.parametrize(("body", "field"), [
    ([], "body"),
    ("subscription", "body"),
    ({"endpoint": FCM, "keys": _keys(), "expirationTime": "soon"}, "expirationTime"),
    ({"endpoint": FCM, "keys": _keys(), "expirationTime": True}, "expirationTime"),
    ({"endpoint": FCM, "keys": _keys(), "options": {}}, "options"),
])
def test_subscribe_refuses_other_malformed_bodies(auth, officer, body, field):
    auth.login(officer.email)
    response = auth.api_post("/api/v1/push/subscriptions", body)
    assert response.status_code == 422
    assert field in response.get_json()["fields"]


def test_expiration_time_may_be_a_number(app, auth, officer, browser):
    auth.login(officer.email)
    response = auth.api_post("/api/v1/push/subscriptions", browser | {"expirationTime": 1_900_000_000_000})
    assert response.status_code == 201


def test_a_user_keeps_at_most_ten_devices(app, auth, officer):
    auth.login(officer.email)
    endpoints = [f"{FCM}-{n}" for n in range(push.MAX_DEVICES_PER_USER + 2)]
    for endpoint in endpoints:
        assert auth.api_post("/api/v1/push/subscriptions", {"endpoint": endpoint, "keys": _keys()}).status_code == 201
    kept = {row[1] for row in devices(app)}
    assert kept == set(endpoints[2:])


def test_loopback_is_refused_unless_allowed(app, auth, officer):
    with FakePushService() as service:
        subscription = service.subscription()
    auth.login(officer.email)
    assert auth.api_post("/api/v1/push/subscriptions", subscription).status_code == 422
    settings = app.config["UOF_SETTINGS"]
    app.config["UOF_SETTINGS"] = dataclasses.replace(settings, push_allowed_hosts=("127.0.0.1",))
    assert auth.api_post("/api/v1/push/subscriptions", subscription).status_code == 201


# --- push switched off -----------------------------------------------------------------------------------------

def _production(app, **changes):
    settings = app.config["UOF_SETTINGS"]
    app.config["UOF_SETTINGS"] = dataclasses.replace(settings, env="production", **changes)


@pytest.mark.parametrize("changes", [
    pytest.param({"vapid_subject": None}, id="no subject"),
    pytest.param({"vapid_subject": "mailto:push-admin@force.police.uk"}, id="no key"),
])
def test_push_calls_answer_503_while_push_is_off(app, client, auth, officer, browser, changes):
    auth.login(officer.email)
    token = auth.csrf()
    _production(app, **changes)
    for response in (client.get("/api/v1/push/key"), auth.api_post("/api/v1/push/subscriptions", browser)):
        assert response.status_code == 503
        body = response.get_json()
        assert body["error"] == "push_disabled"
        assert "not available on this server" in body["message"]
    assert devices(app) == []
    # Production never makes a key on demand: a web worker and a scheduler would each make their own.
    assert not (app.config["UOF_SETTINGS"].instance_path / push.KEY_FILE).exists()
    # Forgetting a device still works, so that a browser can tidy up.
    response = client.delete("/api/v1/push/subscriptions", json={"endpoint": FCM}, headers={"X-CSRFToken": token})
    assert (response.status_code, response.get_json()) == (200, {"deleted": False})


def test_push_calls_are_refused_before_anything_is_read_while_off(app, client, auth, officer):
    auth.login(officer.email)
    _production(app, vapid_subject=None)
    assert client.post("/api/v1/push/subscriptions", json={}).get_json()["error"] == "csrf"
    response = auth.api_post("/api/v1/push/subscriptions", {"endpoint": "not even a URL"})
    assert (response.status_code, response.get_json()["error"]) == (503, "push_disabled")


def test_production_with_a_key_made_ahead_of_time_serves_it(app, runner, client, auth, officer, browser):
    result = runner.invoke(args=["uof", "vapid-keys"])
    assert result.exit_code == 0, result.output
    auth.login(officer.email)
    _production(app, vapid_subject="mailto:push-admin@force.police.uk")
    response = client.get("/api/v1/push/key")
    assert response.status_code == 200
    assert result.output.strip().endswith(response.get_json()["public_key"])
    assert auth.api_post("/api/v1/push/subscriptions", browser).status_code == 201


def test_the_openapi_document_describes_the_push_answers(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    subscriptions = paths["/push/subscriptions"]
    assert set(subscriptions["post"]["responses"]) >= {"201", "503"}
    assert "200" not in subscriptions["post"]["responses"]
    assert "already_registered" in (subscriptions["post"]["responses"]["201"]["content"]["application/json"]
                                    ["schema"]["properties"])
    deleted = subscriptions["delete"]["responses"]
    assert "204" not in deleted
    assert deleted["200"]["content"]["application/json"]["schema"]["required"] == ["deleted"]
    for path, method in (("/push/key", "get"), ("/push/test", "post")):
        answer = paths[path][method]["responses"]["503"]
        # Or, as from any operation, the database did not answer.
        assert answer["content"]["application/json"]["schema"]["properties"]["error"]["enum"] == [
            "push_disabled", "unavailable"]
