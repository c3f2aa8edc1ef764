"""One frozen settings object, read from the ``UOF_*`` environment variables of API.md."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEVELOPMENT = "development"
PRODUCTION = "production"

# The push services of the major browsers (Chrome/Edge/Android, Firefox, Safari, Edge on Windows).
DEFAULT_PUSH_HOSTS = (
    "fcm.googleapis.com",
    "android.googleapis.com",
    "updates.push.services.mozilla.com",
    "push.services.mozilla.com",
    "web.push.apple.com",
    "notify.windows.com",
)


# Sent to push services as the VAPID ``sub`` in development when UOF_VAPID_SUBJECT is unset: a well-formed
# address that reaches nobody (Apple refuses malformed ones, such as mailto:admin@localhost).
DEVELOPMENT_VAPID_SUBJECT = "mailto:uof-development@example.invalid"
_MAILTO = re.compile(r"mailto:[^\s<>@:/]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
_HOSTNAME = re.compile(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


class ConfigurationError(RuntimeError):
    """The environment asks for something the app refuses to run with."""


@dataclass(frozen=True)
class Settings:
    env: str
    instance_path: Path
    database_url: str
    secret_key: str
    vapid_subject: str | None
    push_allowed_hosts: tuple[str, ...]
    ratelimit_storage_url: str
    # Keys the audit log's hash chain, so that rows cannot be rewritten and re-hashed by someone who can only
    # write to the database. Kept outside the database: the environment or the instance folder.
    audit_key: str
    # The VAPID private key (PEM, or base64url of the raw 32-byte scalar); unset: a key file in the instance folder.
    vapid_private_key: str | None = None
    force_name: str | None = None  # printed in the Home Office return (UOF_FORCE_NAME)
    # The reverse proxies in front (TLS termination) whose X-Forwarded-For/-Proto/-Host are believed: without
    # them every request would seem to come from the proxy, and the login limit would be one for everybody.
    proxy_hops: int = 0

    @property
    def production(self) -> bool:
        return self.env == PRODUCTION

    @property
    def push_subject(self) -> str | None:
        """The VAPID ``sub`` to send; None in production without UOF_VAPID_SUBJECT, which turns push off."""
        if self.vapid_subject or self.production:
            return self.vapid_subject
        return DEVELOPMENT_VAPID_SUBJECT

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        env = environ.get("UOF_ENV", DEVELOPMENT)
        if env not in (DEVELOPMENT, PRODUCTION):
            raise ConfigurationError(f"UOF_ENV must be {DEVELOPMENT} or {PRODUCTION}, not {env!r}")
        instance_path = Path(environ.get("UOF_INSTANCE_PATH", "instance")).resolve()
        database_url = environ.get("UOF_DATABASE_URL") or f"sqlite:///{instance_path / 'uof.sqlite3'}"
        secret_key = environ.get("UOF_SECRET_KEY", "")
        if env == PRODUCTION:
            if len(secret_key) < 32:
                raise ConfigurationError(
                    "UOF_ENV=production needs UOF_SECRET_KEY set to a random value of at least 32 characters"
                )
        elif not secret_key:
            secret_key = _instance_secret(instance_path, "secret_key")
        ratelimit_storage_url = environ.get("UOF_RATELIMIT_STORAGE_URL", "").strip()
        if env == PRODUCTION and not ratelimit_storage_url:
            raise ConfigurationError(
                "UOF_ENV=production needs UOF_RATELIMIT_STORAGE_URL (redis://…): kept in memory, each worker counts "
                "login attempts on its own and the limit does not hold (memory:// only for a single process)"
            )
        proxy_hops = environ.get("UOF_PROXY_HOPS", "0").strip() or "0"
        if not proxy_hops.isdigit() or int(proxy_hops) > 5:
            raise ConfigurationError("UOF_PROXY_HOPS must be the number of reverse proxies in front, 0 to 5")
        hosts = environ.get("UOF_PUSH_ALLOWED_HOSTS")
        vapid_subject = environ.get("UOF_VAPID_SUBJECT", "").strip() or None
        if vapid_subject is not None and not valid_vapid_subject(vapid_subject):
            raise ConfigurationError(
                "UOF_VAPID_SUBJECT must be a mailto: address (mailto:push-admin@force.police.uk, with no spaces "
                "or angle brackets) or an https: URL; push services such as Apple's refuse anything else"
            )
        return cls(
            env=env,
            instance_path=instance_path,
            database_url=database_url,
            secret_key=secret_key,
            vapid_subject=vapid_subject,
            push_allowed_hosts=(
                tuple(h.strip().lower() for h in hosts.split(",") if h.strip()) if hosts else DEFAULT_PUSH_HOSTS
            ),
            ratelimit_storage_url=ratelimit_storage_url or "memory://",
            audit_key=environ.get("UOF_AUDIT_KEY") or _instance_secret(instance_path, "audit_key"),
            vapid_private_key=environ.get("UOF_VAPID_PRIVATE_KEY", "").strip() or None,
            force_name=environ.get("UOF_FORCE_NAME", "").strip() or None,
            proxy_hops=int(proxy_hops),
        )

    def flask_config(self) -> dict[str, Any]:
        return {
            "UOF_SETTINGS": self,
            "UOF_FORCE_NAME": self.force_name,
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            # Parameters are what users typed: kept out of the exceptions that reach the logs.
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.production,
            "SESSION_COOKIE_NAME": "__Host-uof" if self.production else "uof",
            "PERMANENT_SESSION_LIFETIME": 12 * 3600,  # one shift
            "REMEMBER_COOKIE_SECURE": self.production,
            "MAX_CONTENT_LENGTH": 128 * 1024,
            "WTF_CSRF_TIME_LIMIT": 3600,
            "RATELIMIT_STORAGE_URI": self.ratelimit_storage_url,
            "RATELIMIT_HEADERS_ENABLED": True,
            "LOGIN_LOCKOUT_THRESHOLD": 5,
            "LOGIN_LOCKOUT_SECONDS": 15 * 60,
            "LOGIN_RATE_LIMIT": "10 per minute",
        }


def valid_vapid_subject(subject: str) -> bool:
    """A contact push services accept (RFC 8292): a plain mailto: address or an https: URL with a real host."""
    if subject.startswith("mailto:"):
        return _MAILTO.fullmatch(subject) is not None
    if any(ch.isspace() or ch in "<>\"" for ch in subject):
        return False
    parts = urlsplit(subject)
    return (parts.scheme == "https" and not parts.username and not parts.password
            and _HOSTNAME.fullmatch(parts.hostname or "") is not None)


def _instance_secret(instance_path: Path, name: str) -> str:
    """A secret made once and kept in the instance folder, readable only by its owner."""
    path = instance_path / name
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        draft = instance_path / f".{name}.{os.getpid()}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        # A hard link appears whole or not at all, so a worker starting at the same moment reads one key.
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
        draft.unlink()
    return path.read_text().strip()
