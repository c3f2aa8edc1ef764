"""uof.services.alerts as the inbox uses it: ordering, ownership, reading, acknowledging, the test alert."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tests.alerts_inbox.conftest import raise_for
from uof.domain.alert_kinds import TEST
from uof.extensions import db
from uof.models import Alert, AuditEvent, PushDelivery, PushSubscription, User
from uof.services import alerts

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def _user(person) -> User:  # type: ignore[no-untyped-def]
    user = db.session.get(User, person.id)
    assert user is not None
    return user


def _audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_the_inbox_lists_unacknowledged_first_then_newest_first(app, people):
    oldest = raise_for(app, people.supervisor, title="oldest", now=NOW - timedelta(hours=3))
    middle = raise_for(app, people.supervisor, title="middle", now=NOW - timedelta(hours=2))
    newest = raise_for(app, people.supervisor, title="newest", now=NOW - timedelta(hours=1))
    raise_for(app, people.other_supervisor, title="someone else's")
    with app.app_context():
        supervisor = _user(people.supervisor)
        newest_alert = alerts.mine(supervisor, newest)
        assert newest_alert is not None
        assert alerts.acknowledge(newest_alert, supervisor, "Spoke to the officer.").outcome == alerts.ACKNOWLEDGED
        db.session.commit()
        assert [alert.id for alert in alerts.inbox(supervisor)] == [middle, oldest, newest]
        assert alerts.unacknowledged_count(supervisor) == 2


def test_an_alert_is_only_its_recipients(app, people):
    alert_id = raise_for(app, people.supervisor)
    with app.app_context():
        assert alerts.mine(_user(people.supervisor), alert_id) is not None
        for other in (people.other_supervisor, people.governance, people.officer):
            assert alerts.mine(_user(other), alert_id) is None
        for impossible in (0, -1, alert_id + 1, 2**31, 2**63):
            assert alerts.mine(_user(people.supervisor), impossible) is None


def test_opening_marks_read_once_and_audits_each_view(app, people):
    alert_id = raise_for(app, people.supervisor)
    with app.app_context():
        supervisor = _user(people.supervisor)
        alert = alerts.mine(supervisor, alert_id)
        assert alert is not None
        alerts.open_alert(alert, supervisor, now=NOW)
        alerts.open_alert(alert, supervisor, now=NOW + timedelta(hours=1))
        db.session.commit()
        assert alert.read_at == NOW
        views = _audit("alert.view")
        assert len(views) == 2
        assert {(event.actor_id, event.object_id) for event in views} == {(supervisor.id, str(alert_id))}


def test_the_action_is_required_short_enough_and_plain_text(app, people):
    alert_id = raise_for(app, people.supervisor)
    with app.app_context():
        supervisor = _user(people.supervisor)
        alert = alerts.mine(supervisor, alert_id)
        assert alert is not None
        for bad in ("", "   \n ", None, 12, ["x"], "x" * (alerts.ACTION_MAX_LENGTH + 1), "bad\x00text", "bell\x07"):
            result = alerts.acknowledge(alert, supervisor, bad)
            assert result.outcome == alerts.INVALID, bad
            assert result.errors
        db.session.rollback()
        assert alert.acknowledged_at is None
        assert _audit("alert.acknowledge") == []
        ok = alerts.acknowledge(alert, supervisor, "  " + "x" * alerts.ACTION_MAX_LENGTH + "\n")
        assert ok.outcome == alerts.ACKNOWLEDGED


def test_acknowledging_stores_the_action_and_audits_it_once(app, people):
    alert_id = raise_for(app, people.supervisor)
    with app.app_context():
        supervisor = _user(people.supervisor)
        alert = alerts.mine(supervisor, alert_id)
        assert alert is not None
        result = alerts.acknowledge(alert, supervisor, "  Debriefed the officer;\nno further action.  ", now=NOW)
        assert result.outcome == alerts.ACKNOWLEDGED
        db.session.commit()
        assert alert.acknowledged_at == NOW
        assert alert.read_at == NOW
        assert alert.action_taken == "Debriefed the officer;\nno further action."
        [event] = _audit("alert.acknowledge")
        assert event.actor_id == supervisor.id
        assert event.object_id == str(alert_id)
        # The action's text is in the alert, not copied into the log.
        assert "Debriefed" not in str(event.detail)
        again = alerts.acknowledge(alert, supervisor, "Something else", now=NOW + timedelta(hours=1))
        assert again.outcome == alerts.ALREADY_ACKNOWLEDGED
        db.session.commit()
        assert alert.action_taken == "Debriefed the officer;\nno further action."
        assert len(_audit("alert.acknowledge")) == 1


def test_a_stale_copy_cannot_acknowledge_twice(app, people):
    """Two devices load the alert, both acknowledge: the conditional update lets only the first through."""
    alert_id = raise_for(app, people.supervisor)
    with app.app_context():
        supervisor = _user(people.supervisor)
        alert = alerts.mine(supervisor, alert_id)
        assert alert is not None
        db.session.execute(
            Alert.__table__.update().where(Alert.id == alert_id).values(acknowledged_at=NOW, action_taken="First")
        )
        # ``alert`` still says unacknowledged, as a page loaded before the first acknowledgement would.
        assert alert.acknowledged_at is None
        result = alerts.acknowledge(alert, supervisor, "Second")
        assert result.outcome == alerts.ALREADY_ACKNOWLEDGED
        db.session.commit()
        assert alert.action_taken == "First"
        assert _audit("alert.acknowledge") == []


def test_a_test_alert_is_new_every_time_and_queued_for_each_device(app, people):
    with app.app_context():
        supervisor = _user(people.supervisor)
        db.session.add(PushSubscription(user_id=supervisor.id, endpoint="https://fcm.googleapis.com/fcm/send/abc",
                                        endpoint_hash="a" * 64, p256dh="key", auth="secret"))
        db.session.flush()
        first = alerts.raise_test(supervisor, now=NOW)
        second = alerts.raise_test(supervisor, now=NOW)
        assert first.id != second.id
        assert first.dedupe_key != second.dedupe_key
        assert (first.kind, first.severity, first.recipient_id) == (TEST, "info", supervisor.id)
        assert alerts.devices_of(supervisor) == 1
        deliveries = db.session.scalars(select(PushDelivery).where(PushDelivery.alert_id == first.id)).all()
        assert len(deliveries) == 1
        assert len(_audit("alert.test")) == 2
        db.session.rollback()


def test_many_alerts_at_once_each_condition_once_with_a_delivery_per_device(app, people):
    """raise_alerts: one statement for many alerts; a condition repeated in the batch or already alerted is
    skipped; each new alert gets a delivery to each of its recipient's devices, none to a user without one."""
    from uof.domain.alert_kinds import PATTERN

    with app.app_context():
        supervisor, other = _user(people.supervisor), _user(people.other_supervisor)
        for n in (1, 2):
            db.session.add(PushSubscription(user_id=supervisor.id, endpoint=f"https://fcm.googleapis.com/fcm/send/{n}",
                                            endpoint_hash=str(n) * 64, p256dh="key", auth="secret"))
        db.session.flush()

        def new(recipient: User, key: str) -> alerts.NewAlert:
            return alerts.NewAlert(recipient=recipient, kind=PATTERN, rule="officer_report_count",
                                   severity="warning", title=f"Alert {key}", dedupe_key=key)

        [earlier] = alerts.raise_alerts([new(supervisor, "k1")], NOW)
        raised = alerts.raise_alerts([new(supervisor, "k1"), new(supervisor, "k2"), new(other, "k3"),
                                      new(other, "k3")], NOW)
        assert [(alert.dedupe_key, alert.recipient_id, alert.status) for alert in raised] == [
            ("k2", supervisor.id, "pending"), ("k3", other.id, "inbox")]
        deliveries = db.session.scalars(select(PushDelivery.alert_id)).all()
        assert sorted(deliveries) == sorted([earlier.id, earlier.id, raised[0].id, raised[0].id])
        assert alerts.raise_alert(now=NOW, **vars(new(other, "k3"))) is None
        db.session.rollback()
