"""The recording policy: presets, per-tactic levels and the recording duty."""

from __future__ import annotations

import pytest

from uof.domain import vocabulary as v
from uof.domain.policy import (
    DEROGATED,
    EXCLUDED,
    LEVELS,
    NATIONAL,
    OPTIONAL,
    PRESET_DESCRIPTIONS,
    PRESETS,
    REQUIRED,
    Policy,
    overrides_for,
    preset_tactics,
)

LOWER_LEVEL = {
    "tactical_communication", "compliant_handcuffing", "baton_drawn", "irritant_spray_cs_drawn",
    "irritant_spray_pava_drawn", "dog_deployed",
}


def test_presets_and_levels():
    assert PRESETS == (NATIONAL, DEROGATED) == ("national", "derogated")
    assert LEVELS == ("required", "optional", "excluded")
    assert set(PRESET_DESCRIPTIONS) == set(PRESETS)


def test_national_requires_every_tactic():
    levels = preset_tactics(NATIONAL)
    assert list(levels) == v.TACTICS.codes()
    assert set(levels.values()) == {REQUIRED}


def test_derogated_makes_exactly_the_lower_level_tactics_optional():
    levels = preset_tactics(DEROGATED)
    assert list(levels) == v.TACTICS.codes()
    assert {code for code, level in levels.items() if level == OPTIONAL} == LOWER_LEVEL
    assert {code for code, level in levels.items() if level == REQUIRED} == set(v.TACTICS.codes()) - LOWER_LEVEL
    assert EXCLUDED not in levels.values()


def test_unknown_preset_is_refused():
    with pytest.raises(ValueError, match="unknown preset"):
        preset_tactics("lenient")


def test_policy_levels_follow_the_preset_then_the_overrides():
    policy = Policy(3, DEROGATED, {"baton_drawn": EXCLUDED, "ground_restraint": OPTIONAL})
    assert policy.level("baton_drawn") == EXCLUDED
    assert policy.level("ground_restraint") == OPTIONAL
    assert policy.level("compliant_handcuffing") == OPTIONAL
    assert policy.level("ced_fired") == REQUIRED
    # A code the vocabulary does not know is never offered.
    assert policy.level("water_cannon") == EXCLUDED
    assert policy.tactics == {**preset_tactics(DEROGATED), "baton_drawn": EXCLUDED, "ground_restraint": OPTIONAL}


def test_as_json_is_the_api_shape():
    policy = Policy(2, NATIONAL, {"shield": OPTIONAL})
    data = policy.as_json()
    assert data == {"version": 2, "preset": "national", "tactics": policy.tactics}
    assert data["tactics"]["shield"] == OPTIONAL


def test_offered_and_not_required():
    policy = Policy(4, DEROGATED, {"dog_deployed": EXCLUDED})
    offered = [t.code for t in policy.offered()]
    assert "dog_deployed" not in offered
    assert offered == [code for code in v.TACTICS.codes() if code != "dog_deployed"]
    assert {t.code for t in policy.not_required()} == LOWER_LEVEL
    national = Policy(1, NATIONAL)
    assert [t.code for t in national.offered()] == v.TACTICS.codes()
    assert national.not_required() == []


def test_recording_duty():
    derogated = Policy(2, DEROGATED)
    assert derogated.recording_duty([]) is None
    assert derogated.recording_duty(["compliant_handcuffing"]) == OPTIONAL
    assert derogated.recording_duty(["compliant_handcuffing", "tactical_communication"]) == OPTIONAL
    assert derogated.recording_duty(["compliant_handcuffing", "ground_restraint"]) == REQUIRED
    national = Policy(1, NATIONAL)
    assert national.recording_duty(["compliant_handcuffing"]) == REQUIRED
    assert national.recording_duty(iter(["baton_drawn"])) == REQUIRED


def test_overrides_for_keeps_only_the_differences():
    assert overrides_for(NATIONAL, {}) == {}
    assert overrides_for(NATIONAL, {"shield": REQUIRED, "baton_drawn": OPTIONAL}) == {"baton_drawn": OPTIONAL}
    assert overrides_for(DEROGATED, {"baton_drawn": OPTIONAL, "dog_deployed": REQUIRED}) == {
        "dog_deployed": REQUIRED
    }
    assert overrides_for(DEROGATED, {"ced_fired": EXCLUDED}) == {"ced_fired": EXCLUDED}


@pytest.mark.parametrize(
    ("preset", "tactics", "message"),
    [
        (NATIONAL, {"water_cannon": OPTIONAL}, "unknown tactic"),
        (NATIONAL, {"shield": "sometimes"}, "unknown level"),
        ("lenient", {}, "unknown preset"),
    ],
)
def test_overrides_for_refuses_bad_input(preset, tactics, message):
    with pytest.raises(ValueError, match=message):
        overrides_for(preset, tactics)
