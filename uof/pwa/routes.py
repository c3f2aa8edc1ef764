"""The manifest, the service worker and the offline page: public, so that the shell installs and works
before anyone logs in and after a session has ended."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, render_template, request
from flask.blueprints import BlueprintSetupState
from werkzeug.wrappers import Response

from uof.pwa import bp, shell

EXTENSION = "uof.pwa"
OFFLINE_TEMPLATE = "pwa/offline.html"


@bp.record_once
def _build_shell(state: BlueprintSetupState) -> None:
    app = state.app
    assert app.static_folder is not None
    assert app.static_url_path is not None
    templates = Path(app.root_path) / "templates" / "pwa"
    app.extensions[EXTENSION] = shell.build(Path(app.static_folder), app.static_url_path,
                                            sorted(templates.glob("*.html")))


def current_shell() -> shell.Shell:
    built: shell.Shell = current_app.extensions[EXTENSION]
    return built


def _revalidated(response: Response, etag: str) -> Response:
    # no-cache, not no-store: the browser keeps a copy but asks every time, and a 304 costs a few bytes.
    response.headers["Cache-Control"] = "no-cache"
    response.set_etag(etag)
    return response.make_conditional(request)


@bp.get(shell.MANIFEST_URL)
def manifest() -> Response:
    built = current_shell()
    return _revalidated(Response(built.manifest, mimetype="application/manifest+json"), built.version)


@bp.get("/sw.js")
def service_worker() -> Response:
    """At the site's root, so that the worker's scope is the whole site."""
    built = current_shell()
    return _revalidated(Response(built.worker, mimetype="text/javascript"), built.version)


@bp.get(shell.OFFLINE_PAGE)
def offline() -> Response:
    """Served by the worker when a page cannot be fetched; it holds nothing about anyone, so that it can be
    cached on a shared phone."""
    page = render_template(OFFLINE_TEMPLATE, device_form=shell.DEVICE_FORM)
    response = Response(page, mimetype="text/html")
    response.headers["Cache-Control"] = "no-cache"
    return response
