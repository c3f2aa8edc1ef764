"""The questions the form asks and the answers in words, for the form labels, check answers, reports and diffs.

One table of question texts serves the form labels and the summaries, so that what the officer was asked
is what the summary and the amendment history repeat. Answers are shown with the vocabulary's labels, which
also name retired codes on old reports.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from uof.domain import vocabulary as vocab
from uof.uktime import uk_datetime

NOT_ANSWERED = "Not answered"
NOT_GIVEN = "Not given"
# Not a path in the report: the effectiveness half of ``tactics``, summarised on its own page.
EFFECTIVENESS = "tactics.effective"

QUESTIONS: dict[str, str] = {
    "incident_at": "Date and time of the incident",
    "incident_reference": "Incident reference (CAD or log number)",
    "area": "Area",
    "locations": "Where did it happen?",
    "single_crewed": "Were you single crewed?",
    "subject.age_band": "Age band (perceived)",
    "subject.gender": "Gender (perceived)",
    "subject.ethnicity": "Ethnicity (perceived)",
    "subject.health_condition": "Health condition",
    "conduct": "The person's conduct",
    "tactics": "Tactics you used",
    EFFECTIVENESS: "Was each tactic effective?",
    "ced_trained": "Are you Taser (CED) trained?",
    "ced_carried": "Were you carrying a Taser (CED)?",
    "reasons": "Why did you use force?",
    "impact_factors": "Impact factors",
    "officer_injury.injured": "Were you injured?",
    "officer_injury.intentional_assault": "Were you injured by an intentional assault?",
    "officer_injury.level": "How badly were you injured?",
    "subject_injury.injured": "Was the person injured?",
    "subject_injury.level": "How badly was the person injured?",
    "subject_injury.medical_assistance": "Medical assistance for the person",
    "outcomes": "Outcome",
    "bwv.worn": "Were you wearing body-worn video?",
    "bwv.recording": "Was it recording?",
    "bwv.reference": "Footage reference",
    "bwv.viewed_before_account": "Did you view the footage before writing your account?",
    "narrative": "Your account",
}


def yes_no(value: object) -> str:
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    return NOT_ANSWERED


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) and value.strip() else NOT_GIVEN


def _when(value: object) -> str:
    return (uk_datetime(value) if isinstance(value, str) else "") or NOT_ANSWERED


def _code(terms: vocab.Vocabulary) -> Callable[[object], str]:
    return lambda value: terms.label(value) if isinstance(value, str) and value else NOT_ANSWERED


def _codes(terms: vocab.Vocabulary, empty: str = NOT_ANSWERED) -> Callable[[object], str]:
    def show(value: object) -> str:
        codes = [code for code in value if isinstance(code, str)] if isinstance(value, list) else []
        return "\n".join(terms.label(code) for code in codes) or empty

    return show


def _tactic_items(value: object) -> list[Mapping[str, Any]]:
    items = value if isinstance(value, list) else []
    return [item for item in items if isinstance(item, Mapping) and isinstance(item.get("code"), str)]


def tactics_used(value: object) -> str:
    return "\n".join(vocab.TACTICS.label(item["code"]) for item in _tactic_items(value)) or NOT_ANSWERED


def tactic_effects(value: object) -> str:
    lines = [f"{vocab.TACTICS.label(item['code'])}: {yes_no(item.get('effective'))}" for item in _tactic_items(value)]
    return "\n".join(lines) or NOT_ANSWERED


FORMATS: dict[str, Callable[[object], str]] = {
    "incident_at": _when,
    "incident_reference": _text,
    "area": _text,
    "locations": _codes(vocab.LOCATIONS),
    "single_crewed": yes_no,
    "subject.age_band": _code(vocab.AGE_BANDS),
    "subject.gender": _code(vocab.GENDERS),
    "subject.ethnicity": _code(vocab.ETHNICITIES),
    "subject.health_condition": _code(vocab.HEALTH_CONDITIONS),
    "conduct": _code(vocab.CONDUCT),
    "tactics": tactics_used,
    EFFECTIVENESS: tactic_effects,
    "ced_trained": yes_no,
    "ced_carried": yes_no,
    "reasons": _codes(vocab.REASONS),
    "impact_factors": _codes(vocab.IMPACT_FACTORS, empty="None"),
    "officer_injury.injured": yes_no,
    "officer_injury.intentional_assault": yes_no,
    "officer_injury.level": _code(vocab.OFFICER_INJURY_LEVELS),
    "subject_injury.injured": yes_no,
    "subject_injury.level": _code(vocab.SUBJECT_INJURY_LEVELS),
    "subject_injury.medical_assistance": _code(vocab.MEDICAL_ASSISTANCE),
    "outcomes": _codes(vocab.OUTCOMES),
    "bwv.worn": yes_no,
    "bwv.recording": yes_no,
    "bwv.reference": _text,
    "bwv.viewed_before_account": yes_no,
    "narrative": _text,
}


def value_at(content: Mapping[str, Any], path: str) -> object:
    """The value at a dotted path of the report; ``EFFECTIVENESS`` reads the tactics."""
    if path == EFFECTIVENESS:
        return content.get("tactics")
    value: object = content
    for key in path.split("."):
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str


def answers(content: Mapping[str, Any], paths: tuple[str, ...]) -> list[Answer]:
    return [Answer(QUESTIONS[path], FORMATS[path](value_at(content, path))) for path in paths]


@dataclass(frozen=True)
class Change:
    question: str
    before: str
    after: str


def describe_change(path: str, before: object, after: object) -> Change:
    """One entry of a version's stored diff, in words."""
    if path == "tactics":
        return Change("Tactics used and whether each was effective", tactic_effects(before), tactic_effects(after))
    show = FORMATS.get(path)
    if show is None:
        # A path this form never asks about (a field added later): show the stored values as they are.
        return Change(path, json.dumps(before, ensure_ascii=False), json.dumps(after, ensure_ascii=False))
    return Change(QUESTIONS[path], show(before), show(after))


def describe_diff(diff: Mapping[str, Any] | None) -> list[Change]:
    order = list(QUESTIONS)
    entries = sorted((diff or {}).items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order))
    return [describe_change(path, *pair) for path, pair in entries]
