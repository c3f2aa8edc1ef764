"""API.md "Browser session": the login form, lockout, rate limit, logout and session handling."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from urllib.parse import quote, urlsplit

import pytest
from sqlalchemy import select

from tests.conftest import csrf_from
from tests.factories import PASSWORD
from uof.auth.routes import GENERIC_FAILURE
from uof.extensions import db
from uof.models import AuditEvent, User

EMAIL = "pc.one@example.org"
FORCE_NUMBER = "WM1234"


@pytest.fixture
def officer(make):
    make.team()
    return make.user(EMAIL, "officer", teams=("Birmingham Central A",), force_number=FORCE_NUMBER)


def post_login(client, username, password, query=""):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post(f"/login{query}", data={"username": username, "password": password, "csrf_token": token})


def failure_text(response) -> str:
    html = response.get_data(as_text=True)
    match = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', html, re.S)
    assert match, html
    return re.sub(r"\s+", " ", match.group(1)).strip()


def session_cookie(client, app) -> str | None:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return cookie.value if cookie else None


def actions(app, action):
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)).all()


def test_login_page_has_the_contract_fields(client):
    response = client.get("/login")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r'<input[^>]*name="username"', html)
    assert re.search(r'<input[^>]*name="password"[^>]*type="password"|<input[^>]*type="password"[^>]*name="password"',
                     html)
    assert re.search(r'<input[^>]*name="csrf_token"[^>]*type="hidden"|<input[^>]*type="hidden"[^>]*name="csrf_token"',
                     html)
    assert '<form method="post"' in html


@pytest.mark.parametrize("username", [EMAIL, EMAIL.upper(), f"  {EMAIL}  ", FORCE_NUMBER, FORCE_NUMBER.lower()])
def test_login_by_email_or_force_number_case_insensitive(app, client, officer, username):
    response = post_login(client, username, PASSWORD)
    assert response.status_code in (302, 303)
    assert response.headers["Location"].startswith("/")
    session = client.get("/api/v1/session").get_json()
    assert session["user"]["id"] == officer.id


def test_a_logged_in_user_visiting_the_login_page_is_sent_on(client, officer):
    assert post_login(client, EMAIL, PASSWORD).status_code in (302, 303)
    response = client.get("/login")
    assert response.status_code == 302


def test_failures_show_one_generic_message(app, client, officer):
    unknown = post_login(client, "nobody@example.org", PASSWORD)
    wrong = post_login(client, EMAIL, "not-the-password-at-all")
    assert unknown.status_code == wrong.status_code == 200
    assert failure_text(unknown) == failure_text(wrong)
    assert GENERIC_FAILURE in failure_text(wrong)
    with app.app_context():
        user = db.session.get(User, officer.id)
        user.locked_until = datetime.now(UTC) + timedelta(minutes=10)
        db.session.commit()
    locked = post_login(client, EMAIL, PASSWORD)
    assert locked.status_code == 200
    assert failure_text(locked) == failure_text(wrong)
    # Nothing on the page tells the three apart.
    for response in (unknown, wrong, locked):
        html = response.get_data(as_text=True).lower()
        assert "locked" not in html.replace(GENERIC_FAILURE.lower(), "")
        assert "unknown" not in html
    assert client.get("/api/v1/session").status_code == 401


def test_empty_fields_are_a_failure_not_a_login(client, officer):
    response = post_login(client, "", "")
    assert response.status_code == 200
    assert "There is a problem" in response.get_data(as_text=True)
    assert client.get("/api/v1/session").status_code == 401


def test_lockout_after_the_threshold_and_unlock_after_the_period(app, client, officer):
    threshold = app.config["LOGIN_LOCKOUT_THRESHOLD"]
    assert threshold == 5
    for _ in range(threshold - 1):
        post_login(client, EMAIL, "wrong-password-here")
    with app.app_context():
        user = db.session.get(User, officer.id)
        assert user.failed_logins == threshold - 1
        assert user.locked_until is None
    post_login(client, EMAIL, "wrong-password-here")
    with app.app_context():
        user = db.session.get(User, officer.id)
        locked_until = user.locked_until
        assert locked_until is not None
        expected = datetime.now(UTC) + timedelta(seconds=app.config["LOGIN_LOCKOUT_SECONDS"])
        assert abs((locked_until - expected).total_seconds()) < 60
    # Locked: even the right password fails, with the same generic message.
    response = post_login(client, EMAIL, PASSWORD)
    assert response.status_code == 200
    assert GENERIC_FAILURE in failure_text(response)
    assert client.get("/api/v1/session").status_code == 401
    # By force number too.
    assert post_login(client, FORCE_NUMBER, PASSWORD).status_code == 200
    # The period passes.
    with app.app_context():
        user = db.session.get(User, officer.id)
        user.locked_until = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
    response = post_login(client, EMAIL, PASSWORD)
    assert response.status_code in (302, 303)
    with app.app_context():
        user = db.session.get(User, officer.id)
        assert user.locked_until is None
        assert user.failed_logins == 0
    reasons = [row.detail.get("reason") for row in actions(app, "login.failed")]
    assert reasons.count("bad password") == threshold
    assert "locked" in reasons


def test_a_successful_login_resets_the_failure_count(app, client, officer):
    for _ in range(3):
        post_login(client, EMAIL, "wrong-password-here")
    assert post_login(client, EMAIL, PASSWORD).status_code in (302, 303)
    with app.app_context():
        assert db.session.get(User, officer.id).failed_logins == 0


def test_an_inactive_account_cannot_log_in(app, client, officer):
    with app.app_context():
        db.session.get(User, officer.id).active = False
        db.session.commit()
    response = post_login(client, EMAIL, PASSWORD)
    assert response.status_code == 200
    assert GENERIC_FAILURE in failure_text(response)


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_repeated_login_posts_are_rate_limited(app, client, officer):
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    token = csrf_from(client.get("/login").get_data(as_text=True))
    statuses = [
        client.post("/login", data={"username": EMAIL, "password": "wrong-password", "csrf_token": token}).status_code
        for _ in range(limit + 2)
    ]
    assert statuses[:limit] == [200] * limit
    assert statuses[limit:] == [429, 429]
    # The login page itself stays readable; only attempts are limited.
    assert client.get("/login").status_code == 200
    # Even the right password is refused while the limit lasts.
    response = client.post("/login", data={"username": EMAIL, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 429


def test_logout_is_post_only(client, officer):
    post_login(client, EMAIL, PASSWORD)
    response = client.get("/logout")
    assert response.status_code == 405
    assert client.get("/api/v1/session").status_code == 200


def test_logout_needs_a_csrf_token(client, officer):
    post_login(client, EMAIL, PASSWORD)
    assert client.post("/logout").status_code == 400
    assert client.get("/api/v1/session").status_code == 200


def test_logout_ends_the_session_even_for_a_copied_cookie(app, client, officer):
    assert post_login(client, EMAIL, PASSWORD).status_code in (302, 303)
    name = app.config["SESSION_COOKIE_NAME"]
    stolen = session_cookie(client, app)
    assert stolen
    token = client.get("/api/v1/session").get_json()["csrf_token"]
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code in (302, 303)
    assert response.headers["Location"].endswith("/login")
    assert client.get("/api/v1/session").status_code == 401
    # Replaying the cookie from before logout gives nothing.
    replay = app.test_client()
    replay.set_cookie(name, stolen)
    assert replay.get("/api/v1/session").status_code == 401
    page = replay.get("/reports")
    assert page.status_code == 302
    assert "/login" in page.headers["Location"]


def test_logout_ends_the_users_other_sessions(app, officer):
    phone, desktop = app.test_client(), app.test_client()
    post_login(phone, EMAIL, PASSWORD)
    post_login(desktop, EMAIL, PASSWORD)
    assert desktop.get("/api/v1/session").status_code == 200
    token = phone.get("/api/v1/session").get_json()["csrf_token"]
    phone.post("/logout", data={"csrf_token": token})
    assert desktop.get("/api/v1/session").status_code == 401


def test_the_session_is_renewed_at_login(app, client, officer):
    client.get("/login")
    before = session_cookie(client, app)
    assert before
    post_login(client, EMAIL, PASSWORD)
    after = session_cookie(client, app)
    assert after
    assert after != before
    # The pre-login cookie does not carry the login.
    old = app.test_client()
    old.set_cookie(app.config["SESSION_COOKIE_NAME"], before)
    assert old.get("/api/v1/session").status_code == 401


def test_the_session_cookie_is_set_at_login_with_its_flags(client, officer):
    response = post_login(client, EMAIL, PASSWORD)
    headers = response.headers.getlist("Set-Cookie")
    assert headers
    cookie = SimpleCookie()
    cookie.load(headers[0])
    morsel = next(iter(cookie.values()))
    assert morsel["httponly"]
    assert morsel["samesite"].lower() == "lax"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example", "//evil.example", "/\\evil.example", "\\\\evil.example", "https:evil.example",
     "javascript:alert(1)", "/\t/evil.example", "evil.example"],
)
def test_next_cannot_send_the_user_to_another_site(client, officer, target):
    response = post_login(client, EMAIL, PASSWORD, query=f"?next={quote(target, safe='')}")
    assert response.status_code in (302, 303)
    location = response.headers["Location"]
    # Read the Location as a browser would: tabs and line breaks dropped, backslashes as slashes.
    as_browser = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    parts = urlsplit(as_browser)
    assert not parts.scheme, location
    assert not parts.netloc, location
    assert as_browser.startswith("/"), location
    assert not as_browser.startswith("//"), location


def test_next_within_the_site_is_followed(client, officer):
    response = post_login(client, EMAIL, PASSWORD, query="?next=/reports/7")
    assert response.headers["Location"] == "/reports/7"


def test_deny_by_default_sends_to_login_with_next(client, officer):
    response = client.get("/reports")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/reports"
    follow = post_login(client, EMAIL, PASSWORD, query="?next=/reports")
    assert follow.headers["Location"] == "/reports"


def test_login_and_logout_are_audited(app, client, officer):
    post_login(client, "nobody@example.org", "whatever-it-is")
    post_login(client, EMAIL, "wrong-password-here")
    post_login(client, EMAIL, PASSWORD)
    token = client.get("/api/v1/session").get_json()["csrf_token"]
    client.post("/logout", data={"csrf_token": token})
    failed = actions(app, "login.failed")
    assert [(row.actor_id, row.actor_label, row.detail["reason"]) for row in failed] == [
        (None, "nobody@example.org", "unknown user"),
        (officer.id, EMAIL, "bad password"),
    ]
    assert [(row.actor_id, row.ip) for row in actions(app, "login")] == [(officer.id, "127.0.0.1")]
    assert [row.actor_id for row in actions(app, "logout")] == [officer.id]
    for row in failed:
        assert "password" not in str(row.detail).replace("bad password", "")


def test_control_characters_in_the_username_are_a_plain_failure(client, make):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": "a\x00b", "password": "x" * 12, "csrf_token": token})
    assert response.status_code == 200
    assert "do not match" in response.get_data(as_text=True)
