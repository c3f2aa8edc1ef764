"""Bytes on the wire for the recording form's first load on a phone, as Chromium counts them.

    .venv/bin/python bench/first_load.py

The app runs under gunicorn on a free port, on a temporary SQLite database with one officer. The officer logs
in without loading any page (so nothing is cached), the browser's cache is cleared, and the form opens in a
390×844 phone viewport: /record/device when the app has it, else the first section of a new draft. Each
resource's transferred size is Chromium's encodedDataLength (compressed body plus headers, as DevTools'
"transferred"). The service worker then caches the app shell in the background; those requests are listed
apart, as they do not delay the form. The issue's target for the page is at most 60 KB. It prints figures and
asserts none.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-password-2026"
EMAIL = "bench@example.org"
PHONE = {"width": 390, "height": 844}
TARGET_BYTES = 60 * 1024
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@dataclass
class Resource:
    url: str
    kind: str = ""
    status: int = 0
    encoding: str = ""
    wire: int = 0
    decoded: int = 0
    finished: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _seed(instance: Path, database_url: str) -> None:
    os.environ.update(UOF_INSTANCE_PATH=str(instance), UOF_SECRET_KEY="bench-" + "z" * 40,
                      UOF_DATABASE_URL=database_url)
    from flask_migrate import upgrade

    from uof import create_app
    from uof.extensions import db
    from uof.services import accounts

    app = create_app({"RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        accounts.create_team("Bench Team", "Birmingham")
        accounts.create_user(email=EMAIL, name="Bench Officer", roles=["officer"], password=PASSWORD,
                             teams=["Bench Team"])
        db.session.commit()
        db.engine.dispose()


def _serve(instance: Path, database_url: str, port: int) -> subprocess.Popen[bytes]:
    env = os.environ | {"UOF_DATABASE_URL": database_url, "UOF_INSTANCE_PATH": str(instance),
                        "UOF_SECRET_KEY": "bench-" + "z" * 40, "UOF_ENV": "development"}
    log = (instance / "server.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2", "wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    for _ in range(150):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=1):
                return process
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"the server exited:\n{(instance / 'server.log').read_text()}") from None
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def _csrf(html: str) -> str:
    return html.split('name="csrf-token" content="')[1].split('"')[0]


def _form_url(page: Any) -> str:
    """Log in through HTTP only (no page is rendered, so nothing is cached) and choose the form's URL."""
    token = _csrf(page.request.get("/login").text())
    answer = page.request.post("/login", form={"username": EMAIL, "password": PASSWORD, "csrf_token": token},
                               max_redirects=0)
    if answer.status not in (302, 303):
        raise SystemExit(f"login failed: {answer.status}")
    if page.request.get("/record/device", max_redirects=0).status == 200:
        return "/record/device"
    token = _csrf(page.request.get("/reports").text())
    started = page.request.post("/record", form={"csrf_token": token}, max_redirects=0)
    return str(started.headers["location"]).split("#")[0]


def _table(title: str, resources: list[Resource], base: str) -> int:
    total = sum(each.wire for each in resources)
    decoded = sum(each.decoded for each in resources)
    known = any(each.decoded for each in resources)
    print(f"\n{title}")
    print(f"  {'status':>6}  {'type':<11} {'enc':<5} {'on wire':>9} {'decoded':>9}  url")
    for each in resources:
        shown = f"{each.decoded:>9,}" if known else f"{'-':>9}"
        print(f"  {each.status:>6}  {each.kind:<11} {each.encoding or '-':<5} {each.wire:>9,} {shown}  "
              f"{each.url.removeprefix(base)}")
    shown = f"{decoded:>9,}" if known else f"{'-':>9}"
    print(f"  {'':>6}  {'total':<11} {'':<5} {total:>9,} {shown}  ({len(resources)} requests)")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chromium", default=os.environ.get("UOF_CHROMIUM", "/usr/bin/chromium"))
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="uof-first-load-"))
    database_url = f"sqlite:///{instance / 'uof.sqlite3'}"
    _seed(instance, database_url)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(instance, database_url, port)
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB",
                                          base_url=base)
            page = context.new_page()
            url = _form_url(page)

            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.clearBrowserCache")
            page_resources: dict[str, Resource] = {}

            def sent(event: dict[str, Any]) -> None:
                page_resources.setdefault(event["requestId"], Resource(event["request"]["url"]))

            def received(event: dict[str, Any]) -> None:
                found = page_resources.setdefault(event["requestId"], Resource(event["response"]["url"]))
                response = event["response"]
                headers = {key.lower(): value for key, value in response.get("headers", {}).items()}
                found.kind, found.status = event.get("type", ""), int(response["status"])
                found.encoding = headers.get("content-encoding", "")

            def data(event: dict[str, Any]) -> None:
                if event["requestId"] in page_resources:
                    page_resources[event["requestId"]].decoded += int(event["dataLength"])

            def finished(event: dict[str, Any]) -> None:
                if event["requestId"] in page_resources:
                    page_resources[event["requestId"]].wire = int(event["encodedDataLength"])
                    page_resources[event["requestId"]].finished = True

            cdp.on("Network.requestWillBeSent", sent)
            cdp.on("Network.responseReceived", received)
            cdp.on("Network.dataReceived", data)
            cdp.on("Network.loadingFinished", finished)

            worker_resources: list[Resource] = []

            def worker_request(request: Any) -> None:
                if request.service_worker is None:
                    return
                sizes = request.sizes()
                response = request.response()
                worker_resources.append(Resource(
                    request.url, kind=request.resource_type, status=response.status if response else 0,
                    encoding=(response.headers.get("content-encoding", "") if response else ""),
                    wire=sizes["responseHeadersSize"] + sizes["responseBodySize"],
                ))

            context.on("requestfinished", worker_request)
            page.goto(url, wait_until="load")
            page.wait_for_load_state("networkidle")
            loaded = [each for each in page_resources.values() if each.finished]
            # The worker registers after "load" and caches the shell in the background: let it finish.
            page.evaluate("""() => 'serviceWorker' in navigator ? Promise.race([
                navigator.serviceWorker.ready, new Promise((resolve) => setTimeout(resolve, 10000))]) : null""")
            page.wait_for_load_state("networkidle")
            time.sleep(1)
            later = [each for each in page_resources.values() if each.finished and each not in loaded]

            print(f"First load of {url} on a {PHONE['width']}×{PHONE['height']} phone, browser cache empty")
            total = _table("The page (what the officer waits for):", loaded, base)
            if later:
                _table("Requested by the page after it loaded:", later, base)
            if worker_resources:
                # Playwright's request sizes (headers and encoded body); a 304 revalidation counts its headers.
                _table("Fetched by the service worker in the background, once per shell version:",
                       worker_resources, base)
            verdict = "within" if total <= TARGET_BYTES else "OVER"
            print(f"\nFirst load: {total:,} bytes = {total / 1024:.1f} KB transferred; target at most 60 KB: {verdict}")
            context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
