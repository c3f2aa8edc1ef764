"""The VAPID key pair: from the environment or the instance folder, made once, never printed."""

from __future__ import annotations

import base64
import os
import stat
import threading

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02

from tests.conftest import _app_for
from uof.config import ConfigurationError
from uof.services import push


def raw_public(vapid: Vapid02) -> str:
    point = vapid.public_key.public_bytes(serialization.Encoding.X962,
                                          serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(point).rstrip(b"=").decode()


def test_the_key_file_is_made_once_readable_only_by_its_owner(app):
    path = app.config["UOF_SETTINGS"].instance_path / push.KEY_FILE
    assert not path.exists()
    with app.app_context():
        public = push.ensure_keys()
        assert push.public_key() == public
        assert push.key_file() == path
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert path.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert raw_public(push.parse_private_key(path.read_text())) == public
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(f".{push.KEY_FILE}")] == []


def test_processes_creating_the_key_at_once_agree_on_one(tmp_path):
    path = tmp_path / push.KEY_FILE
    barrier = threading.Barrier(8)

    def create() -> None:
        barrier.wait()
        push._create_key_file(path)

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    key = path.read_text()
    assert push.parse_private_key(key)
    assert sorted(p.name for p in tmp_path.iterdir()) == [push.KEY_FILE]


@pytest.mark.parametrize("form", ["pem", "raw"])
def test_the_key_may_come_from_the_environment(tmp_path, monkeypatch, form):
    vapid = Vapid02()
    vapid.generate_keys()
    if form == "pem":
        value = vapid.private_pem().decode()
    else:
        scalar = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
        value = base64.urlsafe_b64encode(scalar).rstrip(b"=").decode()
    monkeypatch.setenv("UOF_VAPID_PRIVATE_KEY", value)
    app = _app_for("sqlite://", tmp_path / "instance", monkeypatch)
    with app.app_context():
        assert push.key_file() is None
        assert push.public_key() == raw_public(vapid)
    assert not (tmp_path / "instance" / push.KEY_FILE).exists()


@pytest.mark.parametrize("value", [
    "not a key",
    "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
    base64.urlsafe_b64encode(b"\x01" * 31).decode(),
    ec.generate_private_key(ec.SECP384R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode(),
])
def test_an_unusable_key_in_the_environment_stops_the_app(tmp_path, monkeypatch, value):
    monkeypatch.setenv("UOF_VAPID_PRIVATE_KEY", value)
    with pytest.raises(ConfigurationError, match="UOF_VAPID_PRIVATE_KEY") as raised:
        _app_for("sqlite://", tmp_path / "instance", monkeypatch)
    assert value not in str(raised.value)


def test_a_bad_subject_stops_the_app(tmp_path, monkeypatch):
    monkeypatch.setenv("UOF_VAPID_SUBJECT", "mailto: <admin@force.police.uk>")
    with pytest.raises(ConfigurationError, match="UOF_VAPID_SUBJECT"):
        _app_for("sqlite://", tmp_path / "instance", monkeypatch)


def test_production_without_a_subject_warns_once_and_sends_nothing(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("UOF_ENV", "production")
    monkeypatch.setenv("UOF_SECRET_KEY", "p" * 40)
    monkeypatch.setenv("UOF_RATELIMIT_STORAGE_URL", "memory://")
    monkeypatch.delenv("UOF_VAPID_SUBJECT", raising=False)
    env = {"UOF_DATABASE_URL": "sqlite://", "UOF_INSTANCE_PATH": str(tmp_path / "instance")}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    from uof import create_app

    with caplog.at_level("WARNING", logger="uof.push"):
        app = create_app({"TESTING": True})
    assert caplog.text.count("push notifications are off") == 1
    with app.app_context():
        assert not push.enabled()


def test_cli_vapid_keys_creates_and_prints_only_the_public_key(app, runner):
    path = app.config["UOF_SETTINGS"].instance_path / push.KEY_FILE
    first = runner.invoke(args=["uof", "vapid-keys"])
    assert first.exit_code == 0, first.output
    assert "Created a new private key" in first.output
    with app.app_context():
        public = push.public_key()
    assert first.output.strip().endswith(public)
    private = path.read_text()
    body = "".join(private.strip().splitlines()[1:-1])
    assert body not in first.output
    assert "PRIVATE KEY-----" not in first.output
    second = runner.invoke(args=["uof", "vapid-keys"])
    assert second.exit_code == 0
    assert "Using the private key" in second.output
    assert second.output.strip().endswith(public)
    assert path.read_text() == private


def test_cli_vapid_keys_with_a_key_from_the_environment(tmp_path, monkeypatch):
    vapid = Vapid02()
    vapid.generate_keys()
    monkeypatch.setenv("UOF_VAPID_PRIVATE_KEY", vapid.private_pem().decode())
    app = _app_for("sqlite://", tmp_path / "instance", monkeypatch)
    result = app.test_cli_runner().invoke(args=["uof", "vapid-keys"])
    assert result.exit_code == 0
    assert "UOF_VAPID_PRIVATE_KEY" in result.output
    assert result.output.strip().endswith(raw_public(vapid))
    assert not (tmp_path / "instance" / push.KEY_FILE).exists()


def _production_app(tmp_path, monkeypatch, **env):
    monkeypatch.setenv("UOF_ENV", "production")
    monkeypatch.setenv("UOF_SECRET_KEY", "p" * 40)
    monkeypatch.setenv("UOF_RATELIMIT_STORAGE_URL", "memory://")
    monkeypatch.setenv("UOF_DATABASE_URL", "sqlite://")
    monkeypatch.setenv("UOF_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("UOF_VAPID_SUBJECT", "mailto:push-admin@force.police.uk")
    monkeypatch.delenv("UOF_VAPID_PRIVATE_KEY", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    from uof import create_app

    return create_app({"TESTING": True})


def test_production_never_makes_a_key_on_demand(tmp_path, monkeypatch, caplog):
    """A web worker and a scheduler on different hosts would each make a key, and every push would get 403."""
    with caplog.at_level("WARNING", logger="uof.push"):
        app = _production_app(tmp_path, monkeypatch)
    assert caplog.text.count("push notifications are off") == 1
    assert "uof vapid-keys" in caplog.text
    path = tmp_path / "instance" / push.KEY_FILE
    with app.app_context():
        assert not push.enabled()
        with pytest.raises(push.PushDisabled):
            push.public_key()
        with pytest.raises(push.PushDisabled):
            push.vapid()
    assert not path.exists()
    # `uof vapid-keys` makes it, once, for every process to share; push is on from then on.
    result = app.test_cli_runner().invoke(args=["uof", "vapid-keys"])
    assert result.exit_code == 0, result.output
    assert "Created a new private key" in result.output
    assert path.exists()
    with app.app_context():
        assert push.enabled()
        assert result.output.strip().endswith(push.public_key())


def test_production_uses_a_key_file_made_ahead_of_time(tmp_path, monkeypatch, caplog):
    push._create_key_file(tmp_path / "instance" / push.KEY_FILE)
    with caplog.at_level("WARNING", logger="uof.push"):
        app = _production_app(tmp_path, monkeypatch)
    assert "push notifications are off" not in caplog.text
    with app.app_context():
        assert push.enabled()
        assert push.public_key() == raw_public(push.parse_private_key((tmp_path / "instance" / push.KEY_FILE)
                                                                      .read_text()))


def test_production_uses_the_key_from_the_environment(tmp_path, monkeypatch, caplog):
    vapid = Vapid02()
    vapid.generate_keys()
    with caplog.at_level("WARNING", logger="uof.push"):
        app = _production_app(tmp_path, monkeypatch, UOF_VAPID_PRIVATE_KEY=vapid.private_pem().decode())
    assert "push notifications are off" not in caplog.text
    with app.app_context():
        assert push.enabled()
        assert push.public_key() == raw_public(vapid)
    assert not (tmp_path / "instance" / push.KEY_FILE).exists()


def test_production_without_a_subject_or_a_key_warns_once_naming_both(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("UOF_VAPID_SUBJECT", "")
    with caplog.at_level("WARNING", logger="uof.push"):
        app = _production_app(tmp_path, monkeypatch, UOF_VAPID_SUBJECT="")
    assert caplog.text.count("push notifications are off") == 1
    assert "UOF_VAPID_SUBJECT" in caplog.text
    assert "uof vapid-keys" in caplog.text
    with app.app_context():
        assert not push.enabled()


def test_development_still_makes_the_key_on_first_need(app):
    path = app.config["UOF_SETTINGS"].instance_path / push.KEY_FILE
    with app.app_context():
        assert push.enabled()
        assert not path.exists()
        push.public_key()
    assert path.exists()
