"""Every rule of uof.domain.validation, without an app or a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.factories import report_body
from uof.domain.policy import DEROGATED, EXCLUDED, NATIONAL, Policy
from uof.domain.validation import (
    CLOCK_SKEW,
    FIELDS,
    NARRATIVE_MAX,
    REFERENCE_MAX,
    format_datetime,
    parse_datetime,
    validate_report,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
INCIDENT = "2026-11-25T22:40:00Z"
NATIONAL_V1 = Policy(1, NATIONAL)


def body(**overrides: Any) -> dict[str, Any]:
    return report_body(**{"incident_at": INCIDENT, **overrides})


_DEFAULT = object()


def check(data: object = _DEFAULT, *, policy: Policy = NATIONAL_V1, now: datetime = NOW, areas=None, **overrides):
    return validate_report(
        body(**overrides) if data is _DEFAULT else data, policy_for=lambda _when: policy, now=now, areas=areas
    )


def errors(data: object = _DEFAULT, **kwargs: Any) -> dict[str, list[str]]:
    return check(data, **kwargs).errors


def with_nested(key: str, **changes: Any) -> dict[str, Any]:
    data = body()
    data[key] = {**data[key], **changes}
    return data


def without(*keys: str) -> dict[str, Any]:
    data = body()
    for key in keys:
        data.pop(key, None)
    return data


# --- a valid report, and normalisation ---------------------------------------------------------------------

def test_the_factory_body_is_valid():
    result = check()
    assert result.ok, result.errors
    assert result.errors == {}
    assert set(result.content) == set(FIELDS)
    assert result.policy == NATIONAL_V1


def test_content_is_normalised():
    result = check(
        incident_at="2026-11-25T23:40:00.123456+01:00",
        incident_reference="  CAD-1234-25NOV26 ",
        locations=["dwelling", "street_highway"],
        reasons=["effect_arrest", "protect_self"],
        impact_factors=["crowd", "alcohol"],
        outcomes=["other", "arrested"],
        tactics=[{"code": "ground_restraint", "effective": False},
                 {"code": "non_compliant_handcuffing", "effective": True}],
        narrative="  text  ",
        area="",
        client_id="8E1B0F5C-2F6B-4C1A-9C5E-3C7E6F1A2B3C",
    )
    assert result.ok, result.errors
    content = result.content
    assert content["incident_at"] == "2026-11-25T22:40:00Z"
    assert content["incident_reference"] == "CAD-1234-25NOV26"
    assert content["locations"] == ["street_highway", "dwelling"]
    assert content["reasons"] == ["protect_self", "effect_arrest"]
    assert content["impact_factors"] == ["alcohol", "crowd"]
    assert content["outcomes"] == ["arrested", "other"]
    assert content["tactics"] == [{"code": "non_compliant_handcuffing", "effective": True},
                                  {"code": "ground_restraint", "effective": False}]
    assert content["narrative"] == "text"
    assert content["area"] is None
    assert content["client_id"] == "8e1b0f5c-2f6b-4c1a-9c5e-3c7e6f1a2b3c"


@pytest.mark.parametrize("field", ["locations", "reasons", "impact_factors", "outcomes"])
def test_a_code_listed_twice_is_refused(field):
    code = {"locations": "dwelling", "reasons": "effect_arrest", "impact_factors": "crowd",
            "outcomes": "other"}[field]
    result = check(**{field: [code, code]})
    assert list(result.errors) == [f"{field}.1"]
    assert result.errors[f"{field}.1"][0].endswith("is listed twice.")


@pytest.mark.parametrize("field", ["subject", "officer_injury", "subject_injury", "bwv"])
def test_unknown_keys_inside_the_objects_are_refused(field):
    body = check().content[field] | {"extra": 1}
    assert check(**{field: body}).errors == {f"{field}.extra": ["Unknown field."]}


def test_optional_parts_may_be_left_out():
    result = check(without("narrative", "impact_factors", "area"))
    assert result.ok, result.errors
    assert result.content["narrative"] is None
    assert result.content["impact_factors"] == []
    assert result.content["area"] is None
    data = body(bwv={"worn": False, "recording": False, "reference": None, "viewed_before_account": False},
                narrative="")
    result = check(data)
    assert result.ok, result.errors
    assert result.content["narrative"] is None
    assert result.content["bwv"]["reference"] is None


def test_datetime_helpers():
    assert parse_datetime("2026-11-25T22:40:00Z") == datetime(2026, 11, 25, 22, 40, tzinfo=UTC)
    assert parse_datetime("2026-06-25T23:40:00+01:00") == datetime(2026, 6, 25, 22, 40, tzinfo=UTC)
    assert parse_datetime("2026-11-25T22:40:00") is None
    assert parse_datetime("2026-11-25") is None
    assert parse_datetime("") is None
    assert parse_datetime(1764110400) is None
    assert format_datetime(datetime(2026, 6, 25, 23, 40, 5, 999, tzinfo=UTC)) == "2026-06-25T23:40:05Z"


# --- the body itself ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("data", [[], "report", 42, None, True])
def test_body_must_be_an_object(data):
    assert errors(data) == {"body": ["Expected a JSON object."]}


def test_unknown_top_level_field():
    found = errors(body(officer_name="PC Smith", colour="blue"))
    assert found["officer_name"] == ["Unknown field."]
    assert found["colour"] == ["Unknown field."]
    assert set(found) == {"officer_name", "colour"}


def test_unknown_field_in_a_tactic():
    found = errors(tactics=[{"code": "non_compliant_handcuffing", "effective": True, "duration": 3}])
    assert found == {"tactics.0.duration": ["Unknown field."]}


@pytest.mark.parametrize("client_id", ["", "not-a-uuid", 123, None, ["8e1b0f5c-2f6b-4c1a-9c5e-3c7e6f1a2b3c"]])
def test_client_id_must_be_a_uuid(client_id):
    assert set(errors(client_id=client_id)) == {"client_id"}


def test_client_id_missing():
    assert set(errors(without("client_id"))) == {"client_id"}


# --- unknown codes ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("field", ["locations", "impact_factors", "reasons", "outcomes"])
def test_unknown_code_in_each_list(field):
    valid = body()[field] or ["alcohol"]
    found = errors(**{field: [*valid, "made_up"]})
    assert list(found) == [f"{field}.{len(valid)}"]
    assert "Unknown" in found[f"{field}.{len(valid)}"][0]


@pytest.mark.parametrize("field", ["locations", "impact_factors", "reasons", "outcomes"])
@pytest.mark.parametrize("item", [None, 3, True, {"code": "other"}, ["other"], "OTHER"])
def test_list_items_must_be_known_strings(field, item):
    found = errors(**{field: [item]})
    assert f"{field}.0" in found


@pytest.mark.parametrize(
    ("key", "field"),
    [
        (None, "conduct"),
        ("subject", "age_band"),
        ("subject", "gender"),
        ("subject", "ethnicity"),
        ("subject", "health_condition"),
        ("officer_injury", "level"),
        ("subject_injury", "level"),
        ("subject_injury", "medical_assistance"),
    ],
)
@pytest.mark.parametrize("value", ["made_up", 7, True, ["male"]])
def test_unknown_code_in_each_code_field(key, field, value):
    data = body(**{field: value}) if key is None else with_nested(key, **{field: value})
    path = field if key is None else f"{key}.{field}"
    found = errors(data)
    assert list(found) == [path]
    assert found[path] == [found[path][0]]
    assert found[path][0].startswith("Unknown")


def test_unknown_tactic_code():
    found = errors(tactics=[{"code": "non_compliant_handcuffing", "effective": True},
                            {"code": "water_cannon", "effective": True}])
    assert list(found) == ["tactics.1.code"]
    assert found["tactics.1.code"][0].startswith("Unknown tactic")


@pytest.mark.parametrize(
    ("key", "field", "what"),
    [(None, "conduct", "conduct"), ("subject", "age_band", "age band"), ("subject", "gender", "gender"),
     ("subject", "ethnicity", "ethnicity"), ("subject", "health_condition", "health condition"),
     ("officer_injury", "level", "injury level"), ("subject_injury", "level", "injury level"),
     ("subject_injury", "medical_assistance", "medical assistance")],
)
@pytest.mark.parametrize("value", [None, ""])
def test_missing_code_fields(key, field, what, value):
    data = body(**{field: value}) if key is None else with_nested(key, **{field: value})
    path = field if key is None else f"{key}.{field}"
    found = errors(data)
    assert path in found
    assert found[path][0].startswith("Select")
    assert what in found[path][0]


# --- retired codes ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["chinese", "dont_know"])
def test_retired_ethnicity_codes_are_refused_on_new_reports(code):
    found = errors(with_nested("subject", ethnicity=code))
    assert list(found) == ["subject.ethnicity"]


# --- wrong types --------------------------------------------------------------------------------------------

BOOL_PATHS = [
    (None, "single_crewed"), (None, "ced_trained"), (None, "ced_carried"),
    ("officer_injury", "injured"), ("officer_injury", "intentional_assault"),
    ("subject_injury", "injured"),
    ("bwv", "worn"), ("bwv", "recording"), ("bwv", "viewed_before_account"),
]


@pytest.mark.parametrize(("key", "field"), BOOL_PATHS)
@pytest.mark.parametrize("value", ["true", "no", 1, 0, [], {}])
def test_booleans_must_be_true_or_false(key, field, value):
    data = body(**{field: value}) if key is None else with_nested(key, **{field: value})
    path = field if key is None else f"{key}.{field}"
    found = errors(data)
    assert path in found
    assert found[path] == ["Must be true or false."]


@pytest.mark.parametrize(("key", "field"), BOOL_PATHS)
def test_booleans_are_required(key, field):
    data = without(field) if key is None else body()
    if key is not None:
        del data[key][field]
    path = field if key is None else f"{key}.{field}"
    assert errors(data)[path] == ["Select yes or no."]


@pytest.mark.parametrize("field", ["locations", "impact_factors", "reasons", "outcomes", "tactics"])
@pytest.mark.parametrize("value", [{"code": "street_highway"}, "street_highway", 5, True])
def test_lists_must_be_lists(field, value):
    found = errors(**{field: value})
    assert found[field] == ["Must be a list."]


@pytest.mark.parametrize("field", ["subject", "officer_injury", "subject_injury", "bwv"])
@pytest.mark.parametrize("value", [["male"], "none", 3, True])
def test_objects_must_be_objects(field, value):
    found = errors(**{field: value})
    assert found[field] == ["Must be an object."]


@pytest.mark.parametrize("item", ["non_compliant_handcuffing", ["non_compliant_handcuffing", True], None, 5])
def test_tactic_items_must_be_objects(item):
    found = errors(tactics=[{"code": "ground_restraint", "effective": True}, item])
    assert list(found) == ["tactics.1"]


@pytest.mark.parametrize("effective", [None, "yes", 1])
def test_tactic_effective_must_be_a_boolean(effective):
    item: dict[str, Any] = {"code": "ground_restraint"}
    if effective is not None:
        item["effective"] = effective
    found = errors(tactics=[item])
    assert list(found) == ["tactics.0.effective"]
    assert "ground restraint" in found["tactics.0.effective"][0]


@pytest.mark.parametrize(("field", "value"), [
    ("narrative", 5), ("narrative", ["text"]), ("incident_reference", 1234), ("area", {"name": "x"}),
])
def test_text_fields_must_be_text(field, value):
    assert errors(**{field: value})[field] == ["Must be text."]


def test_bwv_reference_must_be_text():
    assert errors(with_nested("bwv", reference=88812))["bwv.reference"] == ["Must be text."]


# --- missing required parts ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("field", "message"), [
    ("tactics", "Select at least one tactic you used."),
    ("reasons", "Select at least one reason."),
    ("outcomes", "Select at least one outcome."),
    ("locations", "Select at least one location."),
])
@pytest.mark.parametrize("missing", ["empty", "absent", "null"])
def test_at_least_one_of_each_required_list(field, message, missing):
    data = without(field) if missing == "absent" else body(**{field: [] if missing == "empty" else None})
    found = errors(data)
    assert found == {field: [message]}


def test_subject_absent_reports_each_part():
    found = errors(without("subject"))
    assert set(found) == {"subject.age_band", "subject.gender", "subject.ethnicity", "subject.health_condition"}


def test_conduct_required():
    assert set(errors(without("conduct"))) == {"conduct"}


def test_injuries_and_bwv_absent_report_each_part():
    found = errors(without("officer_injury", "subject_injury", "bwv"))
    assert set(found) == {
        "officer_injury.injured", "officer_injury.intentional_assault", "officer_injury.level",
        "subject_injury.injured", "subject_injury.level", "subject_injury.medical_assistance",
        "bwv.worn", "bwv.recording", "bwv.viewed_before_account",
    }


def test_an_empty_object_reports_every_required_part():
    found = errors({})
    for path in ("client_id", "incident_at", "incident_reference", "locations", "subject.age_band", "conduct",
                 "reasons", "tactics", "outcomes", "single_crewed", "ced_trained", "ced_carried",
                 "officer_injury.level", "subject_injury.level", "bwv.worn"):
        assert path in found, path
    assert "narrative" not in found
    assert "impact_factors" not in found
    assert "area" not in found


# --- the incident time --------------------------------------------------------------------------------------

def test_incident_in_the_future_is_refused():
    future = format_datetime(NOW + CLOCK_SKEW + timedelta(minutes=1))
    assert errors(incident_at=future) == {"incident_at": ["The incident cannot be in the future."]}
    tomorrow = format_datetime(NOW + timedelta(days=1))
    assert list(errors(incident_at=tomorrow)) == ["incident_at"]


def test_a_device_clock_a_few_minutes_fast_is_tolerated():
    assert timedelta(minutes=5) == CLOCK_SKEW
    assert check(incident_at=format_datetime(NOW + timedelta(minutes=4, seconds=59))).ok
    assert check(incident_at=format_datetime(NOW + CLOCK_SKEW)).ok
    assert not check(incident_at=format_datetime(NOW + CLOCK_SKEW + timedelta(seconds=1))).ok


def test_incident_before_national_recording_is_refused():
    assert errors(incident_at="2017-03-31T23:59:59Z") == {
        "incident_at": ["The incident must be on or after 1 April 2017."]
    }
    # Midnight in London on 1 April 2017 (BST) is still 31 March in UTC.
    assert list(errors(incident_at="2017-04-01T00:30:00+01:00")) == ["incident_at"]
    assert check(incident_at="2017-04-01T00:00:00Z").ok


@pytest.mark.parametrize("value", ["2026-11-25T22:40:00", "2026-11-25 22:40", "2026-11-25"])
def test_naive_datetime_is_refused(value):
    found = errors(incident_at=value)
    assert list(found) == ["incident_at"]
    assert "time zone" in found["incident_at"][0]


@pytest.mark.parametrize("value", ["yesterday", "25/11/2026 22:40", 1764110400, ["2026-11-25T22:40:00Z"]])
def test_incident_at_must_be_an_iso_datetime(value):
    assert list(errors(incident_at=value)) == ["incident_at"]


@pytest.mark.parametrize("value", [None, ""])
def test_incident_at_required(value):
    assert errors(incident_at=value) == {"incident_at": ["Enter the date and time of the incident."]}


def test_the_policy_is_the_one_in_force_at_the_incident():
    asked: list[datetime] = []

    def policy_for(when: datetime) -> Policy:
        asked.append(when)
        return Policy(9, DEROGATED)

    result = validate_report(body(), policy_for=policy_for, now=NOW)
    assert result.ok
    assert asked == [datetime(2026, 11, 25, 22, 40, tzinfo=UTC)]
    assert result.policy == Policy(9, DEROGATED)
    # Without a usable incident time, the policy in force now decides which tactics are offered.
    asked.clear()
    validate_report(body(incident_at="garbage"), policy_for=policy_for, now=NOW)
    assert asked == [NOW]


# --- incident reference, area, narrative --------------------------------------------------------------------

@pytest.mark.parametrize("value", ["", "   ", None])
def test_incident_reference_required(value):
    found = errors(incident_reference=value)
    assert found == {"incident_reference": ["Enter the incident reference (CAD or log number)."]}


def test_incident_reference_absent():
    assert list(errors(without("incident_reference"))) == ["incident_reference"]


def test_incident_reference_length():
    assert check(incident_reference="C" * REFERENCE_MAX).ok
    found = errors(incident_reference="C" * (REFERENCE_MAX + 1))
    assert list(found) == ["incident_reference"]
    assert "40" in found["incident_reference"][0]


def test_narrative_length():
    assert NARRATIVE_MAX == 4000
    assert check(narrative="x" * 4000).ok
    found = errors(narrative="x" * 4001)
    assert list(found) == ["narrative"]
    assert "4,000" in found["narrative"][0]


@pytest.mark.parametrize(("field", "value"), [
    ("narrative", "Detained\x00 then released"),
    ("narrative", "bell \x07"),
    ("narrative", "escape \x1b[31m"),
    ("incident_reference", "CAD\x001234"),
    ("area", "Birming\x08ham"),
])
def test_control_characters_are_refused(field, value):
    assert errors(**{field: value}) == {field: ["Must not contain control characters."]}


def test_control_characters_in_the_bwv_reference_are_refused():
    assert list(errors(with_nested("bwv", reference="BWV\x00"))) == ["bwv.reference"]


def test_line_breaks_and_tabs_are_allowed_in_the_narrative():
    result = check(narrative="First line.\r\nSecond line.\n\tIndented.")
    assert result.ok
    assert "\n" in result.content["narrative"]


def test_area_must_be_one_of_the_force_areas_when_they_are_known():
    assert check(area="Walsall", areas=["Birmingham", "Walsall"]).ok
    assert errors(area="Atlantis", areas=["Birmingham", "Walsall"]) == {
        "area": ["Unknown area: choose one of the force's areas."]
    }
    assert check(area="Anywhere", areas=None).ok
    assert check(area=None, areas=["Birmingham"]).ok
    assert list(errors(area="A" * 81)) == ["area"]


def test_bwv_reference_length():
    assert check(with_nested("bwv", reference="R" * 60)).ok
    assert list(errors(with_nested("bwv", reference="R" * 61))) == ["bwv.reference"]


# --- consistency --------------------------------------------------------------------------------------------

def test_officer_injury_consistency():
    assert errors(officer_injury={"injured": False, "intentional_assault": False, "level": "minor"}) == {
        "officer_injury.level": ["An officer who was not injured has injury level none."]
    }
    assert list(errors(officer_injury={"injured": True, "intentional_assault": False, "level": "none"})) == [
        "officer_injury.level"
    ]
    assert list(errors(officer_injury={"injured": False, "intentional_assault": True, "level": "none"})) == [
        "officer_injury.intentional_assault"
    ]
    assert check(officer_injury={"injured": True, "intentional_assault": True, "level": "severe"}).ok
    assert check(officer_injury={"injured": True, "intentional_assault": False, "level": "minor"}).ok


def test_subject_injury_consistency():
    assert errors(subject_injury={"injured": False, "level": "severe", "medical_assistance": "none"}) == {
        "subject_injury.level": ["A person who was not injured has injury level none."]
    }
    assert list(errors(subject_injury={"injured": True, "level": "none", "medical_assistance": "offered"})) == [
        "subject_injury.level"
    ]
    assert check(subject_injury={"injured": True, "level": "minor", "medical_assistance": "provided"}).ok


def test_a_death_needs_the_outcome_fatality_and_back():
    death = {"injured": True, "level": "death", "medical_assistance": "provided"}
    assert errors(subject_injury=death, outcomes=["arrested"]) == {
        "outcomes": ["A death must be recorded with the outcome fatality."]
    }
    assert errors(outcomes=["fatality"]) == {
        "subject_injury.level": ["The outcome fatality needs the injury level death."]
    }
    assert check(subject_injury=death, outcomes=["fatality"]).ok
    assert check(subject_injury=death, outcomes=["hospitalised", "fatality"]).ok


def test_arrested_and_no_further_action_together_are_refused():
    assert errors(outcomes=["arrested", "no_further_action"]) == {
        "outcomes": ["A person cannot be both arrested and have no further action taken."]
    }
    assert check(outcomes=["no_further_action"]).ok


@pytest.mark.parametrize("code", ["ced_drawn", "ced_red_dot", "ced_fired", "ced_angle_drive_stun"])
def test_a_taser_tactic_needs_a_carried_taser_and_training(code):
    tactics = [{"code": code, "effective": True}]
    assert errors(tactics=tactics, ced_carried=False, ced_trained=True) == {
        "ced_carried": ["You recorded a Taser (CED) tactic, so you were carrying a Taser."]
    }
    found = errors(tactics=tactics, ced_carried=True, ced_trained=False)
    assert set(found) == {"ced_trained"}
    assert "Taser trained" in found["ced_trained"][0]
    found = errors(tactics=tactics, ced_carried=False, ced_trained=False)
    assert set(found) == {"ced_carried", "ced_trained"}
    assert check(tactics=tactics, ced_carried=True, ced_trained=True).ok


def test_only_trained_officers_carry_a_taser():
    assert errors(ced_carried=True, ced_trained=False) == {
        "ced_trained": ["Only Taser-trained officers carry a Taser."]
    }
    assert check(ced_carried=False, ced_trained=False).ok


def test_body_worn_video_consistency():
    def bwv(**fields: Any) -> dict[str, Any]:
        return {"worn": True, "recording": True, "reference": None, "viewed_before_account": False, **fields}

    assert errors(bwv=bwv(worn=False)) == {
        "bwv.recording": ["Body-worn video cannot be recording if it was not worn."]
    }
    assert list(errors(bwv=bwv(recording=False, reference="BWV-1"))) == ["bwv.reference"]
    assert list(errors(bwv=bwv(recording=False, viewed_before_account=True))) == ["bwv.viewed_before_account"]
    assert check(bwv=bwv(worn=False, recording=False)).ok
    assert check(bwv=bwv(worn=True, recording=False)).ok
    assert check(bwv=bwv(reference="BWV-1", viewed_before_account=True)).ok


def test_tactical_communication_alone_is_not_a_use_of_force():
    found = errors(tactics=[{"code": "tactical_communication", "effective": True}])
    assert found == {"tactics": ["Tactical communication is recorded only alongside another tactic."]}
    result = check(tactics=[{"code": "tactical_communication", "effective": True},
                            {"code": "compliant_handcuffing", "effective": True}])
    assert result.ok


def test_duplicate_tactic():
    found = errors(tactics=[{"code": "ground_restraint", "effective": True},
                            {"code": "ground_restraint", "effective": False}])
    assert found == {"tactics.1.code": ["Ground restraint is listed twice."]}


def test_excluded_tactic_under_a_policy_with_an_override():
    policy = Policy(7, DEROGATED, {"baton_drawn": EXCLUDED})
    found = errors(policy=policy, tactics=[{"code": "non_compliant_handcuffing", "effective": True},
                                           {"code": "baton_drawn", "effective": False}])
    assert list(found) == ["tactics.1.code"]
    message = found["tactics.1.code"][0]
    assert "Baton – drawn" in message
    assert "version 7" in message
    # The same tactic is accepted under a policy that offers it, required or optional.
    assert check(policy=Policy(8, DEROGATED), tactics=[{"code": "baton_drawn", "effective": True}]).ok
    assert check(policy=NATIONAL_V1, tactics=[{"code": "baton_drawn", "effective": True}]).ok


def test_errors_collect_across_fields():
    found = errors(conduct="shouting", locations=[], ced_carried="yes", narrative="x" * 4001)
    assert set(found) == {"conduct", "locations", "ced_carried", "narrative"}
