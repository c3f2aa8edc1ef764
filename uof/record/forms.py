"""One form per section of the recording journey.

WTForms parses the posted fields, renders them and carries the CSRF token. It holds no rules: no field has a
validator and choices are not checked, because the domain validator (``uof.services.reports.validate``) is
the one source of rules for the form and the JSON API alike. Each form copies its fields into the report
content (the API shape) with ``save`` and back out with ``initial``, and names the field that an error
path belongs to with ``field_for``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, ClassVar, Self

from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField

from uof.domain import vocabulary as vocab
from uof.domain.policy import Policy
from uof.domain.validation import Errors, format_datetime
from uof.record.answers import QUESTIONS
from uof.record.times import NotADateTime, TypedDateTime, to_utc

YES, NO = "yes", "no"
YES_NO = [SelectChoice(YES, "Yes"), SelectChoice(NO, "No")]
EFFECTIVE_PREFIX = "effective_"
EFFECTIVE_PATH = re.compile(r"tactics\.(\d+)\.effective")

Content = dict[str, Any]
# What the form keeps beside the report content, such as a date typed in a shape that is not a date yet.
State = dict[str, Any]


def vocabulary_choices(terms: vocab.Vocabulary) -> list[SelectChoice]:
    return [SelectChoice(term.code, term.label) for term in terms.current]


def as_choice(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def as_codes(value: object) -> list[str]:
    return [code for code in value if isinstance(code, str)] if isinstance(value, list) else []


def as_yes_no(value: object) -> str | None:
    return {True: YES, False: NO}.get(value) if isinstance(value, bool) else None


def from_yes_no(choice: object) -> bool | None:
    return {YES: True, NO: False}.get(choice) if isinstance(choice, str) else None


def radios(label: str, choices: list[SelectChoice]) -> Any:
    return RadioField(label, choices=choices, validate_choice=False)


def yes_no(label: str) -> Any:
    return RadioField(label, choices=YES_NO, validate_choice=False)


def checkboxes(label: str, choices: list[SelectChoice] | None = None) -> Any:
    return SelectMultipleField(label, choices=choices or [], validate_choice=False)


def sub_object(content: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = content.get(key)
    return value if isinstance(value, Mapping) else {}


@dataclass(frozen=True)
class FormContext:
    """What a section's choices depend on: the draft so far, the policy it is recorded under, the areas."""

    content: Mapping[str, Any]
    policy: Policy
    areas: list[str]


class SectionForm(FlaskForm):
    # Error path (or a parent of it) -> the name of the field whose id the error summary links to.
    ERROR_FIELDS: ClassVar[dict[str, str]] = {}

    @classmethod
    def make(cls, context: FormContext, **kwargs: Any) -> Self:
        """The form from the posted data, or from ``data=initial(...)`` when showing a saved draft."""
        form = cls.form_class(context)(**kwargs)
        form.set_choices(context)
        return form

    @classmethod
    def form_class(cls, context: FormContext) -> type[Self]:
        """The class to instantiate; a section whose questions depend on the draft builds its own."""
        return cls

    def set_choices(self, context: FormContext) -> None:
        """Choices that depend on the draft, the policy or the database; most sections have none."""

    @classmethod
    def initial(cls, content: Mapping[str, Any], state: Mapping[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def save(self, content: Content, state: State) -> None:
        raise NotImplementedError

    @classmethod
    def typing_errors(cls, state: Mapping[str, Any]) -> Errors:
        """Errors in what was typed that stop it becoming report content at all (a 31st of February)."""
        return {}

    @classmethod
    def field_for(cls, path: str, content: Mapping[str, Any]) -> str | None:
        key = path
        while key:
            if key in cls.ERROR_FIELDS:
                return cls.ERROR_FIELDS[key]
            key = key.rpartition(".")[0]
        return None


class IncidentForm(SectionForm):
    ERROR_FIELDS: ClassVar[dict[str, str]] = {
        "incident_at": "incident_day", "incident_reference": "incident_reference", "area": "area",
        "locations": "locations", "single_crewed": "single_crewed",
    }

    incident_day = StringField("Day", render_kw={"inputmode": "numeric", "autocomplete": "off"})
    incident_month = StringField("Month", render_kw={"inputmode": "numeric", "autocomplete": "off"})
    incident_year = StringField("Year", render_kw={"inputmode": "numeric", "autocomplete": "off"})
    incident_time = StringField("Time", render_kw={"inputmode": "numeric", "autocomplete": "off"})
    incident_reference = StringField(QUESTIONS["incident_reference"],
                                     render_kw={"autocomplete": "off", "spellcheck": "false"})
    area = SelectField(QUESTIONS["area"], validate_choice=False)
    locations = checkboxes(QUESTIONS["locations"], vocabulary_choices(vocab.LOCATIONS))
    single_crewed = yes_no(QUESTIONS["single_crewed"])

    def set_choices(self, context: FormContext) -> None:
        areas = list(context.areas)
        chosen = self.area.data
        # An area no longer in the list (a team renamed) stays selectable so that saving again loses nothing;
        # the validator says it is unknown.
        if isinstance(chosen, str) and chosen and chosen not in areas:
            areas.append(chosen)
        self.area.choices = [SelectChoice("", "Choose an area")] + [SelectChoice(area, area) for area in areas]

    @staticmethod
    def _typed(content: Mapping[str, Any], state: Mapping[str, Any]) -> TypedDateTime:
        typed = state.get("incident_at")
        if isinstance(typed, Mapping):
            return TypedDateTime(**{key: str(typed.get(key) or "") for key in ("day", "month", "year", "time")})
        return TypedDateTime.of(content.get("incident_at"))

    @classmethod
    def initial(cls, content: Mapping[str, Any], state: Mapping[str, Any]) -> dict[str, Any]:
        typed = cls._typed(content, state)
        return {
            "incident_day": typed.day, "incident_month": typed.month, "incident_year": typed.year,
            "incident_time": typed.time, "incident_reference": content.get("incident_reference") or "",
            "area": content.get("area") or "", "locations": as_codes(content.get("locations")),
            "single_crewed": as_yes_no(content.get("single_crewed")),
        }

    def save(self, content: Content, state: State) -> None:
        typed = TypedDateTime(*(str(field.data or "").strip() for field in (
            self.incident_day, self.incident_month, self.incident_year, self.incident_time)))
        state["incident_at"] = asdict(typed)
        try:
            content["incident_at"] = None if typed.blank else format_datetime(to_utc(typed))
        except NotADateTime:
            content["incident_at"] = None
        content["incident_reference"] = self.incident_reference.data or ""
        content["area"] = self.area.data or None
        content["locations"] = self.locations.data or []
        content["single_crewed"] = from_yes_no(self.single_crewed.data)

    @classmethod
    def typing_errors(cls, state: Mapping[str, Any]) -> Errors:
        typed = cls._typed({}, state)
        if typed.blank:
            return {}
        try:
            to_utc(typed)
        except NotADateTime as error:
            return {"incident_at": [str(error)]}
        return {}


class PersonForm(SectionForm):
    ERROR_FIELDS: ClassVar[dict[str, str]] = {
        "subject": "age_band", "subject.age_band": "age_band", "subject.gender": "gender",
        "subject.ethnicity": "ethnicity", "subject.health_condition": "health_condition", "conduct": "conduct",
    }
    SUBJECT_FIELDS = ("age_band", "gender", "ethnicity", "health_condition")

    age_band = radios(QUESTIONS["subject.age_band"], vocabulary_choices(vocab.AGE_BANDS))
    gender = radios(QUESTIONS["subject.gender"], vocabulary_choices(vocab.GENDERS))
    ethnicity = radios(QUESTIONS["subject.ethnicity"], vocabulary_choices(vocab.ETHNICITIES))
    health_condition = radios(QUESTIONS["subject.health_condition"], vocabulary_choices(vocab.HEALTH_CONDITIONS))
    conduct = radios(QUESTIONS["conduct"], vocabulary_choices(vocab.CONDUCT))

    @classmethod
    def initial(cls, content: Mapping[str, Any], state: Mapping[str, Any]) -> dict[str, Any]:
        subject = sub_object(content, "subject")
        return {key: as_choice(subject.get(key)) for key in cls.SUBJECT_FIELDS} | {
            "conduct": as_choice(content.get("conduct"))
        }

    def save(self, content: Content, state: State) -> None:
        content["subject"] = {key: self[key].data or None for key in self.SUBJECT_FIELDS}
        content["conduct"] = self.conduct.data or None


class TacticsForm(SectionForm):
    tactics = checkboxes(QUESTIONS["tactics"])

    def set_choices(self, context: FormContext) -> None:
        self.tactics.choices = [SelectChoice(tactic.code, tactic.label) for tactic in context.policy.offered()]

    @classmethod
    def initial(cls, content: Mapping[str, Any], state: Mapping[str, Any]) -> dict[str, Any]:
        return {"tactics": [item["code"] for item in tactic_items(content)]}

    def save(self, content: Content, state: State) -> None:
        # Answers already given on the effectiveness page are kept for the tactics still ticked.
        effective = {item["code"]: item.get("effective") for item in tactic_items(content)}
        content["tactics"] = [{"code": code, "effective": effective.get(code)} for code in self.tactics.data or []]

    @classmethod
    def field_for(cls, path: str, content: Mapping[str, Any]) -> str | None:
        if EFFECTIVE_PATH.fullmatch(path):
            return None
        return "tactics" if path == "tactics" or path.startswith("tactics.") else None


def tactic_items(content: Mapping[str, Any]) -> list[dict[str, Any]]:
    items = content.get("tactics")
    if not isinstance(items, list):
        return []
    return [item for item in items if isinstance(item, dict) and isinstance(item.get("code"), str)]


class EffectivenessForm(SectionForm):
    """Whether each ticked tactic worked, and the Taser questions that the Taser tactics are checked against."""

    ERROR_FIELDS: ClassVar[dict[str, str]] = {"ced_trained": "ced_trained", "ced_carried": "ced_carried"}

    @classmethod
    def form_class(cls, context: FormContext) -> type[Self]:
        # One question per ticked tactic, then the Taser questions (WTForms orders fields by creation).
        fields: dict[str, Any] = {
            EFFECTIVE_PREFIX + item["code"]: yes_no(f"Was ‘{vocab.TACTICS.label(item['code'])}’ effective?")
            for item in tactic_items(context.content)
        }
        fields["ced_trained"] = yes_no(QUESTIONS["ced_trained"])
        fields["ced_carried"] = yes_no(QUESTIONS["ced_carried"])
        return type(cls.__name__, (cls,), fields)

    @property
    def effective_fields(self) -> list[Field]:
        return [field for field in self if field.name.startswith(EFFECTIVE_PREFIX)]

    @classmethod
    def initial(cls, content: Mapping[str, Any], state: Mapping[str, Any]) -> dict[str, Any]:
        effective = {
            EFFECTIVE_PREFIX + item["code"]: as_yes_no(item.get("effective")) for item in tactic_items(content)
        }
        return effective | {
            "ced_trained": as_yes_no(content.get("ced_trained")),
            "ced_carried": as_yes_no(content.get("ced_carried")),
        }

    def save(self, content: Content, state: State) -> None:
        content["tactics"] = [
            {"code": item["code"], "effective": from_yes_no(self.data.get(EFFECTIVE_PREFIX + item["code"]))}
            for item in tactic_items(content)
        ]
        content["ced_trained"] = from_yes_no(self.data.get("ced_trained"))
        content["ced_carried"] = from_yes_no(self.data.get("ced_carried"))

    @classmethod
    def field_for(cls, path: str, content: Mapping[str, Any]) -> str | None:
        match = EFFECTIVE_PATH.fullmatch(path)
        if match is None:
            return super().field_for(path, content)
        items = content.get("tactics")
        index = int(match[1])
        if isinstance(items, list) and index < len(items) and isinstance(items[index], Mapping):
            return f"{EFFECTIVE_PREFIX}{items[index].get('code')}"
        return None


class ReasonsForm(SectionForm):
    ERROR_FIELDS: ClassVar[dict[str, str]] = {"reasons": "reasons"}

    reasons = checkboxes(QUESTIONS["reasons"], vocabulary_choices(vocab.REASONS))

    @classmethod
    def initial(cls, content: Mapping[str, Any], state: Mapping[str, Any]) -> dict[str, Any]:
        return {"reasons": as_codes(content.get("reasons"))}

    def save(self, content: Content, state: State) -> None:
        content["reasons"] = self.reasons.data or []


class ImpactForm(SectionForm):
    ERROR_FIELDS: ClassVar[dict[str, str]] = {"impact_factors": "impact_factors"}

    impact_factors = checkboxes(QUESTIONS["impact_factors"], vocabulary_choices(vocab.IMPACT_FACTORS))

    @classmethod
    def initial(cls, content: Mapping[str, Any], state: Mapping[str, Any]) -> dict[str, Any]:
        return {"impact_factors": as_codes(content.get("impact_factors"))}

    def save(self, content: Content, state: State) -> None:
        content["impact_factors"] = self.impact_factors.data or []


class InjuriesForm(SectionForm):
    ERROR_FIELDS: ClassVar[dict[str, str]] = {
        "officer_injury": "officer_injured",
        "officer_injury.injured": "officer_injured",
        "officer_injury.intentional_assault": "officer_assaulted",
        "officer_injury.level": "officer_injury_level",
        "subject_injury": "person_injured",
        "subject_injury.injured": "person_injured",
        "subject_injury.level": "person_injury_level",
        "subject_injury.medical_assistance": "medical_assistance",
        "outcomes": "outcomes",
    }

    officer_injured = yes_no(QUESTIONS["officer_injury.injured"])
    officer_assaulted = yes_no(QUESTIONS["officer_injury.intentional_assault"])
    officer_injury_level = radios(QUESTIONS["officer_injury.level"], vocabulary_choices(vocab.OFFICER_INJURY_LEVELS))
    person_injured = yes_no(QUESTIONS["subject_injury.injured"])
    person_injury_level = radios(QUESTIONS["subject_injury.level"], vocabulary_choices(vocab.SUBJECT_INJURY_LEVELS))
    medical_assistance = radios(QUESTIONS["subject_injury.medical_assistance"],
                                vocabulary_choices(vocab.MEDICAL_ASSISTANCE))
    outcomes = checkboxes(QUESTIONS["outcomes"], vocabulary_choices(vocab.OUTCOMES))

    @classmethod
    def initial(cls, content: Mapping[str, Any], state: Mapping[str, Any]) -> dict[str, Any]:
        officer, person = sub_object(content, "officer_injury"), sub_object(content, "subject_injury")
        return {
            "officer_injured": as_yes_no(officer.get("injured")),
            "officer_assaulted": as_yes_no(officer.get("intentional_assault")),
            "officer_injury_level": as_choice(officer.get("level")),
            "person_injured": as_yes_no(person.get("injured")),
            "person_injury_level": as_choice(person.get("level")),
            "medical_assistance": as_choice(person.get("medical_assistance")),
            "outcomes": as_codes(content.get("outcomes")),
        }

    def save(self, content: Content, state: State) -> None:
        content["officer_injury"] = {
            "injured": from_yes_no(self.officer_injured.data),
            "intentional_assault": from_yes_no(self.officer_assaulted.data),
            "level": self.officer_injury_level.data or None,
        }
        content["subject_injury"] = {
            "injured": from_yes_no(self.person_injured.data),
            "level": self.person_injury_level.data or None,
            "medical_assistance": self.medical_assistance.data or None,
        }
        content["outcomes"] = self.outcomes.data or []


class BodyWornVideoForm(SectionForm):
    ERROR_FIELDS: ClassVar[dict[str, str]] = {
        "bwv": "bwv_worn", "bwv.worn": "bwv_worn", "bwv.recording": "bwv_recording",
        "bwv.reference": "bwv_reference", "bwv.viewed_before_account": "bwv_viewed",
    }

    bwv_worn = yes_no(QUESTIONS["bwv.worn"])
    bwv_recording = yes_no(QUESTIONS["bwv.recording"])
    bwv_reference = StringField(QUESTIONS["bwv.reference"], render_kw={"autocomplete": "off", "spellcheck": "false"})
    bwv_viewed = yes_no(QUESTIONS["bwv.viewed_before_account"])

    @classmethod
    def initial(cls, content: Mapping[str, Any], state: Mapping[str, Any]) -> dict[str, Any]:
        bwv = sub_object(content, "bwv")
        return {
            "bwv_worn": as_yes_no(bwv.get("worn")), "bwv_recording": as_yes_no(bwv.get("recording")),
            "bwv_reference": bwv.get("reference") or "",
            "bwv_viewed": as_yes_no(bwv.get("viewed_before_account")),
        }

    def save(self, content: Content, state: State) -> None:
        content["bwv"] = {
            "worn": from_yes_no(self.bwv_worn.data),
            "recording": from_yes_no(self.bwv_recording.data),
            "reference": self.bwv_reference.data or None,
            "viewed_before_account": from_yes_no(self.bwv_viewed.data),
        }


class AccountForm(SectionForm):
    ERROR_FIELDS: ClassVar[dict[str, str]] = {"narrative": "narrative"}

    narrative = TextAreaField(QUESTIONS["narrative"], render_kw={"rows": 12})

    @classmethod
    def initial(cls, content: Mapping[str, Any], state: Mapping[str, Any]) -> dict[str, Any]:
        return {"narrative": content.get("narrative") or ""}

    def save(self, content: Content, state: State) -> None:
        content["narrative"] = self.narrative.data or None


class AmendmentForm(FlaskForm):
    """The reason for an amendment, asked on the check-answers page; the amendment service requires it."""

    reason = TextAreaField("Why are you amending this report?", render_kw={"rows": 5})
