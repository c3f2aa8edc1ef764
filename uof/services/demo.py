"""The demo force of ``flask --app wsgi uof demo``: people, teams and a year of realistic reports.

Three response teams in two West Midlands areas, their supervisors, governance, an admin and an auditor, and
400 use-of-force reports over the last 12 months. The mix follows the Home Office statistics for England and
Wales, April 2019 to March 2020 ("Table N" below is a table of
reference/data/police-use-of-force-apr2019-mar2020-hosb3720-tables). Every report goes through
``reports.submit``, the service behind the API, so it is validated, versioned and audited like a real one; the
supervisors' reviews, returns and amendments go through ``reviews.decide`` and ``reports.amend`` in the same way.
The data come from a fixed random seed and a given "now", so the same call always makes the same force. The
draws (``pick``, ``chance``, ``draw_…``) are public: ``bench/synthetic_force.py`` draws its Met-sized force with
them.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from uof.domain import vocabulary as v
from uof.domain.policy import DEROGATED
from uof.domain.review import APPROVE, REFER, RETURN, recorded_reference, video_recorded
from uof.domain.validation import format_datetime
from uof.extensions import db
from uof.models import Alert, Report, User, utcnow
from uof.services import accounts, alerts, policy, reports, reviews
from uof.uktime import LONDON, local_to_utc

DOMAIN = "demo.police.example"  # .example is reserved (RFC 2606): no demo email can reach anyone
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - the one published password of the demo accounts
# Any seed makes a valid force; this one's 400 reports sit close to the expected shares (arrest, Taser,
# handcuffing, ethnicity, shared incidents), so the demo's dashboards show typical figures.
SEED = 72
REPORT_COUNT = 400
# The demo force adopted the derogated threshold this many months ago, so that a year's figures span a change
# of recording policy and say so.
DEROGATED_MONTHS_AGO = 5
PERIOD = timedelta(days=365)


class DemoDataError(RuntimeError):
    """A generated demo report was not accepted: the generator and the validation rules disagree."""


@dataclass(frozen=True)
class DemoTeam:
    name: str
    area: str  # a West Midlands local authority of reference/census2021-ethnicity-west-midlands.csv


@dataclass(frozen=True)
class DemoPerson:
    name: str
    roles: tuple[str, ...]
    team: str | None = None
    force_number: str | None = None
    activity: float = 0.0  # relative share of the force's reports this person makes; 0 for non-recorders
    taser_trained: bool = False
    # Teams supervised without belonging to one: the inspector, who reviews the sergeants' own reports.
    supervises: tuple[str, ...] = ()

    @property
    def email(self) -> str:
        return f"{self.name.lower().replace(' ', '.')}@{DOMAIN}"


TEAMS = (
    DemoTeam("Birmingham Central A", "Birmingham"),
    DemoTeam("Birmingham Central B", "Birmingham"),
    DemoTeam("Coventry Response", "Coventry"),
)

SUPERVISOR = ("supervisor", "officer")  # sergeants record their own force too
OFFICER = ("officer",)
# Activities differ, as they do on real teams: each team has a busier officer for early intervention to notice.
PEOPLE = (
    DemoPerson("Rachel Whitfield", SUPERVISOR, "Birmingham Central A", "2217", 0.4, taser_trained=True),
    DemoPerson("Thomas Ashworth", OFFICER, "Birmingham Central A", "4518", 1.0, taser_trained=True),
    DemoPerson("Priya Sandhu", OFFICER, "Birmingham Central A", "4733", 1.2),
    DemoPerson("Callum Brennan", OFFICER, "Birmingham Central A", "5021", 2.6, taser_trained=True),
    DemoPerson("Chloe Marsden", OFFICER, "Birmingham Central A", "5264", 0.8),
    DemoPerson("Imran Chaudhry", SUPERVISOR, "Birmingham Central B", "2389", 0.4, taser_trained=True),
    DemoPerson("Daniel Okafor", OFFICER, "Birmingham Central B", "4602", 1.3, taser_trained=True),
    DemoPerson("Megan Hollis", OFFICER, "Birmingham Central B", "4857", 0.9),
    DemoPerson("Jack Fairbanks", OFFICER, "Birmingham Central B", "5138", 1.6, taser_trained=True),
    DemoPerson("Aisha Rahman", OFFICER, "Birmingham Central B", "5390", 0.7),
    DemoPerson("Gareth Pemberton", SUPERVISOR, "Coventry Response", "2456", 0.4, taser_trained=True),
    DemoPerson("Liam Thornbury", OFFICER, "Coventry Response", "4671", 1.0, taser_trained=True),
    DemoPerson("Sophie Kendrick", OFFICER, "Coventry Response", "4912", 0.8),
    DemoPerson("Ryan Mulholland", OFFICER, "Coventry Response", "5177", 1.7, taser_trained=True),
    DemoPerson("Hannah Bowater", OFFICER, "Coventry Response", "5449", 0.6),
    DemoPerson("Joanne Tranter", ("supervisor",), supervises=tuple(team.name for team in TEAMS)),
    DemoPerson("Helen Stanway", ("governance",)),
    DemoPerson("Martin Greaves", ("admin",)),
    DemoPerson("Nadia Kowalczyk", ("auditor",)),
)
ADMIN_EMAIL = next(person.email for person in PEOPLE if "admin" in person.roles)
RECORDERS = tuple(person for person in PEOPLE if person.activity)

# --- When: the Home Office tables give no times, so these follow the usual shape of police demand: a trough
# early in the morning, rising through the afternoon to a late-evening peak, busiest on Friday and Saturday
# nights when the night-time economy is open. Weights are relative, in UK local time.
HOUR_WEIGHTS = (7, 6, 5, 4, 3, 2, 1.5, 1.5, 2, 2.5, 3, 3.5, 4, 4, 4.5, 5, 5.5, 6, 6.5, 7, 7.5, 8, 8, 7.5)
WEEKDAY_WEIGHTS = (0.9, 0.9, 0.95, 1.0, 1.15, 1.25, 1.05)  # Monday first
WEEKEND_NIGHT_WEIGHT = 1.6  # Friday and Saturday nights, 20:00 to 03:59
# Reports are written minutes to hours after the incident, now and then a day or two late (rest days).
TYPICAL_DELAY_MINUTES = 90
LATE_SHARE = 0.05
# About one report in six comes from an incident where two or three officers of a team each used force on the
# person. (Real sharing is higher: the Home Office estimates 73 people per 100 reports, 2024/25.)
SHARED_INCIDENT_SHARE = 0.09
SHARED_INCIDENT_SIZES, SHARED_INCIDENT_SIZE_WEIGHTS = (2, 3), (4, 1)
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")

# --- Who: 2019/20 reports ("incidents") by perceived age (Table 2), gender (Table 3) and health (Table 5).
INCIDENTS = 491984  # Table 1: all reports in England and Wales, 2019/20
AGE_BANDS = {"age_0_10": 752, "age_11_17": 49695, "age_18_34": 266222, "age_35_49": 120011, "age_50_64": 31130,
             "age_65_plus": 4066, "not_reported": 20108}
GENDERS = {"male": 407560, "female": 78284, "other": 773, "not_reported": 5367}
HEALTH_CONDITIONS = {"mental": 66996, "physical": 3253, "physical_and_mental": 2000, "none": 396620,
                     "not_reported": 23115}
MENTAL_CONDITIONS = {"mental": 66996, "physical_and_mental": 2000}

# Perceived ethnicity: the area's residents (Census 2021, reference/census2021-ethnicity-west-midlands.csv),
# each group weighted by its rate of force relative to its share of the force area's population. Table 4 puts
# the national rate for Black people at about 4.8 times the White rate, but against the population of England
# and Wales, most of whose Black residents live in the cities where most force is used; inside Birmingham that
# would make over a third of the people Black, twice West Midlands Police's published share. The force's own
# 2019/20 figures (Table 16, which counts tactics) give Black people about 2.5 times the White rate locally.
AREA_POPULATION = {
    "Birmingham": {"white": 556608, "black": 125760, "asian": 355384, "mixed": 55205, "other": 51965},
    "Coventry": {"white": 226246, "black": 30723, "asian": 63915, "mixed": 11731, "other": 12706},
}
FORCE_AREA_POPULATION = {"white": 1793173, "black": 236047, "asian": 667315, "mixed": 121685, "other": 101435}
FORCE_TACTICS_BY_ETHNICITY = {"white": 10868, "black": 3512, "asian": 2540, "mixed": 982, "other": 272}
ETHNICITY_NOT_REPORTED_SHARE = 284 / 18458  # Table 16, West Midlands


def _ethnicity_weights(area: str) -> dict[str, float]:
    population = AREA_POPULATION[area]
    force_tactics, force_people = sum(FORCE_TACTICS_BY_ETHNICITY.values()), sum(FORCE_AREA_POPULATION.values())
    weights = {
        group: residents * (FORCE_TACTICS_BY_ETHNICITY[group] / force_tactics)
        / (FORCE_AREA_POPULATION[group] / force_people)
        for group, residents in population.items()
    }
    scale = (1 - ETHNICITY_NOT_REPORTED_SHARE) / sum(weights.values())
    return {**{group: weight * scale for group, weight in weights.items()},
            "not_reported": ETHNICITY_NOT_REPORTED_SHARE}


ETHNICITIES_BY_AREA = {area: _ethnicity_weights(area) for area in AREA_POPULATION}

# --- Where: Table 9, reports by location. A report names one place, sometimes two (1.05 per report).
LOCATIONS = {
    "street_highway": 229931, "public_transport": 2917, "retail_premises": 12088, "open_ground": 30251,
    "licensed_premises": 5944, "sports_event_stadia": 1138, "hospital_ae": 14484, "mental_health_setting": 4932,
    "ambulance": 3023, "police_vehicle_with_cage": 7935, "police_vehicle_without_cage": 6769,
    "police_station": 5840, "custody_block": 61302, "dwelling": 107726, "other": 19249,
}
SECOND_LOCATION_SHARE = sum(LOCATIONS.values()) / INCIDENTS - 1

# --- What force: Table 1, reports using each tactic. Handcuffing is in 70% of reports, compliant or not
# (the "not stated" handcuffing is shared out in proportion).
HANDCUFFING_REPORTS = 344200
HANDCUFFING_SHARE = HANDCUFFING_REPORTS / INCIDENTS
HANDCUFFING_KINDS = {"compliant_handcuffing": 197091, "non_compliant_handcuffing": 114690}
# The tables do not split CS from PAVA; most forces have moved to PAVA, so three sprays in four are PAVA.
PAVA_SHARE = 0.75
TASER = "taser"


@dataclass(frozen=True)
class TacticFamily:
    reports: int  # Table 1: 2019/20 reports using the family
    levels: Mapping[str, float]  # one code per report, weighted: the highest level reached

    @property
    def share(self) -> float:
        return self.reports / INCIDENTS


# Firearms, AEP and police dogs (1.0%, 0.1% and 0.5% of reports) belong to armed officers and dog handlers,
# whom response teams call on rather than include, so the demo's response officers never record them.
TACTIC_FAMILIES = {
    "limb_body_restraints": TacticFamily(30603, {"limb_body_restraints": 1}),
    "ground_restraint": TacticFamily(70505, {"ground_restraint": 1}),
    "unarmed_skills": TacticFamily(163875, {"unarmed_skills": 1}),
    "baton": TacticFamily(5354, {"baton_drawn": 3624, "baton_used": 1787}),
    "irritant_spray": TacticFamily(15767, {
        "irritant_spray_pava_drawn": 7011 * PAVA_SHARE, "irritant_spray_cs_drawn": 7011 * (1 - PAVA_SHARE),
        "irritant_spray_pava_used": 9079 * PAVA_SHARE, "irritant_spray_cs_used": 9079 * (1 - PAVA_SHARE),
    }),
    "spit_guard": TacticFamily(7172, {"spit_guard": 1}),
    "shield": TacticFamily(809, {"shield": 1}),
    # Mostly drawn or red-dotted; about one Taser report in ten is a discharge.
    TASER: TacticFamily(32057, {"ced_drawn": 6869, "ced_aimed": 3043, "ced_red_dot": 16290, "ced_arced": 389,
                                "ced_drive_stun": 41, "ced_angle_drive_stun": 15, "ced_fired": 3192}),
    "other_improvised": TacticFamily(27657, {"other_improvised": 1}),
}
# A report without handcuffing still needs some force: it takes one family by weight, and every report may add
# further families independently. Scaling those extras by this factor keeps each family at its Table 1 share.
EXTRA_TACTIC_SCALE = 1 - (1 - HANDCUFFING_SHARE) / sum(family.share for family in TACTIC_FAMILIES.values())
TACTICAL_COMMUNICATION_SHARE = 215559 / INCIDENTS
TACTIC_EFFECTIVE_SHARE = 0.9
TACTICAL_COMMUNICATION_EFFECTIVE_SHARE = 0.6
# Only a Taser-trained officer carrying one can use it; they carry one on most shifts. The rate while carrying
# is raised so that Taser stays at its national share of all reports (6.5%).
TASER_CARRIED_SHARE = 0.9
_TRAINED_ACTIVITY = sum(p.activity for p in RECORDERS if p.taser_trained) / sum(p.activity for p in RECORDERS)
TASER_SHARE_WHEN_CARRIED = TACTIC_FAMILIES[TASER].share / (_TRAINED_ACTIVITY * TASER_CARRIED_SHARE)
HANDCUFFING = frozenset(HANDCUFFING_KINDS)
TASER_CODES = frozenset(TACTIC_FAMILIES[TASER].levels)
SPRAY_USED = frozenset({"irritant_spray_cs_used", "irritant_spray_pava_used"})
WEAPON_USED = TASER_CODES | SPRAY_USED | {"baton_used"}
LOW_LEVEL = frozenset({"compliant_handcuffing", "tactical_communication"})
# The tables do not publish conduct; it follows the force used, which must be proportionate to the resistance.
CONDUCT_WHEN_WEAPON_USED = {"active_resistance": 1, "aggressive_resistance": 6, "serious_aggravated_resistance": 3}
CONDUCT_WHEN_RESTRAINED = {"passive_resistance": 2, "verbal_resistance": 1, "active_resistance": 11,
                           "aggressive_resistance": 6}
CONDUCT_WHEN_COMPLIANT = {"compliant": 11, "passive_resistance": 5, "verbal_resistance": 4}

# --- Why: Table 6, reports giving each reason (about four per report). Three are given only where they can
# apply, at their rate among those reports: effect arrest when arrested, method of entry at a dwelling and
# remove handcuffs when handcuffed.
REASONS = {
    "protect_self": 335326, "protect_public": 156887, "protect_subject": 202198, "protect_other_officers": 284625,
    "prevent_offence": 163042, "secure_evidence": 86978, "effect_search": 134790, "effect_arrest": 252059,
    "method_of_entry": 4408, "remove_handcuffs": 25246, "prevent_harm": 178767, "prevent_escape": 219895,
    "other": 34680,
}

# Table 7, reports naming each impact factor. Alcohol is the commonest, and more so on Friday and Saturday
# nights; the factors below keep its year-round share near Table 7's 37%. Someone with a Taser pointed at them
# had a weapon in 56% of reports (Table 7, CED row: 18,088 of 32,057). A person seen as having a mental health
# condition nearly always has it recorded as a factor; the rate for the rest keeps Table 7's 21%.
IMPACT_FACTORS = {
    "possession_of_weapon": 78354, "alcohol": 180258, "drugs": 149397, "mental_health": 105571,
    "prior_knowledge": 108813, "size_gender_build": 145244, "acute_behavioural_disturbance": 14101,
    "crowd": 48600, "other": 84432,
}
ALCOHOL_WEEKEND_NIGHT_FACTOR, ALCOHOL_OTHER_TIMES_FACTOR = 1.5, 0.9
WEAPON_WHEN_TASER_SHARE = 18088 / 32057
MENTAL_HEALTH_IF_CONDITION = 0.85
_MENTAL_CONDITION_SHARE = sum(MENTAL_CONDITIONS.values()) / INCIDENTS
MENTAL_HEALTH_OTHERWISE = (
    (IMPACT_FACTORS["mental_health"] / INCIDENTS - _MENTAL_CONDITION_SHARE * MENTAL_HEALTH_IF_CONDITION)
    / (1 - _MENTAL_CONDITION_SHARE)
)

# --- Outcome: Table 8. Arrest follows handcuffing: 84% of handcuffing reports (compliant 173,110 of 197,091,
# non-compliant 89,114 of 114,690) against 59% of the rest, 76% overall. Arrests have since fallen to 70% of
# reports (2024/25, reference/uof-data-standard.md §2.5), so both rates are scaled to that.
ARRESTS_2019 = 376046
ARREST_SHARE_NOW = 0.70
_HANDCUFFED_ARRESTED = (173110 + 89114) / (197091 + 114690)
_OTHERS_ARRESTED = (ARRESTS_2019 - _HANDCUFFED_ARRESTED * HANDCUFFING_REPORTS) / (INCIDENTS - HANDCUFFING_REPORTS)
ARREST_IF_HANDCUFFED = _HANDCUFFED_ARRESTED * ARREST_SHARE_NOW / (ARRESTS_2019 / INCIDENTS)
ARREST_OTHERWISE = _OTHERS_ARRESTED * ARREST_SHARE_NOW / (ARRESTS_2019 / INCIDENTS)
# Without arrest (Table 8); "Other" (82,032) holds no further action, assumed two in three. Table 8 has 16
# fatalities in 491,984 reports: none is expected in 400, so the demo has none.
OUTCOMES_WITHOUT_ARREST = {"made_off_escaped": 3593, "detained_mental_health_act": 18689,
                           "no_further_action": 82032 * 2 / 3, "other": 82032 / 3}

# --- Injuries: Tables 10 and 11. Officers are injured in 4.7% of reports and people in 5.5%; assault and
# severity are shares of the injured whose reports state them.
OFFICER_INJURED_SHARE = (10711 + 8976 + 3556) / INCIDENTS
OFFICER_ASSAULTED_SHARE = 10711 / (10711 + 8976)  # of injured officers
OFFICER_SEVERE_SHARE = 424 / (21990 + 424)  # of injured officers
SUBJECT_INJURED_SHARE = 27224 / INCIDENTS
SUBJECT_SEVERE_SHARE = 560 / (26188 + 560)  # of injured people
# Taser probe wounds are often recorded as a minor injury, and the probes are removed by a medic.
TASER_PROBE_INJURY_SHARE = 0.5
# Hospital (Table 8: 3.6% of reports) follows every severe injury and some minor ones; the base rate covers the
# rest (intoxication, self-harm).
HOSPITAL_IF_MINOR_INJURY = 0.25
HOSPITAL_OTHERWISE = (17472 / INCIDENTS - SUBJECT_INJURED_SHARE * HOSPITAL_IF_MINOR_INJURY) / (
    1 - SUBJECT_INJURED_SHARE)
MEDICAL_AID_IF_INJURED = {"provided": 7, "offered": 3}  # also the aftercare after irritant spray
MEDICAL_AID_OTHERWISE = {"none": 19, "offered": 1}

# --- Officer context: response officers wear body-worn video as force policy; not published by the Home Office.
BWV_WORN_SHARE = 0.92
BWV_RECORDING_SHARE = 0.9  # of worn cameras
BWV_VIEWED_SHARE = 0.3  # of recordings, viewed before writing the account
SINGLE_CREWED_SHARE = 0.2  # of reports where no colleague used force

NARRATIVE_OPENINGS = {
    "street_highway": "Stopped the person in the street",
    "public_transport": "Called to the person on a bus",
    "retail_premises": "Called by shop security to a shoplifter",
    "open_ground": "Found the person in a park",
    "licensed_premises": "Called to a disturbance at a pub",
    "sports_event_stadia": "On duty at a football match",
    "hospital_ae": "Called by staff at A&E",
    "mental_health_setting": "Called by staff at a mental health unit",
    "ambulance": "Asked by paramedics to help with a patient",
    "police_vehicle_with_cage": "Taking the person to custody in a caged van",
    "police_vehicle_without_cage": "Taking the person to custody in a patrol car",
    "police_station": "Dealing with the person at the station front counter",
    "custody_block": "Presenting the person to the custody sergeant",
    "dwelling": "Attended a domestic incident at an address",
    "other": "Attended a call from a member of the public",
}
NARRATIVE_CONDUCT = {
    "compliant": "They were calm and did as asked.",
    "passive_resistance": "They went limp and would not walk.",
    "verbal_resistance": "They shouted, swore and refused to cooperate.",
    "active_resistance": "They pulled away and tried to push past officers.",
    "aggressive_resistance": "They punched and kicked out at officers.",
    "serious_aggravated_resistance": "They attacked officers and would not stop.",
}


@dataclass(frozen=True)
class PlannedReport:
    officer: DemoPerson
    submitted_at: datetime
    body: dict[str, Any]


def pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def chance(rng: random.Random, share: float) -> bool:
    return rng.random() < share


def _weighted_sample(rng: random.Random, people: Sequence[DemoPerson], count: int) -> list[DemoPerson]:
    pool = list(people)
    chosen: list[DemoPerson] = []
    for _ in range(count):
        person = rng.choices(pool, weights=[p.activity for p in pool])[0]
        pool.remove(person)
        chosen.append(person)
    return chosen


def is_weekend_night(local: datetime) -> bool:
    evening = local - timedelta(hours=4)  # 01:00 on Saturday belongs to Friday night
    return evening.weekday() in (4, 5) and evening.hour >= 16


def slot_weight(slot: datetime) -> float:
    local = slot.astimezone(LONDON)
    weight = HOUR_WEIGHTS[local.hour] * WEEKDAY_WEIGHTS[local.weekday()]
    return weight * WEEKEND_NIGHT_WEIGHT if is_weekend_night(local) else weight


def _hour_slots(now: datetime) -> list[datetime]:
    """The UTC hours of the last 12 months that ended at least an hour before ``now``."""
    first = (now - PERIOD).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    count = int((now - timedelta(hours=2) - first) / timedelta(hours=1)) + 1
    return [first + timedelta(hours=n) for n in range(count)]


def draw_submission_delay(rng: random.Random) -> timedelta:
    if chance(rng, LATE_SHARE):
        return timedelta(hours=rng.uniform(20, 48))
    return timedelta(minutes=min(rng.lognormvariate(math.log(TYPICAL_DELAY_MINUTES), 0.8), 12 * 60))


def draw_tactic_codes(rng: random.Random, carrying_taser: bool) -> list[str]:
    shares = {name: family.share for name, family in TACTIC_FAMILIES.items()}
    shares[TASER] = TASER_SHARE_WHEN_CARRIED if carrying_taser else 0.0
    codes: list[str] = []
    first_family = None
    if chance(rng, HANDCUFFING_SHARE):
        codes.append(pick(rng, HANDCUFFING_KINDS))
    else:
        first_family = pick(rng, shares)
    for name, share in shares.items():
        if name == first_family or chance(rng, share * EXTRA_TACTIC_SCALE):
            codes.append(pick(rng, TACTIC_FAMILIES[name].levels))
    if chance(rng, TACTICAL_COMMUNICATION_SHARE):
        codes.append("tactical_communication")
    return codes


def draw_conduct(rng: random.Random, codes: list[str]) -> str:
    if WEAPON_USED.intersection(codes):
        return pick(rng, CONDUCT_WHEN_WEAPON_USED)
    if set(codes) - LOW_LEVEL:
        return pick(rng, CONDUCT_WHEN_RESTRAINED)
    return pick(rng, CONDUCT_WHEN_COMPLIANT)


def draw_reasons(rng: random.Random, *, arrested: bool, at_dwelling: bool, handcuffed: bool) -> list[str]:
    only_where = {
        "effect_arrest": (arrested, ARRESTS_2019),
        "method_of_entry": (at_dwelling, LOCATIONS["dwelling"]),
        "remove_handcuffs": (handcuffed, HANDCUFFING_REPORTS),
    }
    chosen: list[str] = []
    for reason, reports_giving in REASONS.items():
        applies, reports_eligible = only_where.get(reason, (True, INCIDENTS))
        if applies and chance(rng, reports_giving / reports_eligible):
            chosen.append(reason)
    return chosen or ["protect_self"]


def draw_impact_factors(
    rng: random.Random, *, taser_used: bool, weekend_night: bool, mental_condition: bool
) -> list[str]:
    shares = {factor: reports_naming / INCIDENTS for factor, reports_naming in IMPACT_FACTORS.items()}
    if taser_used:
        shares["possession_of_weapon"] = WEAPON_WHEN_TASER_SHARE
    shares["alcohol"] *= ALCOHOL_WEEKEND_NIGHT_FACTOR if weekend_night else ALCOHOL_OTHER_TIMES_FACTOR
    shares["mental_health"] = MENTAL_HEALTH_IF_CONDITION if mental_condition else MENTAL_HEALTH_OTHERWISE
    return [factor for factor, share in shares.items() if chance(rng, share)]


def draw_officer_injury(rng: random.Random) -> dict[str, Any]:
    injured = chance(rng, OFFICER_INJURED_SHARE)
    return {
        "injured": injured,
        "intentional_assault": injured and chance(rng, OFFICER_ASSAULTED_SHARE),
        "level": ("severe" if chance(rng, OFFICER_SEVERE_SHARE) else "minor") if injured else "none",
    }


def draw_subject_injury(rng: random.Random, codes: list[str]) -> dict[str, Any]:
    discharged = bool(v.CED_DISCHARGE.intersection(codes))
    injured = chance(rng, TASER_PROBE_INJURY_SHARE if discharged else SUBJECT_INJURED_SHARE)
    if discharged:
        assistance = "provided"
    elif injured or SPRAY_USED.intersection(codes):
        assistance = pick(rng, MEDICAL_AID_IF_INJURED)
    else:
        assistance = pick(rng, MEDICAL_AID_OTHERWISE)
    level = ("severe" if chance(rng, SUBJECT_SEVERE_SHARE) else "minor") if injured else "none"
    return {"injured": injured, "level": level, "medical_assistance": assistance}


def draw_bwv(rng: random.Random) -> dict[str, Any]:
    worn = chance(rng, BWV_WORN_SHARE)
    recording = worn and chance(rng, BWV_RECORDING_SHARE)
    return {
        "worn": worn,
        "recording": recording,
        "reference": f"BWV-{rng.randrange(10_000_000, 100_000_000)}" if recording else None,
        "viewed_before_account": recording and chance(rng, BWV_VIEWED_SHARE),
    }


def draw_hospitalised(rng: random.Random, injuries: list[dict[str, Any]]) -> bool:
    levels = {injury["level"] for injury in injuries}
    if "severe" in levels:
        return True
    return chance(rng, HOSPITAL_IF_MINOR_INJURY if "minor" in levels else HOSPITAL_OTHERWISE)


def draw_body(rng: random.Random, *, incident_at: datetime, reference: str, area: str | None,
              locations: list[str], subject: dict[str, str], impact_factors: list[str], arrested: bool,
              codes: list[str], crew: int, taser_trained: bool, carrying: bool) -> dict[str, Any]:
    """One officer's report of an incident (all but its outcomes, which the incident's officers share), drawing
    the rest of what each officer records for themselves."""
    conduct = draw_conduct(rng, codes)
    return {
        "client_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "incident_at": format_datetime(incident_at),
        "incident_reference": reference,
        "area": area,
        "locations": locations,
        "subject": subject,
        "conduct": conduct,
        "impact_factors": impact_factors,
        "reasons": draw_reasons(rng, arrested=arrested, at_dwelling="dwelling" in locations,
                                handcuffed=bool(HANDCUFFING.intersection(codes))),
        "tactics": [
            {"code": code, "effective": chance(rng, TACTICAL_COMMUNICATION_EFFECTIVE_SHARE
                                                if code == "tactical_communication" else TACTIC_EFFECTIVE_SHARE)}
            for code in codes
        ],
        "officer_injury": draw_officer_injury(rng),
        "subject_injury": draw_subject_injury(rng, codes),
        "single_crewed": crew == 1 and chance(rng, SINGLE_CREWED_SHARE),
        "ced_trained": taser_trained,
        "ced_carried": carrying,
        "bwv": draw_bwv(rng),
        "narrative": narrative_for(locations[0], conduct, codes),
    }


def narrative_for(location: str, conduct: str, codes: list[str]) -> str:
    labels = [label if label.startswith("Taser") else label[0].lower() + label[1:]
              for label in map(v.TACTICS.label, codes)]
    used = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
    return f"{NARRATIVE_OPENINGS[location]}. {NARRATIVE_CONDUCT[conduct]} I used {used}."


class _Planner:
    """Draws the demo force's incidents, and one report per officer who used force in each."""

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.now = now
        self.slots = _hour_slots(now)
        self.slot_weights = [slot_weight(slot) for slot in self.slots]
        self.references: set[str] = set()
        self.team_weights = [sum(p.activity for p in RECORDERS if p.team == team.name) for team in TEAMS]

    def reports(self, count: int) -> list[PlannedReport]:
        planned: list[PlannedReport] = []
        while len(planned) < count:
            planned += self._incident(count - len(planned))
        return planned

    def _reference(self, local: datetime) -> str:
        # CAD log numbers restart each day and rise through it.
        number = 1 + (local.hour * 60 + local.minute) * 3 + self.rng.randrange(3)
        while True:
            reference = f"CAD-{number:04d}-{local.day:02d}{MONTHS[local.month - 1]}{local.year % 100:02d}"
            if reference not in self.references:
                self.references.add(reference)
                return reference
            number += 1

    def _incident(self, most_reports: int) -> list[PlannedReport]:
        rng = self.rng
        team = rng.choices(TEAMS, weights=self.team_weights)[0]
        shared = chance(rng, SHARED_INCIDENT_SHARE)
        size = rng.choices(SHARED_INCIDENT_SIZES, weights=SHARED_INCIDENT_SIZE_WEIGHTS)[0] if shared else 1
        officers = _weighted_sample(rng, [p for p in RECORDERS if p.team == team.name], min(size, most_reports))
        incident_at = rng.choices(self.slots, weights=self.slot_weights)[0] + timedelta(minutes=rng.randrange(60))
        local = incident_at.astimezone(LONDON)
        reference = self._reference(local)
        locations = [pick(rng, LOCATIONS)]
        if chance(rng, SECOND_LOCATION_SHARE):
            second = pick(rng, LOCATIONS)
            locations += [second] if second not in locations else []
        subject = {"age_band": pick(rng, AGE_BANDS), "gender": pick(rng, GENDERS),
                   "ethnicity": pick(rng, ETHNICITIES_BY_AREA[team.area])}

        carrying = {officer: officer.taser_trained and chance(rng, TASER_CARRIED_SHARE) for officer in officers}
        tactics = {officer: draw_tactic_codes(rng, carrying[officer]) for officer in officers}
        all_codes = [code for codes in tactics.values() for code in codes]
        arrested = chance(rng, ARREST_IF_HANDCUFFED if HANDCUFFING.intersection(all_codes) else ARREST_OTHERWISE)
        outcome = "arrested" if arrested else pick(rng, OUTCOMES_WITHOUT_ARREST)
        # A person detained under the Mental Health Act is seen as having a mental health condition.
        subject["health_condition"] = pick(
            rng, MENTAL_CONDITIONS if outcome == "detained_mental_health_act" else HEALTH_CONDITIONS)
        impact_factors = draw_impact_factors(
            rng, taser_used=bool(TASER_CODES.intersection(all_codes)), weekend_night=is_weekend_night(local),
            mental_condition=subject["health_condition"] in MENTAL_CONDITIONS,
        )

        bodies: dict[DemoPerson, dict[str, Any]] = {}
        for officer in officers:
            bodies[officer] = draw_body(
                rng, incident_at=incident_at, reference=reference, area=team.area, locations=locations,
                subject=subject, impact_factors=impact_factors, arrested=arrested, codes=tactics[officer],
                crew=len(officers), taser_trained=officer.taser_trained, carrying=carrying[officer])
        hospitalised = draw_hospitalised(rng, [body["subject_injury"] for body in bodies.values()])
        outcomes = [outcome, "hospitalised"] if hospitalised else [outcome]
        return [
            PlannedReport(officer, min(incident_at + draw_submission_delay(rng), self.now),
                          {**body, "outcomes": outcomes})
            for officer, body in bodies.items()
        ]


# --- Reviews: supervisors decide on most reports within a day, now and then after the 72-hour deadline (rest
# days). A few reports go back to the officer for more detail and come back amended; the latest return still
# waits for its amendment. Two serious ones are referred to professional standards. The reports of the last
# three days wait for review, with the three before them overdue and the oldest of those opened.
REVIEW_SEED = f"{SEED}-reviews"  # its own stream, so that the reports stay the same draw
REVIEW_DELAY_MEAN_HOURS = 16
RETURN_SHARE = 0.04
RETURNED_BEFORE = timedelta(days=10)  # returns and referrals older than this are settled by now
REFERRALS = 2
OVERDUE_LEFT = 3
BWV_REVIEWED_SHARE = 0.85  # of reports whose camera was recording
DEBRIEF_IF_SERIOUS = 0.9
DEBRIEF_OTHERWISE = 0.05
APPROVAL_COMMENTS = (None, None, None, "Proportionate and well recorded.", "Clear account, no further action.",
                     "Force justified and proportionate; good use of communication first.")
# What a sergeant asks for, and what the officer adds to their account in reply; the first only of handcuffing.
RETURNS = (
    ("Your account does not say why handcuffs were needed. Add what the person did that made them necessary.",
     " I handcuffed them because they kept pulling away and I believed they would run into the road."),
    ("Describe the person's behaviour before you used force, in your own words.",
     " Before I used force they were shouting, clenching their fists and ignoring repeated instructions."),
    ("Say what aftercare you gave the person after the force was used.",
     " Afterwards I checked them for injuries, explained why force was used and told the custody sergeant."),
)
AMENDMENT_REASON = "Added to my account as my sergeant asked."
REFERRAL_COMMENT = ("The injury and the footage need independent review before I can sign this off. "
                    "Referred to professional standards; the officer has been told.")
SERIOUS = WEAPON_USED | {"ground_restraint", "spit_guard"}


def _serious(report: Report) -> bool:
    content = report.content
    return (content["subject_injury"]["injured"] or "hospitalised" in content["outcomes"]
            or any(t["code"] in SERIOUS for t in content["tactics"]))


class _Reviewer:
    """Decides on the demo reports through the review service, as each team's supervisors would."""

    def __init__(self, users: Mapping[DemoPerson, User], now: datetime) -> None:
        self.rng = random.Random(REVIEW_SEED)  # noqa: S311 - reproducible, not secret
        self.now = now
        self.inspector = next(users[p] for p in PEOPLE if p.supervises)
        self.sergeants = {p.team: users[p] for p in PEOPLE if "supervisor" in p.roles and p.team}

    def reviewer_of(self, report: Report) -> User:
        """The team's sergeant, or the inspector for the sergeant's own report."""
        assert report.team is not None
        sergeant = self.sergeants[report.team.name]
        return self.inspector if sergeant.id == report.officer_id else sergeant

    def after(self, start: datetime) -> datetime:
        """When a supervisor gets to a report that started waiting at ``start``; never later than an hour ago."""
        delay = timedelta(hours=1 + self.rng.expovariate(1 / REVIEW_DELAY_MEAN_HOURS))
        return min(start + delay, self.now - timedelta(hours=1))

    def decide(self, report: Report, decision: str, when: datetime, comment: str | None = None) -> None:
        content = report.content
        reviewed = video_recorded(content) and self.rng.random() < BWV_REVIEWED_SHARE
        debrief = self.rng.random() < (DEBRIEF_IF_SERIOUS if _serious(report) else DEBRIEF_OTHERWISE)
        body = {"decision": decision, "comment": comment, "bwv_reviewed": reviewed,
                "bwv_reference": recorded_reference(content) if reviewed else None, "debrief_held": debrief}
        outcome = reviews.decide(report, self.reviewer_of(report), body, now=when)
        if outcome.outcome != reviews.DECIDED:
            raise DemoDataError(f"A demo review of {report.reference} was {outcome.outcome}: {outcome.errors}")

    def approve(self, report: Report, start: datetime) -> None:
        self.decide(report, APPROVE, self.after(start), self.rng.choice(APPROVAL_COMMENTS))

    def return_and_amend(self, report: Report, *, amended: bool) -> None:
        handcuffed = any(t["code"] in HANDCUFFING for t in report.content["tactics"])
        asked, added = self.rng.choice(RETURNS if handcuffed else RETURNS[1:])
        returned_at = self.after(report.submitted_at)
        self.decide(report, RETURN, returned_at, asked)
        if not amended:
            return
        answered = min(returned_at + timedelta(hours=self.rng.uniform(4, 72)), self.now - timedelta(hours=2))
        narrative = (report.content.get("narrative") or "") + added
        amendment = reports.amend(report, report.officer, {"reason": AMENDMENT_REASON,
                                                           "changes": {"narrative": narrative}}, now=answered)
        if amendment.outcome != "amended":
            raise DemoDataError(f"A demo amendment of {report.reference} was {amendment.outcome}: "
                                f"{amendment.errors}")
        self.approve(report, answered)


def _review(submitted: Sequence[Report], users: Mapping[DemoPerson, User], now: datetime) -> None:
    """Review the demo reports (in submission order) as of ``now``."""
    reviewer = _Reviewer(users, now)
    due = now - reviews.REVIEW_DUE
    older = [report for report in submitted if report.submitted_at < due]
    decided, overdue = older[:-OVERDUE_LEFT], older[-OVERDUE_LEFT:]
    settled = [report for report in decided if report.submitted_at < now - RETURNED_BEFORE]
    referred = reviewer.rng.sample([report for report in settled if _serious(report)], REFERRALS)
    returned = [report for report in settled if report not in referred and reviewer.rng.random() < RETURN_SHARE]
    still_returned = decided[-1]
    for report in decided:
        if report in referred:
            reviewer.decide(report, REFER, reviewer.after(report.submitted_at), REFERRAL_COMMENT)
        elif report in returned or report is still_returned:
            reviewer.return_and_amend(report, amended=report is not still_returned)
        else:
            reviewer.approve(report, report.submitted_at)
    opened = overdue[0]
    reviews.start(opened, reviewer.reviewer_of(opened), now - timedelta(hours=2))


def plan_reports(now: datetime, count: int = REPORT_COUNT) -> list[PlannedReport]:
    """The demo reports for the 12 months before ``now``, in the order they were submitted."""
    planned = _Planner(random.Random(SEED), now).reports(count)  # noqa: S311 - reproducible, not secret
    return sorted(planned, key=lambda report: report.submitted_at)


def derogation_date(now: datetime) -> datetime:
    """00:00 UK time on the 1st of the month ``DEROGATED_MONTHS_AGO`` before ``now``'s."""
    today = now.astimezone(LONDON)
    index = today.year * 12 + today.month - 1 - DEROGATED_MONTHS_AGO
    return local_to_utc(datetime(index // 12, index % 12 + 1, 1))


def seed(now: datetime | None = None) -> bool:
    """Create the demo force unless it is already there; True if it was created. The caller commits."""
    if db.session.scalar(select(User.id).where(User.email == ADMIN_EMAIL)) is not None:
        return False
    now = now or utcnow()
    for team in TEAMS:
        accounts.create_team(team.name, team.area)
    policy.set_policy(DEROGATED, actor=None, effective_from=derogation_date(now),
                      note="Lower-level force no longer required (force decision, demo).")
    users = {}
    for person in PEOPLE:
        users[person] = accounts.create_user(
            email=person.email, name=person.name, roles=person.roles, password=DEMO_PASSWORD,
            teams=(person.team,) if person.team else person.supervises, force_number=person.force_number,
        )
        if person.supervises:
            users[person].team = None  # a supervisor's first team would otherwise also be their own
    submitted = []
    for report in plan_reports(now):
        submission = reports.submit(users[report.officer], report.body, now=report.submitted_at)
        if submission.outcome != "created":
            raise DemoDataError(f"A demo report by {report.officer.name} was {submission.outcome}: "
                                f"{submission.errors}")
        assert submission.report is not None
        submitted.append(submission.report)
    _review(submitted, users, now)
    _settle_alerts()
    return True


def _settle_alerts() -> None:
    """Acknowledge the alerts that a supervisor or officer has since dealt with, when they dealt with it: an
    alert about a report once the report was decided, a return once the officer amended. What is still open
    stays in the inbox."""
    open_alerts = db.session.scalars(
        select(Alert).where(Alert.acknowledged_at.is_(None), Alert.report_id.is_not(None)).order_by(Alert.id)
    )
    for alert in open_alerts:
        report = alert.report
        assert report is not None
        later_reviews = [r for r in report.reviews if r.created_at >= alert.created_at]
        later_versions = [v for v in report.versions if v.created_at > alert.created_at]
        if alert.rule == reviews.RETURNED_RULE:
            if not later_versions:
                continue
            when, action = later_versions[0].created_at, "Amended the report as asked."
        elif later_reviews:
            when, action = later_reviews[0].created_at, f"Reviewed the report: {later_reviews[0].decision_label}."
        else:
            continue
        outcome = alerts.acknowledge(alert, alert.recipient, action, now=when)
        if outcome.outcome != alerts.ACKNOWLEDGED:
            raise DemoDataError(f"Acknowledging demo alert {alert.id} was {outcome.outcome}")


def logins_text() -> str:
    """The demo logins as a table, with the shared password."""
    header = ("Role", "Name", "Email", "Force number", "Team")
    rows = [header] + [
        (", ".join(person.roles), person.name, person.email, person.force_number or "-",
         person.team or ("Supervises all teams" if person.supervises else "-"))
        for person in PEOPLE
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    table = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join([
        f"Demo logins. Every account's password is: {DEMO_PASSWORD}",
        "Sign in with the email or, for officers, the force number.",
        "",
        *table,
    ])
