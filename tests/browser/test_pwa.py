"""The installable app shell in a real Chromium: installability, the shell offline, a new version taking
over without touching IndexedDB, and the shell's own routes.

These assume that layout.html links the manifest and loads /static/js/register-sw.js on every page."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, ServerProcess, login
from tests.factories import PASSWORD
from uof.pwa.shell import SALT_VARIABLE
from uof.security import CSP

DEVICE_FORM = "/record/device"
INJECTED_VERSION = re.compile(r'"version": "([0-9a-f]+)"')
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')

# Resolves once a worker is active and controls the page (clients.claim() may come just after "ready"); fails
# after 15 s rather than hang the suite.
CONTROLLED = """async () => {
    const controlled = (async () => {
        const registration = await navigator.serviceWorker.ready;
        if (!navigator.serviceWorker.controller) {
            await new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve));
        }
        return registration.active.scriptURL;
    })();
    const late = new Promise((_, reject) => setTimeout(() => reject(new Error("no service worker in 15 s")), 15000));
    return Promise.race([controlled, late]);
}"""

CACHED_URLS = """async () => {
    const found = {};
    for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        found[name] = (await cache.keys()).map((request) => new URL(request.url).pathname);
    }
    return found;
}"""


def _controlled(page) -> str:  # type: ignore[no-untyped-def]
    return str(page.evaluate(CONTROLLED))


def _wait_for(page, script: str, arg=None, timeout: float = 15.0):  # type: ignore[no-untyped-def]
    """Poll a page function until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(script, arg)
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def _has_device_form(page) -> bool:  # type: ignore[no-untyped-def]
    """The device form page comes with the outbox work; until it exists the offline page stands in."""
    return bool(page.request.get(DEVICE_FORM, max_redirects=0).status == 200)


def _version(page) -> str:  # type: ignore[no-untyped-def]
    found = INJECTED_VERSION.search(page.request.get("/sw.js").text())
    assert found
    return found.group(1)


def _log_in_over_http(request, username: str) -> None:  # type: ignore[no-untyped-def]
    """The login form's exchange without rendering a page. The browser suite logs in from one address more
    often than the login rate limit allows (10 a minute), so a 429 is waited out rather than failed."""
    for _ in range(4):
        token = CSRF_META.search(request.get("/login").text())
        assert token
        answer = request.post("/login", form={"username": username, "password": PASSWORD,
                                              "csrf_token": token.group(1)}, max_redirects=0)
        if answer.status in (302, 303):
            return
        assert answer.status == 429, answer.status
        time.sleep(int(answer.headers.get("retry-after", "10")) + 1)
    raise AssertionError("the login rate limit did not let the officer in")


@pytest.fixture(scope="module")
def officer_cookies(browser, live_server) -> list:  # type: ignore[no-untyped-def]
    """One login for the tests of this file, shared as cookies."""
    context = browser.new_context(base_url=live_server.url)
    _log_in_over_http(context.request, live_server.officer)
    cookies = context.cookies()
    context.close()
    return cookies


@pytest.fixture
def officer_phone(browser, live_server, officer_cookies):  # type: ignore[no-untyped-def]
    """A page in a fresh phone-sized context, the officer logged in."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB",
                                  base_url=live_server.url)
    context.add_cookies(officer_cookies)
    yield context.new_page()
    context.close()


LOGIN_ONLY_CACHED = """async (wanted) => {
    const cache = (await caches.keys()).find((name) => name.startsWith("uof-shell-"));
    if (!cache) return false;
    const open = await caches.open(cache);
    for (const url of wanted) { if (!(await open.match(url))) return false; }
    return true;
}"""


def _login_only(page) -> list[str]:  # type: ignore[no-untyped-def]
    return ["/api/v1/form", *([DEVICE_FORM] if _has_device_form(page) else [])]


def _with_worker(page) -> None:  # type: ignore[no-untyped-def]
    """Open a page, wait for the worker to control it and to have cached what needs a login."""
    page.goto("/reports")
    _controlled(page)
    assert _wait_for(page, LOGIN_ONLY_CACHED, _login_only(page)), page.evaluate(CACHED_URLS)


def test_the_layout_links_the_manifest_and_registers_the_worker(officer_phone, live_server):
    phone = officer_phone
    phone.goto("/reports")
    assert phone.locator('link[rel="manifest"]').get_attribute("href") == "/manifest.webmanifest"
    assert phone.locator('link[rel="apple-touch-icon"]').get_attribute("href") == "/static/icons/apple-touch-icon.png"
    assert phone.locator('script[src="/static/js/register-sw.js"]').count() == 1
    assert _controlled(phone).endswith("/sw.js")
    scope = phone.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.scope)")
    assert scope == f"{live_server.url}/"


def test_chromium_finds_the_app_installable(browser, live_server, officer_cookies, tmp_path):
    # A profile on disk: Chromium never offers to install from an incognito profile, which new_context() is.
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS, viewport=PHONE, is_mobile=True,
        has_touch=True, locale="en-GB", base_url=live_server.url)
    try:
        context.add_cookies(officer_cookies)
        page = context.pages[0] if context.pages else context.new_page()
        page.goto("/reports")
        _controlled(page)
        cdp = context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["url"] == f"{live_server.url}/manifest.webmanifest"
        assert manifest["errors"] == []
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert errors == [], errors
    finally:
        context.close()


def test_what_needs_a_login_is_cached_once_the_officer_logs_in(phone, live_server):
    """The worker installs on the login page, where the form and its configuration need a login it has not
    got; the first page it serves after the login fetches them."""
    page = phone
    page.goto("/login")
    _controlled(page)
    assert not page.evaluate(LOGIN_ONLY_CACHED, ["/api/v1/form"])
    # The login POST goes past the worker; the page after it is the first the worker serves logged in.
    _log_in_over_http(page.context.request, live_server.officer)
    page.goto("/reports")
    assert _wait_for(page, LOGIN_ONLY_CACHED, _login_only(page)), page.evaluate(CACHED_URLS)


def test_the_shell_opens_offline(officer_phone, live_server):
    page = officer_phone
    _with_worker(page)
    shell_page = DEVICE_FORM if _has_device_form(page) else "/offline"
    page.goto(shell_page)
    online_heading = page.locator("h1").first.inner_text()

    page.context.set_offline(True)
    from_worker: dict[str, bool] = {}
    page.on("response", lambda response: from_worker.__setitem__(response.url.removeprefix(live_server.url),
                                                                   response.from_service_worker))
    page.reload()
    assert page.locator("h1").first.inner_text() == online_heading
    assert from_worker[shell_page] is True
    assert from_worker["/static/css/app.css"] is True
    # The stylesheet applies: the header has the site's colour, not the browser's default.
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor") != \
        "rgba(0, 0, 0, 0)"

    # A recording page never visited falls back to the device form (or the offline page without one).
    page.goto("/record/2b0f5c1e-9d0a-4a53-8f4b-2f8f6f3f1f0a/incident")
    assert page.locator("h1").first.inner_text() == online_heading
    # Any other page, e.g. the start page of the installed app: the offline page, pointing to the form.
    page.goto("/reports")
    assert page.get_by_role("heading", name="You are offline").is_visible()
    assert page.get_by_role("link", name="Record a use of force").get_attribute("href") == DEVICE_FORM
    page.context.set_offline(False)


def test_personal_pages_and_api_answers_stay_out_of_the_cache(officer_phone):
    page = officer_phone
    _with_worker(page)
    page.goto("/record")
    page.evaluate("""async () => {
        await fetch("/api/v1/session");
        await fetch("/api/v1/reports?mine=1");
        const token = document.querySelector('meta[name="csrf-token"]').content;
        await fetch("/api/v1/reports", {method: "POST", headers: {"Content-Type": "application/json",
            "X-CSRFToken": token}, body: "{}"});
    }""")
    page.goto("/reports")
    shell_urls = {"/api/v1/form", DEVICE_FORM, "/manifest.webmanifest", "/offline"}
    for name, urls in page.evaluate(CACHED_URLS).items():
        assert name.startswith("uof-shell-")
        unexpected = [url for url in urls if url not in shell_urls and not url.startswith("/static/")]
        assert unexpected == [], (name, unexpected)

    # The form's configuration is fetched from the network while online, and from the cache when not.
    online = page.evaluate("fetch('/api/v1/form').then((r) => r.json())")
    page.context.set_offline(True)
    offline = page.evaluate("fetch('/api/v1/form').then((r) => r.json())")
    assert offline == online
    failed = page.evaluate("fetch('/api/v1/session').then(() => 'answered', () => 'failed')")
    assert failed == "failed"
    page.context.set_offline(False)


def test_the_shell_routes_over_http(phone, officer_phone):
    """As the browser gets them, with no login: types, caching headers, compression and the same CSP."""
    request = phone.request
    expected = {"/sw.js": "text/javascript; charset=utf-8", "/manifest.webmanifest": "application/manifest+json",
                "/offline": "text/html; charset=utf-8"}
    for path, content_type in expected.items():
        response = request.get(path, max_redirects=0, headers={"Accept-Encoding": "gzip, br"})
        assert response.status == 200, path
        headers = response.headers
        assert headers["content-type"] == content_type, path
        assert headers["cache-control"] == "no-cache", path
        assert headers["content-security-policy"] == CSP, path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers.get("content-encoding") in ("br", "gzip"), path
    assert "<script" not in request.get("/offline").text()

    violations: list[str] = []
    officer_phone.on("console", lambda message: violations.append(message.text)
                     if "Content Security Policy" in message.text else None)
    response = officer_phone.goto("/reports")
    assert response is not None
    assert response.headers["content-security-policy"] == CSP
    _controlled(officer_phone)
    officer_phone.goto("/offline")
    assert violations == []


def test_the_maskable_icon_keeps_its_design_inside_the_safe_zone(phone, live_server):
    """Outside the central circle of 80% of the width, the maskable icon is only its background."""
    phone.goto("/offline")
    outside = phone.evaluate("""async () => {
        const blob = await (await fetch("/static/icons/maskable-512.png")).blob();
        const bitmap = await createImageBitmap(blob);
        const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
        const context = canvas.getContext("2d");
        context.drawImage(bitmap, 0, 0);
        const pixels = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
        const centre = bitmap.width / 2, radius = bitmap.width * 0.4;
        const colours = new Set();
        for (let y = 0; y < bitmap.height; y += 1) {
            for (let x = 0; x < bitmap.width; x += 1) {
                if (Math.hypot(x + 0.5 - centre, y + 0.5 - centre) > radius) {
                    const i = (y * bitmap.width + x) * 4;
                    colours.add(Array.from(pixels.slice(i, i + 3)).join(","));
                }
            }
        }
        return [bitmap.width, bitmap.height, [...colours]];
    }""")
    assert outside == [512, 512, ["11,12,12"]]  # only #0b0c0c


@pytest.fixture
def restartable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server at a fixed origin, restarted with another shell salt: a new release."""
    server = ServerProcess(tmp_path_factory.mktemp("pwa-release"), workers=1)
    try:
        yield server
    finally:
        server.stop()


SENTINEL = """async () => {
    // A database of the test's own, standing in for the outbox: a new version must leave IndexedDB alone.
    const db = await new Promise((resolve, reject) => {
        const opening = indexedDB.open("uof-pwa-test", 1);
        opening.onupgradeneeded = () => opening.result.createObjectStore("outbox", {keyPath: "client_id"});
        opening.onsuccess = () => resolve(opening.result);
        opening.onerror = () => reject(opening.error);
    });
    await new Promise((resolve, reject) => {
        const transaction = db.transaction("outbox", "readwrite");
        transaction.objectStore("outbox").put({client_id: "0d2b8f8e-5d1c-4f0e-9a43-6c1f5e2f7a10", waiting: true});
        transaction.oncomplete = resolve;
        transaction.onerror = () => reject(transaction.error);
    });
    db.close();
    await (await caches.open("uof-shell-old")).put("/stale", new Response("stale"));
    await (await caches.open("not-ours")).put("/kept", new Response("kept"));
}"""

READ_SENTINEL = """async () => {
    const db = await new Promise((resolve, reject) => {
        const opening = indexedDB.open("uof-pwa-test");
        opening.onsuccess = () => resolve(opening.result);
        opening.onerror = () => reject(opening.error);
    });
    const entries = await new Promise((resolve, reject) => {
        const reading = db.transaction("outbox").objectStore("outbox").getAll();
        reading.onsuccess = () => resolve(reading.result);
        reading.onerror = () => reject(reading.error);
    });
    db.close();
    const databases = (await indexedDB.databases()).map((each) => each.name + "@" + each.version).sort();
    return {entries, databases};
}"""


def test_a_new_version_takes_over_and_leaves_indexeddb_alone(browser, restartable):
    restartable.start({SALT_VARIABLE: "release-1"})
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB",
                                  base_url=restartable.url)
    page = context.new_page()
    try:
        login(page, "4321")
        page.goto("/reports")
        first_script = _controlled(page)
        first = _version(page)
        assert _wait_for(page, "async (name) => (await caches.keys()).includes(name)", f"uof-shell-{first}")
        page.evaluate(SENTINEL)
        before = page.evaluate(READ_SENTINEL)
        assert before["entries"] == [{"client_id": "0d2b8f8e-5d1c-4f0e-9a43-6c1f5e2f7a10", "waiting": True}]

        restartable.stop()
        restartable.start({SALT_VARIABLE: "release-2"})
        second = _version(page)
        assert second != first
        page.evaluate("""() => {
            window.uofControllerChanged = false;
            navigator.serviceWorker.addEventListener("controllerchange", () => { window.uofControllerChanged = true; });
        }""")
        # The browser checks for a new worker on navigation; update() does the same at once.
        page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
        taken_over = _wait_for(page, """async (name) => {
            const names = await caches.keys();
            return names.includes(name) && !names.some((each) => each.startsWith("uof-shell-") && each !== name);
        }""", f"uof-shell-{second}")
        assert taken_over, page.evaluate("caches.keys()")
        names = set(page.evaluate("caches.keys()"))
        assert names == {f"uof-shell-{second}", "not-ours"}
        # The open page is controlled by the new worker without a reload (skipWaiting, then clients.claim).
        assert _wait_for(page, "() => window.uofControllerChanged")
        assert page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.waiting)") is None
        assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == first_script
        assert page.evaluate(READ_SENTINEL) == before
    finally:
        context.close()


# Stands in for outbox.js in the worker: each flush leaves a mark, in a cache the page can read.
OUTBOX_STUB = """
self.UofOutbox = {flush: function (options) {
  if (typeof WorkerGlobalScope === "undefined") { return Promise.resolve(); }
  return caches.open("flush-probe").then(function (cache) {
    return cache.put("/" + options.trigger + "/" + Date.now() + "-" + Math.random(), new Response(""));
  });
}};
"""

FLUSHES = """async () => {
    const cache = await caches.open("flush-probe");
    return (await cache.keys()).map((request) => new URL(request.url).pathname.split("/")[1]);
}"""


def test_the_worker_asks_the_outbox_to_send(browser, live_server, officer_cookies):
    """On start and activation, on a background sync and on a message: the sending itself is outbox.js's."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, base_url=live_server.url)
    context.grant_permissions(["background-sync"], origin=live_server.url)
    context.add_cookies(officer_cookies)
    context.route("**/static/js/outbox.js", lambda route: route.fulfill(
        status=200, content_type="text/javascript", body=OUTBOX_STUB))
    page = context.new_page()
    try:
        page.goto("/reports")
        _controlled(page)
        assert _wait_for(page, f"async () => ({FLUSHES})().then((t) => t.includes('worker-start'))")
        page.evaluate("navigator.serviceWorker.controller.postMessage({type: 'flush'})")
        assert _wait_for(page, f"async () => ({FLUSHES})().then((t) => t.includes('message'))")
        page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.sync.register('uof-outbox'))")
        assert _wait_for(page, f"async () => ({FLUSHES})().then((t) => t.includes('sync'))")
        assert set(page.evaluate(FLUSHES)) == {"worker-start", "message", "sync"}
    finally:
        context.close()


def test_the_worker_installs_when_the_outbox_fails_to_load(browser, live_server):
    """outbox.js throwing in the worker (or, before it existed, missing: then it is not precached) must not stop
    the shell installing and serving."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, base_url=live_server.url)
    context.route("**/static/js/outbox.js", lambda route: route.fulfill(
        status=200, content_type="text/javascript", body='throw new Error("outbox.js failed in this test");'))
    page = context.new_page()
    try:
        page.goto("/login")
        assert _controlled(page).endswith("/sw.js")
        assert page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.active.state)") == "activated"
        page.context.set_offline(True)
        page.goto("/reports")
        assert page.get_by_role("heading", name="You are offline").is_visible()
        page.context.set_offline(False)
    finally:
        context.close()
