"""Alerts in a real Chromium on a phone: the header badge, reading and acknowledging, the "Enable alerts" button
where no push service can be reached, and the service worker's push handler driven through CDP.

Headless Chromium cannot make a real push subscription (no push service on a closed network): subscribe()
rejects in an off-the-record context and never settles in a profile on disk. What the tests can reach is the
page's handling of that, and the worker's ``push`` handler through ``ServiceWorker.deliverPushMessage``.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, ServerProcess, login
from tests.conftest import _app_for
from tests.factories import make_user, report_body
from uof.domain.alert_kinds import CRITICAL, PATTERN, WARNING, WORKFLOW
from uof.extensions import db
from uof.models import PushSubscription, Report, User
from uof.services import alerts, reports

SUPERVISOR = "sgt.browser@example.org"
SERIOUS = {"serious", "critical"}
_keys = itertools.count(1)


@dataclass(frozen=True)
class AlertsServer:
    server: ServerProcess
    report_id: int

    @property
    def url(self) -> str:
        return self.server.url

    def raise_alert(self, title: str, **fields: Any) -> int:
        """An alert for the supervisor, raised by the app's own service in the server's database."""
        app = _app_for(self.server.database, self.server.instance)
        with app.app_context():
            supervisor = db.session.scalar(select(User).where(User.email == SUPERVISOR))
            report = db.session.get(Report, self.report_id)
            assert supervisor is not None
            assert report is not None
            options: dict[str, Any] = {"kind": WORKFLOW, "rule": "report_overdue", "severity": WARNING,
                                       "report": report, "officer": report.officer, "team": report.team}
            alert = alerts.raise_alert(recipient=supervisor, title=title, dedupe_key=f"browser-{next(_keys)}",
                                       **(options | fields))
            assert alert is not None
            db.session.commit()
            alert_id = alert.id
            db.engine.dispose()
        return alert_id

    def clear_alerts(self) -> None:
        """Acknowledge everything the supervisor has, so that a test counts only its own alerts."""
        app = _app_for(self.server.database, self.server.instance)
        with app.app_context():
            supervisor = db.session.scalar(select(User).where(User.email == SUPERVISOR))
            assert supervisor is not None
            for alert in alerts.inbox(supervisor):
                alerts.acknowledge(alert, supervisor, "Cleared by the test.")
            db.session.commit()
            db.engine.dispose()


@pytest.fixture(scope="module")
def alerts_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AlertsServer]:
    """A server of this module's own, with the browser officer's supervisor and one report of the officer's."""
    server = ServerProcess(tmp_path_factory.mktemp("alerts-server"))
    app = _app_for(server.database, server.instance)
    with app.app_context():
        make_user(SUPERVISOR, "supervisor", "officer", teams=("Birmingham Central A",), force_number="5555",
                  name="Sam Sergeant")
        officer = db.session.scalar(select(User).where(User.force_number == "4321"))
        assert officer is not None
        submission = reports.submit(officer, report_body(incident_reference="CAD-ALERTS-1"))
        assert submission.report is not None
        db.session.commit()
        report_id = submission.report.id
        db.engine.dispose()
    server.start()
    try:
        yield AlertsServer(server, report_id)
    finally:
        server.stop()


@pytest.fixture
def supervisor_phone(browser, alerts_server: AlertsServer):  # type: ignore[no-untyped-def]
    alerts_server.clear_alerts()
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB",
                                  base_url=alerts_server.url)
    page = context.new_page()
    login(page, SUPERVISOR)
    yield page
    context.close()


def _serious_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']]}"
            for v in results.response["violations"] if v.get("impact") in SERIOUS]


def _fits(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"))


def _push_state(page, timeout_ms: float) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """The device section's state once it has settled (anything but "enabling"), and what it says."""
    page.locator('[data-device-alerts]:not([data-push-state="enabling"])').wait_for(timeout=timeout_ms)
    section = page.locator("[data-device-alerts]")
    return str(section.get_attribute("data-push-state")), page.locator("[data-push-status]").inner_text()


def test_a_supervisor_reads_and_acknowledges_an_alert_on_a_phone(supervisor_phone, alerts_server):
    page = supervisor_phone
    alerts_server.raise_alert("CAD-ALERTS-1 not reviewed within 72 hours")
    alerts_server.raise_alert("Pat Jones above the team's 95th percentile", kind=PATTERN, severity=CRITICAL,
                              rule="officer_above_team_percentile",
                              detail={"count": 7, "team_median": 2, "team_p95": 5.5, "period_days": 90})
    page.goto("/reports")
    page.get_by_role("link", name="Alerts, 2 unacknowledged").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Alerts", exact=True).is_visible()
    assert _fits(page)
    page.get_by_role("link", name="Pat Jones above the team's 95th percentile").click()
    page.wait_for_load_state()
    assert page.get_by_text("Team 95th percentile").is_visible()
    assert page.get_by_role("link", name="Review UOF-").is_visible()
    assert _fits(page)

    page.get_by_role("button", name="Acknowledge alert").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").get_by_role("link", name="Say what action you took.").is_visible()
    page.get_by_role("alert").get_by_role("link", name="Say what action you took.").click()
    assert page.evaluate("() => document.activeElement.id") == "action"
    page.get_by_label("Action taken").fill("Spoke to PC Jones; debrief booked for Friday.")
    page.get_by_role("button", name="Acknowledge alert").click()
    page.wait_for_load_state()
    assert page.url.endswith("/alerts")
    assert page.get_by_text("Alert acknowledged: Pat Jones above the team's 95th percentile").is_visible()
    assert page.get_by_role("link", name="Alerts, 1 unacknowledged").is_visible()


def test_enabling_alerts_where_no_push_service_answers_says_so(browser, alerts_server):
    """In an off-the-record context, with and without the notification permission: a clear state either way."""
    for permissions, expected in (([], {"blocked"}), (["notifications"], {"failed", "timed-out"})):
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB",
                                      base_url=alerts_server.url)
        try:
            if permissions:
                context.grant_permissions(permissions, origin=alerts_server.url)
            page = context.new_page()
            login(page, SUPERVISOR)
            page.goto("/alerts")
            section = page.locator("[data-device-alerts]")
            page.locator('[data-device-alerts][data-push-state="off"], '
                         '[data-device-alerts][data-push-state="blocked"]').wait_for()
            assert section.get_attribute("data-push-state") == "off"
            page.get_by_role("button", name="Enable alerts on this device").click()
            state, said = _push_state(page, 20_000)
            assert state in expected, (permissions, state, said)
            assert "Alerts still appear in this inbox." in said
            assert not page.get_by_role("button", name="Send a test notification").is_visible()
        finally:
            context.close()


def _push_key_served(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/v1/push/key", timeout=5):  # noqa: S310 (loopback URL built here)
            return True
    except urllib.error.HTTPError as error:
        return error.code != 404


def test_a_subscription_that_never_settles_times_out(browser, alerts_server, tmp_path: Path):
    """A profile on disk: the push permission is granted but subscribe() waits for ever for a push service."""
    if not _push_key_served(alerts_server.url):
        pytest.skip("GET /api/v1/push/key is not served yet, so enabling stops before subscribe()")
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS, viewport=PHONE, is_mobile=True,
        has_touch=True, locale="en-GB", base_url=alerts_server.url)
    try:
        context.grant_permissions(["notifications"], origin=alerts_server.url)
        page = context.pages[0] if context.pages else context.new_page()
        login(page, SUPERVISOR)
        page.goto("/alerts")
        page.locator('[data-device-alerts][data-push-state="off"]').wait_for()
        page.get_by_role("button", name="Enable alerts on this device").click()
        assert page.locator("[data-device-alerts]").get_attribute("data-push-state") == "enabling"
        assert page.locator("[data-device-alerts]").get_attribute("aria-busy") == "true"
        state, said = _push_state(page, 30_000)
        assert state == "timed-out", said
        assert page.get_by_role("button", name="Enable alerts on this device").is_enabled()
    finally:
        context.close()


NOTIFICATIONS = """() => navigator.serviceWorker.ready
    .then((registration) => registration.getNotifications())
    .then((shown) => shown.map((n) => ({title: n.title, tag: n.tag, body: n.body, url: n.data && n.data.url})))"""


def _notifications(page, count: int, timeout: float = 10.0) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        shown: list[dict[str, str]] = page.evaluate(NOTIFICATIONS)
        if len(shown) >= count or time.monotonic() > deadline:
            return shown
        time.sleep(0.2)


def test_the_service_worker_shows_a_pushed_alert_once(browser, alerts_server):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB",
                                  base_url=alerts_server.url)
    try:
        context.grant_permissions(["notifications"], origin=alerts_server.url)
        page = context.new_page()
        login(page, SUPERVISOR)
        page.goto("/alerts")
        page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
        cdp = context.new_cdp_session(page)
        registrations: list[dict[str, Any]] = []
        cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
        cdp.send("ServiceWorker.enable")
        # The registration is reported only after a register() made once CDP listens.
        page.evaluate("() => navigator.serviceWorker.register('/sw.js', {scope: '/'}).then(() => true)")
        deadline = time.monotonic() + 10
        while not any(r["scopeURL"] == f"{alerts_server.url}/" for r in registrations):
            assert time.monotonic() < deadline, "no service worker registration reported over CDP"
            time.sleep(0.1)
        registration_id = next(r["registrationId"] for r in registrations if r["scopeURL"] == f"{alerts_server.url}/")

        def push(data: str) -> None:
            cdp.send("ServiceWorker.deliverPushMessage",
                     {"origin": alerts_server.url, "registrationId": registration_id, "data": data})

        payload = json.dumps({"type": "immediate", "title": "Use of force: review needed", "url": "/alerts/41"})
        push(payload)
        [shown] = _notifications(page, 1)
        assert shown == {"title": "Use of force: review needed", "tag": "/alerts/41", "url": "/alerts/41",
                         "body": "A use of force needs your attention. Log in to read the alert."}
        push(payload)  # a resend of the same alert replaces its notification
        time.sleep(1)
        assert len(_notifications(page, 2, timeout=1)) == 1

        push("not JSON at all")  # still shown, generically, leading to the inbox
        shown_now = _notifications(page, 2)
        assert len(shown_now) == 2
        generic = next(n for n in shown_now if n["tag"] == "/alerts")
        assert (generic["title"], generic["url"]) == ("Use of force alert", "/alerts")
        # Sent once the first is shown: two pushes in a row may be handled in either order.
        push(json.dumps({"type": "digest", "title": "Elsewhere", "url": "https://evil.example/alerts/1"}))
        deadline = time.monotonic() + 10
        while generic["title"] != "Elsewhere" and time.monotonic() < deadline:
            time.sleep(0.2)
            shown_now = _notifications(page, 2)
            generic = next(n for n in shown_now if n["tag"] == "/alerts")
        assert len(shown_now) == 2
        # The off-site link was dropped; the later push with the inbox's tag replaced the malformed one.
        assert (generic["title"], generic["url"]) == ("Elsewhere", "/alerts")
        assert generic["body"] == "Your digest is ready. Log in to read it."

        # What a click may open: only a path on this site (the click itself needs a person to tap).
        [worker] = [w for w in context.service_workers if w.url == f"{alerts_server.url}/sw.js"]
        opened = worker.evaluate("""() => ["/alerts/41", "/alerts?x=1#y", "//evil.example/a", "/\\\\evil.example",
                                           "https://evil.example/", "javascript:alert(1)", 41, null]
                                          .map((candidate) => ownPath(candidate))""")
        assert opened == ["/alerts/41", "/alerts?x=1#y", None, None, None, None, None, None]
    finally:
        context.close()


def test_the_inbox_and_alert_pages_pass_axe(supervisor_phone, alerts_server):
    page = supervisor_phone
    alert_id = alerts_server.raise_alert("CAD-ALERTS-1 not reviewed within 72 hours",
                                         detail={"waiting_hours": 80, "hours": 72})
    page.goto("/alerts")
    page.locator('[data-device-alerts]:not([data-push-state="checking"])').wait_for()
    assert _serious_violations(page) == [], "inbox"
    page.goto(f"/alerts/{alert_id}")
    assert _serious_violations(page) == [], "alert"
    page.get_by_role("button", name="Acknowledge alert").click()
    page.wait_for_load_state()
    assert _serious_violations(page) == [], "alert with an error"


# --- page scripts, push switched off, and a shared phone ---------------------------------------------------------

OFFICER = "pc.browser@example.org"


def _watch_errors(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Uncaught exceptions and console errors on the page, from now on."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    page.on("console", lambda message: errors.append(f"console: {message.text}") if message.type == "error" else None)
    return errors


def test_pages_load_without_script_errors(browser, alerts_server):
    """register-sw.js runs on every page, with and without a login and with or without push in the browser."""
    for granted in ([], ["notifications"]):
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB",
                                      base_url=alerts_server.url)
        try:
            if granted:
                context.grant_permissions(granted, origin=alerts_server.url)
            page = context.new_page()
            errors = _watch_errors(page)
            page.goto("/login")
            page.wait_for_load_state("load")
            login(page, SUPERVISOR)
            for url in ("/reports", "/team", "/alerts"):
                page.goto(url)
                page.wait_for_load_state("load")
                page.locator("body[data-session]").wait_for(state="attached")
            page.locator('[data-device-alerts]:not([data-push-state="checking"])').wait_for()
            assert errors == [], errors
        finally:
            context.close()


def test_without_push_in_the_browser_nothing_throws(browser, alerts_server):
    """A browser with no PushManager (an old one, iOS outside the Home Screen) gets the inbox and a plain word."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB",
                                  base_url=alerts_server.url)
    try:
        context.add_init_script("delete window.PushManager;")
        page = context.new_page()
        errors = _watch_errors(page)
        login(page, SUPERVISOR)
        page.goto("/alerts")
        page.wait_for_load_state("load")
        state, said = _push_state(page, 10_000)
        assert state == "unsupported", said
        assert errors == [], errors
    finally:
        context.close()


def test_push_switched_off_on_the_server_is_said_plainly(browser, alerts_server):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB",
                                  base_url=alerts_server.url)
    try:
        context.grant_permissions(["notifications"], origin=alerts_server.url)
        page = context.new_page()
        login(page, SUPERVISOR)
        # As the server answers in production without UOF_VAPID_SUBJECT or a VAPID key.
        page.route("**/api/v1/push/key", lambda route: route.fulfill(
            status=503, content_type="application/json",
            body=json.dumps({"error": "push_disabled", "message": "Notifications are not available."})))
        page.goto("/alerts")
        page.locator('[data-device-alerts]:not([data-push-state="checking"])').wait_for()
        state, said = _push_state(page, 10_000)
        assert state == "disabled", said
        assert said == "Notifications are not available on this server; alerts still appear in this inbox."
        for name in ("Enable alerts on this device", "Send a test notification", "Turn off on this device"):
            assert not page.get_by_role("button", name=name).is_visible()
    finally:
        context.close()


def _browser_keys() -> dict[str, str]:
    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return {"p256dh": b64(point), "auth": b64(os.urandom(16))}


# A stand-in for the browser's push subscription (headless Chromium cannot make a real one): the registration's
# pushManager answers with ``existing`` and makes ``fresh`` on subscribe(). Only the page's scripts see it.
FAKE_PUSH = """(config) => {
  const made = (spec) => spec && {
    endpoint: spec.endpoint,
    options: {applicationServerKey: spec.key ? new Uint8Array(spec.key).buffer : null, userVisibleOnly: true},
    toJSON() { return {endpoint: spec.endpoint, expirationTime: null, keys: spec.keys}; },
    unsubscribe() { window.__uofPush.unsubscribed.push(spec.endpoint); current = null; return Promise.resolve(true); }
  };
  let current = made(config.existing);
  window.__uofPush = {unsubscribed: []};
  const pushManager = {
    getSubscription: () => Promise.resolve(current),
    subscribe: () => { current = made(config.fresh); return Promise.resolve(current); }
  };
  const registration = {pushManager: pushManager, scope: location.origin + "/"};
  navigator.serviceWorker.getRegistration = () => Promise.resolve(registration);
  navigator.serviceWorker.register = () => Promise.resolve(registration);
  Object.defineProperty(navigator.serviceWorker, "ready", {get: () => Promise.resolve(registration)});
}"""


def _fake_push(context, existing: dict[str, Any] | None, fresh: dict[str, Any] | None = None) -> None:  # type: ignore[no-untyped-def]
    context.add_init_script(f"({FAKE_PUSH})({json.dumps({'existing': existing, 'fresh': fresh})})")


def _devices(alerts_server: AlertsServer) -> dict[str, str]:
    """Each registered endpoint and the email of the user it belongs to."""
    app = _app_for(alerts_server.server.database, alerts_server.server.instance)
    with app.app_context():
        rows = db.session.execute(select(PushSubscription.endpoint, User.email)
                                  .join(User, User.id == PushSubscription.user_id)).all()
        db.engine.dispose()
    return {endpoint: email for endpoint, email in rows}


def _user_id(alerts_server: AlertsServer, email: str) -> str:
    app = _app_for(alerts_server.server.database, alerts_server.server.instance)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        assert user is not None
        user_id = str(user.id)
        db.engine.dispose()
    return user_id


def _wait_until(check, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_a_shared_phone_moves_its_notifications_to_whoever_logs_in(browser, alerts_server):
    endpoint = f"https://fcm.googleapis.com/fcm/send/shared-phone-{next(_keys)}"
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB",
                                  base_url=alerts_server.url)
    try:
        context.grant_permissions(["notifications"], origin=alerts_server.url)
        _fake_push(context, {"endpoint": endpoint, "keys": _browser_keys(), "key": None})
        page = context.new_page()
        errors = _watch_errors(page)
        posts: list[str] = []
        page.on("request", lambda request: posts.append(request.url)
                if request.method == "POST" and request.url.endswith("/api/v1/push/subscriptions") else None)
        # The supervisor had enabled alerts on this phone before.
        login(page, SUPERVISOR)
        page.goto("/alerts")
        page.locator('[data-device-alerts]:not([data-push-state="checking"])').wait_for()
        state, said = _push_state(page, 10_000)
        assert state == "enabled", said
        assert _devices(alerts_server).get(endpoint) == SUPERVISOR
        supervisor_id = _user_id(alerts_server, SUPERVISOR)
        assert page.evaluate("() => localStorage.getItem('uof-push-user')") == supervisor_id
        # Already theirs: another page does not register it again.
        sent = len(posts)
        page.goto("/reports")
        page.wait_for_load_state("load")
        page.wait_for_timeout(500)
        assert len(posts) == sent

        # Handed to a colleague: their first page moves the device to them.
        context.clear_cookies()
        login(page, OFFICER)
        page.goto("/reports")
        page.wait_for_load_state("load")
        _wait_until(lambda: _devices(alerts_server).get(endpoint) == OFFICER)
        officer_id = _user_id(alerts_server, OFFICER)
        _wait_until(lambda: page.evaluate("() => localStorage.getItem('uof-push-user')") == officer_id)

        # Back to the supervisor: the inbox says alerts are on only once the device is theirs again.
        context.clear_cookies()
        login(page, SUPERVISOR)
        page.goto("/alerts")
        page.locator('[data-device-alerts]:not([data-push-state="checking"])').wait_for()
        state, said = _push_state(page, 10_000)
        assert state == "enabled", said
        assert _devices(alerts_server).get(endpoint) == SUPERVISOR
        assert errors == [], errors
    finally:
        context.close()


def test_a_subscription_made_with_another_key_is_forgotten_on_the_server_first(browser, alerts_server):
    old = f"https://fcm.googleapis.com/fcm/send/old-key-{next(_keys)}"
    new = f"https://fcm.googleapis.com/fcm/send/new-key-{next(_keys)}"
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB",
                                  base_url=alerts_server.url)
    try:
        context.grant_permissions(["notifications"], origin=alerts_server.url)
        # Made with a key that is not the server's (before a rotation).
        _fake_push(context, {"endpoint": old, "keys": _browser_keys(), "key": [4] + [7] * 64},
                   {"endpoint": new, "keys": _browser_keys(), "key": None})
        page = context.new_page()
        calls: list[tuple[str, str]] = []
        page.on("request", lambda request: calls.append((request.method, request.post_data or ""))
                if request.url.endswith("/api/v1/push/subscriptions") else None)
        login(page, SUPERVISOR)
        # The server still has the old one (it would post to it until the push service refused).
        page.evaluate("""(body) => fetch('/api/v1/push/subscriptions', {method: 'POST', credentials: 'same-origin',
            headers: {'Content-Type': 'application/json',
                      'X-CSRFToken': document.querySelector('meta[name=csrf-token]').content},
            body: JSON.stringify(body)}).then((r) => r.status)""",
                      {"endpoint": old, "keys": _browser_keys()})
        assert _devices(alerts_server).get(old) == SUPERVISOR
        calls.clear()
        page.goto("/alerts")
        page.locator('[data-device-alerts]:not([data-push-state="checking"])').wait_for()
        state, said = _push_state(page, 10_000)
        assert state == "off", said
        assert "previous key" in said
        page.get_by_role("button", name="Enable alerts on this device").click()
        page.locator('[data-device-alerts][data-push-state="enabled"]').wait_for(timeout=10_000)
        methods = [method for method, _ in calls]
        assert methods == ["DELETE", "POST"], calls
        assert json.loads(calls[0][1]) == {"endpoint": old}
        assert json.loads(calls[1][1])["endpoint"] == new
        assert page.evaluate("() => window.__uofPush.unsubscribed") == [old]
        devices = _devices(alerts_server)
        assert old not in devices
        assert devices.get(new) == SUPERVISOR
    finally:
        context.close()
