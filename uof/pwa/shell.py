"""What the service worker caches, and the version that names its cache.

Everything is computed once, when the app is built: the manifest's bytes, the worker script with its
configuration injected, and a version hashed from every file the shell is made of. A change to any static
file, to the worker's source, to the manifest or to the offline page gives a new version, so browsers install
a new worker that fetches the new files instead of serving the old ones from their cache for ever.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CACHE_PREFIX = "uof-shell-"
DEVICE_FORM = "/record/device"
FORM_API = "/api/v1/form"
OFFLINE_PAGE = "/offline"
LOGIN_PAGE = "/login"
MANIFEST_URL = "/manifest.webmanifest"
WORKER_SOURCE = "js/sw.js"
# Set to any value to give the shell a new version without changing a file: a deployment can force every
# phone to fetch the shell again, and the browser tests use it to release a "new version".
SALT_VARIABLE = "UOF_SHELL_VERSION_SALT"

# Static files precached, relative to the static folder: every stylesheet, script and icon there is (the
# recording pages need most of them, and the rest are small), so that a script added to the form is cached
# without anyone remembering to list it. What is not in the folder is not listed, so that no missing file can
# stop the worker installing. The worker's own source is served as /sw.js, never from the cache.
SHELL_PATTERNS = ("css/*.css", "js/*.js", "icons/*.png", "icons/*.svg")


def shell_static(static_folder: Path) -> list[str]:
    found = {path.relative_to(static_folder).as_posix()
             for pattern in SHELL_PATTERNS for path in static_folder.glob(pattern) if path.is_file()}
    return sorted(found - {WORKER_SOURCE})


# Pages and API resources that need a login: cached at install when the officer is logged in, skipped
# otherwise, and then fetched after the first page the worker serves to a logged-in officer.
LOGIN_ONLY = (FORM_API, DEVICE_FORM)


def manifest(static_url: str) -> dict[str, Any]:
    icons = f"{static_url}/icons"
    return {
        "id": "/reports",
        "name": "Use of force",
        "short_name": "Use of force",
        "description": "Record a use of force from your phone, with or without a signal.",
        "lang": "en-GB",
        "dir": "ltr",
        "start_url": "/reports",
        "scope": "/",
        "display": "standalone",
        "theme_color": "#0b0c0c",
        "background_color": "#ffffff",
        "icons": [
            {"src": f"{icons}/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": f"{icons}/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {"src": f"{icons}/maskable-512.png", "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        ],
    }


def shell_version(static_folder: Path, extra: Iterable[bytes] = ()) -> str:
    """A hash of every file under ``static_folder`` (names and bytes) and of ``extra``.

    The whole folder, not only the precached files: the worker serves every static file cache-first, so a
    change to any of them must roll the version."""
    digest = hashlib.sha256()
    for path in sorted(p for p in static_folder.rglob("*") if p.is_file()):
        name = path.relative_to(static_folder).as_posix().encode()
        content = path.read_bytes()
        # Lengths before contents, so that no two different sets of files hash alike.
        digest.update(len(name).to_bytes(4, "big") + name + len(content).to_bytes(8, "big") + content)
    for part in extra:
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Shell:
    version: str
    manifest: bytes
    worker: bytes
    precache: tuple[str, ...]

    @property
    def cache_name(self) -> str:
        return CACHE_PREFIX + self.version


def build(static_folder: Path, static_url: str, templates: Iterable[Path], salt: str | None = None) -> Shell:
    """The shell as served: ``templates`` are the pages the worker caches whose source counts in the version."""
    salt = os.environ.get(SALT_VARIABLE, "") if salt is None else salt
    manifest_bytes = json.dumps(manifest(static_url), indent=2).encode()
    source = (static_folder / WORKER_SOURCE).read_bytes()
    version = shell_version(static_folder, [manifest_bytes, salt.encode(),
                                            *(path.read_bytes() for path in sorted(templates))])
    precache = (
        *(f"{static_url}/{name}" for name in shell_static(static_folder)),
        MANIFEST_URL,
        OFFLINE_PAGE,
    )
    config = {
        "version": version,
        "cachePrefix": CACHE_PREFIX,
        "precache": precache,
        "loginOnly": LOGIN_ONLY,
        "staticPrefix": f"{static_url}/",
        "deviceForm": DEVICE_FORM,
        "formApi": FORM_API,
        "offlinePage": OFFLINE_PAGE,
        "loginPage": LOGIN_PAGE,
    }
    # The configuration goes in front of the source, so that sw.js stays plain JavaScript.
    header = f"/* Injected by uof.pwa when the app started. */\nself.UOF_SHELL = {json.dumps(config)};\n\n"
    return Shell(version=version, manifest=manifest_bytes, worker=header.encode() + source, precache=precache)
