"""The national use-of-force vocabulary: codes, form labels, Home Office labels and groups.

Codes are stable machine identifiers used by the API, the database and the exports. Labels are what an
officer sees. Home Office labels are printed verbatim in the annual return (2019/20 layout). A retired code
is no longer offered or accepted on new reports but stays readable on old ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    code: str
    label: str
    home_office: str
    group: str = ""
    retired: bool = False


@dataclass(frozen=True)
class Tactic(Term):
    lower_level: bool = False
    ced_rank: int = 0  # 0 = not a CED level; higher = further up the escalation order


class Vocabulary:
    """An ordered set of terms, looked up by code."""

    def __init__(self, name: str, terms: list[Term]) -> None:
        self.name = name
        self.terms = tuple(terms)
        self._by_code = {term.code: term for term in terms}

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    def get(self, code: str) -> Term | None:
        return self._by_code.get(code)

    def label(self, code: str) -> str:
        term = self._by_code.get(code)
        return term.label if term else code

    def accepts(self, code: object) -> bool:
        """True when new reports may use the code (known and not retired)."""
        term = self._by_code.get(code) if isinstance(code, str) else None
        return term is not None and not term.retired

    @property
    def current(self) -> tuple[Term, ...]:
        return tuple(term for term in self.terms if not term.retired)

    def codes(self) -> list[str]:
        return [term.code for term in self.current]

    def labels(self) -> dict[str, str]:
        return {term.code: term.label for term in self.current}


RESTRAINT = "Restraint"
UNARMED = "Unarmed skills"
OTHER_EQUIPMENT = "Other equipment"
LESS_LETHAL = "Less lethal weapons"
FIREARMS = "Firearms"
OTHER = "Other"
TACTICAL_COMMUNICATION = "Tactical communication"

TACTICS = Vocabulary(
    "tactics",
    [
        Tactic("tactical_communication", "Tactical communication",
               "Tactical communication (with other tactic)", TACTICAL_COMMUNICATION, lower_level=True),
        Tactic("compliant_handcuffing", "Handcuffing – compliant", "Compliant handcuffing", RESTRAINT,
               lower_level=True),
        Tactic("non_compliant_handcuffing", "Handcuffing – non-compliant", "Non-compliant handcuffing",
               RESTRAINT),
        Tactic("limb_body_restraints", "Limb / body restraints", "Limb / Body restraints", RESTRAINT),
        Tactic("ground_restraint", "Ground restraint", "Ground restraint", RESTRAINT),
        Tactic("unarmed_skills", "Unarmed skills (pressure points, strikes, restraints, take-downs)",
               "Unarmed skills", UNARMED),
        Tactic("spit_guard", "Spit and bite guard", "Spit and bite guard", OTHER_EQUIPMENT),
        Tactic("shield", "Shield", "Shield", OTHER_EQUIPMENT),
        Tactic("baton_drawn", "Baton – drawn", "Baton drawn", OTHER_EQUIPMENT, lower_level=True),
        Tactic("baton_used", "Baton – used", "Baton used", OTHER_EQUIPMENT),
        Tactic("irritant_spray_cs_drawn", "Irritant spray (CS) – drawn", "Irritant spray - drawn",
               OTHER_EQUIPMENT, lower_level=True),
        Tactic("irritant_spray_pava_drawn", "Irritant spray (PAVA) – drawn", "Irritant spray - drawn",
               OTHER_EQUIPMENT, lower_level=True),
        Tactic("irritant_spray_cs_used", "Irritant spray (CS) – used", "Irritant spray - used",
               OTHER_EQUIPMENT),
        Tactic("irritant_spray_pava_used", "Irritant spray (PAVA) – used", "Irritant spray - used",
               OTHER_EQUIPMENT),
        Tactic("ced_drawn", "Taser (CED) – drawn", "CED Drawn", LESS_LETHAL, ced_rank=1),
        Tactic("ced_aimed", "Taser (CED) – aimed", "CED Aimed", LESS_LETHAL, ced_rank=2),
        Tactic("ced_red_dot", "Taser (CED) – red-dotted", "CED Red-dot", LESS_LETHAL, ced_rank=3),
        Tactic("ced_arced", "Taser (CED) – arced", "CED Arced", LESS_LETHAL, ced_rank=4),
        Tactic("ced_drive_stun", "Taser (CED) – drive stun", "CED Drive-stun", LESS_LETHAL, ced_rank=5),
        Tactic("ced_angle_drive_stun", "Taser (CED) – angle drive stun", "CED Angle-drive stun", LESS_LETHAL,
               ced_rank=6),
        Tactic("ced_fired", "Taser (CED) – fired", "CED Fired", LESS_LETHAL, ced_rank=7),
        Tactic("aep_aimed", "AEP – aimed", "AEP drawn", LESS_LETHAL),
        Tactic("aep_fired", "AEP – fired", "AEP used", LESS_LETHAL),
        Tactic("firearm_aimed", "Firearm – aimed", "Firearms", FIREARMS),
        Tactic("firearm_fired", "Firearm – fired", "Firearms", FIREARMS),
        Tactic("dog_deployed", "Police dog – deployed", "Dog deployed", OTHER, lower_level=True),
        Tactic("dog_bite", "Police dog – bite", "Dog bite", OTHER),
        Tactic("other_improvised", "Other / improvised", "Other / improvised", OTHER),
    ],
)

# The Home Office "type of force" groups in the order of its tables.
TACTIC_GROUPS = (RESTRAINT, UNARMED, OTHER_EQUIPMENT, LESS_LETHAL, FIREARMS, OTHER, TACTICAL_COMMUNICATION)
CED_DISCHARGE = frozenset({"ced_drive_stun", "ced_angle_drive_stun", "ced_fired"})

LOCATIONS = Vocabulary(
    "locations",
    [
        Term("street_highway", "Street / highway", "Street/ highway", "Public"),
        Term("public_transport", "Public transport", "Public transport", "Public"),
        Term("retail_premises", "Retail premises", "Retail premises", "Public"),
        Term("open_ground", "Open ground (park, car park, field)",
             "Open ground (e.g. park, car park, field etc.)", "Public"),
        Term("licensed_premises", "Licensed premises", "Licensed premises", "Public"),
        Term("sports_event_stadia", "Sports or event stadia", "Sports or event stadia", "Public"),
        Term("hospital_ae", "Hospital / A&E (non mental health setting)",
             "Hospital/ A&E (non mental health setting)", "Medical setting"),
        Term("mental_health_setting", "Mental health setting", "Mental health setting", "Medical setting"),
        Term("ambulance", "Ambulance", "Ambulance", "Medical setting"),
        Term("police_vehicle_with_cage", "Police vehicle with prisoner handling cage",
             "Police vehicle with prisoner handling cage", "Police setting"),
        Term("police_vehicle_without_cage", "Police vehicle without prisoner handling cage",
             "Police vehicle without prisoner handling cage", "Police setting"),
        Term("police_station", "Police station (excluding custody block)",
             "Police station (excluding custody block)", "Police setting"),
        Term("custody_block", "Custody block", "Custody block", "Police setting"),
        Term("dwelling", "Dwelling", "Dwelling", "Dwelling"),
        Term("other", "Other", "Other", "Other"),
    ],
)

AGE_BANDS = Vocabulary(
    "age_band",
    [
        Term("age_0_10", "Under 11 years", "Under 11 years"),
        Term("age_11_17", "11 to 17 years", "11 - 17 years"),
        Term("age_18_34", "18 to 34 years", "18 - 34 years"),
        Term("age_35_49", "35 to 49 years", "35 - 49 years"),
        Term("age_50_64", "50 to 64 years", "50 - 64 years"),
        Term("age_65_plus", "65 and over", "65 and over"),
        Term("not_reported", "Not reported", "Not reported"),
    ],
)

GENDERS = Vocabulary(
    "gender",
    [
        Term("male", "Male", "Male"),
        Term("female", "Female", "Female"),
        Term("other", "Other", "Other"),
        Term("not_reported", "Not reported", "Not reported"),
    ],
)

# Chinese and "Don't know" were separate Home Office categories until 2018/19; 2019/20 folds them into
# Other and Not reported, so they stay readable on old records but are no longer offered.
ETHNICITIES = Vocabulary(
    "ethnicity",
    [
        Term("white", "White", "White"),
        Term("black", "Black (or Black British)", "Black (or Black British)"),
        Term("asian", "Asian (or Asian British)", "Asian (or Asian British)"),
        Term("mixed", "Mixed", "Mixed"),
        Term("other", "Other", "Other"),
        Term("not_reported", "Not reported", "Not reported"),
        Term("chinese", "Chinese", "Other", retired=True),
        Term("dont_know", "Don't know", "Not reported", retired=True),
    ],
)

HEALTH_CONDITIONS = Vocabulary(
    "health_condition",
    [
        Term("physical", "Physical", "Physical"),
        Term("mental", "Mental", "Mental"),
        Term("physical_and_mental", "Physical and mental", "Physical and mental"),
        Term("none", "None", "None"),
        Term("not_reported", "Not reported", "Not reported"),
    ],
)

CONDUCT = Vocabulary(
    "conduct",
    [
        Term("compliant", "Compliant", "Compliant"),
        Term("passive_resistance", "Passive resistance", "Passive resistance"),
        Term("verbal_resistance", "Verbal resistance/gestures", "Verbal resistance/gestures"),
        Term("active_resistance", "Active resistance", "Active resistance"),
        Term("aggressive_resistance", "Aggressive resistance", "Aggressive resistance"),
        Term("serious_aggravated_resistance", "Serious or aggravated resistance",
             "Serious or aggravated resistance"),
    ],
)

IMPACT_FACTORS = Vocabulary(
    "impact_factors",
    [
        Term("possession_of_weapon", "Possession of a weapon", "Possession of a weapon"),
        Term("alcohol", "Alcohol", "Alcohol"),
        Term("drugs", "Drugs", "Drugs"),
        Term("mental_health", "Mental health", "Mental health"),
        Term("prior_knowledge", "Prior knowledge", "Prior knowledge"),
        Term("size_gender_build", "Size, gender or build", "Size/gender/\nbuild"),
        Term("acute_behavioural_disturbance", "Acute behavioural disturbance", "Acute behavioural disturbance"),
        Term("crowd", "Crowd", "Crowd"),
        Term("other", "Other", "Other"),
    ],
)

REASONS = Vocabulary(
    "reasons",
    [
        Term("protect_self", "Protect self", "Protect self"),
        Term("protect_public", "Protect public", "Protect public"),
        Term("protect_subject", "Protect the person", "Protect subject"),
        Term("protect_other_officers", "Protect other officers", "Protect other officers"),
        Term("prevent_offence", "Prevent offence", "Prevent offence"),
        Term("secure_evidence", "Secure evidence", "Secure evidence"),
        Term("effect_search", "Effect search", "Effect search"),
        Term("effect_arrest", "Effect arrest", "Effect arrest"),
        Term("method_of_entry", "Method of entry", "Method of entry"),
        Term("remove_handcuffs", "Remove handcuffs", "Remove handcuffs"),
        Term("prevent_harm", "Prevent harm", "Prevent harm"),
        Term("prevent_escape", "Prevent escape", "Prevent escape"),
        Term("other", "Other", "Other"),
    ],
)

OUTCOMES = Vocabulary(
    "outcomes",
    [
        Term("made_off_escaped", "Made off / escaped", "Made off/escaped"),
        Term("arrested", "Arrested", "Arrested"),
        Term("hospitalised", "Hospitalised", "Hospitalised"),
        Term("detained_mental_health_act", "Detained (Mental Health Act)", "Detained (Mental Health Act)"),
        Term("fatality", "Fatality", "Fatality"),
        Term("no_further_action", "No further action", "Other"),
        Term("other", "Other", "Other"),
    ],
)

OFFICER_INJURY_LEVELS = Vocabulary(
    "officer_injury_level",
    [Term("none", "None", "None"), Term("minor", "Minor", "Minor"), Term("severe", "Severe", "Severe")],
)

SUBJECT_INJURY_LEVELS = Vocabulary(
    "subject_injury_level",
    [
        Term("none", "None", "None"),
        Term("minor", "Minor", "Minor"),
        Term("severe", "Severe", "Severe"),
        Term("death", "Death", "Death"),
    ],
)

MEDICAL_ASSISTANCE = Vocabulary(
    "medical_assistance",
    [
        Term("none", "None", "None"),
        Term("offered", "Offered", "Offered"),
        Term("provided", "Provided", "Provided"),
    ],
)

# Published by GET /api/v1/form under these keys.
ALL: dict[str, Vocabulary] = {
    "tactics": TACTICS,
    "locations": LOCATIONS,
    "age_band": AGE_BANDS,
    "gender": GENDERS,
    "ethnicity": ETHNICITIES,
    "health_condition": HEALTH_CONDITIONS,
    "conduct": CONDUCT,
    "impact_factors": IMPACT_FACTORS,
    "reasons": REASONS,
    "outcomes": OUTCOMES,
    "officer_injury_level": OFFICER_INJURY_LEVELS,
    "subject_injury_level": SUBJECT_INJURY_LEVELS,
    "medical_assistance": MEDICAL_ASSISTANCE,
}


def tactic(code: str) -> Tactic:
    term = TACTICS.get(code)
    if not isinstance(term, Tactic):
        raise KeyError(code)
    return term


def is_force(code: str) -> bool:
    """Tactical communication is recorded alongside force but is never counted as force itself."""
    return code != "tactical_communication"
