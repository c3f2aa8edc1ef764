"""Sending queued pushes: each delivery is claimed by one dispatcher, sent, and its outcome recorded at once.

Deliveries are rows (``PushDelivery``) written with their alert, so nothing is lost when a process dies: a
claim is a conditional UPDATE committed before the send, so two dispatchers (a web worker's thread after a
commit, the scheduler's dispatch job, a second scheduler) never both send one delivery; a claim left behind by
a dispatcher that died mid-send is taken over once it is stale. One delivery per transaction, and no
transaction stays open during the network call (on SQLite every transaction holds the write lock).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for_futures
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from uof.extensions import db
from uof.models import Alert, PushDelivery, PushSubscription, utcnow
from uof.services import push
from uof.services.alerts import QUEUED_DELIVERIES

log = logging.getLogger("uof.dispatch")

STALE_CLAIM = timedelta(minutes=2)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
SENT_STATUSES = (200, 201, 202)
GONE_STATUSES = (404, 410)
# A subscription is bound to the VAPID key it was made with: one made with another key (before a rotation, or
# by a process that had made a key of its own) is refused for good, so it is removed like an expired one.
REFUSED_KEY = 403
ROTATED_KEY_HINT = ("the push service refused our VAPID signature (403), as it does for a subscription made with "
                    "another VAPID key: the device was removed and must enable alerts again")


@dataclass
class Summary:
    """What one ``run_due`` did."""

    sent: int = 0
    retrying: int = 0
    gone: int = 0
    failed: int = 0
    # Due, but another dispatcher claimed it first.
    skipped: int = 0
    # The database refused to record an outcome; the claim is taken over once it is stale.
    errors: int = 0
    disabled: bool = False

    def __bool__(self) -> bool:
        return self.disabled or any(getattr(self, f.name) for f in fields(self) if f.name != "disabled")

    def __str__(self) -> str:
        if self.disabled:
            return "push is switched off (no UOF_VAPID_SUBJECT, or no VAPID key in production)"
        return ", ".join(f"{getattr(self, f.name)} {f.name}" for f in fields(self) if f.name != "disabled")


def _me() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{threading.get_ident()}"[:80]


def run_due(now: datetime | None = None, *, limit: int = 500) -> Summary:
    """Send every delivery that is due, or whose claim went stale, one transaction each."""
    summary = Summary()
    if not push.enabled():
        summary.disabled = True
        return summary
    now = now or utcnow()
    due = list(db.session.scalars(
        select(PushDelivery.id).where(_due(now)).order_by(PushDelivery.next_attempt_at, PushDelivery.id)
        .limit(limit)
    ))
    db.session.commit()
    for delivery_id in due:
        try:
            outcome = deliver(delivery_id, now) or "skipped"
        except SQLAlchemyError:
            # E.g. a deadlock between two dispatchers pruning one device: the claim goes stale and is retried.
            log.exception("could not record delivery %s", delivery_id)
            outcome = "errors"
        setattr(summary, outcome, getattr(summary, outcome) + 1)
    return summary


def _due(now: datetime) -> Any:
    """Pending and due as of ``now``, or claimed longer ago than a send can take (by the real clock, which
    claims always use, so that ``uof run-jobs --now`` cannot make a live dispatcher's claim look stale)."""
    return or_(
        (PushDelivery.status == push.PENDING) & (PushDelivery.next_attempt_at <= now),
        (PushDelivery.status == push.SENDING) & (PushDelivery.claimed_at < utcnow() - STALE_CLAIM),
    )


def deliver(delivery_id: int, now: datetime | None = None) -> str | None:
    """Claim, send and record one delivery; its outcome ("sent", "retrying", "gone", "failed"), or None when
    it was not ours to send (not due, or claimed by another dispatcher)."""
    now = now or utcnow()
    me = _me()
    try:
        claimed = db.session.execute(
            update(PushDelivery).where(PushDelivery.id == delivery_id, _due(now))
            .values(status=push.SENDING, claimed_at=utcnow(), claimed_by=me, attempts=PushDelivery.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            db.session.rollback()
            return None
        delivery = db.session.get(PushDelivery, delivery_id, populate_existing=True)
        assert delivery is not None
        # Plain values only from here: touching an ORM object after the commit would open a transaction,
        # and hold it (on SQLite, the write lock) through the network call.
        attempts = delivery.attempts
        expires = push.expires_at(delivery.alert)
        message = (push.Message.of(delivery.subscription, delivery.alert)
                   if delivery.subscription is not None else None)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if message is None:
        return _record(delivery_id, me, push.GONE, error="The device was removed before it could be sent.")
    if expires <= now:
        return _record(delivery_id, me, push.FAILED,
                       error="Not sent: its time to live had passed (it is still in the inbox).")
    result = push.send(message)
    outcome, retry_at, error = judge(result, now, expires, attempts=attempts)
    if result.status == REFUSED_KEY:
        log.warning("push to %s: %s", push.loggable(message.endpoint), error)
    elif outcome != push.SENT:
        log.info("push to %s: %s", push.loggable(message.endpoint), error)
    return _record(delivery_id, me, outcome, status=result.status, retry_at=retry_at, error=error)


def judge(result: push.Result, now: datetime, expires: datetime, *, attempts: int
          ) -> tuple[str, datetime | None, str | None]:
    """The delivery's next state for the push service's answer: (state, when to retry, error to record)."""
    status = result.status
    if status in SENT_STATUSES:
        return push.SENT, None, None
    if status in GONE_STATUSES:
        return push.GONE, None, result.error
    if status == REFUSED_KEY:
        return push.GONE, None, f"{result.error}; {ROTATED_KEY_HINT}"[:500]
    busy = status == 429 or (status is not None and status >= 500) or result.unreachable
    if not busy:
        return push.FAILED, None, result.error
    delay = retry_after(result.retry_after, now) if status == 429 else None
    if delay is None:
        delay = min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)
    if now + delay >= expires:
        return push.FAILED, None, f"Gave up: not delivered within its time to live (last: {result.error})"[:500]
    return push.PENDING, now + delay, result.error


def retry_after(value: str | None, now: datetime) -> timedelta | None:
    """A Retry-After header (seconds, or an HTTP date) as a delay from ``now``; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(moment - now, timedelta(0))


def _record(delivery_id: int, me: str, outcome: str, *, status: int | None = None,
            retry_at: datetime | None = None, error: str | None = None) -> str | None:
    """Write the outcome if the claim is still ours, with the alert's summary, in one transaction."""
    try:
        delivery = db.session.get(PushDelivery, delivery_id, populate_existing=True)
        if delivery is None:
            db.session.rollback()
            return None
        # The alert's row first, as every writer of its deliveries' outcomes does, so that two dispatchers
        # finishing deliveries of one alert at once summarise it one after the other.
        db.session.execute(select(Alert.id).where(Alert.id == delivery.alert_id).with_for_update())
        values: dict[str, Any] = {"status": outcome, "last_status": status, "last_error": error and error[:500],
                                  "claimed_at": None, "claimed_by": None}
        if outcome == push.SENT:
            values["sent_at"] = utcnow()
        if outcome == push.PENDING:
            values["next_attempt_at"] = retry_at
        recorded = db.session.execute(
            update(PushDelivery)
            .where(PushDelivery.id == delivery_id, PushDelivery.status == push.SENDING,
                   PushDelivery.claimed_by == me)
            .values(**values).execution_options(synchronize_session=False)
        )
        if recorded.rowcount != 1:  # type: ignore[attr-defined]
            # Our claim went stale and another dispatcher took the delivery over: its outcome stands.
            db.session.rollback()
            return None
        subscription = (db.session.get(PushSubscription, delivery.subscription_id)
                        if delivery.subscription_id is not None else None)
        if subscription is not None:
            if outcome == push.SENT:
                subscription.last_success_at = utcnow()
                subscription.last_error = None
            elif outcome == push.GONE:
                push.remove(subscription, actor=None, reason=f"the push service answered {status}")
            elif error:
                subscription.last_error = error[:500]
        push.settle([delivery.alert_id])
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return {push.PENDING: "retrying"}.get(outcome, outcome)


# --- dispatch right after a commit -------------------------------------------------------------------------

_executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="uof-push")
_running: set[Future[None]] = set()
_running_lock = threading.Lock()


def init_app(app: Flask) -> None:
    """Send the deliveries a transaction queued as soon as it commits, unless UOF_DISPATCH_AFTER_COMMIT is off
    (the scheduler process sends in its own dispatch job); whatever this misses, the scheduler retries."""
    app.config.setdefault("UOF_DISPATCH_AFTER_COMMIT", True)
    if not event.contains(db.session, "after_commit", _after_commit):
        event.listen(db.session, "after_commit", _after_commit)
        event.listen(db.session, "after_rollback", _after_rollback)


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the transaction is not over yet
    queued: set[int] = session.info.pop(QUEUED_DELIVERIES, set())
    if not queued or not has_app_context():
        return
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("UOF_DISPATCH_AFTER_COMMIT", True) or not push.enabled():
        return
    future = _executor.submit(_dispatch, app, sorted(queued))
    with _running_lock:
        _running.add(future)
    future.add_done_callback(_forget)


def _after_rollback(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(QUEUED_DELIVERIES, None)


def _forget(future: Future[None]) -> None:
    with _running_lock:
        _running.discard(future)


def _dispatch(app: Flask, delivery_ids: list[int]) -> None:
    """In a worker thread, with its own app context (and so its own database session, removed at the end).

    One delivery failing (a deadlock, the database going away for a moment) does not stop the others: the
    request that queued them has already been answered, and the scheduler's dispatch job retries what is left."""
    try:
        with app.app_context():
            for delivery_id in delivery_ids:
                try:
                    deliver(delivery_id)
                except Exception:
                    log.exception("dispatch after commit failed for delivery %s; the scheduler will retry",
                                  delivery_id)
    except Exception:
        log.exception("dispatch after commit failed; the scheduler will retry")


def wait_idle(timeout: float = 10.0) -> bool:
    """Wait until no after-commit dispatch is running (for tests and orderly shutdown); False on timeout."""
    deadline = datetime.now(UTC) + timedelta(seconds=timeout)
    while True:
        with _running_lock:
            running = list(_running)
        if not running:
            return True
        left = (deadline - datetime.now(UTC)).total_seconds()
        if left <= 0:
            return False
        wait_for_futures(running, timeout=left)
