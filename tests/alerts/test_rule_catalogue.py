"""The rule catalogue's pure judgements: which content meets which immediate rule, pattern levels, percentiles,
settings layering and parameter validation. No database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.factories import report_body
from uof.domain.alert_kinds import CRITICAL, WARNING
from uof.domain.alert_rules import (
    CATALOGUE,
    RULES,
    Stored,
    TeamFigures,
    above_percentile,
    count_level,
    describe,
    effective,
    immediate_findings,
    period_index,
    validate_params,
)
from uof.domain.policy import Policy
from uof.domain.validation import validate_report
from uof.domain.vocabulary import TACTICS


def content(*tactics: str, **overrides: object) -> dict[str, object]:
    body = report_body(tactics=[{"code": code, "effective": True} for code in tactics or ("ground_restraint",)])
    body.update(overrides)
    return body


def fired(body: dict[str, object]) -> list[tuple[str, str, str]]:
    return [(f.rule, f.severity, f.reason) for f in immediate_findings(body, lambda rule: True)]


@pytest.mark.parametrize(("tactic", "expected"), [
    ("ced_fired", ("ced_discharge", WARNING, "Taser discharged")),
    ("ced_drive_stun", ("ced_discharge", WARNING, "Taser discharged")),
    ("ced_angle_drive_stun", ("ced_discharge", WARNING, "Taser discharged")),
    ("firearm_fired", ("firearm", CRITICAL, "Firearm fired")),
    ("firearm_aimed", ("firearm", CRITICAL, "Firearm aimed")),
    ("aep_fired", ("aep", WARNING, "AEP fired")),
    ("aep_aimed", ("aep", WARNING, "AEP aimed")),
    ("dog_bite", ("dog_bite", WARNING, "Police dog bite")),
    ("baton_used", ("baton_used", WARNING, "Baton used")),
    ("spit_guard", ("spit_guard", WARNING, "Spit guard used")),
])
def test_each_tactic_rule_fires_on_its_tactic(tactic, expected):
    assert fired(content(tactic)) == [expected]


@pytest.mark.parametrize("near_miss", [
    "ced_drawn", "ced_aimed", "ced_red_dot", "ced_arced", "baton_drawn", "dog_deployed",
    "irritant_spray_pava_drawn", "compliant_handcuffing", "non_compliant_handcuffing", "shield",
])
def test_near_misses_do_not_fire(near_miss):
    assert fired(content(near_miss)) == []


def test_taser_escalation_in_one_report_alerts_once_for_the_discharge():
    assert fired(content("ced_drawn", "ced_aimed", "ced_fired")) == [("ced_discharge", WARNING, "Taser discharged")]


@pytest.mark.parametrize(("injury", "outcomes", "expected"), [
    ({"injured": True, "level": "severe", "medical_assistance": "provided"}, ["arrested"],
     [("serious_injury", CRITICAL, "Person severely injured")]),
    ({"injured": True, "level": "death", "medical_assistance": "provided"}, ["fatality"],
     [("serious_injury", CRITICAL, "Person died"), ("hospitalised_or_fatality", CRITICAL, "Fatality")]),
    ({"injured": True, "level": "minor", "medical_assistance": "provided"}, ["hospitalised"],
     [("hospitalised_or_fatality", CRITICAL, "Person hospitalised")]),
    ({"injured": True, "level": "minor", "medical_assistance": "offered"}, ["arrested"], []),
])
def test_injury_and_outcome_rules(injury, outcomes, expected):
    assert fired(content(subject_injury=injury, outcomes=outcomes)) == expected


@pytest.mark.parametrize(("age_band", "alerts"), [
    ("age_0_10", True), ("age_11_17", True), ("age_18_34", False), ("not_reported", False),
])
def test_under_18(age_band, alerts):
    subject = {"age_band": age_band, "gender": "male", "ethnicity": "white", "health_condition": "none"}
    assert fired(content(subject=subject)) == ([("under_18", WARNING, "Person under 18")] if alerts else [])


@pytest.mark.parametrize(("spray", "assistance", "alerts"), [
    ("irritant_spray_pava_used", "none", True),
    ("irritant_spray_cs_used", "none", True),
    ("irritant_spray_pava_used", "offered", False),
    ("irritant_spray_cs_used", "provided", False),
    ("irritant_spray_cs_drawn", "none", False),
])
def test_irritant_spray_without_aftercare(spray, assistance, alerts):
    injury = {"injured": False, "level": "none", "medical_assistance": assistance}
    expected = [("spray_without_aftercare", WARNING, "Irritant spray used without aftercare recorded")]
    assert fired(content(spray, subject_injury=injury)) == (expected if alerts else [])


def test_the_test_bodies_are_valid_reports():
    """The contents judged above are shaped like reports the app accepts."""
    body = content("firearm_aimed", "baton_used", subject_injury={
        "injured": True, "level": "severe", "medical_assistance": "provided"})
    result = validate_report(body, policy_for=lambda when: Policy(1, "national"), now=datetime.now(UTC), areas=[])
    assert result.ok, result.errors


def test_reasons_name_nobody():
    body = content(*(code for code in TACTICS.codes() if not code.startswith("ced")), subject_injury={
        "injured": True, "level": "death", "medical_assistance": "none"}, outcomes=["fatality", "hospitalised"])
    body["subject"]["age_band"] = "age_11_17"  # type: ignore[index]
    findings = immediate_findings(body, lambda rule: True)
    assert len(findings) == 9
    assert all(len(f.reason) <= 50 and "PC" not in f.reason for f in findings)


def test_a_disabled_rule_is_not_judged():
    assert immediate_findings(content("baton_used"), lambda rule: rule.key != "baton_used") == []


@pytest.mark.parametrize(("count", "level"), [(2, None), (3, WARNING), (5, WARNING), (6, CRITICAL), (9, CRITICAL)])
def test_count_levels_at_the_defaults(count, level):
    setting = effective(RULES["officer_report_count"])
    assert count_level(count, setting.number("warning"), setting.number("critical")) == level


def test_percentile_rule_with_a_worked_team():
    # Ten officers: the 95th percentile interpolates between the 9th (2) and 10th (7) ranked counts:
    # rank (10 - 1) * 0.95 = 8.55, so 2 + (7 - 2) * 0.55 = 4.75.
    team = [0, 0, 0, 1, 1, 1, 1, 2, 2, 7]
    assert above_percentile(7, team, 95, 2) == pytest.approx(4.75)
    assert above_percentile(2, team, 95, 2) is None
    figures = TeamFigures.of(team)
    assert (figures.size, figures.median, figures.p95) == (10, 1, pytest.approx(4.75))


def test_percentile_rule_needs_the_minimum():
    # In a team of near-zeros one report is above the 95th percentile, but below the minimum of 2.
    team = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    assert above_percentile(1, team, 95, 2) is None
    assert above_percentile(1, team, 95, 1) == pytest.approx(0.55)


def test_periods_are_fixed_windows_of_days():
    assert period_index(179, 90) == 1
    assert period_index(180, 90) == 2


def test_settings_layer_team_over_force_over_catalogue():
    rule = RULES["officer_report_count"]
    assert effective(rule).params["warning"] == 3
    assert effective(rule).source == "catalogue"
    force = Stored(True, {"warning": 4, "critical": 8})
    team = Stored(True, {"warning": 2})
    assert (effective(rule, force).number("warning"), effective(rule, force).number("critical")) == (4, 8)
    combined = effective(rule, force, team)
    assert (combined.number("warning"), combined.number("critical"), combined.source) == (2, 8, "team")
    assert effective(rule, force, Stored(False, {})).enabled is False
    assert effective(rule, Stored(False, {}), None).enabled is False


def test_layers_that_cross_fall_back_to_the_defaults():
    rule = RULES["officer_report_count"]
    crossed = effective(rule, Stored(True, {"critical": 4}), Stored(True, {"warning": 5}))
    assert (crossed.number("warning"), crossed.number("critical")) == (3, 6)


def test_stored_values_no_longer_valid_are_ignored():
    rule = RULES["officer_report_count"]
    setting = effective(rule, Stored(True, {"days": "ninety", "excluded_tactics": ["no_such_tactic"], "x": 1}))
    assert setting.number("days") == 90
    assert setting.codes("excluded_tactics") == ("tactical_communication", "compliant_handcuffing")


def test_force_only_rules_ignore_team_rows():
    rule = RULES["weekly_governance_summary"]
    assert effective(rule, None, Stored(False, {"hour": 3})).enabled is True


@pytest.mark.parametrize(("raw", "errors"), [
    ({"days": "90", "warning": "3", "critical": "6", "excluded_tactics": []}, {}),
    ({"days": "", "warning": "3", "critical": "6", "excluded_tactics": []},
     {"days": "Enter rolling period in days."}),
    ({"days": "90", "warning": "three", "critical": "6", "excluded_tactics": []},
     {"warning": "Warning at must be a whole number, like 3."}),
    ({"days": "5", "warning": "3", "critical": "6", "excluded_tactics": []},
     {"days": "Rolling period in days must be between 7 and 730."}),
    ({"days": "90", "warning": "6", "critical": "6", "excluded_tactics": []},
     {"critical": "Critical at must be more than warning at (6)."}),
    ({"days": "90", "warning": "3", "critical": "6", "excluded_tactics": ["nonsense"]},
     {"excluded_tactics": "Tactics not counted: choose from the listed tactics."}),
])
def test_parameter_validation(raw, errors):
    assert validate_params(RULES["officer_report_count"], raw)[1] == errors


def test_every_rule_is_described_and_has_valid_defaults():
    for rule in CATALOGUE:
        assert rule.label
        assert rule.description
        values, errors = validate_params(rule, rule.defaults)
        assert (errors, values) == ({}, rule.defaults), rule.key
        assert describe(effective(rule)).startswith("On")
