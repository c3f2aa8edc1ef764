"""Settings.from_env: the UOF_* variables of API.md (pure: no app, no database)."""

from __future__ import annotations

import dataclasses
import os
import stat

import pytest

from uof.config import DEFAULT_PUSH_HOSTS, DEVELOPMENT_VAPID_SUBJECT, ConfigurationError, Settings

STRONG = "s" * 32
REDIS = "redis://127.0.0.1:6379/0"


def settings(tmp_path, **env):
    return Settings.from_env({"UOF_INSTANCE_PATH": str(tmp_path / "instance"), **env})


@pytest.mark.parametrize("secret", [None, "", "short", "x" * 31])
def test_production_refuses_a_missing_or_short_secret(tmp_path, secret):
    env = {"UOF_ENV": "production"}
    if secret is not None:
        env["UOF_SECRET_KEY"] = secret
    with pytest.raises(ConfigurationError, match="UOF_SECRET_KEY"):
        settings(tmp_path, **env)
    # Production never falls back to a generated secret.
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_production_with_a_strong_secret(tmp_path):
    config = settings(tmp_path, UOF_ENV="production", UOF_SECRET_KEY=STRONG, UOF_RATELIMIT_STORAGE_URL=REDIS)
    assert config.production
    assert config.secret_key == STRONG
    flask = config.flask_config()
    assert flask["SECRET_KEY"] == STRONG
    assert flask["SESSION_COOKIE_SECURE"] is True
    assert flask["REMEMBER_COOKIE_SECURE"] is True
    assert flask["SESSION_COOKIE_HTTPONLY"] is True
    assert flask["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert flask["SESSION_COOKIE_NAME"].startswith("__Host-")


@pytest.mark.parametrize("storage", [None, "", "  "])
def test_production_refuses_to_count_login_attempts_in_each_worker_apart(tmp_path, storage):
    env = {"UOF_ENV": "production", "UOF_SECRET_KEY": STRONG}
    if storage is not None:
        env["UOF_RATELIMIT_STORAGE_URL"] = storage
    with pytest.raises(ConfigurationError, match="UOF_RATELIMIT_STORAGE_URL"):
        settings(tmp_path, **env)
    single = settings(tmp_path, **{**env, "UOF_RATELIMIT_STORAGE_URL": "memory://"})
    assert single.flask_config()["RATELIMIT_STORAGE_URI"] == "memory://"


def test_development_defaults(tmp_path):
    config = settings(tmp_path)
    assert config.env == "development"
    assert not config.production
    assert config.instance_path == (tmp_path / "instance").resolve()
    assert config.database_url == f"sqlite:///{(tmp_path / 'instance').resolve() / 'uof.sqlite3'}"
    assert config.push_allowed_hosts == DEFAULT_PUSH_HOSTS
    assert config.ratelimit_storage_url == "memory://"
    assert config.vapid_subject is None
    flask = config.flask_config()
    assert flask["SESSION_COOKIE_SECURE"] is False
    assert flask["MAX_CONTENT_LENGTH"] == 128 * 1024
    assert flask["RATELIMIT_STORAGE_URI"] == "memory://"
    assert flask["SQLALCHEMY_DATABASE_URI"] == config.database_url
    assert flask["UOF_SETTINGS"] is config


def test_development_generates_a_secret_once_readable_only_by_its_owner(tmp_path):
    first = settings(tmp_path)
    path = tmp_path / "instance" / "secret_key"
    assert path.exists()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert len(first.secret_key) >= 32
    assert path.read_text().strip() == first.secret_key
    second = settings(tmp_path)
    assert second.secret_key == first.secret_key
    # Another instance folder gets another secret.
    other = Settings.from_env({"UOF_INSTANCE_PATH": str(tmp_path / "other")})
    assert other.secret_key != first.secret_key


def test_development_uses_a_given_secret_without_writing_one(tmp_path):
    config = settings(tmp_path, UOF_SECRET_KEY="given-secret")
    assert config.secret_key == "given-secret"
    assert not (tmp_path / "instance" / "secret_key").exists()


@pytest.mark.parametrize("env", ["prod", "Production", "test", "staging"])
def test_an_unknown_environment_is_refused(tmp_path, env):
    with pytest.raises(ConfigurationError, match="UOF_ENV"):
        settings(tmp_path, UOF_ENV=env)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("push.example.org", ("push.example.org",)),
        (" FCM.googleapis.com , push.example.org ,, ", ("fcm.googleapis.com", "push.example.org")),
        ("", DEFAULT_PUSH_HOSTS),
    ],
)
def test_push_allowed_hosts(tmp_path, value, expected):
    assert settings(tmp_path, UOF_PUSH_ALLOWED_HOSTS=value).push_allowed_hosts == expected


def test_other_variables(tmp_path):
    config = settings(
        tmp_path,
        UOF_DATABASE_URL="postgresql+psycopg://uof@db/uof",
        UOF_VAPID_SUBJECT="mailto:uof@example.org",
        UOF_RATELIMIT_STORAGE_URL="redis://cache:6379/0",
    )
    assert config.database_url == "postgresql+psycopg://uof@db/uof"
    assert config.vapid_subject == "mailto:uof@example.org"
    assert config.flask_config()["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/0"


def test_settings_are_frozen(tmp_path):
    config = settings(tmp_path)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.env = "production"  # type: ignore[misc]


def test_from_env_reads_the_process_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("UOF_ENV", "production")
    monkeypatch.delenv("UOF_SECRET_KEY", raising=False)
    monkeypatch.setenv("UOF_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(ConfigurationError):
        Settings.from_env()


@pytest.mark.parametrize("subject", [
    "mailto:push-admin@force.police.uk",
    "mailto:uof.ops+push@example.org",
    "https://force.police.uk",
    "https://force.police.uk/contact/push",
])
def test_a_vapid_subject_push_services_accept(tmp_path, subject):
    config = settings(tmp_path, UOF_VAPID_SUBJECT=subject)
    assert config.vapid_subject == config.push_subject == subject


@pytest.mark.parametrize("subject", [
    "push-admin@force.police.uk",
    "mailto: push-admin@force.police.uk",
    "mailto:<push-admin@force.police.uk>",
    "mailto:admin@localhost",
    "mailto:admin",
    "http://force.police.uk",
    "https://localhost",
    "https://force police.uk",
    "https://user@force.police.uk",
    "ftp://force.police.uk",
])
def test_a_vapid_subject_push_services_refuse_stops_startup(tmp_path, subject):
    with pytest.raises(ConfigurationError, match="UOF_VAPID_SUBJECT"):
        settings(tmp_path, UOF_VAPID_SUBJECT=subject)


def test_the_push_subject_defaults_to_a_placeholder_only_in_development(tmp_path):
    assert settings(tmp_path).push_subject == DEVELOPMENT_VAPID_SUBJECT
    assert DEVELOPMENT_VAPID_SUBJECT.startswith("mailto:")
    production = settings(tmp_path, UOF_ENV="production", UOF_SECRET_KEY=STRONG, UOF_RATELIMIT_STORAGE_URL=REDIS)
    assert production.vapid_subject is None
    assert production.push_subject is None


def test_the_vapid_private_key_comes_from_the_environment_when_set(tmp_path):
    assert settings(tmp_path).vapid_private_key is None
    assert settings(tmp_path, UOF_VAPID_PRIVATE_KEY="  key-material\n").vapid_private_key == "key-material"


@pytest.mark.parametrize("hops", ["-1", "one", "6", "1.5"])
def test_proxy_hops_must_be_a_small_count(tmp_path, hops):
    with pytest.raises(ConfigurationError, match="UOF_PROXY_HOPS"):
        settings(tmp_path, UOF_PROXY_HOPS=hops)
    assert settings(tmp_path).proxy_hops == 0
    assert settings(tmp_path, UOF_PROXY_HOPS="2").proxy_hops == 2
