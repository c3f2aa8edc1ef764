"""Browser tests: the app in its own process on a free port, driven by Playwright in Debian's Chromium.

Chromium comes from Debian's package (a browser download is impossible here). Without it these tests are
skipped with a loud reason, except under CI=true where they fail.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import IN_CI, _app_for
from tests.factories import PASSWORD, make_team, make_user

CHROMIUM = os.environ.get("UOF_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
PHONE = {"width": 390, "height": 844}
# Flags that keep headless Chromium from reaching for Google's services on a closed network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@dataclass(frozen=True)
class LiveServer:
    url: str
    officer: str
    admin: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _seed(url: str, instance: Path) -> None:
    from flask_migrate import upgrade

    from uof.extensions import db

    app = _app_for(url, instance)
    with app.app_context():
        upgrade()
        make_team("Birmingham Central A", "Birmingham")
        make_user("pc.browser@example.org", "officer", teams=("Birmingham Central A",), force_number="4321",
                  name="Alex Browser")
        make_user("admin.browser@example.org", "admin", name="Ada Admin")
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """uof served by gunicorn in a subprocess, on SQLite, with an officer and an admin."""
    instance = tmp_path_factory.mktemp("browser-instance")
    url = f"sqlite:///{instance / 'uof.sqlite3'}"
    _seed(url, instance)
    port = _free_port()
    env = os.environ | {"UOF_DATABASE_URL": url, "UOF_INSTANCE_PATH": str(instance),
                        "UOF_SECRET_KEY": "browser-" + "y" * 40, "UOF_ENV": "development"}
    log_path = instance / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2", "wsgi:app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"{base}/login", timeout=1):  # noqa: S310 (loopback URL built here)
                    break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(f"the server exited:\n{log_path.read_text()}") from None
                time.sleep(0.1)
        yield LiveServer(base, officer="4321", admin="admin.browser@example.org")
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}: install Debian's chromium package (make test does)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def phone(browser, live_server):  # type: ignore[no-untyped-def]
    """A page in a fresh phone-sized context (390×844, touch)."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB",
                                  base_url=live_server.url)
    page = context.new_page()
    yield page
    context.close()


def login(page, username: str, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.get_by_label("Email or force number").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
