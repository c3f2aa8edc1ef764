"""The sections of the recording journey, in order, and which section and field each error path belongs to."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from uof.record.answers import EFFECTIVENESS
from uof.record.forms import (
    AccountForm,
    BodyWornVideoForm,
    EffectivenessForm,
    ImpactForm,
    IncidentForm,
    InjuriesForm,
    PersonForm,
    ReasonsForm,
    SectionForm,
    TacticsForm,
)


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    form: type[SectionForm]
    # The answers this section gives, as paths of the report, in the order the summaries list them.
    answers: tuple[str, ...]

    @property
    def template(self) -> str:
        return f"record/section_{self.slug}.html"


SECTIONS = (
    Section("incident", "The incident", IncidentForm,
            ("incident_at", "incident_reference", "area", "locations", "single_crewed")),
    Section("person", "The person", PersonForm,
            ("subject.age_band", "subject.gender", "subject.ethnicity", "subject.health_condition", "conduct")),
    Section("tactics", "What you did", TacticsForm, ("tactics",)),
    Section("effectiveness", "Whether it worked", EffectivenessForm, (EFFECTIVENESS, "ced_trained", "ced_carried")),
    Section("reasons", "Why you used force", ReasonsForm, ("reasons",)),
    Section("impact", "Impact factors", ImpactForm, ("impact_factors",)),
    Section("injuries", "Injuries and outcome", InjuriesForm,
            ("officer_injury.injured", "officer_injury.intentional_assault", "officer_injury.level",
             "subject_injury.injured", "subject_injury.level", "subject_injury.medical_assistance", "outcomes")),
    Section("bwv", "Body-worn video", BodyWornVideoForm,
            ("bwv.worn", "bwv.recording", "bwv.reference", "bwv.viewed_before_account")),
    Section("account", "Your account", AccountForm, ("narrative",)),
)
BY_SLUG = {section.slug: section for section in SECTIONS}


def position(section: Section) -> int:
    return SECTIONS.index(section)


def following(section: Section) -> Section | None:
    index = position(section) + 1
    return SECTIONS[index] if index < len(SECTIONS) else None


def preceding(section: Section) -> Section | None:
    index = position(section) - 1
    return SECTIONS[index] if index >= 0 else None


def locate(path: str, content: Mapping[str, Any]) -> tuple[Section, str] | None:
    """The section and the form field that an error path of the validator belongs to, if any."""
    for section in SECTIONS:
        field = section.form.field_for(path, content)
        if field is not None:
            return section, field
    return None


def errors_by_field(section: Section, errors: Mapping[str, list[str]],
                    content: Mapping[str, Any]) -> dict[str, list[str]]:
    """The errors that belong to this section, keyed by the name of the field they are shown beside."""
    by_field: dict[str, list[str]] = {}
    for path, messages in errors.items():
        field = section.form.field_for(path, content)
        if field is not None:
            by_field.setdefault(field, []).extend(messages)
    return by_field
