"""Logging in and out."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from uof.auth import bp
from uof.auth.forms import LoginForm
from uof.extensions import db, limiter
from uof.services import accounts, audit

GENERIC_FAILURE = (
    "The email or force number and password do not match, or the account is locked for a while after "
    "too many attempts. Check them and try again."
)


def _safe_next(target: str | None) -> str:
    """Only a path on this site, so the login page cannot be used to send someone elsewhere."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("record.home")


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> str | Response:
    """The login page: email or force number, and password."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    failure = None
    if form.validate_on_submit():
        user = accounts.authenticate(
            form.username.data or "",
            form.password.data or "",
            threshold=current_app.config["LOGIN_LOCKOUT_THRESHOLD"],
            lockout=timedelta(seconds=current_app.config["LOGIN_LOCKOUT_SECONDS"]),
        )
        db.session.commit()
        if user is not None:
            # A fresh session at login, so that nothing set before it (a fixed session) carries over.
            session.clear()
            login_user(user)
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")), code=303)
        failure = GENERIC_FAILURE
    elif request.method == "POST":
        failure = "Enter your email or force number and your password."
    return render_template("auth/login.html", form=form, failure=failure)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    """Log out and end this user's sessions everywhere (a shared phone must not stay logged in)."""
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    audit.record("logout", actor=user)
    accounts.end_sessions(user)
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have logged out.")
    return redirect(url_for("auth.login"), code=303)
