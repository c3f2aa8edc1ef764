"""Which endpoints the server may post to (pure: no app, no database)."""

from __future__ import annotations

import pytest

from uof.config import DEFAULT_PUSH_HOSTS
from uof.services.push import endpoint_allowed

TESTING = ("127.0.0.1", "push.example.org")


@pytest.mark.parametrize("url", [
    "https://fcm.googleapis.com/fcm/send/abc:APA91b",
    "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
    "https://web.push.apple.com/QGuQyavXutnMx",
    "https://wns2-db5p.notify.windows.com/w/?token=BQYAAA",
    "https://FCM.googleapis.com/fcm/send/abc",
    "https://fcm.googleapis.com:443/fcm/send/abc",
])
def test_the_browsers_push_services_are_allowed(url):
    assert endpoint_allowed(url, DEFAULT_PUSH_HOSTS)


@pytest.mark.parametrize("url", [
    "https://evil.example/push",
    "https://fcm.googleapis.com.evil.example/push",
    "https://evilfcm.googleapis.com/push",
    "https://googleapis.com/push",
    "https://user@fcm.googleapis.com/push",
    "https://user:secret@fcm.googleapis.com/push",
    "https://fcm.googleapis.com@evil.example/push",
    "https://fcm.googleapis.com%2eevil.example/push",
    "https://fcm.googleapis.com\\@evil.example/push",
    "http://fcm.googleapis.com/fcm/send/abc",
    "https://8.8.8.8/push",
    "https://[2001:4860:4860::8888]/push",
    "https://fcm.googleapis.com./push",
    "https://fcm.googleapis.com:0x1bb/push",
    "https:///push",
    "https://",
    "",
    None,
    42,
    "https://fcm.googleapis.com/" + "a" * 2048,
    "https://fcm.googleapis.com/\npush",
    "javascript:alert(1)",
    "https://xn--fcm-googleapis-com.evil.example/x",
])
def test_anything_else_is_refused(url):
    assert not endpoint_allowed(url, DEFAULT_PUSH_HOSTS)


@pytest.mark.parametrize(("url", "allowed"), [
    ("http://127.0.0.1:8123/push/abc", True),
    ("https://127.0.0.1:8123/push/abc", True),
    ("http://127.0.0.2:8123/push/abc", False),
    ("http://localhost:8123/push/abc", False),
    ("http://push.example.org/push/abc", False),
    ("https://push.example.org/push/abc", True),
    ("https://eu.push.example.org/push/abc", True),
    ("https://user@127.0.0.1:8123/push/abc", False),
    ("http://[::1]:8123/push/abc", False),
    ("http://2130706433/push/abc", False),
    ("http://0x7f.0.0.1/push/abc", False),
    ("https://1.127.0.0.1/push/abc", False),
])
def test_loopback_and_plain_http_only_when_the_exact_host_is_allowed(url, allowed):
    assert endpoint_allowed(url, TESTING) is allowed


def test_localhost_over_http_when_allowed_by_name():
    assert endpoint_allowed("http://localhost:9000/push/1", ("localhost",))
    assert not endpoint_allowed("http://localhost:9000/push/1", ("127.0.0.1",))


def test_an_ip_literal_never_matches_as_a_suffix():
    assert not endpoint_allowed("https://10.0.0.1/push", ("0.0.1",))
    assert endpoint_allowed("https://10.0.0.1/push", ("10.0.0.1",))


@pytest.mark.parametrize(("url", "allowed"), [
    ("https://fcm.googleapis.com/fcm/send/abc", True),
    ("https://fcm.googleapis.com:443/fcm/send/abc", True),
    ("https://fcm.googleapis.com:8443/fcm/send/abc", False),
    ("https://fcm.googleapis.com:22/fcm/send/abc", False),
    ("https://web.push.apple.com:80/x", False),
    ("https://fcm.googleapis.com:0/x", False),
])
def test_only_the_default_https_port(url, allowed):
    """A port of the client's choosing would let a subscription reach another service on a push host."""
    assert endpoint_allowed(url, DEFAULT_PUSH_HOSTS) is allowed


@pytest.mark.parametrize(("url", "allowed"), [
    ("https://push.example.org:8443/push/abc", False),
    ("https://10.0.0.1:8443/push", False),
    ("https://10.0.0.1:443/push", True),
    ("http://127.0.0.1:45123/push/abc", True),
    ("https://127.0.0.1:45123/push/abc", True),
    ("http://127.0.0.1/push/abc", True),
])
def test_any_port_only_for_an_allowed_loopback_host(url, allowed):
    """The fake push service in the tests listens on an ephemeral port of 127.0.0.1."""
    assert endpoint_allowed(url, (*TESTING, "10.0.0.1")) is allowed
