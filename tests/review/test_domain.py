"""The decision rules shared by the review page and the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from uof.domain.review import COMMENT_MAX, Decision, check_decision, describe_wait, recorded_reference, video_recorded


def _body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"decision": "approve", "comment": "", "bwv_reviewed": True,
                            "bwv_reference": "BWV-1", "debrief_held": False}
    body.update(overrides)
    return body


def test_a_complete_decision_is_accepted_with_its_text_tidied():
    checked = check_decision(_body(decision="return", comment="  Say why you drew the baton.  ",
                                   bwv_reference=" BWV-1 ", debrief_held=True), video_recorded=True)
    assert checked.errors == {}
    assert checked.decision == Decision("return", "Say why you drew the baton.", True, "BWV-1", True)


def test_approval_needs_no_comment_and_extensions_are_optional():
    checked = check_decision({"decision": "approve", "bwv_reviewed": False}, video_recorded=False)
    assert checked.decision == Decision("approve", None, False, None, False)


@pytest.mark.parametrize(("body", "field", "message"), [
    ([], "body", "Expected a JSON object."),
    ({**_body(), "rating": 5}, "rating", "Unknown field."),
    (_body(decision=None), "decision", "Choose approve, return or refer."),
    (_body(decision="sign_off"), "decision", "Unknown decision: choose approve, return or refer."),
    (_body(decision=["approve"]), "decision", "Unknown decision: choose approve, return or refer."),
    (_body(decision="return", comment=""), "comment", "Say what the officer must amend."),
    (_body(decision="return", comment="   "), "comment", "Say what the officer must amend."),
    (_body(decision="refer", comment=None), "comment",
     "Say why you are referring the report to professional standards."),
    (_body(comment=7), "comment", "Must be text."),
    (_body(comment="x" * (COMMENT_MAX + 1)), "comment", "Must be 4,000 characters or fewer (it is 4,001)."),
    (_body(comment="Fine\x00"), "comment", "Must not contain control characters."),
    (_body(bwv_reviewed=None), "bwv_reviewed", "Say whether you reviewed the body-worn video."),
    (_body(bwv_reviewed="yes"), "bwv_reviewed", "Must be true or false."),
    (_body(bwv_reference=None), "bwv_reference", "Give the reference of the footage you reviewed."),
    (_body(bwv_reviewed=False), "bwv_reference", "Give a footage reference only when you reviewed the video."),
    (_body(bwv_reference="B" * 61), "bwv_reference", "Must be 60 characters or fewer (it is 61)."),
    (_body(bwv_reference="BWV\x07"), "bwv_reference", "Must not contain control characters."),
    (_body(debrief_held=1), "debrief_held", "Must be true or false."),
])
def test_each_rule_names_its_field(body, field, message):
    checked = check_decision(body, video_recorded=True)
    assert checked.decision is None
    assert message in checked.errors[field], checked.errors


def test_the_reference_is_needed_only_when_the_camera_was_recording():
    checked = check_decision(_body(bwv_reference=None), video_recorded=False)
    assert checked.decision is not None
    assert checked.decision.bwv_reference is None


def test_every_error_is_reported_at_once():
    checked = check_decision({"decision": "refer", "comment": 1, "bwv_reviewed": "no", "x": 1},
                             video_recorded=True)
    assert set(checked.errors) == {"comment", "bwv_reviewed", "x"}


def test_the_video_facts_come_from_the_report():
    content = {"bwv": {"worn": True, "recording": True, "reference": "BWV-9"}}
    assert video_recorded(content)
    assert recorded_reference(content) == "BWV-9"
    assert not video_recorded({"bwv": {"recording": False}})
    assert recorded_reference({}) is None
    assert not video_recorded({"bwv": "junk"})


@pytest.mark.parametrize(("waited", "text"), [
    (timedelta(seconds=30), "0 minutes"),
    (timedelta(minutes=1), "1 minute"),
    (timedelta(minutes=45), "45 minutes"),
    (timedelta(hours=1), "1 hour"),
    (timedelta(hours=2, minutes=5), "2 hours 5 minutes"),
    (timedelta(days=1), "1 day"),
    (timedelta(days=3, hours=4, minutes=59), "3 days 4 hours"),
    (timedelta(seconds=-5), "0 minutes"),
])
def test_waiting_time_in_words(waited, text):
    assert describe_wait(waited) == text
