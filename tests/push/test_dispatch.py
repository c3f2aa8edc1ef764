"""Sending alerts to devices: verified by the fake push service (VAPID, encryption), with the retry policy.

The after-commit thread is off here (``UOF_DISPATCH_AFTER_COMMIT=False``) so that each test drives
``dispatch.run_due`` itself; tests/push/test_after_commit.py covers the thread.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from sqlalchemy import select, update

from tests.push.conftest import alert_state, deliveries, raise_alert, register, run_due, subscription_count
from tests.pushservice import FakePushService
from uof.domain.alert_kinds import CRITICAL, DIGEST, INFO, PATTERN, WARNING, WORKFLOW
from uof.extensions import db
from uof.models import AuditEvent, PushDelivery, User
from uof.services import dispatch, push

pytestmark = pytest.mark.app_config(UOF_DISPATCH_AFTER_COMMIT=False)


def test_a_critical_alert_reaches_the_device_verified_and_decrypted(app, push_service, sergeant):
    subscription = push_service.subscription()
    register(app, sergeant, subscription)
    alert_id = raise_alert(app, sergeant, severity=CRITICAL)
    assert alert_state(app, alert_id)[0] == "pending"

    summary = run_due(app)

    assert (summary.sent, summary.failed, summary.retrying) == (1, 0, 0)
    [message] = push_service.wait_for(1)
    assert push_service.rejected == []
    assert message.payload == {"type": "immediate", "title": push.title_for("immediate", CRITICAL),
                               "url": f"/alerts/{alert_id}"}
    assert message.claims["aud"] == push_service.origin
    assert message.claims["sub"] == "mailto:uof-development@example.invalid"
    assert time.time() < message.claims["exp"] <= time.time() + 24 * 3600
    assert int(message.headers["ttl"]) == 12 * 3600
    assert message.headers["urgency"] == "high"
    assert message.headers["topic"] == f"a{alert_id}"
    assert message.headers["content-encoding"] == "aes128gcm"
    [state] = deliveries(app, alert_id)
    assert (state.status, state.attempts, state.last_status, state.claimed_by) == ("sent", 1, 201, None)
    assert state.sent_at is not None
    assert alert_state(app, alert_id) == ("sent", 1, None)
    with app.app_context():
        device = db.session.scalars(select(push.PushSubscription)).one()
        assert device.last_success_at is not None
    # Nothing is due any more.
    assert not run_due(app)


@pytest.mark.parametrize(("severity", "urgency", "hours"), [
    (CRITICAL, "high", 12), (WARNING, "normal", 24), (INFO, "low", 12),
])
def test_urgency_and_time_to_live_follow_the_severity(app, push_service, sergeant, severity, urgency, hours):
    register(app, sergeant, push_service.subscription())
    raise_alert(app, sergeant, kind=PATTERN, severity=severity)
    run_due(app)
    [message] = push_service.wait_for(1)
    assert message.headers["urgency"] == urgency
    assert int(message.headers["ttl"]) == hours * 3600


def test_each_send_gets_fresh_claims_for_its_own_push_service(app, push_service, sergeant):
    with FakePushService(expected_public_key=push_service.expected_public_key) as second:
        register(app, sergeant, push_service.subscription())
        register(app, sergeant, second.subscription())
        raise_alert(app, sergeant)
        raise_alert(app, sergeant)
        assert run_due(app).sent == 4
        first_messages = push_service.wait_for(2)
        second_messages = second.wait_for(2)
    assert push_service.rejected == second.rejected == []
    assert {m.claims["aud"] for m in first_messages} == {push_service.origin}
    assert {m.claims["aud"] for m in second_messages} == {second.origin}
    assert push_service.origin != second.origin


def test_the_payload_carries_no_personal_data(app, make, push_service, sergeant):
    officer = make.user("pc.lewis@example.org", "officer", teams=("Birmingham Central A",), force_number="8812",
                        name="Jordan Lewis")
    report_id = make.report(officer, incident_reference="CAD-9911-02JAN27", area="Birmingham",
                            narrative="Struck with a baton outside the Red Lion on Park Street.")
    reference = f"UOF-{report_id:06d}"
    # Registered after the submission, so that only the alert below is sent to it.
    register(app, sergeant, push_service.subscription())
    detail = {"officer": "Jordan Lewis", "force_number": "8812", "report": reference,
              "incident_reference": "CAD-9911-02JAN27", "area": "Birmingham", "injury": "severe",
              "narrative": "Struck with a baton outside the Red Lion on Park Street."}
    alert_id = raise_alert(app, sergeant, severity=CRITICAL, report_id=report_id, officer=officer, detail=detail,
                           title=f"Jordan Lewis (8812): {reference} CAD-9911-02JAN27 in Birmingham, severe injury")
    run_due(app)
    [message] = push_service.wait_for(1)
    assert message.payload["url"] == f"/alerts/{alert_id}"
    assert set(message.payload) == {"type", "title", "url"}
    assert len(message.plaintext) <= 3000
    # What a push service or a lock screen sees: the decrypted text and the unencrypted headers.
    exposed = " ".join([message.payload["type"], message.payload["title"],
                        *(message.headers[name] for name in ("topic", "urgency", "ttl"))])
    for value in [*detail.values(), "Jordan", "Lewis", "8812", reference, "CAD-9911", "Birmingham", "Park Street",
                  "pc.lewis", "severe", "Taser"]:
        assert value.lower() not in exposed.lower(), value


@pytest.mark.parametrize("kind", ["immediate", "pattern", "workflow", "digest", "test"])
@pytest.mark.parametrize("severity", [CRITICAL, WARNING, INFO])
def test_every_payload_is_small_and_the_same_length(app, sergeant, kind, severity):
    with app.app_context():
        alert = push.Alert(id=2_147_483_647, kind=kind, severity=severity, title="x" * 200)
        body = push.payload_for(alert)
    assert len(body) == push.PAYLOAD_PADDED <= 3000
    assert body.decode().rstrip().endswith('"url":"/alerts/2147483647"}')


@pytest.mark.parametrize("status", [404, 410])
def test_a_gone_subscription_is_deleted_with_its_other_pending_deliveries(app, push_service, sergeant, status):
    subscription = push_service.subscription()
    register(app, sergeant, subscription)
    other = push_service.subscription()
    register(app, sergeant, other)
    first = raise_alert(app, sergeant)
    second = raise_alert(app, sergeant)
    with app.app_context():
        # Only the first alert's delivery to the first device is due now; the rest wait.
        db.session.execute(update(PushDelivery).where(PushDelivery.id != 1)
                           .values(next_attempt_at=datetime.now(UTC) + timedelta(minutes=5)))
        db.session.commit()
    push_service.fail_next(status)

    summary = run_due(app)

    assert summary.gone == 1
    assert subscription_count(app) == 1
    assert [d.status for d in deliveries(app, first)] == ["gone", "pending"]
    assert [d.status for d in deliveries(app, second)] == ["gone", "pending"]
    assert alert_state(app, first)[0] == "pending"
    with app.app_context():
        pruned = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "push.prune")).one()
        assert pruned.actor_id is None
        assert subscription["endpoint"] not in str(pruned.detail)
    # The other device still gets both, later.
    summary = run_due(app, datetime.now(UTC) + timedelta(minutes=6))
    assert summary.sent == 2
    assert alert_state(app, first)[0] == alert_state(app, second)[0] == "sent"


def test_every_device_gone_leaves_the_alert_failed_in_the_inbox(app, push_service, sergeant):
    subscription = push_service.subscription()
    register(app, sergeant, subscription)
    push_service.expire(subscription)
    alert_id = raise_alert(app, sergeant)
    assert run_due(app).gone == 1
    assert alert_state(app, alert_id)[0] == "failed"
    assert subscription_count(app) == 0


def test_429_is_retried_when_retry_after_says(app, push_service, sergeant):
    register(app, sergeant, push_service.subscription())
    alert_id = raise_alert(app, sergeant)
    now = datetime.now(UTC)
    push_service.fail_next(429, headers={"Retry-After": "120"})

    assert run_due(app, now).retrying == 1
    [state] = deliveries(app, alert_id)
    assert (state.status, state.last_status) == ("pending", 429)
    assert state.next_attempt_at == pytest.approx(now + timedelta(seconds=120), abs=timedelta(seconds=1))
    assert alert_state(app, alert_id)[0] == "pending"
    assert not run_due(app, now + timedelta(seconds=119))
    assert run_due(app, now + timedelta(seconds=121)).sent == 1
    assert alert_state(app, alert_id)[:2] == ("sent", 2)
    assert len(push_service.received) == 1


def test_retry_after_as_an_http_date(app, push_service, sergeant):
    register(app, sergeant, push_service.subscription())
    alert_id = raise_alert(app, sergeant)
    now = (datetime.now(UTC) + timedelta(seconds=1)).replace(microsecond=0)  # HTTP dates have whole seconds
    push_service.fail_next(429, headers={"Retry-After": format_datetime(now + timedelta(minutes=10), usegmt=True)})
    run_due(app, now)
    [state] = deliveries(app, alert_id)
    assert state.next_attempt_at == now + timedelta(minutes=10)


def test_server_errors_back_off_exponentially_then_succeed(app, push_service, sergeant):
    register(app, sergeant, push_service.subscription())
    alert_id = raise_alert(app, sergeant)
    now = datetime.now(UTC)
    push_service.fail_next(500, count=3)
    waits = []
    for _ in range(3):
        assert run_due(app, now).retrying == 1
        [state] = deliveries(app, alert_id)
        waits.append(state.next_attempt_at - now)
        now = state.next_attempt_at
    assert [round(w.total_seconds()) for w in waits] == [30, 60, 120]
    assert run_due(app, now).sent == 1
    assert alert_state(app, alert_id)[:2] == ("sent", 4)


def test_backoff_is_capped_at_an_hour_and_stops_at_the_time_to_live(app, sergeant):
    expires = datetime.now(UTC) + timedelta(hours=12)
    now = datetime.now(UTC)
    busy = push.Result(503, error="503 from the push service")
    assert dispatch.judge(busy, now, expires, attempts=1)[1] == now + timedelta(seconds=30)
    assert dispatch.judge(busy, now, expires, attempts=12)[1] == now + timedelta(hours=1)
    late = expires - timedelta(seconds=10)
    outcome, retry_at, error = dispatch.judge(busy, late, expires, attempts=5)
    assert (outcome, retry_at) == ("failed", None)
    assert "time to live" in error
    unreachable = push.Result(None, error="Could not reach the push service: ConnectionError", unreachable=True)
    assert dispatch.judge(unreachable, now, expires, attempts=1)[0] == "pending"
    assert dispatch.judge(push.Result(429, retry_after="garbage"), now, expires, attempts=2)[1] == (
        now + timedelta(seconds=60))


def test_an_unreachable_push_service_is_retried(app, push_service, sergeant):
    subscription = push_service.subscription()
    register(app, sergeant, subscription)
    alert_id = raise_alert(app, sergeant)
    push_service.stop()
    assert run_due(app).retrying == 1
    [state] = deliveries(app, alert_id)
    assert state.status == "pending"
    assert "Could not reach" in state.last_error
    assert subscription["endpoint"] not in state.last_error


@pytest.mark.parametrize("status", [400, 401, 413])
def test_a_refusal_is_recorded_and_not_retried(app, push_service, sergeant, status):
    register(app, sergeant, push_service.subscription())
    alert_id = raise_alert(app, sergeant)
    push_service.fail_next(status)
    assert run_due(app).failed == 1
    [state] = deliveries(app, alert_id)
    assert (state.status, state.last_status) == ("failed", status)
    assert str(status) in state.last_error
    status_now, attempts, last_error = alert_state(app, alert_id)
    assert (status_now, attempts) == ("failed", 1)
    assert str(status) in last_error
    assert not run_due(app, datetime.now(UTC) + timedelta(hours=2))
    assert push_service.received == []
    assert subscription_count(app) == 1


def test_a_403_removes_the_device_and_says_why(app, push_service, sergeant, caplog):
    """A subscription made with another VAPID key (before a rotation, say) is refused for good: pruned like a
    404/410, with the reason on the delivery, so that the device is asked to enable alerts again."""
    subscription = push_service.subscription()
    register(app, sergeant, subscription)
    other = push_service.subscription()
    register(app, sergeant, other)
    first = raise_alert(app, sergeant)
    second = raise_alert(app, sergeant)
    with app.app_context():
        # Only the first alert's delivery to the first device is due now.
        db.session.execute(update(PushDelivery).where(PushDelivery.id != 1)
                           .values(next_attempt_at=datetime.now(UTC) + timedelta(minutes=5)))
        db.session.commit()
    push_service.fail_next(403)

    with caplog.at_level("WARNING", logger="uof.dispatch"):
        summary = run_due(app)

    assert (summary.gone, summary.failed) == (1, 0)
    assert subscription_count(app) == 1
    [state, waiting] = deliveries(app, first)
    assert (state.status, state.last_status) == ("gone", 403)
    assert "403" in state.last_error
    assert "another VAPID key" in state.last_error
    assert "enable alerts again" in state.last_error
    assert subscription["endpoint"] not in state.last_error
    assert waiting.status == "pending"
    # The device's other waiting delivery went with it.
    assert [d.status for d in deliveries(app, second)] == ["gone", "pending"]
    assert "403" in caplog.text
    assert subscription["endpoint"] not in caplog.text
    with app.app_context():
        pruned = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "push.prune")).one()
        assert pruned.detail["reason"] == "the push service answered 403"
    assert run_due(app, datetime.now(UTC) + timedelta(minutes=6)).sent == 2


def test_an_expired_alert_is_not_sent(app, push_service, sergeant):
    register(app, sergeant, push_service.subscription())
    alert_id = raise_alert(app, sergeant, severity=WARNING, now=datetime.now(UTC) - timedelta(hours=25))
    assert run_due(app).failed == 1
    assert push_service.received == []
    assert "time to live" in deliveries(app, alert_id)[0].last_error


def test_one_device_sent_and_one_failed_is_sent(app, push_service, sergeant):
    register(app, sergeant, push_service.subscription())
    register(app, sergeant, push_service.subscription())
    alert_id = raise_alert(app, sergeant, kind=WORKFLOW, severity=WARNING)
    push_service.fail_next(400)
    summary = run_due(app)
    assert (summary.sent, summary.failed) == (1, 1)
    assert sorted(d.status for d in deliveries(app, alert_id)) == ["failed", "sent"]
    assert alert_state(app, alert_id)[:2] == ("sent", 2)


def test_an_alert_for_someone_without_devices_stays_in_the_inbox(app, push_service, sergeant):
    alert_id = raise_alert(app, sergeant, kind=DIGEST, severity=INFO)
    assert alert_state(app, alert_id)[0] == "inbox"
    assert not run_due(app)


def test_a_stale_sending_claim_is_taken_over(app, push_service, sergeant):
    register(app, sergeant, push_service.subscription())
    alert_id = raise_alert(app, sergeant)
    now = datetime.now(UTC)
    with app.app_context():
        # A dispatcher claimed it a while ago and died mid-send.
        db.session.execute(update(PushDelivery).values(status="sending", claimed_at=now - timedelta(minutes=1),
                                                       claimed_by="dead-host:1:1", attempts=1))
        db.session.commit()
    assert not run_due(app, now)
    assert push_service.received == []
    with app.app_context():
        db.session.execute(update(PushDelivery).values(claimed_at=now - timedelta(minutes=2, seconds=1)))
        db.session.commit()
    assert run_due(app, now).sent == 1
    [state] = deliveries(app, alert_id)
    assert (state.status, state.attempts, state.claimed_by) == ("sent", 2, None)
    push_service.wait_for(1)


def test_concurrent_dispatchers_send_each_delivery_once(app, push_service, sergeant):
    for _ in range(3):
        register(app, sergeant, push_service.subscription())
    alert_ids = [raise_alert(app, sergeant) for _ in range(4)]
    push_service.delay = 0.05
    summaries: list[dispatch.Summary] = []
    errors: list[BaseException] = []

    def dispatcher() -> None:
        try:
            summaries.append(run_due(app))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=dispatcher) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(s.sent for s in summaries) == 12
    assert sum(s.errors for s in summaries) == 0
    received = push_service.wait_for(12)
    assert len(received) == 12 == len(push_service.attempts)
    assert len({(m.endpoint_id, m.payload["url"]) for m in received}) == 12
    for alert_id in alert_ids:
        assert alert_state(app, alert_id)[:2] == ("sent", 3)


def test_push_is_off_in_production_without_a_subject(app, push_service, sergeant):
    import dataclasses

    register(app, sergeant, push_service.subscription())
    alert_id = raise_alert(app, sergeant)
    settings = app.config["UOF_SETTINGS"]
    app.config["UOF_SETTINGS"] = dataclasses.replace(settings, env="production", vapid_subject=None)
    summary = run_due(app)
    assert summary.disabled
    assert "switched off" in str(summary)
    assert deliveries(app, alert_id)[0].status == "pending"
    app.config["UOF_SETTINGS"] = settings
    assert run_due(app).sent == 1


def test_a_device_moved_to_another_user_does_not_get_the_first_users_alerts(app, make, push_service, sergeant):
    subscription = push_service.subscription()
    register(app, sergeant, subscription)
    alert_id = raise_alert(app, sergeant)
    colleague = make.user("sgt.patel@example.org", "supervisor", teams=("Birmingham Central A",))
    register(app, colleague, subscription)
    assert [d.status for d in deliveries(app, alert_id)] == ["gone"]
    assert alert_state(app, alert_id)[0] == "failed"
    theirs = raise_alert(app, colleague)
    assert run_due(app).sent == 1
    [message] = push_service.wait_for(1)
    assert message.payload["url"] == f"/alerts/{theirs}"
    with app.app_context():
        assert db.session.get(User, colleague.id) is not None


def _push_off(app, reason):
    import dataclasses

    settings = app.config["UOF_SETTINGS"]
    changes = {"vapid_subject": None} if reason == "no subject" else {"vapid_subject": "mailto:ops@force.police.uk"}
    if reason == "no key":
        # The push_service fixture made one on demand, as development does; production would not have.
        (settings.instance_path / push.KEY_FILE).unlink()
        push._loaded.pop(str(settings.instance_path / push.KEY_FILE), None)
    app.config["UOF_SETTINGS"] = dataclasses.replace(settings, env="production", **changes)
    return settings


@pytest.mark.parametrize("reason", ["no subject", "no key"])
def test_an_alert_raised_while_push_is_off_is_for_the_inbox(app, push_service, sergeant, reason):
    register(app, sergeant, push_service.subscription())
    settings = _push_off(app, reason)
    alert_id = raise_alert(app, sergeant)
    # Not "pending" for ever: no delivery could ever go out.
    assert alert_state(app, alert_id)[0] == "inbox"
    assert deliveries(app, alert_id) == []
    assert run_due(app).disabled
    app.config["UOF_SETTINGS"] = settings
    assert not run_due(app)
    assert push_service.attempts == []
    assert alert_state(app, alert_id)[0] == "inbox"


def test_push_off_for_want_of_a_key_sends_nothing_and_makes_no_key(app, push_service, sergeant):
    register(app, sergeant, push_service.subscription())
    alert_id = raise_alert(app, sergeant)
    path = app.config["UOF_SETTINGS"].instance_path / push.KEY_FILE
    _push_off(app, "no key")
    summary = run_due(app)
    assert summary.disabled
    assert "switched off" in str(summary)
    with app.app_context():
        delivery = db.session.scalars(select(PushDelivery)).one()
        message = push.Message.of(delivery.subscription, delivery.alert)
        result = push.send(message)
    assert result.status is None
    assert "vapid-keys" in (result.error or "")
    assert not path.exists()
    assert deliveries(app, alert_id)[0].status == "pending"
    assert push_service.attempts == []
