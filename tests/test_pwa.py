"""The app shell's routes: the manifest, the service worker and the offline page; the shell's version; and
the compression of text responses."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import struct
from pathlib import Path

import brotli
import pytest

from tests.conftest import _app_for
from tests.factories import report_body
from tests.test_security import INLINE_HANDLER, INLINE_SCRIPT, check_headers
from uof.pwa import shell
from uof.security import CSP

STATIC = Path(__file__).resolve().parents[1] / "uof" / "static"
TEMPLATES = sorted((STATIC.parent / "templates" / "pwa").glob("*.html"))
INJECTED = re.compile(r"^self\.UOF_SHELL = (\{.*\});$", re.M)


def worker_config(script: str) -> dict:
    found = INJECTED.search(script)
    assert found, script[:300]
    return json.loads(found.group(1))


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    assert data[12:16] == b"IHDR", path
    return struct.unpack(">II", data[16:24])


def _fresh_client(client):
    return client.application.test_client()


@pytest.fixture
def officer(make, auth):
    make.team()
    make.user("pc.one@example.org", "officer", teams=("Birmingham Central A",))
    assert auth.login("pc.one@example.org").status_code == 303
    return auth


def test_the_worker_is_public_javascript_revalidated_every_time(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Content-Security-Policy"] == CSP
    check_headers(response)
    script = response.get_data(as_text=True)
    assert "importScripts(\"/static/js/outbox.js\")" in script
    assert script.endswith((STATIC / "js" / "sw.js").read_text())


def test_the_worker_knows_its_version_and_what_to_cache(app, client):
    config = worker_config(client.get("/sw.js").get_data(as_text=True))
    with app.app_context():
        from uof.pwa.routes import current_shell

        built = current_shell()
    assert config["version"] == built.version
    assert re.fullmatch(r"[0-9a-f]{16}", config["version"])
    assert config["cachePrefix"] == "uof-shell-"
    precache = config["precache"]
    for url in ("/static/css/app.css", "/static/js/form.js", "/static/js/register-sw.js", "/manifest.webmanifest",
                "/offline", "/static/icons/icon-192.png", "/static/icons/icon-512.png",
                "/static/icons/maskable-512.png", "/static/icons/apple-touch-icon.png"):
        assert url in precache, url
    # Every script is cached as soon as it exists (the recording scripts come and go with the form), but not
    # the worker's own source; nothing missing is ever listed.
    scripts = {f"/static/js/{path.name}" for path in (STATIC / "js").glob("*.js")} - {"/static/js/sw.js"}
    assert scripts <= set(precache)
    assert "/static/js/sw.js" not in precache
    assert all((STATIC / url.removeprefix("/static/")).is_file() for url in precache if url.startswith("/static/"))
    assert not [url for url in precache if url.startswith("/api/")]
    assert config["loginOnly"] == ["/api/v1/form", "/record/device"]
    assert config["offlinePage"] == "/offline"
    assert config["deviceForm"] == "/record/device"
    # Every precached URL answers an anonymous visitor, so that install cannot fail for want of a login.
    for url in precache:
        response = client.get(url)
        assert response.status_code == 200, url
        response.close()
    assert any(rule.rule == config["loginPage"] and rule.endpoint == "auth.login" for rule in app.url_map.iter_rules())


def test_the_manifest_makes_the_app_installable(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    assert response.headers["Cache-Control"] == "no-cache"
    check_headers(response)
    manifest = json.loads(response.get_data())
    assert manifest["name"] == "Use of force"
    assert manifest["short_name"] == "Use of force"
    assert manifest["start_url"] == "/reports"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#0b0c0c"
    assert manifest["background_color"] == "#ffffff"
    icons = {(icon["sizes"], icon["purpose"]): icon for icon in manifest["icons"]}
    assert set(icons) == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for (sizes, _), icon in icons.items():
        assert icon["type"] == "image/png"
        path = STATIC / icon["src"].removeprefix("/static/")
        width, height = png_size(path)
        assert f"{width}x{height}" == sizes, icon
        served = client.get(icon["src"])
        assert served.status_code == 200
        assert served.mimetype == "image/png"
        served.close()
    assert png_size(STATIC / "icons" / "apple-touch-icon.png") == (180, 180)


def test_the_offline_page_is_public_and_names_no_one(client, officer):
    anonymous = _fresh_client(client)
    for caller in (anonymous, officer.client):
        response = caller.get("/offline")
        assert response.status_code == 200
        assert response.mimetype == "text/html"
        assert response.headers["Cache-Control"] == "no-cache"
        check_headers(response)
        html = response.get_data(as_text=True)
        assert "<h1>You are offline</h1>" in html
        assert 'href="/record/device"' in html
        assert 'rel="manifest" href="/manifest.webmanifest"' in html
        assert "csrf-token" not in html
        assert "Logged in as" not in html
        assert not INLINE_SCRIPT.search(html)
        assert not INLINE_HANDLER.search(html)
        assert 'style="' not in html
        assert "<style" not in html.lower()


def test_the_shell_needs_no_login_but_the_rest_still_does(client):
    for path in ("/sw.js", "/manifest.webmanifest", "/offline"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Location" not in response.headers
    assert client.get("/reports").status_code == 302
    assert client.get("/api/v1/form").status_code == 401


def test_a_logged_in_officer_gets_the_same_worker_and_manifest(client, officer):
    anonymous = _fresh_client(client).get("/sw.js").get_data()
    response = officer.client.get("/sw.js")
    assert response.get_data() == anonymous
    # Not the no-store of personal pages: the browser keeps the worker and checks it on each update.
    assert response.headers["Cache-Control"] == "no-cache"
    assert officer.client.get("/manifest.webmanifest").headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("path", ["/sw.js", "/manifest.webmanifest"])
def test_an_unchanged_worker_or_manifest_costs_a_304(client, path):
    first = client.get(path)
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.get_data() == b""


def test_the_version_changes_with_any_static_file_and_only_then(tmp_path):
    static = tmp_path / "static"
    shutil.copytree(STATIC, static)
    first = shell.build(static, "/static", TEMPLATES, salt="")
    assert shell.build(static, "/static", TEMPLATES, salt="").version == first.version

    css = static / "css" / "app.css"
    css.write_bytes(css.read_bytes() + b"\n")
    changed_css = shell.build(static, "/static", TEMPLATES, salt="")
    assert changed_css.version != first.version
    assert changed_css.cache_name == f"uof-shell-{changed_css.version}"
    assert f'"version": "{changed_css.version}"' in changed_css.worker.decode()

    icon = static / "icons" / "icon-192.png"
    icon.write_bytes(icon.read_bytes()[:-1] + b"\x00")
    changed_icon = shell.build(static, "/static", TEMPLATES, salt="")
    assert changed_icon.version not in (first.version, changed_css.version)

    (static / "js" / "device-form.js").write_text("/* new */\n")
    added = shell.build(static, "/static", TEMPLATES, salt="")
    assert added.version != changed_icon.version
    assert "/static/js/device-form.js" in added.precache

    assert shell.build(static, "/static", TEMPLATES, salt="release 2").version != added.version


def test_the_version_covers_the_offline_page_and_the_worker_source(tmp_path):
    static = tmp_path / "static"
    shutil.copytree(STATIC, static)
    page = tmp_path / "offline.html"
    page.write_text("<p>one</p>")
    first = shell.build(static, "/static", [page], salt="")
    page.write_text("<p>two</p>")
    assert shell.build(static, "/static", [page], salt="").version != first.version
    worker = static / "js" / "sw.js"
    worker.write_text(worker.read_text() + "\n// changed\n")
    assert shell.build(static, "/static", [page], salt="").version != first.version


def test_the_salt_variable_gives_the_running_app_a_new_version(database_url, tmp_path, monkeypatch):
    plain = _app_for(database_url, tmp_path / "a", monkeypatch)
    monkeypatch.setenv(shell.SALT_VARIABLE, "next release")
    salted = _app_for(database_url, tmp_path / "b", monkeypatch)
    versions = [worker_config(each.test_client().get("/sw.js").get_data(as_text=True))["version"]
                for each in (plain, salted)]
    assert versions[0] != versions[1]
    for each in (plain, salted):
        with each.app_context():
            from uof.extensions import db

            db.engine.dispose()


ACCEPT = {"Accept-Encoding": "gzip"}


@pytest.mark.parametrize(("path", "mimetype"), [
    ("/login", "text/html"),
    ("/static/css/app.css", "text/css"),
    ("/static/js/form.js", "text/javascript"),
    ("/sw.js", "text/javascript"),
    ("/api/v1/openapi.json", "application/json"),
])
def test_text_is_sent_compressed_when_the_browser_accepts_it(client, path, mimetype):
    """Static files too, and their files are closed with the response (else a ResourceWarning fails this)."""
    plain = client.get(path)
    assert "Content-Encoding" not in plain.headers
    packed = client.get(path, headers=ACCEPT)
    assert packed.status_code == 200
    assert packed.mimetype == mimetype
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    body = gzip.decompress(packed.get_data())
    assert len(packed.get_data()) < len(body)
    if path != "/login":  # the login page carries a fresh CSRF token each time
        assert body == plain.get_data()
    brotli_packed = client.get(path, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert brotli_packed.headers["Content-Encoding"] == "br"
    assert len(brotli.decompress(brotli_packed.get_data())) == len(body)
    for response in (plain, packed, brotli_packed):
        response.close()


def test_compressed_json_api_calls_keep_working(client, officer):
    caller = officer.client
    session = caller.get("/api/v1/session", headers=ACCEPT)
    # Small answers are left as they are: compressing them would cost more than it saves.
    token = json.loads(gzip.decompress(session.get_data()) if "Content-Encoding" in session.headers
                       else session.get_data())["csrf_token"]
    form = caller.get("/api/v1/form", headers=ACCEPT)
    assert form.headers["Content-Encoding"] == "gzip"
    assert "policy" in json.loads(gzip.decompress(form.get_data()))

    body = report_body()
    created = caller.post("/api/v1/reports", json=body, headers={**ACCEPT, "X-CSRFToken": token})
    assert created.status_code == 201
    raw = created.get_data()
    answer = json.loads(gzip.decompress(raw) if created.headers.get("Content-Encoding") == "gzip" else raw)
    assert answer["client_id"] == body["client_id"]

    refused = caller.post("/api/v1/reports", json=report_body(), headers={**ACCEPT, "X-CSRFToken": "stale"})
    assert refused.status_code == 400
    assert "Content-Encoding" not in refused.headers  # errors are not compressed
    assert refused.get_json()["error"] == "csrf"
