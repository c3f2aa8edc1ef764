"""The layout of the Home Office "Police use of force statistics" data tables, 2019/20 edition: table titles, row
and column labels (verbatim, with the Home Office's own spelling and capitals), and which counted facts
(``uof.domain.facts``) each row and column adds up. No counting happens here.

Rows and columns are written out in the Home Office order rather than derived from the vocabulary, because the
two orders differ (the Home Office lists baton and irritant spray before spit guard and shield, "CED Fired"
before "CED Angle-drive stun", and mental before physical health conditions); the tests check that the rows
and columns cover every code of the vocabulary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from uof.domain import vocabulary as v
from uof.domain.facts import SUBGROUPS, TACTIC_GROUP, TACTIC_SUBGROUP

# National recording began on 1 April 2017: the first financial year a return can cover.
FIRST_YEAR = 2017
_YEAR = re.compile(r"[0-9]{4}")


class YearError(ValueError):
    """A ``year`` that names no financial year the return can cover; the message says what to change."""


def parse_year(raw: str | None, today: date) -> int:
    """The financial year starting 1 April ``raw``: from 2017 (national recording began) to next year."""
    example = f"year={today.year - 1} for 1 April {today.year - 1} to 31 March {today.year}"
    if raw is None or not raw.strip():
        raise YearError(f"Give the financial year as the year in which it starts on 1 April, e.g. {example}.")
    raw = raw.strip()
    if not _YEAR.fullmatch(raw):
        raise YearError(f"'year' must be four digits, the year in which the financial year starts, e.g. {example}.")
    year = int(raw)
    if year < FIRST_YEAR:
        raise YearError(f"'year' must be {FIRST_YEAR} or later: national recording began on 1 April {FIRST_YEAR}.")
    if year > today.year + 1:
        raise YearError(f"'year' must be {today.year + 1} or earlier.")
    return year


def year_label(year: int) -> str:
    """``2025/26``, as the Home Office names financial years."""
    return f"{year}/{(year + 1) % 100:02d}"


def printed(label: str) -> str:
    """A Home Office label as one line: the tables wrap "Size/gender/\\nbuild" inside its cell."""
    return label.replace("\n", "")


# --- tactic rows ------------------------------------------------------------------------------------------

TOTAL_TACTICS = "Total Tactics"
TACTICAL_COMMUNICATION = v.tactic("tactical_communication").home_office
FORCE_TYPES = tuple(group for group in v.TACTIC_GROUPS if group != v.TACTICAL_COMMUNICATION)


@dataclass(frozen=True)
class TacticRow:
    """One row of a tactic table.

    ``adds``: the tactic rows of the facts (Home Office tactic labels) whose "number of times tactic reported"
    the row adds up; empty for the "not stated" rows, which the form never records (it asks for every tactic at
    its level). Its incidents are those of ``incidents_fact`` when it names one (a type of force, a "…, of
    which" sub-group), every incident for ``TOTAL_TACTICS``, and otherwise the sum over ``adds``, which is exact
    because those rows never meet in one report (one tactic, or one Taser level per report).
    """

    type_of_force: str
    tactic: str
    adds: tuple[str, ...] = ()
    incidents_fact: tuple[str, str] | None = None
    every_incident: bool = False


def _labels(codes: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.tactic(code).home_office for code in codes))


def _force_codes(group: str | None = None) -> list[str]:
    return [term.code for term in v.TACTICS
            if isinstance(term, v.Tactic) and v.is_force(term.code) and group in (None, term.group)]


def _one(group: str, label: str) -> TacticRow:
    if label not in _labels(_force_codes(group)):
        raise ValueError(f"{label!r} is not a {group} tactic row")
    return TacticRow(group, label, (label,))


def _total(group: str) -> TacticRow:
    return TacticRow(group, f"Total {group}", _labels(_force_codes(group)), (TACTIC_GROUP, group))


def _of_which(group: str, subgroup: str, label: str | None = None) -> TacticRow:
    members = _labels([code for code, name in SUBGROUPS.items() if name == subgroup])
    return TacticRow(group, label or f"{subgroup}, of which", members, (TACTIC_SUBGROUP, subgroup))


def _not_stated(group: str, label: str) -> TacticRow:
    return TacticRow(group, label)


RESTRAINT, UNARMED, EQUIPMENT, LESS_LETHAL, FIREARMS, OTHER = FORCE_TYPES
CED_NON_DISCHARGE = ("CED Drawn", "CED Aimed", "CED Red-dot", "CED Arced")
CED_DISCHARGE = _labels(sorted(v.CED_DISCHARGE, key=lambda code: v.tactic(code).ced_rank))


def _tactic_rows(ced: tuple[TacticRow, ...]) -> tuple[TacticRow, ...]:
    return (
        TacticRow("Total (excluding not reported and tactical communication)", TOTAL_TACTICS,
                  _labels(_force_codes()), every_incident=True),
        _total(RESTRAINT),
        _of_which(RESTRAINT, "Handcuffing"), _one(RESTRAINT, "Compliant handcuffing"),
        _one(RESTRAINT, "Non-compliant handcuffing"), _not_stated(RESTRAINT, "Handcuffing not stated"),
        _one(RESTRAINT, "Limb / Body restraints"), _one(RESTRAINT, "Ground restraint"),
        _total(UNARMED),
        _total(EQUIPMENT),
        _of_which(EQUIPMENT, "Baton"), _one(EQUIPMENT, "Baton drawn"), _one(EQUIPMENT, "Baton used"),
        _not_stated(EQUIPMENT, "Baton not stated"),
        _of_which(EQUIPMENT, "Irritant spray"), _one(EQUIPMENT, "Irritant spray - drawn"),
        _one(EQUIPMENT, "Irritant spray - used"), _not_stated(EQUIPMENT, "Irritant spray not stated"),
        _one(EQUIPMENT, "Spit and bite guard"), _one(EQUIPMENT, "Shield"),
        _total(LESS_LETHAL),
        *ced,
        _of_which(LESS_LETHAL, "AEP"), _one(LESS_LETHAL, "AEP drawn"), _one(LESS_LETHAL, "AEP used"),
        _not_stated(LESS_LETHAL, "AEP not stated"),
        _total(FIREARMS),
        _total(OTHER),
        _of_which(OTHER, "Dog use"), _one(OTHER, "Dog deployed"), _one(OTHER, "Dog bite"),
        _not_stated(OTHER, "Dog not stated"),
        _one(OTHER, "Other / improvised"),
        _not_stated("Not reported", "Total Not reported"),
        TacticRow(v.TACTICAL_COMMUNICATION, TACTICAL_COMMUNICATION, (TACTICAL_COMMUNICATION,)),
    )


# Table 1 lists every Taser level; tables 2-9 (2019/20) only non-discharge, discharge and not stated.
TABLE_1_ROWS = _tactic_rows((
    _of_which(LESS_LETHAL, "CED"),
    *(_one(LESS_LETHAL, label) for label in (*CED_NON_DISCHARGE, "CED Drive-stun", "CED Fired",
                                             "CED Angle-drive stun")),
    _not_stated(LESS_LETHAL, "CED Not stated"),
))
CROSS_TABLE_ROWS = _tactic_rows((
    _of_which(LESS_LETHAL, "CED", "CED of which"),
    TacticRow(LESS_LETHAL, "CED non-discharge", CED_NON_DISCHARGE),
    TacticRow(LESS_LETHAL, "CED discharge", CED_DISCHARGE),
    _not_stated(LESS_LETHAL, "CED not stated"),
))
TABLE_1_HEADER = ("Type of force", "Tactic", "Number of times tactic reported", "Number of incidents involving tactic")
TOTAL_INCIDENTS = "Total number of incidents"


# --- tables 2-9: tactics by the person, the reasons, the outcome, the place ------------------------------

@dataclass(frozen=True)
class Column:
    """A column of tables 2-9: the codes it counts. A ``group`` column (Table 9's "Public", "Police setting",
    "Medical setting") counts an incident once however many of its locations were given: it is counted from the
    reports' ``location_setting`` facts, its label being the setting. Any other column's codes share one Home
    Office label and never meet in one report's facts, so its figures are the sum of its codes'."""

    label: str
    codes: tuple[str, ...]
    group: bool = False


def _by_label(vocabulary: v.Vocabulary, order: tuple[str, ...] | None = None) -> tuple[Column, ...]:
    codes: dict[str, list[str]] = {}
    for term in vocabulary:
        codes.setdefault(printed(term.home_office), []).append(term.code)
    if order is not None and sorted(order) != sorted(codes):
        raise ValueError(f"the {vocabulary.name} columns must list every Home Office label once")
    return tuple(Column(label, tuple(codes[label])) for label in (order or codes))


# The Home Office order of Table 9: each setting with its locations, the setting first.
LOCATION_ORDER = (
    "street_highway", "open_ground", "retail_premises", "licensed_premises", "public_transport",
    "sports_event_stadia", "police_vehicle_with_cage", "police_vehicle_without_cage", "police_station",
    "custody_block", "hospital_ae", "mental_health_setting", "ambulance", "dwelling", "other",
)


def _locations() -> tuple[Column, ...]:
    if sorted(LOCATION_ORDER) != sorted(term.code for term in v.LOCATIONS):
        raise ValueError("LOCATION_ORDER must list every location once")
    members: dict[str, list[str]] = {}
    for code in LOCATION_ORDER:
        members.setdefault(_location(code).group, []).append(code)
    columns: list[Column] = []
    for group, codes in members.items():
        if len(codes) > 1:  # "Dwelling" and "Other" are settings of one location: one column
            columns.append(Column(group, tuple(codes), group=True))
        columns += [Column(printed(_location(code).home_office), (code,)) for code in codes]
    return tuple(columns)


def _location(code: str) -> v.Term:
    term = v.LOCATIONS.get(code)
    if term is None:
        raise KeyError(code)
    return term


@dataclass(frozen=True)
class CrossTable:
    number: int
    title: str
    dimension: str  # the fact dimension of the columns
    columns: tuple[Column, ...]


CROSS_TABLES = (
    CrossTable(2, "Number of times tactics were used, by officer perceived age of person involved", "age_band",
               _by_label(v.AGE_BANDS)),
    CrossTable(3, "Number of times tactics were used, by officer perceived gender of person involved", "gender",
               _by_label(v.GENDERS)),
    CrossTable(4, "Number of times tactics were used, by officer perceived ethnicity of person involved",
               "ethnicity", _by_label(v.ETHNICITIES)),
    CrossTable(5, "Number of times tactics were used, by officer perceived health condition of person involved",
               "health_condition",
               _by_label(v.HEALTH_CONDITIONS, ("Mental", "Physical", "Physical and mental", "None", "Not reported"))),
    CrossTable(6, "Number of times tactics were used, by reason for using force", "reason", _by_label(v.REASONS)),
    CrossTable(7, "Number of times tactics were used, by impact factor", "impact_factor",
               _by_label(v.IMPACT_FACTORS)),
    CrossTable(8, "Number of times tactics were used, by incident outcome", "outcome", _by_label(v.OUTCOMES)),
    CrossTable(9, "Number of times tactics were used, by incident location", "location", _locations()),
)


# --- tables 10, 11 and 13 ---------------------------------------------------------------------------------

TABLE_1_TITLE = "Number of times tactics were used and total number of incidents in which they were used"
TABLE_10_TITLE = "Injuries to officers"
TABLE_11_TITLE = "Injuries to person involved"
TABLE_13_TITLE = "Use of CED by type and police force"
TOTAL_INCIDENTS_SHORT = "Total incidents"
NOT_REPORTED = "Not reported"
# The yes/no facts (``uof.domain.facts.YES``/``NO``) as the Home Office rows; no fact is "Not reported".
YES_NO_ROWS: tuple[tuple[str | None, str], ...] = (("yes", "Yes"), ("no", "No"), (None, NOT_REPORTED))

TABLE_10_HEADER = ("Officer injured as a result of incident", "Intentional assault", TOTAL_INCIDENTS_SHORT,
                   "Minor", "Severe", NOT_REPORTED)
OFFICER_INJURY_LEVELS = ("minor", "severe")  # any other level (none: not injured) is shown as "Not reported"

# The form records yes or no; the Home Office's "Unknown" row stays in the layout, always 0.
PERSON_INJURED_ROWS: tuple[tuple[str | None, str], ...] = (
    ("yes", "Yes"), ("no", "No"), ("unknown", "Unknown"), (None, NOT_REPORTED))
PERSON_INJURY_LEVELS = ("minor", "severe", "death")
# Medical assistance is not in the Home Office's Table 11; the force records it, so it follows the Home Office
# columns, one column per answer.
MEDICAL_ASSISTANCE_COLUMNS = tuple((term.code, f"Medical assistance: {term.home_office}")
                                   for term in v.MEDICAL_ASSISTANCE)
TABLE_11_HEADER = ("Person involved injured as a result of officer use of force", TOTAL_INCIDENTS_SHORT,
                   "Minor", "Severe", "Death", NOT_REPORTED, *(label for _, label in MEDICAL_ASSISTANCE_COLUMNS))

# Table 13's Taser levels: (column, the Table 1 row it counts).
CED_NON_DISCHARGE_COLUMNS = (("Drawn", "CED Drawn"), ("Aimed", "CED Aimed"), ("Red-dot", "CED Red-dot"),
                             ("Arced", "CED Arced"))
CED_DISCHARGE_COLUMNS = (("Drive stun", "CED Drive-stun"), ("Fired", "CED Fired"),
                         ("Angled drive stun", "CED Angle-drive stun"))
TABLE_13_HEADER = ("Financial year", "Police force", "Total", "Total non-discharge",
                   *(column for column, _ in CED_NON_DISCHARGE_COLUMNS), "Total discharge",
                   *(column for column, _ in CED_DISCHARGE_COLUMNS), "CED not stated")

COUNTING_RULES = (
    "One use of force report (one officer's use of force on one person) is one incident; incidents fall in the "
    "financial year of the incident's UK date.",
    "A tactic is counted once per incident in 'Number of incidents involving tactic'; 'Number of times tactic "
    "reported' counts each tactic recorded, so CS and PAVA irritant spray both drawn are 1 incident and 2 times.",
    "A Taser (CED) is counted at the highest level it reached only: drawn, aimed and fired is one 'CED Fired'. "
    "CED discharge is drive stun, angle drive stun or fired.",
    "Tactical communication is listed but is not a use of force in itself: it is in no total.",
    "Tables 2 to 9: the first row is the number of incidents in each column; the other rows count the times "
    "tactics were reported. An incident can give several reasons, impact factors, outcomes and locations, so "
    "those columns add up to more than the total; a setting (Public, Police setting, Medical setting) counts an "
    "incident once, however many of its locations were given.",
    "'Not stated' and 'Not reported' tactic rows and the 'Unknown' injury row are 0: the form records every "
    "tactic at its level and asks whether anyone was injured. Where nobody was injured, the injury level is "
    "shown under 'Not reported', as in the Home Office tables.",
    "Tactics that a recording policy version made optional may be under-recorded in the incidents recorded "
    "under it.",
)
