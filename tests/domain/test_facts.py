"""A report's facts follow the Home Office counting rules, so every aggregate built on them does too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.factories import report_body
from uof.domain.facts import LATE_SUBMISSION_HOURS, Fact, bwv_state, category_code, facts_of, handling_facts
from uof.domain.review import REVIEW_DUE_HOURS


def tactics(*codes: str) -> list[dict[str, Any]]:
    return [{"code": code, "effective": True} for code in codes]


def of(content: dict[str, Any], dimension: str) -> dict[str, int]:
    return {fact.value: fact.times for fact in facts_of(content) if fact.dimension == dimension}


def test_a_taser_drawn_aimed_and_fired_counts_once_as_fired() -> None:
    content = {"tactics": tactics("ced_drawn", "ced_aimed", "ced_fired")}
    assert of(content, "tactic") == {"CED Fired": 1}
    assert of(content, "tactic_subgroup") == {"CED": 1}
    assert of(content, "tactic_group") == {"Less lethal weapons": 1}


def test_tactical_communication_is_listed_but_never_force() -> None:
    content = {"tactics": tactics("tactical_communication", "compliant_handcuffing")}
    assert of(content, "tactic") == {"Tactical communication (with other tactic)": 1, "Compliant handcuffing": 1}
    assert of(content, "tactic_group") == {"Restraint": 1}
    assert of({"tactics": tactics("tactical_communication")}, "tactic_group") == {}


def test_tactics_sharing_a_home_office_row_are_one_report_and_several_times() -> None:
    content = {"tactics": tactics("irritant_spray_cs_drawn", "irritant_spray_pava_drawn", "firearm_aimed",
                                  "firearm_fired")}
    assert of(content, "tactic") == {"Irritant spray - drawn": 2, "Firearms": 2}
    assert of(content, "tactic_subgroup") == {"Irritant spray": 1}
    assert of(content, "tactic_group") == {"Other equipment": 1, "Firearms": 1}


def test_codes_sharing_a_home_office_category_count_once_under_its_own_code() -> None:
    assert category_code("outcome", "no_further_action") == "other"
    assert category_code("ethnicity", "chinese") == "other"
    assert category_code("ethnicity", "dont_know") == "not_reported"
    assert category_code("ethnicity", "black") == "black"
    assert category_code("reason", "unknown-code") == "unknown-code"
    content = {"outcomes": ["no_further_action", "other", "arrested"], "subject": {"ethnicity": "chinese"}}
    assert of(content, "outcome") == {"other": 1, "arrested": 1}
    assert of(content, "ethnicity") == {"other": 1}


def test_a_whole_report_gives_one_fact_per_dimension_and_choice() -> None:
    body = report_body(reasons=["protect_self", "effect_arrest"], locations=["street_highway", "dwelling"],
                       officer_injury={"injured": True, "intentional_assault": True, "level": "minor"})
    found = {(fact.dimension, fact.value) for fact in facts_of(body)}
    assert {("age_band", "age_18_34"), ("gender", "male"), ("ethnicity", "white"), ("health_condition", "none"),
            ("conduct", "active_resistance"), ("reason", "protect_self"), ("reason", "effect_arrest"),
            ("location", "street_highway"), ("location", "dwelling"), ("impact_factor", "alcohol"),
            ("outcome", "arrested"), ("officer_injured", "yes"), ("officer_assaulted", "yes"),
            ("officer_injury_level", "minor"), ("subject_injured", "no"), ("subject_injury_level", "none"),
            ("medical_assistance", "none"), ("bwv", "referenced")} <= found
    assert len(found) == len(facts_of(body))


def test_a_setting_counts_a_report_once_however_many_of_its_locations_were_given() -> None:
    content = {"locations": ["street_highway", "open_ground", "custody_block", "nowhere", 7]}
    assert of(content, "location_setting") == {"Public": 1, "Police setting": 1}
    assert of({"locations": ["dwelling"]}, "location_setting") == {"Dwelling": 1}
    assert of({"locations": "street_highway"}, "location_setting") == {}


def test_body_worn_video_states() -> None:
    assert bwv_state({}) == "not_worn"
    assert bwv_state({"worn": True, "recording": False}) == "not_recording"
    assert bwv_state({"worn": True, "recording": True, "reference": "  "}) == "no_reference"
    assert bwv_state({"worn": True, "recording": True, "reference": "BWV-1"}) == "referenced"


def test_malformed_content_gives_only_what_it_can() -> None:
    assert facts_of({"tactics": "nonsense", "subject": [], "outcomes": [1, None], "reasons": "x"}) == [
        Fact("bwv", "not_worn")]


def test_handling_facts_say_the_policy_a_late_submission_and_a_first_decision_on_time() -> None:
    incident = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
    day, due = timedelta(hours=LATE_SUBMISSION_HOURS), timedelta(hours=REVIEW_DUE_HOURS)
    assert handling_facts(3, incident, incident + day, None) == [
        Fact("recording_policy", "3"), Fact("submission", "on_time")]
    assert handling_facts(1, incident, incident + day + timedelta(seconds=1), incident + day + due) == [
        Fact("recording_policy", "1"), Fact("submission", "late"), Fact("first_decision", "on_time")]
    submitted = incident + timedelta(hours=1)
    assert handling_facts(2, incident, submitted, submitted + due + timedelta(microseconds=1))[2] == Fact(
        "first_decision", "late")
