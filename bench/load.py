"""Load: simulated officers submitting reports at once through gunicorn, on PostgreSQL and on SQLite.

    .venv/bin/python bench/load.py                                   # both databases, 200 officers × 10 reports
    .venv/bin/python bench/load.py --backend sqlite --officers 50 --reports 4

Each run starts from an empty database (PostgreSQL: ``uof_load``, dropped and made again; SQLite: a file in a
temporary folder), seeds the officers (production password hashing), and serves ``wsgi:app`` with
``deploy/gunicorn.conf.py`` and four workers on a loopback port, with ``UOF_PROXY_HOPS=1`` so that each officer
comes from an address of their own, as behind the TLS proxy. Every officer logs in, then submits their reports one
after another, as phones do; all officers at once. A request that fails on the network (refused, reset, timed
out) or with 502/503 is sent again with the same ``client_id``, as the app's outbox does, at most 5 times.

It prints the submissions' latency (p50/p95/p99, first attempt to final answer), throughput, retries and errors,
then counts in the database: exactly officers × reports reports, no ``client_id`` twice. Bounded: loopback only,
a fixed number of requests, and ``--deadline`` seconds for the whole run. It exits 1 if the count is wrong or any
report ended in an error; it asserts no timing.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests
import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.submit_latency import _body, _percentile  # noqa: E402

PASSWORD = "load-password-2026"
POSTGRESQL = "postgresql+psycopg://postgres@127.0.0.1:5432/uof_load"
REDIS = "redis://127.0.0.1:6379/2"
RETRIES = 5
RETRIED_STATUSES = {502, 503, 504}
TIMEOUT = 30


@dataclass
class Outcome:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int | str] = field(default_factory=Counter)
    retries: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("postgresql", "sqlite"), action="append",
                        help="repeat for both (default: both)")
    parser.add_argument("--officers", type=int, default=200)
    parser.add_argument("--reports", type=int, default=10, help="reports per officer")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--deadline", type=float, default=600, help="seconds for each backend's whole run")
    args = parser.parse_args()
    failed = False
    for backend in args.backend or ["postgresql", "sqlite"]:
        failed |= not run(backend, args.officers, args.reports, args.workers, args.deadline)
    raise SystemExit(1 if failed else 0)


def run(backend: str, officers: int, reports: int, workers: int, deadline: float) -> bool:
    instance = Path(tempfile.mkdtemp(prefix="uof-load-"))
    url = POSTGRESQL if backend == "postgresql" else f"sqlite:///{instance / 'uof.sqlite3'}"
    env = server_env(url, instance)
    if backend == "postgresql":
        _fresh_postgresql(url)
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    started = time.perf_counter()
    emails = _seed(env, officers)
    print(f"== {backend}: {officers} officers × {reports} reports through gunicorn ({workers} workers) ==")
    print(f"seeded {officers} officers in {time.perf_counter() - started:.1f} s")
    outcome = Outcome()
    with Server(env, workers, instance / "server.log") as server:
        stop_at = time.monotonic() + deadline
        started = time.perf_counter()
        sessions = log_in_all(server.base, emails, PASSWORD, stop_at)
        login_seconds = time.perf_counter() - started
        started = time.perf_counter()
        submit_all(server.base, sessions, reports, outcome, stop_at)
        seconds = time.perf_counter() - started
    expected = officers * reports
    stored, distinct = count_reports(url)
    latencies = outcome.latencies_ms
    print(f"logins: {officers} in {login_seconds:.1f} s")
    if latencies:
        print(f"submission ms (first attempt to final answer): p50 {_percentile(latencies, 0.5):.0f}  "
              f"p95 {_percentile(latencies, 0.95):.0f}  p99 {_percentile(latencies, 0.99):.0f}  "
              f"max {max(latencies):.0f}")
    print(f"throughput: {len(latencies) / seconds:.0f} submissions/s ({len(latencies)} in {seconds:.1f} s)")
    print(f"answers: {dict(sorted(outcome.statuses.items(), key=str))}; retries: {outcome.retries}; "
          f"errors: {len(outcome.errors)}")
    for error in outcome.errors[:10]:
        print(f"  {error}")
    print(f"database: {stored} reports, {distinct} distinct client ids (expected {expected}, none twice)")
    ok = stored == distinct == expected and not outcome.errors
    print("OK" if ok else "FAILED")
    return ok


def server_env(url: str, instance: Path, **extra: str) -> dict[str, str]:
    """The environment of the served app: development only for its cookies, which plain HTTP on the loopback
    could not carry if Secure; the workers, the database, the shared rate-limit store and the proxy headers are
    as in production."""
    return {**os.environ, "UOF_ENV": "development", "UOF_DATABASE_URL": url, "UOF_INSTANCE_PATH": str(instance),
            "UOF_SECRET_KEY": "load-" + "k" * 40, "UOF_RATELIMIT_STORAGE_URL": REDIS, "UOF_PROXY_HOPS": "1",
            "UOF_VAPID_SUBJECT": "mailto:uof-load@example.invalid", **extra}


class Server:
    """``wsgi:app`` served by gunicorn with ``deploy/gunicorn.conf.py`` on a free loopback port, ready on entry."""

    def __init__(self, env: dict[str, str], workers: int, log: Path) -> None:
        self.env, self.workers, self.log = env, workers, log
        self.base = f"http://127.0.0.1:{_free_port()}"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 (this interpreter and fixed arguments)
                [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py", "--workers",
                 str(self.workers), "--bind", self.base.removeprefix("http://"), "wsgi:app"],
                cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=log)
        for _ in range(300):
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited before it was ready:\n{self.log.read_text()[-3000:]}")
            try:
                if requests.get(f"{self.base}/readyz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError("gunicorn was not ready in 30 s")

    def __exit__(self, *_exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def worker_pids(self) -> list[int]:
        """The master's worker processes, from /proc."""
        assert self.process is not None
        workers = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                workers.append(int(stat.parent.name))
        return workers


def _fresh_postgresql(url: str) -> None:
    target = make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def _seed(env: dict[str, str], officers: int) -> list[str]:
    """Officers in teams of ten, made through the app's own account service."""
    code = f"""
from wsgi import app
from uof.extensions import db
from uof.services import accounts
with app.app_context():
    for team in range(({officers} + 9) // 10):
        accounts.create_team(f"Load Team {{team + 1}}", "Birmingham")
    for index in range({officers}):
        accounts.create_user(email=f"load.{{index}}@example.org", name=f"Load Officer {{index}}", roles=["officer"],
                             password={PASSWORD!r}, teams=[f"Load Team {{index // 10 + 1}}"],
                             force_number=f"L{{index:05d}}")
    db.session.commit()
"""
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,  # noqa: S603 (our own code)
                   capture_output=True)
    return [f"load.{index}@example.org" for index in range(officers)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _address(index: int) -> str:
    return f"10.{index // 65536 % 256}.{index // 256 % 256}.{index % 256 + 1}"


def log_in_all(base: str, emails: list[str], password: str, stop_at: float) -> list[requests.Session]:
    """Every officer logged in at once, each from an address of their own."""
    with ThreadPoolExecutor(max_workers=len(emails)) as pool:
        return list(pool.map(lambda i: _log_in(base, emails[i], password, i, stop_at), range(len(emails))))


def _log_in(base: str, email: str, password: str, index: int, stop_at: float) -> requests.Session:
    session = requests.Session()
    session.headers["X-Forwarded-For"] = _address(index)
    page = _send(lambda: session.get(f"{base}/login", timeout=TIMEOUT), stop_at)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    if token is None:
        raise SystemExit(f"no CSRF token on the login page: {page.status_code}")
    answer = _send(lambda: session.post(f"{base}/login", data={"username": email, "password": password,
                                                               "csrf_token": token.group(1)},
                                        allow_redirects=False, timeout=TIMEOUT), stop_at)
    if answer.status_code not in (302, 303):
        raise SystemExit(f"{email} could not log in: {answer.status_code}")
    csrf = _send(lambda: session.get(f"{base}/api/v1/session", timeout=TIMEOUT), stop_at).json()["csrf_token"]
    session.headers["X-CSRFToken"] = csrf
    return session


def _send(call: Callable[[], requests.Response], stop_at: float) -> requests.Response:
    """One request, sent again on a network error until it is answered or the deadline passes."""
    while True:
        try:
            return call()
        except requests.ConnectionError:
            if time.monotonic() > stop_at:
                raise
            time.sleep(0.2)


def submit_all(base: str, sessions: list[requests.Session], reports: int, outcome: Outcome, stop_at: float) -> None:
    """Every officer submitting their reports one after another, all officers at once."""
    with ThreadPoolExecutor(max_workers=len(sessions)) as pool:
        list(pool.map(lambda i: _submit(base, sessions[i], i, reports, outcome, stop_at), range(len(sessions))))


def _submit(base: str, session: requests.Session, index: int, reports: int, outcome: Outcome,
            stop_at: float) -> None:
    for number in range(reports):
        body = _body(index * reports + number)
        body["client_id"] = str(uuid.uuid4())
        begin = time.perf_counter()
        answer: int | str = "not sent"
        retries = 0
        for attempt in range(RETRIES + 1):
            if time.monotonic() > stop_at:
                answer = "deadline"
                break
            try:
                response = session.post(f"{base}/api/v1/reports", json=body, timeout=TIMEOUT)
            except requests.RequestException as error:  # refused, reset, timed out: the outbox sends again
                answer = type(error).__name__
            else:
                answer = response.status_code
                if answer not in RETRIED_STATUSES:
                    break
            if attempt < RETRIES:
                retries += 1
                time.sleep(0.2 * 2 ** attempt)
        elapsed = (time.perf_counter() - begin) * 1000
        with outcome.lock:
            outcome.statuses[answer] += 1
            outcome.retries += retries
            if answer in (200, 201):
                outcome.latencies_ms.append(elapsed)
            else:
                outcome.errors.append(f"officer {index}, report {number}: {answer}")


def count_reports(url: str) -> tuple[int, int]:
    """The reports stored, and their distinct client ids."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        stored = connection.scalar(sa.text("SELECT count(*) FROM reports"))
        distinct = connection.scalar(sa.text("SELECT count(DISTINCT client_id) FROM reports"))
    engine.dispose()
    return int(stored or 0), int(distinct or 0)


if __name__ == "__main__":
    main()
