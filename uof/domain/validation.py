"""Complete validation of a use-of-force report, shared by the HTML form and the JSON API.

``validate_report`` takes the report as parsed JSON (the API.md shape) and returns the normalised content and
the errors keyed by dotted path (``subject.age_band``, ``tactics.0.code``). The form validates a section by
keeping the errors under that section's paths, so both front doors apply exactly the same rules.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from uof.domain import vocabulary as v
from uof.domain.policy import EXCLUDED, Policy

NARRATIVE_MAX = 4000
AMENDMENT_REASON_MAX = 2000
REFERENCE_MAX = 40
BWV_REFERENCE_MAX = 60
AREA_MAX = 80
CLOCK_SKEW = timedelta(minutes=5)
# National recording began in April 2017; an earlier date is a typing mistake.
EARLIEST_INCIDENT = datetime(2017, 4, 1, tzinfo=UTC)

FIELDS = (
    "client_id", "incident_at", "incident_reference", "area", "locations", "subject", "conduct",
    "impact_factors", "reasons", "tactics", "officer_injury", "subject_injury", "outcomes", "single_crewed",
    "ced_trained", "ced_carried", "bwv", "narrative",
)
SUBJECT_FIELDS = {
    "age_band": v.AGE_BANDS, "gender": v.GENDERS, "ethnicity": v.ETHNICITIES,
    "health_condition": v.HEALTH_CONDITIONS,
}

Errors = dict[str, list[str]]


@dataclass
class Result:
    content: dict[str, Any] = field(default_factory=dict)
    errors: Errors = field(default_factory=dict)
    policy: Policy | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)


def parse_datetime(value: object) -> datetime | None:
    """An ISO 8601 date-time with a time zone, as UTC; None if it is not one."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        # The offset can push the year outside 1–9999 when converting to UTC.
        return parsed.astimezone(UTC) if parsed.tzinfo is not None else None
    except (ValueError, OverflowError):
        return None


def format_datetime(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def has_control_characters(text: str) -> bool:
    """Control characters other than line breaks and tabs; PostgreSQL refuses NUL in text outright."""
    return any(ord(ch) < 32 and ch not in "\n\r\t" for ch in text)


def _bool(data: Mapping[str, Any], key: str, path: str, result: Result) -> bool | None:
    value = data.get(key)
    if value is None:
        result.add(path, "Select yes or no.")
        return None
    if not isinstance(value, bool):
        result.add(path, "Must be true or false.")
        return None
    return value


def _code(value: object, vocab: v.Vocabulary, path: str, result: Result, what: str) -> str | None:
    if value is None or value == "":
        result.add(path, f"Select {what}.")
        return None
    if not vocab.accepts(value):
        result.add(path, f"Unknown {what}: choose one of the listed options.")
        return None
    return str(value)


def _codes(
    value: object, vocab: v.Vocabulary, path: str, result: Result, what: str, *, at_least_one: bool
) -> list[str]:
    if value is None:
        value = []
    if not isinstance(value, list):
        result.add(path, "Must be a list.")
        return []
    chosen: set[str] = set()
    for index, code in enumerate(value):
        if not vocab.accepts(code):
            result.add(f"{path}.{index}", f"Unknown {what}: choose one of the listed options.")
        elif code in chosen:
            result.add(f"{path}.{index}", f"{vocab.label(code)} is listed twice.")
        else:
            chosen.add(code)
    if at_least_one and not value:
        result.add(path, f"Select at least one {what}.")
    return [term.code for term in vocab.current if term.code in chosen]


SUB_OBJECT_FIELDS = {
    "subject": tuple(SUBJECT_FIELDS),
    "officer_injury": ("injured", "intentional_assault", "level"),
    "subject_injury": ("injured", "level", "medical_assistance"),
    "bwv": ("worn", "recording", "reference", "viewed_before_account"),
}


def _object(data: Mapping[str, Any], key: str, result: Result) -> Mapping[str, Any] | None:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        result.add(key, "Must be an object.")
        return None
    for unknown in sorted(set(value) - set(SUB_OBJECT_FIELDS[key]), key=str):
        result.add(f"{key}.{unknown}", "Unknown field.")
    return value


def _text(value: object, path: str, result: Result, *, max_length: int, required: str | None = None) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        result.add(path, "Must be text.")
        return ""
    text = value.strip()
    if required and not text:
        result.add(path, required)
    elif len(text) > max_length:
        result.add(path, f"Must be {max_length:,} characters or fewer (it is {len(text):,}).")
    elif has_control_characters(text):
        result.add(path, "Must not contain control characters.")
    return text


def validate_report(
    data: object,
    *,
    policy_for: Callable[[datetime], Policy],
    now: datetime,
    areas: Iterable[str] | None = None,
) -> Result:
    """Validate a whole report. ``policy_for`` gives the recording policy in force at a time."""
    result = Result()
    if not isinstance(data, Mapping):
        result.add("body", "Expected a JSON object.")
        return result
    for key in data:
        if key not in FIELDS:
            result.add(str(key), "Unknown field.")
    out = result.content

    client_id = data.get("client_id")
    try:
        out["client_id"] = str(uuid.UUID(str(client_id))) if isinstance(client_id, str) else None
    except ValueError:
        out["client_id"] = None
    if out["client_id"] is None:
        result.add("client_id", "Must be a UUID made on the device.")

    incident_at = parse_datetime(data.get("incident_at"))
    if data.get("incident_at") in (None, ""):
        result.add("incident_at", "Enter the date and time of the incident.")
    elif incident_at is None:
        result.add("incident_at", "Must be a date and time with a time zone, like 2026-11-25T22:40:00Z.")
    elif incident_at > now + CLOCK_SKEW:
        result.add("incident_at", "The incident cannot be in the future.")
    elif incident_at < EARLIEST_INCIDENT:
        result.add("incident_at", "The incident must be on or after 1 April 2017.")
    out["incident_at"] = format_datetime(incident_at) if incident_at else None
    policy = policy_for(incident_at if incident_at and not result.errors.get("incident_at") else now)
    result.policy = policy

    out["incident_reference"] = _text(
        data.get("incident_reference"), "incident_reference", result, max_length=REFERENCE_MAX,
        required="Enter the incident reference (CAD or log number).",
    )
    area = _text(data.get("area"), "area", result, max_length=AREA_MAX)
    known_areas = list(areas) if areas is not None else None
    if area and known_areas is not None and area not in known_areas:
        result.add("area", "Unknown area: choose one of the force's areas.")
    out["area"] = area or None
    out["locations"] = _codes(data.get("locations"), v.LOCATIONS, "locations", result, "location",
                              at_least_one=True)

    subject = _object(data, "subject", result)
    out["subject"] = {}
    for key, vocab in SUBJECT_FIELDS.items():
        what = {"age_band": "an age band", "gender": "a gender", "ethnicity": "an ethnicity",
                "health_condition": "a health condition"}[key]
        if subject is None:
            out["subject"][key] = None
        else:
            out["subject"][key] = _code(subject.get(key), vocab, f"subject.{key}", result, what)
    out["conduct"] = _code(data.get("conduct"), v.CONDUCT, "conduct", result, "the person's conduct")
    out["impact_factors"] = _codes(data.get("impact_factors"), v.IMPACT_FACTORS, "impact_factors", result,
                                   "impact factor", at_least_one=False)
    out["reasons"] = _codes(data.get("reasons"), v.REASONS, "reasons", result, "reason", at_least_one=True)
    out["tactics"] = _tactics(data.get("tactics"), policy, result)
    out["outcomes"] = _codes(data.get("outcomes"), v.OUTCOMES, "outcomes", result, "outcome",
                             at_least_one=True)

    for key in ("single_crewed", "ced_trained", "ced_carried"):
        out[key] = _bool(data, key, key, result)

    out["officer_injury"] = _officer_injury(data, result)
    out["subject_injury"] = _subject_injury(data, result)
    out["bwv"] = _bwv(data, result)
    out["narrative"] = _text(data.get("narrative"), "narrative", result, max_length=NARRATIVE_MAX) or None

    _consistency(out, result)
    return result


def _tactics(value: object, policy: Policy, result: Result) -> list[dict[str, Any]]:
    if value is None:
        value = []
    if not isinstance(value, list):
        result.add("tactics", "Must be a list.")
        return []
    used: dict[str, bool] = {}
    for index, item in enumerate(value):
        path = f"tactics.{index}"
        if not isinstance(item, Mapping):
            result.add(path, "Each tactic must be an object with a code and effective.")
            continue
        extra = set(item) - {"code", "effective"}
        for key in sorted(extra, key=str):
            result.add(f"{path}.{key}", "Unknown field.")
        code = item.get("code")
        if not isinstance(code, str) or not v.TACTICS.accepts(code):
            result.add(f"{path}.code", "Unknown tactic: choose one of the listed options.")
            continue
        if policy.level(code) == EXCLUDED:
            result.add(f"{path}.code", f"{v.TACTICS.label(code)} is not recorded under the force's recording "
                                       f"policy (version {policy.version}).")
            continue
        if code in used:
            result.add(f"{path}.code", f"{v.TACTICS.label(code)} is listed twice.")
            continue
        effective = item.get("effective")
        if not isinstance(effective, bool):
            result.add(f"{path}.effective", f"Say whether {v.TACTICS.label(code).lower()} was effective.")
            continue
        used[code] = effective
    if not value:
        result.add("tactics", "Select at least one tactic you used.")
    elif used and not any(v.is_force(code) for code in used):
        result.add("tactics", "Tactical communication is recorded only alongside another tactic.")
    return [{"code": t.code, "effective": used[t.code]} for t in v.TACTICS.current if t.code in used]


def _officer_injury(data: Mapping[str, Any], result: Result) -> dict[str, Any]:
    raw = _object(data, "officer_injury", result) or {}
    injury = {
        "injured": _bool(raw, "injured", "officer_injury.injured", result),
        "intentional_assault": _bool(raw, "intentional_assault", "officer_injury.intentional_assault", result),
        "level": _code(raw.get("level"), v.OFFICER_INJURY_LEVELS, "officer_injury.level", result,
                       "the officer's injury level"),
    }
    if injury["injured"] is False and injury["level"] not in (None, "none"):
        result.add("officer_injury.level", "An officer who was not injured has injury level none.")
    if injury["injured"] is True and injury["level"] == "none":
        result.add("officer_injury.level", "Select minor or severe for an injured officer.")
    if injury["injured"] is False and injury["intentional_assault"] is True:
        result.add("officer_injury.intentional_assault",
                   "An intentional assault is recorded here only when the officer was injured.")
    return injury


def _subject_injury(data: Mapping[str, Any], result: Result) -> dict[str, Any]:
    raw = _object(data, "subject_injury", result) or {}
    injury = {
        "injured": _bool(raw, "injured", "subject_injury.injured", result),
        "level": _code(raw.get("level"), v.SUBJECT_INJURY_LEVELS, "subject_injury.level", result,
                       "the person's injury level"),
        "medical_assistance": _code(raw.get("medical_assistance"), v.MEDICAL_ASSISTANCE,
                                    "subject_injury.medical_assistance", result, "the medical assistance"),
    }
    if injury["injured"] is False and injury["level"] not in (None, "none"):
        result.add("subject_injury.level", "A person who was not injured has injury level none.")
    if injury["injured"] is True and injury["level"] == "none":
        result.add("subject_injury.level", "Select minor, severe or death for an injured person.")
    return injury


def _bwv(data: Mapping[str, Any], result: Result) -> dict[str, Any]:
    raw = _object(data, "bwv", result) or {}
    bwv = {
        "worn": _bool(raw, "worn", "bwv.worn", result),
        "recording": _bool(raw, "recording", "bwv.recording", result),
        "reference": _text(raw.get("reference"), "bwv.reference", result, max_length=BWV_REFERENCE_MAX) or None,
        "viewed_before_account": _bool(raw, "viewed_before_account", "bwv.viewed_before_account", result),
    }
    if bwv["worn"] is False and bwv["recording"] is True:
        result.add("bwv.recording", "Body-worn video cannot be recording if it was not worn.")
    if bwv["recording"] is False and bwv["reference"]:
        result.add("bwv.reference", "A footage reference is given only when the camera was recording.")
    if bwv["recording"] is False and bwv["viewed_before_account"] is True:
        result.add("bwv.viewed_before_account", "Footage can be viewed only when the camera was recording.")
    return bwv


def _consistency(out: dict[str, Any], result: Result) -> None:
    outcomes = set(out["outcomes"])
    level = out["subject_injury"].get("level")
    if level == "death" and "fatality" not in outcomes:
        result.add("outcomes", "A death must be recorded with the outcome fatality.")
    if "fatality" in outcomes and level != "death" and "subject_injury.level" not in result.errors:
        result.add("subject_injury.level", "The outcome fatality needs the injury level death.")
    if {"arrested", "no_further_action"} <= outcomes:
        result.add("outcomes", "A person cannot be both arrested and have no further action taken.")
    if any(v.tactic(t["code"]).ced_rank for t in out["tactics"]):
        if out["ced_carried"] is False:
            result.add("ced_carried", "You recorded a Taser (CED) tactic, so you were carrying a Taser.")
        if out["ced_trained"] is False:
            result.add("ced_trained", "You recorded a Taser (CED) tactic, so you are Taser trained.")
    if out["ced_carried"] is True and out["ced_trained"] is False:
        result.add("ced_trained", "Only Taser-trained officers carry a Taser.")


def validate_amendment(body: object, client_id: str) -> Errors:
    """The shape of an amendment request, ``{"reason": "…", "changes": {…partial report…}}``; the changed
    report itself is then validated whole by ``validate_report``."""
    result = Result()
    if not isinstance(body, Mapping):
        result.add("body", "Expected a JSON object.")
        return result.errors
    for key in sorted(set(body) - {"reason", "changes"}, key=str):
        result.add(str(key), "Unknown field.")
    reason, changes = body.get("reason"), body.get("changes")
    if not isinstance(reason, str) or not reason.strip():
        result.add("reason", "Give the reason for the amendment.")
    elif len(reason.strip()) > AMENDMENT_REASON_MAX:
        result.add("reason", f"Must be {AMENDMENT_REASON_MAX:,} characters or fewer.")
    if not isinstance(changes, Mapping) or not changes:
        result.add("changes", "Give the fields that change, as an object.")
    elif "client_id" in changes and changes["client_id"] != client_id:
        result.add("changes.client_id", "The client_id of a report cannot change.")
    return result.errors
