"""The fake push service itself: it must refuse what a real one refuses, or the other tests prove nothing."""

from __future__ import annotations

import time

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush

from tests.pushservice import FakePushService, VerificationError, b64url, decrypt, unb64url, verify_vapid

# RFC 8291 section 5, "Push Message Encryption Example".
RFC8291_BODY = ("DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6Tlz"
                "AC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN")
RFC8291_UA_PRIVATE = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"
RFC8291_AUTH = "BTBZMqHH6r4Tts7J_aSIgg"


def test_the_rfc_8291_example_decrypts():
    private_key = ec.derive_private_key(int.from_bytes(unb64url(RFC8291_UA_PRIVATE), "big"), ec.SECP256R1())
    plaintext = decrypt(unb64url(RFC8291_BODY), private_key, unb64url(RFC8291_AUTH))
    assert plaintext == b"When I grow up, I want to be a watermelon"


@pytest.fixture
def server_key() -> Vapid02:
    key = Vapid02()
    key.generate_keys()
    return key


def _header(key: Vapid02, **claims) -> str:
    return key.sign({"sub": "mailto:ops@example.org", "aud": "http://127.0.0.1:1",
                     "exp": int(time.time()) + 3600} | claims)["Authorization"]


def _k(header: str) -> str:
    return header.rsplit("k=", 1)[1]


def test_a_good_token_passes(server_key):
    header = _header(server_key)
    claims = verify_vapid(header, audience="http://127.0.0.1:1", expected_key=_k(header), now=time.time())
    assert claims["sub"] == "mailto:ops@example.org"


@pytest.mark.parametrize(("claims", "problem"), [
    ({"aud": "https://fcm.googleapis.com"}, "aud"),
    ({"exp": int(time.time()) - 10}, "exp"),
    ({"exp": int(time.time()) + 25 * 3600}, "exp"),
    ({"sub": "ops@example.org"}, "sub"),
])
def test_bad_claims_are_refused(server_key, claims, problem):
    server_key.conf = {"no-strict": True}
    header = _header(server_key, **claims)
    with pytest.raises(VerificationError, match=problem):
        verify_vapid(header, audience="http://127.0.0.1:1", expected_key=None, now=time.time())


def test_a_forged_or_foreign_token_is_refused(server_key):
    header = _header(server_key)
    other = Vapid02()
    other.generate_keys()
    foreign = _header(other)
    with pytest.raises(VerificationError, match="public key"):
        verify_vapid(foreign, audience="http://127.0.0.1:1", expected_key=_k(header), now=time.time())
    # The signature of one key presented with another key.
    forged = foreign.rsplit("k=", 1)[0] + "k=" + _k(header)
    with pytest.raises(VerificationError, match="signature"):
        verify_vapid(forged, audience="http://127.0.0.1:1", expected_key=None, now=time.time())
    with pytest.raises(VerificationError, match="scheme"):
        verify_vapid("WebPush abc", audience="http://127.0.0.1:1", expected_key=None, now=time.time())


def _send(service: FakePushService, subscription: dict, key: Vapid02, **options) -> requests.Response:
    arguments = {"data": '{"type":"test"}', "vapid_private_key": key, "vapid_claims": {"sub": "mailto:a@example.org"},
                 "ttl": 60} | options
    try:
        return webpush(subscription, **arguments)
    except WebPushException as error:
        return error.response


def test_a_well_formed_push_is_received(server_key):
    with FakePushService(expected_public_key=None) as service:
        subscription = service.subscription()
        response = _send(service, subscription, server_key, headers={"Urgency": "low", "Topic": "digest"})
        assert response.status_code == 201
        [message] = service.received
    assert message.payload == {"type": "test"}
    assert message.headers["topic"] == "digest"
    assert message.claims["aud"] == service.origin


def test_what_a_real_push_service_refuses_is_refused(server_key):
    with FakePushService() as service:
        subscription = service.subscription()
        assert _send(service, subscription, server_key, ttl=0).status_code == 400
        assert _send(service, subscription, server_key, content_encoding="aesgcm").status_code == 400
        assert _send(service, subscription, server_key, data="x" * 4000).status_code == 400
        stranger = subscription | {"keys": service.subscription()["keys"]}  # another device's keys
        assert _send(service, stranger, server_key).status_code == 400
        claims = {"sub": "mailto:a@example.org", "aud": "https://fcm.googleapis.com"}
        assert _send(service, subscription, server_key, vapid_claims=claims).status_code == 400
    assert service.received == []
    assert [reason.split()[0] for reason in service.rejected] == ["TTL", "Content-Encoding", "body", "cannot", "aud"]


def test_failures_on_demand_and_gone_endpoints(server_key):
    with FakePushService() as service:
        subscription = service.subscription()
        service.fail_next(429, count=2, headers={"Retry-After": "7"})
        first = _send(service, subscription, server_key)
        assert (first.status_code, first.headers["Retry-After"]) == (429, "7")
        assert _send(service, subscription, server_key).status_code == 429
        assert _send(service, subscription, server_key).status_code == 201
        unknown = subscription | {"endpoint": f"{service.origin}/push/{b64url(b'nobody')}"}
        assert _send(service, unknown, server_key).status_code == 404
        service.expire(subscription)
        assert _send(service, subscription, server_key).status_code == 410
    assert [attempt.status for attempt in service.attempts] == [429, 429, 201, 404, 410]
    assert len(service.for_endpoint(subscription)) == 1


def test_wait_for_times_out_with_what_it_saw():
    with FakePushService() as service, pytest.raises(AssertionError, match="received 0"):
        service.wait_for(1, timeout=0.1)
