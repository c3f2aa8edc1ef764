"""What one report counts towards: the facts every governance figure is grouped by.

A report's content is turned into ``(dimension, value, times)`` facts once, when it is submitted or amended, by
the counting rules of ``uof.domain.counting``; the dashboards, the quarterly pack, the Home Office return and the
benchmarks then count facts with plain SQL ``GROUP BY``, so they agree and stay fast at a million reports.

- ``tactic``: the Home Office tactic row (its verbatim label), once per report. ``times`` is how many of the
  report's recorded tactics fall in that row ("Number of times tactic reported"): CS and PAVA drawn in one
  report are one report and two times. A Taser counts at its highest level only, in both measures. Tactical
  communication has its own row, which the tables list but never count as force.
- ``tactic_subgroup``: the Home Office "…, of which" rows (Handcuffing, Baton, Irritant spray, CED, AEP, Dog
  use), once per report.
- ``tactic_group``: the Home Office type of force (Restraint … Other), once per report; tactical communication
  is not a type of force.
- The subject (``age_band``, ``gender``, ``ethnicity``, ``health_condition``) and ``conduct``: the recorded code.
- ``reason``, ``impact_factor``, ``outcome``, ``location``: one fact per code chosen.
- ``location_setting``: the Home Office setting of each location chosen (Public, Police setting, Medical
  setting, Dwelling, Other), once per report: a report in a street and a park is one incident in public.
- Injuries: ``officer_injured``, ``officer_assaulted``, ``subject_injured`` (``yes``/``no``),
  ``officer_injury_level``, ``subject_injury_level``, ``medical_assistance`` (codes).
- ``bwv``: ``not_worn``, ``not_recording``, ``no_reference`` (recording, but no footage reference given) or
  ``referenced``: exactly one for every report, so its totals also count the reports.

A report also counts towards facts of how it was handled rather than what it says (``handling_facts``), so that
the governance overview reads them from the running totals too:

- ``recording_policy``: the recording policy version the report was recorded under, exactly one per report.
- ``submission``: ``late`` (submitted more than ``LATE_SUBMISSION_HOURS`` after the incident) or ``on_time``.
- ``first_decision``: ``on_time`` (a supervisor's first decision within ``REVIEW_DUE_HOURS`` of the submission)
  or ``late``; none until the first decision.

Values are codes, except the tactic rows, which are already counted. Where several codes share one Home Office
category (the outcome "No further action" is the Home Office's "Other"; the retired ethnicity "Chinese" is now
"Other"), the fact is recorded once under the category's own code, so that no report counts twice in a category.
Changing a rule here means rebuilding the facts (``flask --app wsgi uof facts rebuild``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from uof.domain import vocabulary as v
from uof.domain.counting import ced_below_highest
from uof.domain.review import REVIEW_DUE_HOURS

TACTIC = "tactic"
TACTIC_SUBGROUP = "tactic_subgroup"
TACTIC_GROUP = "tactic_group"
BWV = "bwv"
LOCATION_SETTING = "location_setting"
SUBJECT_DIMENSIONS = ("age_band", "gender", "ethnicity", "health_condition")
MULTI_DIMENSIONS = {"reason": "reasons", "impact_factor": "impact_factors", "outcome": "outcomes",
                    "location": "locations"}
VOCABULARIES: dict[str, v.Vocabulary] = {
    "age_band": v.AGE_BANDS, "gender": v.GENDERS, "ethnicity": v.ETHNICITIES, "health_condition": v.HEALTH_CONDITIONS,
    "conduct": v.CONDUCT, "reason": v.REASONS, "impact_factor": v.IMPACT_FACTORS, "outcome": v.OUTCOMES,
    "location": v.LOCATIONS, "officer_injury_level": v.OFFICER_INJURY_LEVELS,
    "subject_injury_level": v.SUBJECT_INJURY_LEVELS, "medical_assistance": v.MEDICAL_ASSISTANCE,
}
BWV_STATES = ("referenced", "no_reference", "not_recording", "not_worn")
YES, NO = "yes", "no"
RECORDING_POLICY = "recording_policy"
SUBMISSION = "submission"
FIRST_DECISION = "first_decision"
HANDLING_DIMENSIONS = (RECORDING_POLICY, SUBMISSION, FIRST_DECISION)
ON_TIME, LATE = "on_time", "late"
# A report submitted more than this long after the incident is late: national guidance expects the form before
# the officer goes off duty, and a day covers the longest tour.
LATE_SUBMISSION_HOURS = 24

# The Home Office "…, of which" rows: tactics counted both on their own row and once in their sub-group.
SUBGROUPS: dict[str, str] = {
    "compliant_handcuffing": "Handcuffing", "non_compliant_handcuffing": "Handcuffing",
    "baton_drawn": "Baton", "baton_used": "Baton",
    "irritant_spray_cs_drawn": "Irritant spray", "irritant_spray_pava_drawn": "Irritant spray",
    "irritant_spray_cs_used": "Irritant spray", "irritant_spray_pava_used": "Irritant spray",
    "ced_drawn": "CED", "ced_aimed": "CED", "ced_red_dot": "CED", "ced_arced": "CED", "ced_drive_stun": "CED",
    "ced_angle_drive_stun": "CED", "ced_fired": "CED",
    "aep_aimed": "AEP", "aep_fired": "AEP",
    "dog_deployed": "Dog use", "dog_bite": "Dog use",
}


@dataclass(frozen=True)
class Fact:
    dimension: str
    value: str
    times: int = 1


def facts_of(content: Mapping[str, Any]) -> list[Fact]:
    """Every fact one report's (validated) content counts towards, each (dimension, value) once."""
    facts: dict[tuple[str, str], int] = {}

    def add(dimension: str, value: object, times: int = 1) -> None:
        if isinstance(value, str) and value:
            value = category_code(dimension, value)
            facts[(dimension, value)] = facts.get((dimension, value), 0) + times

    codes = _tactic_codes(content.get("tactics"))
    skipped = ced_below_highest(codes)
    for code in codes:
        term = v.TACTICS.get(code)
        if not isinstance(term, v.Tactic) or code in skipped:
            continue
        add(TACTIC, term.home_office)
        if v.is_force(code):
            facts.setdefault((TACTIC_GROUP, term.group), 1)
            if code in SUBGROUPS:
                facts.setdefault((TACTIC_SUBGROUP, SUBGROUPS[code]), 1)

    subject = _mapping(content.get("subject"))
    for dimension in SUBJECT_DIMENSIONS:
        add(dimension, subject.get(dimension))
    add("conduct", content.get("conduct"))
    for dimension, key in MULTI_DIMENSIONS.items():
        chosen = content.get(key)
        for code in chosen if isinstance(chosen, list) else []:
            if isinstance(code, str) and code:
                facts.setdefault((dimension, category_code(dimension, code)), 1)
    for setting in location_settings(content.get("locations")):
        facts.setdefault((LOCATION_SETTING, setting), 1)

    officer = _mapping(content.get("officer_injury"))
    add("officer_injured", _yes_no(officer.get("injured")))
    add("officer_assaulted", _yes_no(officer.get("intentional_assault")))
    add("officer_injury_level", officer.get("level"))
    person = _mapping(content.get("subject_injury"))
    add("subject_injured", _yes_no(person.get("injured")))
    add("subject_injury_level", person.get("level"))
    add("medical_assistance", person.get("medical_assistance"))
    add(BWV, bwv_state(_mapping(content.get("bwv"))))
    return [Fact(dimension, value, times) for (dimension, value), times in facts.items()]


def handling_facts(policy_version: int, incident_at: datetime, submitted_at: datetime,
                   first_decided_at: datetime | None) -> list[Fact]:
    """The facts of how a report was handled: the policy it was recorded under, whether it was submitted late,
    and whether its first review decision came within the due time (none before that decision)."""
    facts = [Fact(RECORDING_POLICY, str(policy_version)),
             Fact(SUBMISSION, LATE if submitted_at - incident_at > timedelta(hours=LATE_SUBMISSION_HOURS)
                  else ON_TIME)]
    if first_decided_at is not None:
        facts.append(Fact(FIRST_DECISION, LATE if first_decided_at - submitted_at > timedelta(hours=REVIEW_DUE_HOURS)
                          else ON_TIME))
    return facts


def location_settings(codes: object) -> list[str]:
    """The Home Office settings of these location codes, each once, in the order first met."""
    settings: list[str] = []
    for code in codes if isinstance(codes, list) else []:
        term = v.LOCATIONS.get(code) if isinstance(code, str) else None
        if term is not None and term.group and term.group not in settings:
            settings.append(term.group)
    return settings


def category_code(dimension: str, code: str) -> str:
    """The code that stands for ``code``'s Home Office category: the one whose own label is the category's."""
    vocabulary = VOCABULARIES.get(dimension)
    term = vocabulary.get(code) if vocabulary else None
    if vocabulary is None or term is None:
        return code
    sharing = [other for other in vocabulary if other.home_office == term.home_office]
    return next((other.code for other in sharing if other.label == other.home_office), sharing[0].code)


def bwv_state(bwv: Mapping[str, Any]) -> str:
    if not bwv.get("worn"):
        return "not_worn"
    if not bwv.get("recording"):
        return "not_recording"
    reference = bwv.get("reference")
    return "referenced" if isinstance(reference, str) and reference.strip() else "no_reference"


def _tactic_codes(tactics: object) -> list[str]:
    if not isinstance(tactics, list):
        return []
    return [item["code"] for item in tactics if isinstance(item, dict) and isinstance(item.get("code"), str)]


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _yes_no(value: object) -> str | None:
    return None if value is None else YES if value else NO
