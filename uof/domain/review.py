"""The rules of a supervisor's review decision, shared by the review page and the JSON API.

A decision is ``{"decision": "approve"|"return"|"refer", "comment": str, "bwv_reviewed": bool,
"bwv_reference": str|null, "debrief_held": bool}``. The officer must be told what to amend, and professional
standards why a report is referred, so those two decisions need a comment. Where the officer's camera was
recording, a supervisor who says they reviewed the video names the footage they reviewed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from uof.domain.validation import BWV_REFERENCE_MAX, Errors, has_control_characters

# The decisions (API.md: POST /api/v1/reports/<id>/review).
APPROVE = "approve"
RETURN = "return"
REFER = "refer"
DECISIONS = (APPROVE, RETURN, REFER)
DECISION_LABELS = {
    APPROVE: "Approved",
    RETURN: "Returned for amendment",
    REFER: "Referred to professional standards",
}

COMMENT_MAX = 4000
# A report waiting longer than this for a decision is overdue; the review queue and the workflow alert rule's
# default both start from it.
REVIEW_DUE_HOURS = 72
FIELDS = ("decision", "comment", "bwv_reviewed", "bwv_reference", "debrief_held")
REQUIRED = ("decision", "bwv_reviewed")
COMMENT_NEEDED = {
    RETURN: "Say what the officer must amend.",
    REFER: "Say why you are referring the report to professional standards.",
}


@dataclass(frozen=True)
class Decision:
    decision: str
    comment: str | None
    bwv_reviewed: bool
    bwv_reference: str | None
    debrief_held: bool


@dataclass(frozen=True)
class Checked:
    decision: Decision | None
    errors: Errors


def video_recorded(content: Mapping[str, Any]) -> bool:
    """Whether the report says the officer's body-worn video was recording."""
    bwv = content.get("bwv")
    return isinstance(bwv, Mapping) and bwv.get("recording") is True


def recorded_reference(content: Mapping[str, Any]) -> str | None:
    """The footage reference the officer gave, to start the reviewer's answer from."""
    bwv = content.get("bwv")
    reference = bwv.get("reference") if isinstance(bwv, Mapping) else None
    return reference if isinstance(reference, str) and reference else None


def _text(value: object, field: str, max_length: int, errors: Errors) -> str | None:
    """Stripped text, None when empty; an error for anything but text, overlong text or control characters."""
    if value is None:
        return None
    if not isinstance(value, str):
        errors.setdefault(field, []).append("Must be text.")
        return None
    text = value.strip()
    if len(text) > max_length:
        errors.setdefault(field, []).append(f"Must be {max_length:,} characters or fewer (it is {len(text):,}).")
    elif has_control_characters(text):
        errors.setdefault(field, []).append("Must not contain control characters.")
    return text or None


def _flag(body: Mapping[str, Any], field: str, errors: Errors) -> bool:
    value = body.get(field, False)
    if not isinstance(value, bool):
        errors.setdefault(field, []).append("Must be true or false.")
        return False
    return value


def check_decision(body: object, *, video_recorded: bool) -> Checked:
    """The decision in ``body``, or the errors by field name; nothing is half accepted."""
    if not isinstance(body, Mapping):
        return Checked(None, {"body": ["Expected a JSON object."]})
    errors: Errors = {}
    for unknown in sorted(set(body) - set(FIELDS), key=str):
        errors[str(unknown)] = ["Unknown field."]
    for field in REQUIRED:
        if body.get(field) is None:
            errors[field] = ["Choose approve, return or refer." if field == "decision"
                             else "Say whether you reviewed the body-worn video."]
    decision = body.get("decision")
    if decision is not None and not (isinstance(decision, str) and decision in DECISIONS):
        errors["decision"] = ["Unknown decision: choose approve, return or refer."]
        decision = None
    comment = _text(body.get("comment"), "comment", COMMENT_MAX, errors)
    if decision in COMMENT_NEEDED and comment is None and "comment" not in errors:
        errors["comment"] = [COMMENT_NEEDED[decision]]
    bwv_reviewed = _flag(body, "bwv_reviewed", errors) if "bwv_reviewed" not in errors else False
    bwv_reference = _text(body.get("bwv_reference"), "bwv_reference", BWV_REFERENCE_MAX, errors)
    if "bwv_reference" not in errors and "bwv_reviewed" not in errors:
        if bwv_reviewed and video_recorded and bwv_reference is None:
            errors["bwv_reference"] = ["Give the reference of the footage you reviewed."]
        elif not bwv_reviewed and bwv_reference is not None:
            errors["bwv_reference"] = ["Give a footage reference only when you reviewed the video."]
    debrief_held = _flag(body, "debrief_held", errors)
    if errors:
        return Checked(None, errors)
    assert isinstance(decision, str)
    return Checked(Decision(decision, comment, bwv_reviewed, bwv_reference, debrief_held), {})


def describe_wait(waited: timedelta) -> str:
    """How long a report has waited, in the largest two units that matter: "3 days 4 hours", "45 minutes"."""
    minutes = max(int(waited.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)

    def unit(count: int, name: str) -> str:
        return f"{count} {name}{'' if count == 1 else 's'}"

    if days:
        return unit(days, "day") + (f" {unit(hours, 'hour')}" if hours else "")
    if hours:
        return unit(hours, "hour") + (f" {unit(minutes, 'minute')}" if minutes else "")
    return unit(minutes, "minute")

