"""Real processes against one database: two ``uof scheduler`` processes, two ``uof run-jobs`` at once, and a
scheduler killed mid-dispatch. None of them may duplicate an alert or lose one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from tests.alerts.conftest import alerts_in, submit
from tests.pushservice import FakePushService
from uof.extensions import db
from uof.models import Alert, JobRun, PushDelivery, PushSubscription, SchedulerLease, User
from uof.services import alert_rules, dispatch, push

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).with_name("flask"))
FAST_LEASE = ["--lease-seconds", "3", "--renew-seconds", "1"]


class Process:
    """A ``flask --app wsgi uof …`` subprocess whose stderr goes to a file the test can poll."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log, self.out = log, log.with_suffix(".out")
        with log.open("wb") as stderr, self.out.open("wb") as stdout:
            self.popen = subprocess.Popen([FLASK, "--app", "wsgi", "uof", *args], cwd=ROOT, env=env,
                                          stdout=stdout, stderr=stderr)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def output(self) -> str:
        return self.out.read_text(errors="replace")

    def wait_for(self, text: str, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.text():
            if self.popen.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{text!r} not logged; the log:\n{self.text()}")
            time.sleep(0.05)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
        return self.popen.wait(timeout)


@pytest.fixture
def env(app) -> dict[str, str]:
    """The app's own settings (the fixture put them in the environment), with push to the fake service on."""
    return os.environ | {"UOF_PUSH_ALLOWED_HOSTS": "127.0.0.1", "UOF_VAPID_SUBJECT": "mailto:test@example.org",
                         "UOF_INSTANCE_PATH": app.instance_path}


@pytest.fixture
def spawn(env, tmp_path) -> Iterator[Callable[..., Process]]:
    started: list[Process] = []

    def start(*args: str, name: str = "proc") -> Process:
        process = Process(list(args), env, tmp_path / f"{name}-{len(started)}.log")
        started.append(process)
        return process

    yield start
    for process in started:
        if process.popen.poll() is None:
            process.popen.kill()
            process.popen.wait(10)


def poll(predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def no_duplicates(app) -> None:
    conditions = Counter((a.recipient_id, a.rule, a.report_id, a.officer_id, a.severity) for a in alerts_in(app)
                         if a.kind != "digest")
    assert all(n == 1 for n in conditions.values()), conditions


def seed_work(app, force) -> None:
    """An overdue report, and an officer at the early-intervention warning level."""
    now = datetime.now(UTC)
    submit(app, force.outsider, now=now - timedelta(hours=80), incident_reference="CAD-OLD")
    for n in range(3):
        submit(app, force.officer, incident_at=now - timedelta(days=n + 1), incident_reference=f"CAD-{n}")


def test_two_schedulers_one_runs_the_other_takes_over(app, force, spawn):
    seed_work(app, force)
    first = spawn("scheduler", *FAST_LEASE, name="first")
    first.wait_for("holding the lease")
    second = spawn("scheduler", *FAST_LEASE, name="second")
    second.wait_for("waiting for the lease")
    poll(lambda: count(app, Alert, Alert.rule == "review_overdue") == 1
         and count(app, Alert, Alert.rule == "officer_report_count") == 1)
    first.wait_for("workflow: 1 alert(s) raised")
    time.sleep(1.5)  # the standby tries the lease at least once more meanwhile
    assert "holding the lease" not in second.text()
    assert "alert(s) raised" not in second.text()

    assert first.stop() == 0
    assert "lease released" in first.text()
    second.wait_for("holding the lease", timeout=5)
    second.wait_for("patterns: ")
    assert second.stop() == 0
    no_duplicates(app)
    assert count(app, Alert, Alert.rule == "review_overdue") == 1
    assert count(app, SchedulerLease) == 0


def test_a_standby_takes_over_a_lease_that_lapses(app, force, spawn):
    first = spawn("scheduler", *FAST_LEASE, name="first")
    first.wait_for("holding the lease")
    second = spawn("scheduler", *FAST_LEASE, name="second")
    second.wait_for("waiting for the lease")
    assert first.stop(signal.SIGKILL) == -signal.SIGKILL  # no clean release: the lease must lapse
    second.wait_for("holding the lease", timeout=8)
    seed_work(app, force)
    with app.app_context():
        lease = db.session.scalar(select(SchedulerLease))
        assert lease is not None
        assert str(second.popen.pid) in lease.holder
    assert second.stop() == 0


def test_two_run_jobs_at_once_alert_once(app, force, spawn):
    seed_work(app, force)
    when = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    runs = [spawn("run-jobs", "--now", when, name=f"run-{n}") for n in range(2)]
    assert [run.popen.wait(60) for run in runs] == [0, 0], [run.text() for run in runs]
    outputs = [run.output() for run in runs]
    assert sorted(line for out in outputs for line in out.splitlines() if line.startswith("workflow")) == [
        "workflow: 1", "workflow: already ran for this period"]
    no_duplicates(app)
    assert count(app, Alert, Alert.rule == "review_overdue") == 1
    assert count(app, JobRun, JobRun.job == "workflow") == 1


# The test process itself must not send the pushes its submissions queue: the scheduler does.
@pytest.mark.app_config(UOF_DISPATCH_AFTER_COMMIT=False)
def test_a_scheduler_killed_mid_dispatch_loses_nothing(app, force, spawn):
    with app.app_context():
        admin = db.session.get(User, force.admin.id)
        # Keep the supervisor's phone to the immediate alerts: no digest on it today.
        alert_rules.save("daily_team_digest", team_id=None, enabled=False, params={"hour": 7}, actor=admin)
        db.session.commit()
        key = push.public_key()
    with HoldingPushService(expected_public_key=key) as service:
        device = service.subscription()
        with app.app_context():
            db.session.add(PushSubscription(user_id=force.supervisor.id, endpoint=device["endpoint"],
                                            endpoint_hash=push.endpoint_hash(device["endpoint"]),
                                            p256dh=device["keys"]["p256dh"], auth=device["keys"]["auth"]))
            db.session.commit()
        submit(app, force.officer, "firearm_aimed", "baton_used", "spit_guard")
        alert_ids = [a.id for a in _alerts(app)]
        assert len(alert_ids) == 3
        assert count(app, PushDelivery) == 3

        service.delay = 2.0  # hold the first push in flight
        doomed = spawn("scheduler", *FAST_LEASE, name="doomed")
        assert service.arrived.wait(15), doomed.text()
        assert doomed.stop(signal.SIGKILL) == -signal.SIGKILL
        in_flight = _sending(app)
        service.wait_for(1)  # the push service still takes the one in flight
        service.delay = 0.0
        # The restart comes later than a send can take, so the dead process's claim has gone stale.
        with app.app_context():
            stale = datetime.now(UTC) - dispatch.STALE_CLAIM - timedelta(seconds=1)
            db.session.execute(update(PushDelivery).where(PushDelivery.status == "sending").values(claimed_at=stale))
            db.session.commit()

        restarted = spawn("scheduler", *FAST_LEASE, name="restarted")
        restarted.wait_for("holding the lease", timeout=8)  # once the dead holder's lease lapsed
        service.wait_for(4)
        assert restarted.stop() == 0
        topics = Counter(message.headers["topic"] for message in service.received)
    assert topics == Counter({f"a{alert_id}": 2 if alert_id == in_flight else 1 for alert_id in alert_ids})
    assert [a.id for a in _alerts(app)] == alert_ids
    assert count(app, PushDelivery, PushDelivery.status == "sent") == 3


class HoldingPushService(FakePushService):
    """The fake push service, telling the test when a push it holds (``delay``) has arrived."""

    def __init__(self, expected_public_key: str | None = None) -> None:
        self.arrived = threading.Event()
        self._delay = 0.0
        super().__init__(expected_public_key)

    @property  # type: ignore[override]
    def delay(self) -> float:
        # Read by the request handler once the push's body is in.
        if self._delay:
            self.arrived.set()
        return self._delay

    @delay.setter
    def delay(self, seconds: float) -> None:
        self._delay = seconds


def _alerts(app):
    with app.app_context():
        return db.session.scalars(select(Alert).order_by(Alert.id)).all()


def _sending(app) -> int:
    with app.app_context():
        return db.session.scalars(select(PushDelivery.alert_id).where(PushDelivery.status == "sending")).one()
