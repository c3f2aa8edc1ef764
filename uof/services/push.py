"""Web Push: the VAPID key pair, device subscriptions, and sending one alert to one device.

A subscription's endpoint is a URL chosen by the browser (so by whoever holds the session): the server only
ever posts to hosts on the push-service allow-list, over HTTPS, and never follows a redirect. Payloads carry a
generic title and a link that needs a login, nothing about the report or the people in it, because they pass
through the browser vendors' push services and show on lock screens.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import ipaddress
import json
import logging
import os
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask, current_app
from py_vapid import Vapid02, VapidException
from pywebpush import WebPushException, webpush
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from uof.config import ConfigurationError, Settings
from uof.domain.alert_kinds import CRITICAL, DIGEST, IMMEDIATE, INFO, PATTERN, TEST, WARNING, WORKFLOW
from uof.domain.validation import has_control_characters
from uof.extensions import db
from uof.models import Alert, PushDelivery, PushSubscription, User, utcnow
from uof.services import audit

log = logging.getLogger("uof.push")

KEY_FILE = "vapid_private.pem"
ENDPOINT_MAX = 2048
PAYLOAD_MAX = 3000
# Every payload is padded to this size, so that its length does not tell the push service what kind it is.
PAYLOAD_PADDED = 256
SEND_TIMEOUT_SECONDS = 10
# A user's devices; a further subscription replaces their oldest, so that one account cannot make the server
# post to a push service any number of times per alert.
MAX_DEVICES_PER_USER = 10
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost"})
_HOST = re.compile(r"[a-z0-9-]+(\.[a-z0-9-]+)*")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*={0,2}")
NOT_ALLOWED = "The endpoint is not an allowed push service."
NO_SUBJECT = "UOF_VAPID_SUBJECT is not set"
NO_KEY = ("there is no VAPID key (set UOF_VAPID_PRIVATE_KEY, or run `uof vapid-keys` to make the instance "
          "key file; production never makes one on demand)")

# Delivery states (see PushDelivery).
PENDING = "pending"
SENDING = "sending"
SENT = "sent"
GONE = "gone"
FAILED = "failed"
UNFINISHED = (PENDING, SENDING)

# How long a push service keeps an undelivered message for an offline device, and how it may wake it.
TIME_TO_LIVE = {CRITICAL: timedelta(hours=12), WARNING: timedelta(hours=24)}
DEFAULT_TIME_TO_LIVE = timedelta(hours=12)
URGENCY = {CRITICAL: "high", WARNING: "normal"}
DEFAULT_URGENCY = "low"

# Lock-screen titles: the kind and severity only, never a name, reference, place, injury or free text.
TITLES = {
    (IMMEDIATE, CRITICAL): "Urgent: a use of force needs your attention",
    (IMMEDIATE, WARNING): "A use of force needs your attention",
    (IMMEDIATE, INFO): "A new use-of-force report",
    (PATTERN, CRITICAL): "Urgent early-intervention alert",
    (PATTERN, WARNING): "Early-intervention alert",
    (PATTERN, INFO): "Early-intervention notice",
    (WORKFLOW, CRITICAL): "Overdue: a report needs action",
    (WORKFLOW, WARNING): "A report needs action",
    (WORKFLOW, INFO): "A report has been updated",
    (DIGEST, CRITICAL): "Your use-of-force summary is ready",
    (DIGEST, WARNING): "Your use-of-force summary is ready",
    (DIGEST, INFO): "Your use-of-force summary is ready",
    (TEST, CRITICAL): "Test notification",
    (TEST, WARNING): "Test notification",
    (TEST, INFO): "Test notification",
}
DEFAULT_TITLE = "New alert"


# --- VAPID keys ---------------------------------------------------------------------------------------------

_loaded: dict[str, Vapid02] = {}
_loading = threading.Lock()


def _settings() -> Settings:
    settings: Settings = current_app.config["UOF_SETTINGS"]
    return settings


def parse_private_key(text: str) -> Vapid02:
    """A P-256 private key from PEM, or from base64url of the raw scalar (or of DER); ValueError otherwise."""
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode(), password=None)
            vapid = Vapid02(key)
        else:
            vapid = Vapid02.from_string(text)
    except (ValueError, TypeError, binascii.Error, VapidException) as error:
        raise ValueError("not a PEM or base64url EC private key") from error
    if not isinstance(vapid.private_key, ec.EllipticCurvePrivateKey) or not isinstance(
        vapid.private_key.curve, ec.SECP256R1
    ):
        raise ValueError("VAPID keys are P-256 (prime256v1) keys")
    # Checked against the subject at startup (config.valid_vapid_subject), which accepts https: URLs with paths.
    vapid.conf = {"no-strict": True}
    return vapid


def key_file() -> Path | None:
    """Where the private key is kept, or None when it comes from UOF_VAPID_PRIVATE_KEY."""
    settings = _settings()
    return None if settings.vapid_private_key else settings.instance_path / KEY_FILE


def _create_key_file(path: Path) -> None:
    """Write a new key where none is; of two processes doing so at once, both end up reading the same one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        generated = Vapid02()
        generated.generate_keys()
        handle.write(generated.private_pem())
    # A hard link appears whole or not at all, and fails if another process linked its key first.
    with contextlib.suppress(FileExistsError):
        os.link(draft, path)
    draft.unlink()


class PushDisabled(RuntimeError):
    """Push is switched off: no VAPID subject, or (in production) no VAPID key made ahead of time."""


def vapid(*, create: bool | None = None) -> Vapid02:
    """The application server's key pair.

    The instance key file is created on first need in development only (``create=None``): in production every
    process (web workers, the scheduler, perhaps on other hosts) must sign with one key made ahead of time by
    ``uof vapid-keys`` (``create=True``) or given in UOF_VAPID_PRIVATE_KEY, since a key made on demand by each
    would make every other process's pushes fail with 403. PushDisabled when there is none to use.
    """
    settings = _settings()
    if create is None:
        create = not settings.production
    if settings.vapid_private_key:
        source = "env:" + hashlib.sha256(settings.vapid_private_key.encode()).hexdigest()
    else:
        source = str(settings.instance_path / KEY_FILE)
    with _loading:
        if source not in _loaded:
            if settings.vapid_private_key:
                _loaded[source] = parse_private_key(settings.vapid_private_key)
            else:
                path = Path(source)
                if not path.exists():
                    if not create:
                        raise PushDisabled(NO_KEY)
                    _create_key_file(path)
                try:
                    _loaded[source] = parse_private_key(path.read_text())
                except ValueError as error:
                    raise ConfigurationError(f"{path} does not hold a VAPID private key: {error}") from None
        return _loaded[source]


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def public_key() -> str:
    """The public key as ``pushManager.subscribe({applicationServerKey})`` takes it: base64url, uncompressed point.

    PushDisabled when there is no key to use (production without one made ahead of time).
    """
    return _public_of(vapid())


def _public_of(key: Vapid02) -> str:
    point = key.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return _b64url(point)


def ensure_keys() -> str:
    """Create the key pair if there is none yet, in production too (``uof vapid-keys``); the public key."""
    return _public_of(vapid(create=True))


def disabled_reason(settings: Settings | None = None) -> str | None:
    """Why pushes are not sent at all, or None when they are (alerts reach the inbox regardless)."""
    settings = settings or _settings()
    reasons = []
    if settings.push_subject is None:
        reasons.append(NO_SUBJECT)
    if settings.production and not settings.vapid_private_key and not (settings.instance_path / KEY_FILE).exists():
        reasons.append(NO_KEY)
    return "; ".join(reasons) or None


def enabled() -> bool:
    """Whether pushes are sent at all: production needs UOF_VAPID_SUBJECT and a VAPID key made ahead of time."""
    return disabled_reason() is None


def init_app(app: Flask) -> None:
    """Refuse to start with an unusable UOF_VAPID_PRIVATE_KEY; say once if push is switched off."""
    settings: Settings = app.config["UOF_SETTINGS"]
    if settings.vapid_private_key:
        try:
            parse_private_key(settings.vapid_private_key)
        except ValueError as error:
            raise ConfigurationError(f"UOF_VAPID_PRIVATE_KEY is unusable: {error}") from None
    reason = disabled_reason(settings)
    if reason is not None:
        log.warning("%s: push notifications are off; alerts still reach the inbox", reason)


# --- endpoints and subscriptions ----------------------------------------------------------------------------

def endpoint_hash(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode()).hexdigest()


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def endpoint_allowed(url: object, allowed_hosts: Iterable[str]) -> bool:
    """Whether the server may post to ``url``: HTTPS on the default port to an allowed host or a subdomain of one.

    IP literals only when the literal itself is allowed, and plain HTTP or another port only to loopback hosts
    that are explicitly allowed (the test push service, on an ephemeral port); never credentials in the URL.
    """
    if not isinstance(url, str) or not url or len(url) > ENDPOINT_MAX:
        return False
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number in range
    except ValueError:
        return False
    host = parts.hostname or ""
    if "@" in parts.netloc or not host:
        return False
    allowed = {h.strip().lower() for h in allowed_hosts if h.strip()}
    ip = _ip(host)
    if ip is not None:
        matches = host in allowed or str(ip) in allowed
    elif _HOST.fullmatch(host):
        matches = any(host == suffix or host.endswith("." + suffix) for suffix in allowed if _ip(suffix) is None)
    else:
        return False
    if not matches:
        return False
    if host in LOOPBACK_HOSTS:
        # Only when explicitly allowed (the test push service), on whatever port it happens to listen on.
        return parts.scheme in ("http", "https")
    # The push service's default port only: a port of our choosing would reach other services on its host.
    return parts.scheme == "https" and parts.port in (None, 443)


def _decode_b64url(value: object) -> bytes | None:
    if not isinstance(value, str) or not _BASE64URL.fullmatch(value):
        return None
    try:
        return base64.urlsafe_b64decode(value.rstrip("=") + "=" * (-len(value.rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        return None


def _p256_point(raw: bytes | None) -> bool:
    if raw is None or len(raw) != 65 or raw[0] != 4:
        return False
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError:
        return False
    return True


def subscription_errors(data: object, allowed_hosts: Iterable[str]) -> dict[str, list[str]]:
    """What is wrong with a ``PushSubscription.toJSON()`` body; empty when it will do."""
    if not isinstance(data, dict):
        return {"body": ["Expected a JSON object: the browser's PushSubscription.toJSON()."]}
    errors: dict[str, list[str]] = {}
    for key in sorted(str(k) for k in data if k not in ("endpoint", "keys", "expirationTime")):
        errors[key] = ["Not a field of a push subscription."]
    endpoint = data.get("endpoint")
    if not isinstance(endpoint, str) or not endpoint:
        errors["endpoint"] = ["Give the subscription's endpoint."]
    elif len(endpoint) > ENDPOINT_MAX:
        errors["endpoint"] = [f"The endpoint is too long (at most {ENDPOINT_MAX:,} characters)."]
    elif not endpoint_allowed(endpoint, allowed_hosts):
        errors["endpoint"] = [NOT_ALLOWED]
    expiration = data.get("expirationTime")
    if expiration is not None and (isinstance(expiration, bool) or not isinstance(expiration, int | float)
                                   or expiration < 0):
        errors["expirationTime"] = ["Give the expiration time in milliseconds, or null."]
    keys = data.get("keys")
    if not isinstance(keys, dict):
        errors["keys"] = ["Give the subscription's keys: p256dh and auth."]
        return errors
    for key in sorted(str(k) for k in keys if k not in ("p256dh", "auth")):
        errors[f"keys.{key}"] = ["Not a key of a push subscription."]
    if not _p256_point(_decode_b64url(keys.get("p256dh"))):
        errors["keys.p256dh"] = ["Give the browser's P-256 public key: base64url of a 65-byte uncompressed point."]
    auth = _decode_b64url(keys.get("auth"))
    if auth is None or len(auth) != 16:
        errors["keys.auth"] = ["Give the browser's authentication secret: base64url of 16 bytes."]
    return errors


class Subscribed(NamedTuple):
    subscription: PushSubscription | None
    errors: dict[str, list[str]]
    # False when this device was already registered, unchanged, for this user.
    created: bool = False


def _clean_user_agent(user_agent: str | None) -> str | None:
    if not user_agent:
        return None
    text = "".join(ch for ch in user_agent if ord(ch) >= 32 and ord(ch) != 127).strip()
    return text[:200] or None


def subscribe(user: User, data: object, user_agent: str | None, *, retry: bool = True) -> Subscribed:
    """Register this browser for ``user``'s alerts, in the current transaction.

    The endpoint identifies the browser: the same browser subscribing again updates its row, and a shared phone
    handed to another officer moves the row to them (the previous user's undelivered pushes are dropped, so they
    never show on someone else's phone).
    """
    errors = subscription_errors(data, _settings().push_allowed_hosts)
    if errors:
        return Subscribed(None, errors)
    assert isinstance(data, dict)
    endpoint: str = data["endpoint"]
    p256dh: str = data["keys"]["p256dh"].rstrip("=")
    auth: str = data["keys"]["auth"].rstrip("=")
    digest = endpoint_hash(endpoint)
    user_agent = _clean_user_agent(user_agent)
    subscription = db.session.scalar(
        select(PushSubscription).where(PushSubscription.endpoint_hash == digest).with_for_update()
    )
    if subscription is not None and (subscription.user_id, subscription.p256dh, subscription.auth) == (
        user.id, p256dh, auth
    ):
        return Subscribed(subscription, {}, created=False)
    previous_user = subscription.user_id if subscription is not None else None
    if subscription is None:
        subscription = PushSubscription(user_id=user.id, endpoint=endpoint, endpoint_hash=digest,
                                        p256dh=p256dh, auth=auth, user_agent=user_agent)
        try:
            # The same browser may be subscribing twice at once (two tabs): the second then updates the first's row.
            with db.session.begin_nested():
                db.session.add(subscription)
                db.session.flush()
        except IntegrityError:
            if not retry:
                raise
            return subscribe(user, data, user_agent, retry=False)
    else:
        if previous_user != user.id:
            settle(retire_deliveries(subscription.id))
        subscription.user_id = user.id
        subscription.p256dh = p256dh
        subscription.auth = auth
        subscription.user_agent = user_agent
        subscription.last_error = None
    db.session.flush()
    _drop_oldest_devices(user)
    detail: dict[str, Any] = {"endpoint": digest[:12]}
    if previous_user is not None:
        detail["renewed"] = True
        if previous_user != user.id:
            detail["moved_from_user"] = previous_user
    audit.record("push.subscribe", actor=user, object_type="push_subscription", object_id=subscription.id,
                 detail=detail)
    return Subscribed(subscription, {}, created=True)


def _drop_oldest_devices(user: User) -> None:
    devices = db.session.scalars(
        select(PushSubscription).where(PushSubscription.user_id == user.id)
        .order_by(func.coalesce(PushSubscription.last_success_at, PushSubscription.created_at).desc(),
                  PushSubscription.id.desc())
    ).all()
    for oldest in devices[MAX_DEVICES_PER_USER:]:
        remove(oldest, actor=user, reason="replaced by a newer device")


class Unsubscribed(NamedTuple):
    # Whether a device of the caller's was forgotten (False: none had this endpoint, or the request was bad).
    deleted: bool
    errors: dict[str, list[str]]


def unsubscribe(user: User, endpoint: object) -> Unsubscribed:
    """Forget ``user``'s device with this endpoint, if there is one; whether there was, and the request's errors.

    Another user's device is left alone, and looks the same to the caller as one that was never registered.
    """
    if not isinstance(endpoint, str) or not endpoint:
        return Unsubscribed(False, {"endpoint": ["Give the subscription's endpoint."]})
    if len(endpoint) > ENDPOINT_MAX:
        return Unsubscribed(False, {"endpoint": [f"The endpoint is too long (at most {ENDPOINT_MAX:,} characters)."]})
    subscription = db.session.scalar(
        select(PushSubscription).where(PushSubscription.endpoint_hash == endpoint_hash(endpoint),
                                       PushSubscription.user_id == user.id)
    )
    if subscription is None:
        return Unsubscribed(False, {})
    remove(subscription, actor=user, reason="unsubscribed")
    return Unsubscribed(True, {})


def remove(subscription: PushSubscription, *, actor: User | None, reason: str) -> None:
    """Delete a subscription, dropping its undelivered pushes; audited by hash prefix, never the endpoint."""
    settle(retire_deliveries(subscription.id))
    audit.record("push.unsubscribe" if actor is not None else "push.prune", actor=actor,
                 actor_label=None if actor is not None else "push dispatcher",
                 object_type="push_subscription", object_id=subscription.id,
                 detail={"endpoint": subscription.endpoint_hash[:12], "user_id": subscription.user_id,
                         "reason": reason})
    db.session.delete(subscription)
    db.session.flush()


def retire_deliveries(subscription_id: int) -> set[int]:
    """Mark the subscription's waiting deliveries gone; the ids of their alerts."""
    alert_ids = set(db.session.scalars(
        select(PushDelivery.alert_id).where(PushDelivery.subscription_id == subscription_id,
                                            PushDelivery.status == PENDING)
    ))
    db.session.execute(
        update(PushDelivery)
        .where(PushDelivery.subscription_id == subscription_id, PushDelivery.status == PENDING)
        .values(status=GONE, last_error="The device unsubscribed or was removed.")
        .execution_options(synchronize_session=False)
    )
    return alert_ids


def settle(alert_ids: Iterable[int]) -> None:
    """Bring each alert's delivery summary in step with its deliveries, holding the alert's row meanwhile.

    sent: some device took it; pending: some delivery is still to try; failed: none can; inbox: no devices.
    """
    for alert_id in sorted(set(alert_ids)):
        alert = db.session.scalar(
            select(Alert).where(Alert.id == alert_id).with_for_update().execution_options(populate_existing=True)
        )
        if alert is None:
            continue
        rows = db.session.execute(
            select(PushDelivery.status, PushDelivery.attempts, PushDelivery.sent_at, PushDelivery.last_error)
            .where(PushDelivery.alert_id == alert_id).order_by(PushDelivery.id)
        ).all()
        statuses = {row.status for row in rows}
        alert.attempts = sum(row.attempts for row in rows)
        sent = [row.sent_at for row in rows if row.sent_at is not None]
        if SENT in statuses:
            alert.status = SENT
            alert.sent_at = min(sent) if sent else alert.sent_at or utcnow()
        elif statuses & set(UNFINISHED):
            alert.status = PENDING
        elif rows:
            alert.status = FAILED
        errors = [row.last_error for row in rows if row.last_error]
        if errors and alert.status != SENT:
            alert.last_error = errors[-1][:500]


# --- sending -------------------------------------------------------------------------------------------------

def time_to_live(alert: Alert) -> timedelta:
    return TIME_TO_LIVE.get(alert.severity, DEFAULT_TIME_TO_LIVE)


def expires_at(alert: Alert) -> datetime:
    """After this, a push for the alert is too late to be worth sending (it is still in the inbox)."""
    return alert.created_at + time_to_live(alert)


def title_for(kind: str, severity: str) -> str:
    return TITLES.get((kind, severity), DEFAULT_TITLE)


def payload_for(alert: Alert) -> bytes:
    """API.md's push payload: the kind, a generic title and the alert's page, padded to a fixed length."""
    body = json.dumps(
        {"type": alert.kind, "title": title_for(alert.kind, alert.severity), "url": f"/alerts/{alert.id}"},
        separators=(",", ":"), ensure_ascii=True,
    ).encode()
    assert len(body) <= PAYLOAD_MAX, "push payloads stay under the 4 KiB a push service must accept"
    # JSON allows trailing whitespace, so the service worker parses the padded text as it is.
    return body.ljust(PAYLOAD_PADDED)


@dataclass(frozen=True)
class Message:
    """Everything needed to send one push, read from the database before the (slow) network call."""

    endpoint: str
    p256dh: str
    auth: str
    payload: bytes
    ttl_seconds: int
    urgency: str
    topic: str

    @classmethod
    def of(cls, subscription: PushSubscription, alert: Alert) -> Message:
        return cls(
            endpoint=subscription.endpoint, p256dh=subscription.p256dh, auth=subscription.auth,
            payload=payload_for(alert), ttl_seconds=int(time_to_live(alert).total_seconds()),
            urgency=URGENCY.get(alert.severity, DEFAULT_URGENCY),
            # Opaque (the header is not encrypted): a resend replaces an undelivered copy of the same alert.
            topic=f"a{alert.id}",
        )


@dataclass(frozen=True)
class Result:
    """What the push service said: its status (None if it could not be reached) and the details that matter."""

    status: int | None
    retry_after: str | None = None
    error: str | None = None
    # No answer at all (connection refused, timeout): worth trying again, unlike a refusal.
    unreachable: bool = False


def _no_redirects() -> requests.Session:
    session = requests.Session()
    # A push service has no reason to redirect, and following one would let it choose a host for us.
    session.max_redirects = 0
    return session


def send(message: Message) -> Result:
    """Encrypt and post one message; never raises for what the push service or the network does."""
    subject = _settings().push_subject
    reason = disabled_reason()
    if subject is None or reason is not None:
        return Result(None, error=f"Push is switched off: {reason}.")
    if not endpoint_allowed(message.endpoint, _settings().push_allowed_hosts):
        return Result(None, error="The endpoint is no longer an allowed push service.")
    subscription_info = {"endpoint": message.endpoint, "keys": {"p256dh": message.p256dh, "auth": message.auth}}
    session = _no_redirects()
    try:
        response = webpush(
            subscription_info, data=message.payload.decode(), vapid_private_key=vapid(),
            # A new dict each time: pywebpush writes the push service's origin into it as the audience.
            vapid_claims={"sub": subject},
            content_encoding="aes128gcm", ttl=message.ttl_seconds, timeout=SEND_TIMEOUT_SECONDS,
            headers={"Urgency": message.urgency, "Topic": message.topic}, requests_session=session,
        )
        return Result(response.status_code)
    except WebPushException as error:
        status = error.status_code
        return Result(status, retry_after=error.retry_after,
                      error=f"{status} from the push service" + _reason(error))
    except requests.TooManyRedirects:
        return Result(None, error="The push service redirected; redirects are not followed.")
    except requests.RequestException as error:
        return Result(None, error=f"Could not reach the push service: {type(error).__name__}", unreachable=True)
    except PushDisabled:
        return Result(None, error=f"Push is switched off: {NO_KEY}.")
    except (ValueError, TypeError) as error:
        # Keys are checked when a device subscribes; these would be rows that came some other way.
        return Result(None, error=f"Cannot encrypt for this device: its keys are unusable ({type(error).__name__}).")
    finally:
        session.close()


def _reason(error: WebPushException) -> str:
    """The push service's own short explanation, if it gave one that is safe to keep."""
    response = error.response
    reason = getattr(response, "reason", None) or ""
    text = (getattr(response, "text", "") or "").strip()
    detail = text if 0 < len(text) <= 120 and not has_control_characters(text) else reason
    return f": {detail}" if detail else ""


def loggable(endpoint: str) -> str:
    """An endpoint as it may appear in logs: the host and a hash prefix, since the path is a bearer secret."""
    return f"{urlsplit(endpoint).hostname}/…{endpoint_hash(endpoint)[:12]}"
