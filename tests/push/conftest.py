"""Helpers for the push tests: devices registered and alerts raised through the services, as the app does."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tests.factories import Maker, Person
from uof.domain.alert_kinds import CRITICAL, IMMEDIATE
from uof.extensions import db
from uof.models import Alert, PushDelivery, PushSubscription, Report, User
from uof.services import alerts, dispatch, push

_keys = itertools.count(1)


@pytest.fixture
def sergeant(make: Maker) -> Person:
    make.team("Birmingham Central A", "Birmingham")
    return make.user("sgt.khan@example.org", "supervisor", "officer", teams=("Birmingham Central A",),
                     force_number="4471", name="Amira Khan")


def register(app: Flask, person: Person, subscription: dict[str, Any]) -> int:
    """Register a device for ``person`` through the service; the subscription's id."""
    with app.app_context():
        user = db.session.get(User, person.id)
        result = push.subscribe(user, subscription, "Mozilla/5.0 (test)")
        assert result.subscription is not None, result.errors
        db.session.commit()
        return result.subscription.id


def raise_alert(app: Flask, person: Person, *, kind: str = IMMEDIATE, severity: str = CRITICAL,
                title: str = "Taser discharged", report_id: int | None = None, officer: Person | None = None,
                detail: dict[str, Any] | None = None, now: datetime | None = None) -> int:
    """Raise and commit an alert for ``person``; its id."""
    with app.app_context():
        recipient = db.session.get(User, person.id)
        report = db.session.get(Report, report_id) if report_id else None
        about = db.session.get(User, officer.id) if officer else None
        alert = alerts.raise_alert(
            recipient=recipient, kind=kind, rule="ced_discharge", severity=severity, title=title,
            dedupe_key=f"push-test-{next(_keys)}", report=report, officer=about,
            team=report.team if report else None, detail=detail, now=now,
        )
        assert alert is not None
        db.session.commit()
        return alert.id


@dataclass(frozen=True)
class DeliveryState:
    status: str
    attempts: int
    last_status: int | None
    last_error: str | None
    next_attempt_at: datetime
    sent_at: datetime | None
    claimed_by: str | None


def deliveries(app: Flask, alert_id: int) -> list[DeliveryState]:
    with app.app_context():
        rows = db.session.scalars(
            select(PushDelivery).where(PushDelivery.alert_id == alert_id).order_by(PushDelivery.id))
        return [DeliveryState(d.status, d.attempts, d.last_status, d.last_error, d.next_attempt_at, d.sent_at,
                              d.claimed_by) for d in rows]


def alert_state(app: Flask, alert_id: int) -> tuple[str, int, str | None]:
    with app.app_context():
        alert = db.session.get(Alert, alert_id)
        assert alert is not None
        return alert.status, alert.attempts, alert.last_error


def subscription_count(app: Flask) -> int:
    with app.app_context():
        return len(db.session.scalars(select(PushSubscription.id)).all())


def run_due(app: Flask, now: datetime | None = None) -> dispatch.Summary:
    with app.app_context():
        return dispatch.run_due(now)
