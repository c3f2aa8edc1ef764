"""Recording with no signal, in a real Chromium on a phone-sized screen: the device form, its outbox and the
truth it shows. Every report must reach the server exactly once, whatever happens in between, and none may be
sent under another officer's session."""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, LiveServer, choose, login
from tests.factories import report_body
from uof.domain.policy import DEROGATED, EXCLUDED, NATIONAL, Policy
from uof.domain.validation import validate_report
from uof.domain.vocabulary import ALL, TACTICS

DEVICE = "/record/device"
WAIT_MS = 20_000


def _context(browser, server: LiveServer, **options: Any):  # type: ignore[no-untyped-def]
    return browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB", base_url=server.url,
                               **options)


def _reference() -> str:
    return "CAD-" + uuid.uuid4().hex[:10].upper()


def _wait_until(condition: Callable[[], bool], timeout: float = WAIT_MS / 1000, page=None) -> bool:  # type: ignore[no-untyped-def]
    """Poll; with a page, by waiting in it, so that Playwright keeps handling routes meanwhile."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        if page is None:
            time.sleep(0.2)
        else:
            page.wait_for_timeout(200)
    return True


def _open_device_form(page) -> None:  # type: ignore[no-untyped-def]
    page.goto(DEVICE)
    page.locator("[data-device]").wait_for(state="visible")


def _with_worker(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until the service worker controls the page (it installs after the first page has loaded)."""
    page.evaluate("""async () => {
        const registration = await navigator.serviceWorker.ready;
        if (!navigator.serviceWorker.controller) {
            await new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve));
        }
        return registration.active.state;
    }""")


def _fill_report(page, reference: str) -> None:  # type: ignore[no-untyped-def]
    """Every answer of a valid report, as an officer gives them on the device form."""
    when = datetime.now(ZoneInfo("Europe/London")) - timedelta(days=1)
    page.get_by_label("Day", exact=True).fill(str(when.day))
    page.get_by_label("Month", exact=True).fill(str(when.month))
    page.get_by_label("Year", exact=True).fill(str(when.year))
    page.get_by_label("Time", exact=True).fill("22:40")
    page.get_by_label("Incident reference (CAD or log number)").fill(reference)
    page.get_by_label("Street / highway").check()
    choose(page, "Were you single crewed?", "No")
    choose(page, "Age band (perceived)", "18 to 34 years")
    choose(page, "Gender (perceived)", "Female")
    choose(page, "Ethnicity (perceived)", "Mixed")
    choose(page, "Health condition", "None")
    choose(page, "The person's conduct", "Active resistance")
    page.get_by_label("Handcuffing – non-compliant", exact=True).check()
    choose(page, "Was ‘Handcuffing – non-compliant’ effective?", "Yes")
    choose(page, "Are you Taser (CED) trained?", "No")
    choose(page, "Were you carrying a Taser (CED)?", "No")
    page.get_by_label("Effect arrest").check()
    page.get_by_label("Alcohol").check()
    choose(page, "Were you injured?", "No")
    choose(page, "Were you injured by an intentional assault?", "No")
    choose(page, "How badly were you injured?", "None")
    choose(page, "Was the person injured?", "No")
    choose(page, "How badly was the person injured?", "None")
    choose(page, "Medical assistance for the person", "None")
    page.get_by_role("group", name="Outcome", exact=True).get_by_label("Arrested", exact=True).check()
    choose(page, "Were you wearing body-worn video?", "Yes")
    choose(page, "Was it recording?", "Yes")
    page.get_by_label("Footage reference").fill("BWV-4455")
    choose(page, "Did you view the footage before writing your account?", "No")
    page.get_by_role("textbox", name="Your account").fill("Resisted handcuffing on the street.")


def _submit(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    page.get_by_role("button", name="Submit report").click()
    expect(page.get_by_role("heading", name="Report saved on this phone")).to_be_visible()


def _card(page, reference: str):  # type: ignore[no-untyped-def]
    return page.locator("[data-outbox-list] .card").filter(has_text=reference)


def _record_offline(page, server: LiveServer, reference: str) -> None:  # type: ignore[no-untyped-def]
    """Open the form with a signal, lose it, record and submit: the report waits on the phone."""
    _open_device_form(page)
    page.context.set_offline(True)
    _fill_report(page, reference)
    _submit(page)
    expect(_card(page, reference)).to_contain_text("Waiting to send")
    expect(page.locator("[data-outbox-status]")).to_contain_text("1 waiting to send")
    assert server.count_reports(incident_reference=reference) == 0


def _expect_sent(page, server: LiveServer, reference: str) -> None:  # type: ignore[no-untyped-def]
    card = _card(page, reference)
    expect(card).to_contain_text("Sent", timeout=WAIT_MS)
    expect(card).to_contain_text("UOF-")
    assert server.count_reports(incident_reference=reference) == 1


def _user_id(page) -> int:  # type: ignore[no-untyped-def]
    return int(page.evaluate("fetch('/api/v1/session').then((r) => r.json()).then((b) => b.user.id)"))


# --- offline, then online -------------------------------------------------------------------------------------

def _deny_background_sync(context, origin: str) -> None:  # type: ignore[no-untyped-def]
    """This Chromium grants background sync by default. Granting a list of permissions denies every other one
    (CDP Browser.grantPermissions), as in a browser without it: register() rejects."""
    context.grant_permissions([], origin=origin)


def test_offline_submit_is_sent_once_when_the_signal_returns(browser, live_server):
    """Without the background-sync permission (register() rejects): the page's `online` event sends it."""
    context = _context(browser, live_server)
    page = context.new_page()
    reference = _reference()
    try:
        _deny_background_sync(context, live_server.url)
        login(page, live_server.officer)
        _open_device_form(page)
        _with_worker(page)
        assert page.evaluate("navigator.permissions.query({name: 'background-sync'}).then((p) => p.state)") == "denied"
        _record_offline(page, live_server, reference)
        assert page.evaluate("UofOutbox.requestSync()") is False
        assert page.evaluate("navigator.serviceWorker.ready.then((r) => r.sync.getTags())") == []
        context.set_offline(False)
        _expect_sent(page, live_server, reference)
        expect(page.locator("[data-outbox-status]")).to_have_text("")
        page.goto("/reports")
        expect(_card(page, reference)).to_contain_text("Sent")
        assert page.locator("main").inner_text().count(reference) == 2  # on this phone, and from the server
    finally:
        context.close()
    assert live_server.count_reports(incident_reference=reference) == 1


# The page's own `online` trigger, switched off so that only the service worker's sync event can send.
NO_ONLINE_TRIGGER = """
    const addEventListener = window.addEventListener;
    window.addEventListener = function (type) {
        return type === "online" ? undefined : addEventListener.apply(this, arguments);
    };
"""


def test_offline_submit_is_sent_by_background_sync(browser, live_server):
    """With the permission, the service worker's sync event sends it. (The page stays open: Playwright tells a
    running worker that the network is back, and Chromium fires the sync event then.)"""
    context = _context(browser, live_server)
    context.grant_permissions(["background-sync"], origin=live_server.url)
    context.add_init_script(NO_ONLINE_TRIGGER)
    page = context.new_page()
    reference = _reference()
    try:
        login(page, live_server.officer)
        _open_device_form(page)
        _with_worker(page)
        _record_offline(page, live_server, reference)
        tags = page.evaluate("navigator.serviceWorker.ready.then((r) => r.sync.getTags())")
        assert "uof-outbox" in tags
        context.set_offline(False)
        assert _wait_until(lambda: live_server.count_reports(incident_reference=reference) == 1, 30), \
            "the sync event did not send the report"
        _expect_sent(page, live_server, reference)  # the page hears it from the worker
        assert page.evaluate("navigator.serviceWorker.ready.then((r) => r.sync.getTags())") == []
    finally:
        context.close()


# --- the server goes away -------------------------------------------------------------------------------------

def test_the_server_stopped_while_sending_then_restarted(browser, own_server):
    server = own_server.live()
    context = _context(browser, server)
    page = context.new_page()
    reference = _reference()
    try:
        login(page, server.officer)
        _open_device_form(page)
        _fill_report(page, reference)
        own_server.stop()
        _submit(page)
        card = _card(page, reference)
        expect(card).to_contain_text("Waiting to send")
        expect(card).to_contain_text("Tries so far")
        expect(card).to_contain_text("No connection to the server.")
        own_server.start()
        page.get_by_role("button", name="Send now").click()
        _expect_sent(page, server, reference)
    finally:
        context.close()
    assert server.count_reports() == 1


def test_a_reply_lost_after_the_server_stored_the_report(browser, live_server):
    """The server commits, the connection drops before the reply: the retry gets the stored report back
    (200, same client_id), so there is still exactly one."""
    context = _context(browser, live_server, service_workers="block")
    stored: list[int] = []

    def drop_reply(route) -> None:  # type: ignore[no-untyped-def]
        if not stored:
            stored.append(route.fetch().status)
            route.abort("connectionreset")
        else:
            route.continue_()

    page = context.new_page()
    reference = _reference()
    try:
        login(page, live_server.officer)
        context.route("**/api/v1/reports", drop_reply)
        _open_device_form(page)
        _fill_report(page, reference)
        _submit(page)
        expect(_card(page, reference)).to_contain_text("Tries so far")
        assert stored == [201]
        assert live_server.count_reports(incident_reference=reference) == 1
        page.get_by_role("button", name="Send now").click()
        _expect_sent(page, live_server, reference)
    finally:
        context.close()


def test_only_a_reply_that_echoes_the_client_id_empties_the_outbox(browser, live_server):
    """Workbox's queue forgets a report on any reply; a login page (200 HTML), a redirect to it, someone
    else's JSON or a server error must all leave the report waiting, and nothing is dropped."""
    context = _context(browser, live_server, service_workers="block")
    other = json.dumps({"id": 1, "client_id": str(uuid.uuid4()), "status": "submitted", "url": "/reports/1"})
    bad_replies = [
        {"status": 200, "content_type": "text/html", "body": "<!doctype html><title>Log in</title>"},
        {"status": 302, "headers": {"Location": "/login"}, "body": ""},
        {"status": 201, "content_type": "application/json", "body": other},
        {"status": 503, "content_type": "text/html", "body": "Service Unavailable"},
    ]
    served: list[int] = []
    allowed: list[bool] = []

    def reply(route) -> None:  # type: ignore[no-untyped-def]
        if allowed:
            route.continue_()
            return
        served.append(len(served))
        route.fulfill(**bad_replies[min(len(served), len(bad_replies)) - 1])

    page = context.new_page()
    reference = _reference()
    try:
        login(page, live_server.officer)
        context.route("**/api/v1/reports", reply)
        _open_device_form(page)
        _fill_report(page, reference)
        _submit(page)
        send_now = page.get_by_role("button", name="Send now")
        for tries in range(2, len(bad_replies) + 1):
            assert _wait_until(lambda tries=tries: len(served) >= tries - 1, page=page)
            send_now.click()
        assert _wait_until(lambda: len(served) >= len(bad_replies), page=page)
        client_id = page.evaluate("UofOutbox.all().then((s) => s.outbox[0].client_id)")
        entry = page.evaluate("(id) => UofOutbox.getEntry(id)", client_id)
        assert entry["state"] == "waiting"
        assert entry["attempts"] >= len(bad_replies)
        assert entry["next_attempt_at"] > entry["last_attempt_at"]
        assert live_server.count_reports(incident_reference=reference) == 0
        allowed.append(True)
        send_now.click()
        _expect_sent(page, live_server, reference)
    finally:
        context.close()


# --- one sender at a time -------------------------------------------------------------------------------------

COUNT_POSTS = """
    window.__posts = 0;
    const original = window.fetch;
    window.fetch = function (input, init) {
        if (init && init.method === "POST" && String(input).endsWith("/api/v1/reports")) { window.__posts += 1; }
        return original.apply(this, arguments);
    };
"""
NO_WEB_LOCKS = "Object.defineProperty(Navigator.prototype, 'locks', {get: () => undefined});"
# Nobody is sending: no Web Lock held or asked for, no lease in IndexedDB.
IDLE = """async () => {
    if (navigator.locks) {
        const locks = await navigator.locks.query();
        return !locks.held.length && !locks.pending.length;
    }
    const lease = await UofOutbox.getMeta("lease");
    return !lease || lease.expires < Date.now();
}"""


@pytest.mark.parametrize("locking", ["web-locks", "indexeddb-lease"])
def test_two_pages_sending_the_same_entry_at_once_make_one_report(browser, live_server, locking):
    context = _context(browser, live_server, service_workers="block")
    context.add_init_script(COUNT_POSTS)
    if locking == "indexeddb-lease":
        context.add_init_script(NO_WEB_LOCKS)

    def slow_session(route) -> None:  # type: ignore[no-untyped-def]
        time.sleep(0.5)  # the first sender still holds the lock when the second one asks
        route.continue_()

    first = context.new_page()
    reference = _reference()
    try:
        login(first, live_server.officer)
        first.goto("/reports")
        second = context.new_page()
        second.goto("/reports")
        body = report_body(incident_reference=reference)
        user = _user_id(first)
        for page in (first, second):  # the pages' own flushes on load are over
            assert _wait_until(lambda page=page: page.evaluate(IDLE), 30)
        first.evaluate("([body, user]) => UofOutbox.queue({client_id: body.client_id, user_id: user, content: body})",
                       [body, user])
        context.route("**/api/v1/session", slow_session)
        # The second page asks a moment after the first, while the first waits for its session.
        second.evaluate("setTimeout(() => { window.__flush = UofOutbox.flush({trigger: 'send-now'}); }, 150)")
        first.evaluate("window.__flush = UofOutbox.flush({trigger: 'send-now'})")
        second.wait_for_function("window.__flush !== undefined")
        outcomes = [page.evaluate("window.__flush") for page in (first, second)]
        assert any(outcome.get("busy") for outcome in outcomes), outcomes
        assert sum(outcome.get("sent", 0) for outcome in outcomes) == 1, outcomes
        assert first.evaluate("window.__posts") + second.evaluate("window.__posts") == 1
        assert live_server.count_reports(client_id=body["client_id"]) == 1
        for page in (first, second):
            _expect_sent(page, live_server, reference)
    finally:
        context.close()


# --- the session -----------------------------------------------------------------------------------------------

def test_the_session_expired_while_offline(browser, live_server):
    """Offline, the session ends (cookie gone): back online it says to log in and keeps the report; after
    the login it arrives, once."""
    context = _context(browser, live_server)
    page = context.new_page()
    reference = _reference()
    try:
        login(page, live_server.officer)
        _record_offline(page, live_server, reference)
        context.clear_cookies()
        context.set_offline(False)
        status = page.locator("[data-outbox-status]")
        expect(status).to_contain_text("Log in to send 1 report", timeout=WAIT_MS)
        expect(_card(page, reference)).to_contain_text("Waiting to send")
        assert live_server.count_reports(incident_reference=reference) == 0
        page.goto("/login")
        expect(status).to_contain_text("Log in to send 1 report")
        login(page, live_server.officer)
        assert page.url.endswith("/reports")
        _expect_sent(page, live_server, reference)
    finally:
        context.close()
    assert live_server.count_reports(incident_reference=reference) == 1


def test_a_refused_csrf_token_is_fetched_again_once(browser, live_server):
    """A token past its lifetime gets 400 {"error": "csrf"}: a fresh one is fetched and the report sent."""
    context = _context(browser, live_server, service_workers="block")
    refused: list[str] = []

    def refuse_first(route) -> None:  # type: ignore[no-untyped-def]
        if not refused:
            refused.append(route.request.headers["x-csrftoken"])
            route.fulfill(status=400, content_type="application/json", body='{"error": "csrf"}')
        else:
            assert route.request.headers["x-csrftoken"]
            route.continue_()

    page = context.new_page()
    reference = _reference()
    try:
        login(page, live_server.officer)
        context.route("**/api/v1/reports", refuse_first)
        _open_device_form(page)
        _fill_report(page, reference)
        _submit(page)
        _expect_sent(page, live_server, reference)
        assert len(refused) == 1
    finally:
        context.close()


def test_a_second_officer_does_not_send_the_first_officers_reports(browser, live_server):
    context = _context(browser, live_server, service_workers="block")
    page = context.new_page()
    reference = _reference()
    status = page.locator("[data-outbox-status]")
    try:
        login(page, live_server.officer)
        # The server is out of reach for reports: the first officer's report waits on the phone.
        context.route("**/api/v1/reports", lambda route: route.abort("connectionrefused"))
        _open_device_form(page)
        _fill_report(page, reference)
        _submit(page)
        expect(_card(page, reference)).to_contain_text("Tries so far")

        # Logging out warns that the report stays on the phone.
        page.get_by_role("button", name="Log out").click()
        warning = page.get_by_role("dialog")
        expect(warning).to_contain_text("You have 1 report not sent yet")
        expect(warning).to_contain_text("sent after you next log in here")
        warning.get_by_role("button", name="Stay logged in").click()
        expect(warning).to_have_count(0)
        page.get_by_role("button", name="Log out").click()
        page.get_by_role("dialog").get_by_role("button", name="Log out anyway").click()
        page.wait_for_url("**/login")
        expect(status).to_contain_text("Log in to send 1 report")
        context.unroute("**/api/v1/reports")

        login(page, live_server.second_officer)
        expect(status).to_contain_text("1 report of another officer, sent when they log in", timeout=WAIT_MS)
        assert page.evaluate("UofOutbox.flush({trigger: 'send-now'})")["sent"] == 0
        assert live_server.count_reports(incident_reference=reference) == 0
        expect(_card(page, reference)).to_have_count(0)  # nor does it show them the report

        page.get_by_role("button", name="Log out").click()  # nothing of theirs waits: no warning
        page.wait_for_url("**/login")
        login(page, live_server.officer)
        page.get_by_role("button", name="Send now").click()
        _expect_sent(page, live_server, reference)
    finally:
        context.close()
    assert live_server.count_reports(incident_reference=reference) == 1


# --- the phone keeps everything ---------------------------------------------------------------------------------

def _saved(page) -> None:  # type: ignore[no-untyped-def]
    expect(page.locator("[data-device-saved]")).to_contain_text("Saved on this phone")


def test_a_draft_survives_a_reload_and_a_new_page(browser, live_server):
    context = _context(browser, live_server)
    page = context.new_page()
    reference = _reference()
    try:
        login(page, live_server.officer)
        _open_device_form(page)
        page.get_by_label("Incident reference (CAD or log number)").fill(reference)
        page.get_by_label("Street / highway").check()
        choose(page, "Age band (perceived)", "18 to 34 years")
        _saved(page)
        client_id = page.evaluate("new URLSearchParams(location.search).get('draft')")
        assert uuid.UUID(client_id).version == 4

        page.reload()
        page.locator("[data-device]").wait_for(state="visible")
        expect(page.get_by_label("Incident reference (CAD or log number)")).to_have_value(reference)
        expect(page.get_by_label("Street / highway")).to_be_checked()

        page.close()
        page = context.new_page()
        _open_device_form(page)  # no draft named: it carries on with the latest draft of this officer
        expect(page.locator("[data-device-notice]")).to_contain_text("You are continuing the draft")
        expect(page.get_by_label("Incident reference (CAD or log number)")).to_have_value(reference)
        expect(page.get_by_role("group", name="Age band (perceived)", exact=True)
               .get_by_label("18 to 34 years")).to_be_checked()
        assert page.evaluate("new URLSearchParams(location.search).get('draft')") == client_id

        page.goto("/reports")
        expect(_card(page, reference)).to_contain_text("Draft")
    finally:
        context.close()


def test_the_outbox_and_drafts_survive_a_browser_restart(browser, live_server, tmp_path: Path):
    profile = tmp_path / "profile"
    options = {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "viewport": PHONE, "is_mobile": True,
               "has_touch": True, "locale": "en-GB", "base_url": live_server.url}
    queued, drafted = _reference(), _reference()
    context = browser.browser_type.launch_persistent_context(profile, **options)
    try:
        page = context.new_page()
        login(page, live_server.officer)
        _record_offline(page, live_server, queued)
        page.get_by_role("button", name="Record another use of force").first.click()
        page.get_by_label("Incident reference (CAD or log number)").fill(drafted)
        _saved(page)
    finally:
        context.close()
    assert live_server.count_reports(incident_reference=queued) == 0

    context = browser.browser_type.launch_persistent_context(profile, **options)
    try:
        page = context.new_page()
        page.goto("/reports")  # still logged in: the session cookie outlives the browser
        assert page.url.endswith("/reports")
        _expect_sent(page, live_server, queued)
        expect(_card(page, drafted)).to_contain_text("Draft")
        _card(page, drafted).get_by_role("link", name="Continue").click()
        page.locator("[data-device]").wait_for(state="visible")
        expect(page.get_by_label("Incident reference (CAD or log number)")).to_have_value(drafted)
    finally:
        context.close()
    assert live_server.count_reports(incident_reference=queued) == 1


# --- the server says no -----------------------------------------------------------------------------------------

def test_a_report_refused_with_422_is_corrected_and_resent(browser, live_server):
    """A report the device could not know was wrong (here: crafted with the incident a year ahead) comes back
    with the server's messages; the officer corrects it on the phone and it is sent under the same client_id."""
    context = _context(browser, live_server)
    page = context.new_page()
    reference = _reference()
    future = (datetime.now(UTC) + timedelta(days=365)).replace(hour=21, minute=40, second=0, microsecond=0)
    body = report_body(incident_reference=reference, incident_at=future.strftime("%Y-%m-%dT%H:%M:%SZ"))
    try:
        login(page, live_server.officer)
        page.goto("/reports")
        page.evaluate("([body, user]) => UofOutbox.queue({client_id: body.client_id, user_id: user, content: body})",
                      [body, _user_id(page)])
        page.get_by_role("button", name="Send now").click()
        card = _card(page, reference)
        expect(card).to_contain_text("Needs attention", timeout=WAIT_MS)
        expect(card).to_contain_text("The incident cannot be in the future.")
        expect(page.locator("[data-outbox-status]")).to_contain_text("1 needs attention")
        assert live_server.count_reports(incident_reference=reference) == 0

        card.get_by_role("link", name="Correct it and send again").click()
        page.locator("[data-device]").wait_for(state="visible")
        summary = page.locator(".error-summary")
        expect(summary).to_contain_text("The server could not accept this report")
        expect(summary).to_contain_text("The incident cannot be in the future.")
        expect(page.locator(".form-group--error .field-error")).to_contain_text("The incident cannot be in the future.")
        summary.get_by_role("link", name="The incident cannot be in the future.").click()
        expect(page.get_by_label("Day", exact=True)).to_be_focused()
        yesterday = datetime.now(ZoneInfo("Europe/London")) - timedelta(days=1)
        page.get_by_label("Day", exact=True).fill(str(yesterday.day))
        page.get_by_label("Month", exact=True).fill(str(yesterday.month))
        page.get_by_label("Year", exact=True).fill(str(yesterday.year))
        _submit(page)
        _expect_sent(page, live_server, reference)
    finally:
        context.close()
    assert live_server.count_reports(client_id=body["client_id"]) == 1


# --- the form itself --------------------------------------------------------------------------------------------

def test_the_device_form_checks_answers_like_the_server(phone, live_server):
    page = phone
    problems: list[str] = []
    page.on("console", lambda message: problems.append(f"{message.text} {message.location['url']}")
            if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    login(page, live_server.officer)
    _open_device_form(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_label("Day", exact=True).fill("31")
    page.get_by_label("Month", exact=True).fill("2")
    page.get_by_label("Year", exact=True).fill("2026")
    page.get_by_label("Time", exact=True).fill("22:40")
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Enter a real date and time, for example 26 11 2026 and 22:40.")
    expect(summary).to_contain_text("Enter the incident reference (CAD or log number).")
    expect(summary).to_contain_text("Select at least one tactic you used.")
    assert page.title().startswith("Error: ")
    beside = page.locator(".form-group--error", has=page.get_by_label("Incident reference (CAD or log number)"))
    expect(beside.locator(".field-error")).to_have_text("Error: Enter the incident reference (CAD or log number).")
    # The questions for each tactic appear as it is ticked, with the duty to record it.
    question = page.get_by_role("group", name="Was ‘Ground restraint’ effective?")
    expect(question).to_be_hidden()
    page.get_by_label("Ground restraint").check()
    expect(question).to_be_visible()
    expect(page.locator("[data-policy-duty]")).to_contain_text("You must record this use of force")
    assert problems == []  # no script error, nothing blocked by the Content-Security-Policy


def test_the_tactics_follow_the_cached_policy(browser, live_server):
    """The page may be older than the policy: the form's configuration decides what is offered and tagged."""
    context = _context(browser, live_server, service_workers="block")
    page = context.new_page()
    try:
        login(page, live_server.officer)
        config = page.request.get("/api/v1/form").json()
        config["policy"] = Policy(99, DEROGATED, {"baton_drawn": EXCLUDED}).as_json()
        context.route("**/api/v1/form", lambda route: route.fulfill(status=200, content_type="application/json",
                                                                    body=json.dumps(config)))
        _open_device_form(page)
        expect(page.get_by_label("Baton – drawn")).to_be_hidden()
        expect(page.get_by_label("Baton – used")).to_be_visible()
        handcuffing = page.locator(".choice", has=page.locator("input[value=compliant_handcuffing]"))
        expect(handcuffing).to_contain_text("Not required by force policy")
        expect(page.locator("[data-policy-summary]")).to_contain_text("version 99 (derogated)")
    finally:
        context.close()


def test_without_javascript_the_device_page_offers_the_step_by_step_form(browser, live_server):
    context = _context(browser, live_server, java_script_enabled=False)
    page = context.new_page()
    try:
        login(page, live_server.officer)
        page.goto(DEVICE)
        page.get_by_role("link", name="Record with the step-by-step form").click()
        expect(page.get_by_role("button", name="Start now")).to_be_visible()
    finally:
        context.close()


def test_the_device_page_names_nobody(phone, live_server):
    """It is cached and may be opened by another officer: the name comes from the session, filled in here."""
    page = phone
    login(page, live_server.officer)
    html = page.request.get(DEVICE).text()
    assert "Alex Browser" not in html
    _open_device_form(page)
    expect(page.locator("footer [data-session-name]")).to_have_text("Logged in as Alex Browser (4321).")


# --- rules.js is the server's rules ------------------------------------------------------------------------------

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
NATIONAL_V1 = Policy(1, NATIONAL)
CUSTOM = Policy(7, DEROGATED, {"baton_drawn": EXCLUDED, "dog_bite": EXCLUDED})
AREAS = ["Birmingham", "Walsall"]


def _body(**overrides: Any) -> dict[str, Any]:
    return report_body(**{"incident_at": "2026-11-25T22:40:00Z", **overrides})


def _nested(key: str, **changes: Any) -> dict[str, Any]:
    data = _body()
    data[key] = {**data[key], **changes}
    return data


def _without(*keys: str) -> dict[str, Any]:
    data = _body()
    for key in keys:
        data.pop(key, None)
    return data


def _table() -> list[tuple[object, Policy]]:
    """Valid bodies and each class of invalid one (tests/domain/test_validation.py has the reasons)."""
    death = {"injured": True, "level": "death", "medical_assistance": "provided"}
    cases: list[object] = [
        _body(), _without("narrative", "impact_factors", "area"),
        _body(incident_at="2026-11-25T23:40:00.123456+01:00", incident_reference="  CAD-1  ",
              locations=["dwelling", "street_highway"], client_id="8E1B0F5C-2F6B-4C1A-9C5E-3C7E6F1A2B3C"),
        [], "report", 42, None, True, {}, _body(officer_name="PC Smith"),
        _body(client_id=""), _body(client_id="not-a-uuid"), _body(client_id=123), _without("client_id"),
        _body(client_id="{8e1b0f5c2f6b4c1a9c5e3c7e6f1a2b3c}"),
        _body(client_id="urn:uuid:8e1b0f5c-2f6b-4c1a-9c5e-3c7e6f1a2b3c"),
        _body(incident_at=None), _body(incident_at=""), _body(incident_at="2026-11-25T22:40:00"),
        _body(incident_at="yesterday"), _body(incident_at=1764110400), _body(incident_at="2026-11-26T12:05:00Z"),
        _body(incident_at="2026-11-26T12:05:01Z"), _body(incident_at="2017-03-31T23:59:59Z"),
        _body(incident_at="2017-04-01T00:30:00+01:00"), _body(incident_at="2026-W48-3T22:40Z"),
        _body(incident_at="20261125T2240+0100"), _body(incident_at="2026-11-25 22:40,5-01"),
        _body(incident_at="0001-01-01T00:00+00:01"), _body(incident_at="2026-02-29T10:00Z"),
        _body(incident_reference=""), _body(incident_reference="C" * 41), _body(incident_reference=1234),
        _body(narrative="x" * 4001), _body(narrative="bell \x07"), _body(narrative="First.\r\n\tSecond."),
        _body(area="Atlantis"), _body(area="A" * 81), _body(area={"name": "x"}),
        _nested("bwv", reference="R" * 61), _nested("bwv", reference=88812), _nested("subject", extra=1),
        _body(locations=["dwelling", "dwelling"]), _body(outcomes=["made_up"]), _body(reasons=[None, 3]),
        _body(impact_factors="alcohol"), _body(locations=[]), _body(reasons=None), _without("outcomes"),
        _body(conduct="shouting"), _body(conduct=None), _nested("subject", ethnicity="chinese"),
        _nested("subject", gender=["male"]), _without("subject"), _body(subject="none"),
        _without("officer_injury", "subject_injury", "bwv"), _body(officer_injury=3),
        _body(single_crewed="no"), _body(ced_trained=1), _without("ced_carried"),
        _body(tactics=[]), _body(tactics={"code": "x"}), _body(tactics=["ground_restraint", None]),
        _body(tactics=[{"code": "water_cannon", "effective": True}]),
        _body(tactics=[{"code": "ground_restraint"}]),
        _body(tactics=[{"code": "ground_restraint", "effective": "yes"}]),
        _body(tactics=[{"code": "ground_restraint", "effective": True, "duration": 3}]),
        _body(tactics=[{"code": "ground_restraint", "effective": True},
                       {"code": "ground_restraint", "effective": False}]),
        _body(tactics=[{"code": "tactical_communication", "effective": True}]),
        _body(tactics=[{"code": "baton_drawn", "effective": False}]),
        _body(officer_injury={"injured": False, "intentional_assault": True, "level": "minor"}),
        _body(officer_injury={"injured": True, "intentional_assault": False, "level": "none"}),
        _body(subject_injury={"injured": False, "level": "severe", "medical_assistance": "none"}),
        _body(subject_injury=death, outcomes=["arrested"]), _body(outcomes=["fatality"]),
        _body(subject_injury=death, outcomes=["fatality"]), _body(outcomes=["arrested", "no_further_action"]),
        _body(tactics=[{"code": "ced_red_dot", "effective": True}], ced_carried=False, ced_trained=False),
        _body(ced_carried=True, ced_trained=False),
        _body(bwv={"worn": False, "recording": True, "reference": "BWV-1", "viewed_before_account": True}),
        _body(conduct="shouting", locations=[], ced_carried="yes", narrative="x" * 4001),
    ]
    table = [(case, NATIONAL_V1) for case in cases] + [(case, CUSTOM) for case in cases[:3] + cases[-12:]]
    # And a few hundred mixtures of the above, the same ones every run.
    chooser = random.Random(2026)  # noqa: S311 (a repeatable table, not a secret)
    values: list[object] = [None, "", True, 0, [], {}, "none", "death", "Atlantis", "\x00", "x" * 4001,
                            "2099-01-01T00:00Z", ["made_up"], [{"code": "ced_fired", "effective": True}],
                            ["street_highway"], "fatality"]
    for _ in range(300):
        data = _body()
        for _ in range(chooser.randint(1, 3)):
            key = chooser.choice([*data, "bogus"])
            if isinstance(data.get(key), dict) and chooser.random() < 0.6:
                data[key][chooser.choice([*data[key], "extra"])] = chooser.choice(values)
            else:
                data[key] = chooser.choice(values)
        table.append((data, chooser.choice([NATIONAL_V1, CUSTOM])))
    return table


def test_rules_js_agrees_with_the_server(phone, live_server):
    page = phone
    login(page, live_server.officer)
    page.goto("/reports")
    page.add_script_tag(url="/static/js/rules.js")
    assert page.evaluate("UofRules.CED_TACTICS") == [t.code for t in TACTICS.current if t.ced_rank]  # type: ignore[attr-defined]

    ordered = {name: vocabulary.labels() for name, vocabulary in ALL.items()}
    served = page.request.get("/api/v1/form").json()["vocabularies"]
    table = _table()
    inputs = [{"body": body, "policy": policy.as_json()} for body, policy in table]
    results = page.evaluate("""([inputs, ordered, served, areas, now]) => inputs.map(({body, policy}) => [
        UofRules.validateReport(body, {vocabularies: ordered, policy, areas, now}),
        UofRules.validateReport(body, {vocabularies: served, policy, areas, now}).errors,
    ])""", [inputs, ordered, served, AREAS, NOW.strftime("%Y-%m-%dT%H:%M:%SZ")])
    for (body, policy), (device, with_served) in zip(table, results, strict=True):
        server = validate_report(body, policy_for=lambda _when, p=policy: p, now=NOW, areas=AREAS)
        assert device["errors"] == server.errors, body
        assert with_served == server.errors, body
        if server.ok:
            assert device["content"] == server.content, body
    assert sum(1 for body, policy in table
               if validate_report(body, policy_for=lambda _w, p=policy: p, now=NOW, areas=AREAS).ok) >= 10
