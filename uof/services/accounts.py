"""People and teams: creation, password hashing, authentication with lockout."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, or_, select

from uof.domain.validation import has_control_characters
from uof.extensions import db
from uof.models import ROLES, Team, User, UserRole, new_session_nonce, utcnow
from uof.services import audit

PASSWORD_MIN = 12
_hasher = PasswordHasher()
# Verified against when the username is unknown, so a miss costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")


class AccountError(ValueError):
    """Bad input to an account operation, with a message fit for the person who gave it."""


def hash_password(password: str) -> str:
    if len(password) < PASSWORD_MIN:
        raise AccountError(f"The password must be at least {PASSWORD_MIN} characters.")
    return _hasher.hash(password)


def create_team(name: str, area: str | None, *, actor: User | None = None) -> Team:
    name = name.strip()
    if not name:
        raise AccountError("A team needs a name.")
    if db.session.scalar(select(Team).where(func.lower(Team.name) == name.lower())):
        raise AccountError(f"A team called {name!r} already exists.")
    team = Team(name=name, area=(area or "").strip() or None)
    db.session.add(team)
    db.session.flush()
    audit.record("team.create", actor=actor, actor_label=None if actor else "cli", object_type="team",
                 object_id=team.id, detail={"name": team.name, "area": team.area})
    return team


def team_named(name: str) -> Team:
    team = db.session.scalar(select(Team).where(func.lower(Team.name) == name.strip().lower()))
    if team is None:
        raise AccountError(f"No team called {name!r}.")
    return team


def create_user(
    *,
    email: str,
    name: str,
    roles: Iterable[str],
    password: str,
    teams: Iterable[str] = (),
    force_number: str | None = None,
    actor: User | None = None,
) -> User:
    """Create a user. An officer's team is the team they belong to; a supervisor's are the teams they
    supervise (the first is also their own team, for the force they use themselves)."""
    email = email.strip().lower()
    roles = sorted(set(roles), key=ROLES.index) if set(roles) <= set(ROLES) else list(roles)
    unknown = [role for role in roles if role not in ROLES]
    if unknown:
        raise AccountError(f"Unknown role {unknown[0]!r}: choose from {', '.join(ROLES)}.")
    if not roles:
        raise AccountError("A user needs at least one role.")
    if "@" not in email or len(email) > 254:
        raise AccountError("Enter a valid email address.")
    if not name.strip():
        raise AccountError("A user needs a name.")
    force_number = (force_number or "").strip().upper() or None
    same_login = [User.email == email] + ([User.force_number == force_number] if force_number else [])
    clash = db.session.scalar(select(User).where(or_(*same_login)))
    if clash is not None:
        raise AccountError("A user with that email or force number already exists.")
    team_rows = [team_named(team) for team in teams]
    if "supervisor" not in roles and len(team_rows) > 1:
        raise AccountError("Only a supervisor can have several teams.")
    user = User(
        email=email,
        name=name.strip(),
        force_number=force_number,
        password_hash=hash_password(password),
        team=team_rows[0] if team_rows else None,
        role_rows=[UserRole(role=role) for role in roles],
    )
    if "supervisor" in roles:
        user.supervised = team_rows
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.create", actor=actor, actor_label=None if actor else "cli", object_type="user", object_id=user.id,
        detail={"roles": roles, "teams": [t.name for t in team_rows], "force_number": force_number},
    )
    return user


def find_login(username: str) -> User | None:
    username = username.strip()
    if not username or has_control_characters(username):
        return None
    return db.session.scalar(
        select(User).where(or_(User.email == username.lower(), User.force_number == username.upper()))
    )


def authenticate(username: str, password: str, *, threshold: int, lockout: timedelta) -> User | None:
    """The user if the login is good; records the attempt either way. The caller commits and shows one
    generic message on failure, whatever the reason (unknown, wrong password, locked, inactive)."""
    user = find_login(username)
    now = utcnow()
    if user is None:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        typed = "".join(ch if ch.isprintable() else "?" for ch in username)[:254]
        audit.record("login.failed", actor_label=typed, detail={"reason": "unknown user"})
        return None
    if user.locked_until and user.locked_until > now:
        audit.record("login.failed", actor=user, detail={"reason": "locked"})
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        user.failed_logins += 1
        detail: dict[str, object] = {"reason": "bad password", "failures": user.failed_logins}
        if user.failed_logins >= threshold:
            user.locked_until = now + lockout
            user.failed_logins = 0
            detail["locked_until"] = user.locked_until.isoformat()
        audit.record("login.failed", actor=user, detail=detail)
        return None
    if not user.active:
        audit.record("login.failed", actor=user, detail={"reason": "inactive"})
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    audit.record("login", actor=user)
    return user


def end_sessions(user: User) -> None:
    """Invalidate every login cookie of this user."""
    user.session_nonce = new_session_nonce()
