"""The whole path as deployed: an officer submits a Taser discharge to gunicorn, and the supervisor's device gets
the encrypted alert from the web worker right after the commit, within 5 seconds, with no scheduler running."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from tests.browser.conftest import ServerProcess
from tests.conftest import _app_for
from tests.factories import PASSWORD, make_user, report_body
from tests.pushservice import FakePushService
from uof.extensions import db


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    instance = tmp_path_factory.mktemp("push-e2e")
    process = ServerProcess(instance)
    app = _app_for(process.database, instance)
    with app.app_context():
        make_user("ps.taser@example.org", "supervisor", "officer", teams=("Birmingham Central A",),
                  force_number="2001", name="Sergeant Push")
        db.engine.dispose()
    process.start({"UOF_PUSH_ALLOWED_HOSTS": "127.0.0.1", "UOF_VAPID_SUBJECT": "mailto:push-test@example.org"})
    yield process
    process.stop()


def _session(server: ServerProcess, username: str) -> requests.Session:
    session = requests.Session()
    login_page = session.get(f"{server.url}/login", timeout=10).text
    token = login_page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    response = session.post(f"{server.url}/login", data={"username": username, "password": PASSWORD,
                                                         "csrf_token": token}, allow_redirects=False, timeout=10)
    assert response.status_code in (302, 303), response.text
    session.headers["X-CSRFToken"] = session.get(f"{server.url}/api/v1/session", timeout=10).json()["csrf_token"]
    return session


def test_a_taser_discharge_reaches_the_supervisors_device_within_5_seconds(server: ServerProcess) -> None:
    sergeant = _session(server, "ps.taser@example.org")
    public_key = sergeant.get(f"{server.url}/api/v1/push/key", timeout=10).json()["public_key"]
    with FakePushService(expected_public_key=public_key) as push_service:
        registered = sergeant.post(f"{server.url}/api/v1/push/subscriptions", json=push_service.subscription(),
                                   timeout=10)
        assert registered.status_code == 201, registered.text
        officer = _session(server, "4321")
        body = report_body(tactics=[{"code": "ced_drawn", "effective": True}, {"code": "ced_fired", "effective": True}],
                           ced_carried=True, narrative="Alex Browser fired the Taser at the subject in Digbeth.")

        submitted_at = time.monotonic()
        response = officer.post(f"{server.url}/api/v1/reports", json=body, timeout=10)
        assert response.status_code == 201, response.text
        [message] = push_service.wait_for(1, timeout=5)
        elapsed = time.monotonic() - submitted_at

    assert elapsed < 5
    # The fake push service verified the VAPID JWT against the app's key and decrypted the aes128gcm body.
    assert set(message.payload) == {"type", "title", "url"}
    assert message.payload["type"] == "immediate"
    assert message.payload["url"].startswith("/alerts/")
    plaintext = message.plaintext.decode()
    for personal in ("Alex", "Browser", "4321", "Digbeth", response.json()["reference"], body["incident_reference"]):
        assert personal not in plaintext
    alert = sergeant.get(f"{server.url}{message.payload['url']}", timeout=10)
    assert alert.status_code == 200
    assert "Taser discharged" in alert.text
