"""A fake Web Push service for tests: it checks every push as a real one would, then decrypts it.

Use it as a context manager (or through the ``push_service`` fixture, which also lets the app post to it)::

    with FakePushService(expected_public_key=key) as service:
        subscription = service.subscription()      # what a browser's PushSubscription.toJSON() gives
        ...                                         # register it, raise an alert, dispatch
        [message] = service.wait_for(1)
        assert message.payload["type"] == "immediate"

Each POST to ``/push/<id>`` must carry a valid VAPID JWT (RFC 8292: ES256 over ``k``; ``aud`` this service's
origin; ``exp`` in the future and at most 24 hours ahead; ``sub`` mailto: or https:), a ``TTL`` above zero,
``Content-Encoding: aes128gcm`` and at most 4,096 bytes of body that decrypts (RFC 8291) with the
subscription's own keys. A push that passes is answered 201 and kept in ``received``; one that does not is
answered 400 and its reason kept in ``rejected``. ``fail_next`` answers the next pushes with another status
(404, 410, 429, 500…) after they pass the checks; ``expire`` makes an endpoint answer 410 from then on.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import jwt

MAX_BODY = 4096
MAX_EXPIRY_SECONDS = 24 * 3600


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Received:
    """One push that passed every check, decrypted."""

    endpoint_id: str
    payload: dict[str, Any]
    headers: dict[str, str]
    at: datetime
    claims: dict[str, Any] = field(default_factory=dict)
    # The decrypted bytes as sent, padding included.
    plaintext: bytes = b""


@dataclass(frozen=True)
class Attempt:
    """Any POST: who it was for and what the fake answered."""

    endpoint_id: str
    status: int
    reason: str = ""


@dataclass
class _Device:
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    expired: bool = False


@dataclass
class _Failure:
    status: int
    headers: dict[str, str]


class VerificationError(Exception):
    """The push would be refused by a real push service."""


def decrypt(body: bytes, private_key: ec.EllipticCurvePrivateKey, auth_secret: bytes) -> bytes:
    """RFC 8291 aes128gcm, as the browser does it."""
    return bytes(http_ece.decrypt(body, private_key=private_key, auth_secret=auth_secret, version="aes128gcm"))


def verify_vapid(authorization: str, *, audience: str, expected_key: str | None, now: float) -> dict[str, Any]:
    """The claims of a valid ``vapid t=…,k=…`` header; VerificationError saying what is wrong otherwise."""
    scheme, _, params = authorization.partition(" ")
    if scheme.lower() != "vapid":
        raise VerificationError(f"Authorization scheme {scheme!r} is not vapid")
    parts = dict(part.strip().split("=", 1) for part in params.split(",") if "=" in part)
    token, key = parts.get("t"), parts.get("k")
    if not token or not key:
        raise VerificationError("Authorization lacks t= or k=")
    if expected_key is not None and key != expected_key:
        raise VerificationError("k is not the application server's public key")
    header = json.loads(unb64url(token.split(".", 1)[0]))
    if header.get("alg") != "ES256":
        raise VerificationError(f"JWT alg {header.get('alg')!r} is not ES256")
    try:
        claims: dict[str, Any] = jwt.decode(token, key)
    except Exception as error:  # py_vapid raises InvalidSignature for any bad token
        raise VerificationError(f"bad JWT signature ({type(error).__name__})") from None
    if claims.get("aud") != audience:
        raise VerificationError(f"aud {claims.get('aud')!r} is not {audience!r}")
    exp = claims.get("exp")
    if not isinstance(exp, int) or not now < exp <= now + MAX_EXPIRY_SECONDS + 60:
        raise VerificationError(f"exp {exp!r} is not in the next 24 hours")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.startswith(("mailto:", "https:")) or " " in sub or "<" in sub:
        raise VerificationError(f"sub {sub!r} is not a mailto: or https: contact")
    return claims


class FakePushService:
    def __init__(self, expected_public_key: str | None = None) -> None:
        self.expected_public_key = expected_public_key
        # Seconds to hold each request before answering (e.g. to make concurrent dispatchers overlap).
        self.delay = 0.0
        self.received: list[Received] = []
        self.rejected: list[str] = []
        self.attempts: list[Attempt] = []
        self._devices: dict[str, _Device] = {}
        self._failures: list[_Failure] = []
        self._lock = threading.Condition()
        self._server: ThreadingHTTPServer | None = None
        self._origin: str | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---

    def start(self) -> FakePushService:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._origin = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-push", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakePushService:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:<port>``, the VAPID audience it expects (kept after ``stop``)."""
        assert self._origin is not None, "start the service first"
        return self._origin

    # --- what tests do ---

    def subscription(self) -> dict[str, Any]:
        """A new device: ``PushSubscription.toJSON()`` with its own P-256 key pair and 16-byte auth secret."""
        private_key = ec.generate_private_key(ec.SECP256R1())
        auth = os.urandom(16)
        endpoint_id = b64url(os.urandom(12))
        with self._lock:
            self._devices[endpoint_id] = _Device(private_key, auth)
        point = private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                      serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": f"{self.origin}/push/{endpoint_id}", "expirationTime": None,
                "keys": {"p256dh": b64url(point), "auth": b64url(auth)}}

    def fail_next(self, status: int, count: int = 1, headers: dict[str, str] | None = None) -> None:
        """Answer the next ``count`` pushes that pass the checks with ``status`` (and ``headers``)."""
        with self._lock:
            self._failures.extend(_Failure(status, dict(headers or {})) for _ in range(count))

    def expire(self, subscription: dict[str, Any]) -> None:
        """The browser unsubscribed: its endpoint answers 410 Gone from now on."""
        with self._lock:
            self._devices[endpoint_id_of(subscription)].expired = True

    def for_endpoint(self, subscription: dict[str, Any]) -> list[Received]:
        endpoint_id = endpoint_id_of(subscription)
        with self._lock:
            return [message for message in self.received if message.endpoint_id == endpoint_id]

    def wait_for(self, what: int | Callable[[list[Received]], bool], timeout: float = 5.0) -> list[Received]:
        """Wait until ``what`` pushes have arrived (or the predicate holds); the pushes; AssertionError if not."""
        predicate = (lambda received: len(received) >= what) if isinstance(what, int) else what
        deadline = time.monotonic() + timeout
        with self._lock:
            while not predicate(self.received):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out: received {len(self.received)} push(es), "
                                         f"rejected {self.rejected}")
                self._lock.wait(left)
            return list(self.received)

    # --- serving ---

    def _handle(self, endpoint_id: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], str]:
        with self._lock:
            device = self._devices.get(endpoint_id)
        if device is None:
            return 404, {}, "no such subscription"
        if device.expired:
            return 410, {}, "push subscription is no longer available"
        try:
            claims = verify_vapid(headers.get("authorization", ""), audience=self.origin,
                                  expected_key=self.expected_public_key, now=time.time())
            ttl = headers.get("ttl", "")
            if not ttl.isdigit() or int(ttl) <= 0:
                raise VerificationError(f"TTL {ttl!r} is not a positive number of seconds")
            if headers.get("content-encoding") != "aes128gcm":
                raise VerificationError(f"Content-Encoding {headers.get('content-encoding')!r} is not aes128gcm")
            if len(body) > MAX_BODY:
                raise VerificationError(f"body of {len(body)} bytes is over {MAX_BODY}")
            try:
                plaintext = decrypt(body, device.private_key, device.auth)
                payload = json.loads(plaintext)
            except Exception as error:  # any failure to decrypt or parse is the sender's fault
                raise VerificationError(f"cannot decrypt: {type(error).__name__}") from None
        except VerificationError as error:
            with self._lock:
                self.rejected.append(str(error))
                self._lock.notify_all()
            return 400, {}, str(error)
        with self._lock:
            if self._failures:
                failure = self._failures.pop(0)
                return failure.status, failure.headers, "failing on request"
            self.received.append(Received(endpoint_id, payload, headers, datetime.now(UTC), claims, plaintext))
            self._lock.notify_all()
        return 201, {"Location": f"/message/{b64url(os.urandom(8))}"}, ""

    def _record(self, attempt: Attempt) -> None:
        with self._lock:
            self.attempts.append(attempt)


def endpoint_id_of(subscription: dict[str, Any]) -> str:
    return str(subscription["endpoint"]).rsplit("/", 1)[1]


def _handler_for(service: FakePushService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            if service.delay:
                time.sleep(service.delay)
            endpoint_id = self.path.rsplit("/", 1)[1] if self.path.startswith("/push/") else ""
            headers = {key.lower(): value for key, value in self.headers.items()}
            status, extra, text = service._handle(endpoint_id, headers, body)
            service._record(Attempt(endpoint_id, status, text))
            data = text.encode()
            self.send_response(status)
            for key, value in extra.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test reads ``received``, ``rejected`` and ``attempts`` instead."""

    return Handler
