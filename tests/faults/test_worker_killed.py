"""A gunicorn worker killed with SIGKILL in the middle of officers' submissions: the requests it held fail on
the network, the officers' clients send them again with the same ``client_id`` (as the app's outbox does), and
every report ends up stored exactly once."""

from __future__ import annotations

import os
import signal
import threading
import time

from bench import load
from tests.factories import PASSWORD
from uof.extensions import db

OFFICERS = 8
REPORTS = 6


def _answered(outcome: load.Outcome) -> int:
    with outcome.lock:
        return sum(outcome.statuses.values())


def test_a_worker_killed_mid_submission_loses_nothing_and_stores_nothing_twice(app, make, database_url, tmp_path):
    make.team()
    emails = [make.user(f"pc.kill{index}@example.org", "officer", teams=("Birmingham Central A",)).email
              for index in range(OFFICERS)]
    with app.app_context():
        db.engine.dispose()
    env = load.server_env(database_url, tmp_path / "instance", UOF_RATELIMIT_STORAGE_URL="memory://")
    outcome = load.Outcome()
    deadline = time.monotonic() + 120
    with load.Server(env, workers=3, log=tmp_path / "server.log") as server:
        sessions = load.log_in_all(server.base, emails, PASSWORD, deadline)
        shift = threading.Thread(target=load.submit_all, args=(server.base, sessions, REPORTS, outcome, deadline))
        shift.start()
        killed = []
        for share in (0.25, 0.5):
            while _answered(outcome) < OFFICERS * REPORTS * share and shift.is_alive():
                time.sleep(0.005)
            victim = server.worker_pids()[0]
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)
        shift.join(timeout=120)
        assert not shift.is_alive()
        assert not set(killed) & set(server.worker_pids())  # the master replaced them
    assert outcome.errors == []
    assert outcome.retries >= 1  # the kills cut requests off, and the clients sent them again
    assert load.count_reports(database_url) == (OFFICERS * REPORTS, OFFICERS * REPORTS)
