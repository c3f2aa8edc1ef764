"""Deny-by-default login, role checks, and the security headers every response carries."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, Response, abort, jsonify, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from uof.extensions import db, login_manager
from uof.models import User

F = TypeVar("F", bound=Callable[..., Any])

# Endpoints reachable without logging in. Everything else needs a session.
PUBLIC_ENDPOINTS = frozenset({"auth.login", "static", "api.openapi",
                              # The app shell installs before login and must work after a session ends.
                              "pwa.manifest", "pwa.service_worker", "pwa.offline",
                              # Transparency: aggregated, suppressed figures for anyone.
                              "public.index", "public.open_data_csv",
                              # Probes of the load balancer and the process supervisor.
                              "health.healthz", "health.readyz"})

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "worker-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
])


def is_api_request() -> bool:
    return request.path.startswith("/api/")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    ident, _, nonce = user_id.partition(".")
    if not ident.isdigit() or not nonce:
        return None
    user = db.session.scalar(select(User).where(User.id == int(ident)))
    if user is None or user.session_nonce != nonce or not user.active:
        return None
    return user


def require_login() -> Response | None:
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if request.endpoint and request.endpoint.startswith("public."):
        return None
    if current_user.is_authenticated:
        return None
    if is_api_request():
        response = jsonify(error="unauthenticated")
        response.status_code = 401
        return response
    next_path = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=next_path))  # type: ignore[return-value]


def roles_required(*roles: str) -> Callable[[F], F]:
    """Allow the view only to users holding one of ``roles``; others get 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    # same-origin keeps the Referer that Flask-WTF checks on HTTPS, and sends nothing to other sites.
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if current_user and getattr(current_user, "is_authenticated", False):
        # Pages with report contents must not linger in shared caches or the back button of a shared phone.
        headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in to continue."
    login_manager.session_protection = "basic"
    app.before_request(require_login)
    app.after_request(add_security_headers)
