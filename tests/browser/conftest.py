"""Browser tests: the app in its own process on a free port, driven by Playwright in Debian's Chromium.

Chromium comes from Debian's package (a browser download is impossible here). Without it these tests are
skipped with a loud reason, except under CI=true where they fail.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import closing
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
    # The SQLite file the server writes to, so that a test can count what reached it.
    database: str = ""
    # Another officer of the same team, for the shared phone.
    second_officer: str = ""

    def count_reports(self, **where: str) -> int:
        """Reports on the server, optionally only those with these column values (client_id=…)."""
        return count_reports(self.database, **where)


def count_reports(database: str, **where: str) -> int:
    clauses = " AND ".join(f"{column} = ?" for column in where) or "1 = 1"
    with closing(sqlite3.connect(database)) as connection:
        row = connection.execute(f"SELECT count(*) FROM reports WHERE {clauses}",  # noqa: S608 (column names are ours)
                                 tuple(where.values())).fetchone()
    return int(row[0])


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
        make_user("pc.second@example.org", "officer", teams=("Birmingham Central A",), force_number="8765",
                  name="Sam Second")
        make_user("admin.browser@example.org", "admin", name="Ada Admin")
        db.engine.dispose()


# The app as wsgi.py builds it, without the login rate limit: the browser tests log in dozens of times a
# minute from one address (tests/test_auth.py covers the limit itself).
APP = "uof:create_app({'RATELIMIT_ENABLED': False})"


class ServerProcess:
    """gunicorn serving uof in a subprocess on one port and one SQLite file, which can be stopped and started
    again at the same origin (the outbox tests take the server away in the middle of sending)."""

    def __init__(self, instance: Path, workers: int = 2) -> None:
        self.instance = instance
        self.path = instance / "uof.sqlite3"
        self.database = f"sqlite:///{self.path}"
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        _seed(self.database, instance)

    def start(self, extra_env: dict[str, str] | None = None) -> None:
        env = os.environ | {"UOF_DATABASE_URL": self.database, "UOF_INSTANCE_PATH": str(self.instance),
                            "UOF_SECRET_KEY": "browser-" + "y" * 40, "UOF_ENV": "development"} | (extra_env or {})
        self.starts += 1
        log_path = self.instance / f"server-{self.starts}.log"
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}", "--workers",
                 str(self.workers), APP],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"{self.url}/login", timeout=1):  # noqa: S310 (loopback URL built here)
                    return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"the server exited:\n{log_path.read_text()}") from None
                time.sleep(0.1)
        raise RuntimeError("the server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def live(self) -> LiveServer:
        return LiveServer(self.url, officer="4321", admin="admin.browser@example.org", database=str(self.path),
                          second_officer="8765")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """uof served by gunicorn in a subprocess, on SQLite, with two officers and an admin."""
    server = ServerProcess(tmp_path_factory.mktemp("browser-instance"))
    server.start()
    try:
        yield server.live()
    finally:
        server.stop()


@pytest.fixture
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server of the test's own, on its own database, that the test may stop and start again."""
    server = ServerProcess(tmp_path_factory.mktemp("own-server"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


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


def choose(page, question: str, answer: str, *, exact: bool = True) -> None:  # type: ignore[no-untyped-def]
    """Tick ``answer`` in the radio group whose legend is (or, with exact=False, contains) ``question``."""
    page.get_by_role("group", name=question, exact=exact).get_by_label(answer, exact=True).check()
