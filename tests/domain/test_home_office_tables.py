"""The Home Office table layout: verbatim 2019/20 labels, in the Home Office order, covering the whole vocabulary."""

from __future__ import annotations

from datetime import date

import pytest

from uof.domain import home_office_tables as ho
from uof.domain import vocabulary as v
from uof.domain.facts import SUBGROUPS

# Table 1 of the 2019/20 data tables (police-use-of-force-apr2019-mar2020-hosb3720-tables.ods), column by column.
HOME_OFFICE_TABLE_1 = [
    ("Total (excluding not reported and tactical communication)", "Total Tactics"),
    ("Restraint", "Total Restraint"), ("Restraint", "Handcuffing, of which"),
    ("Restraint", "Compliant handcuffing"), ("Restraint", "Non-compliant handcuffing"),
    ("Restraint", "Handcuffing not stated"), ("Restraint", "Limb / Body restraints"),
    ("Restraint", "Ground restraint"),
    ("Unarmed skills", "Total Unarmed skills"),
    ("Other equipment", "Total Other equipment"), ("Other equipment", "Baton, of which"),
    ("Other equipment", "Baton drawn"), ("Other equipment", "Baton used"), ("Other equipment", "Baton not stated"),
    ("Other equipment", "Irritant spray, of which"), ("Other equipment", "Irritant spray - drawn"),
    ("Other equipment", "Irritant spray - used"), ("Other equipment", "Irritant spray not stated"),
    ("Other equipment", "Spit and bite guard"), ("Other equipment", "Shield"),
    ("Less lethal weapons", "Total Less lethal weapons"), ("Less lethal weapons", "CED, of which"),
    ("Less lethal weapons", "CED Drawn"), ("Less lethal weapons", "CED Aimed"),
    ("Less lethal weapons", "CED Red-dot"), ("Less lethal weapons", "CED Arced"),
    ("Less lethal weapons", "CED Drive-stun"), ("Less lethal weapons", "CED Fired"),
    ("Less lethal weapons", "CED Angle-drive stun"), ("Less lethal weapons", "CED Not stated"),
    ("Less lethal weapons", "AEP, of which"), ("Less lethal weapons", "AEP drawn"),
    ("Less lethal weapons", "AEP used"), ("Less lethal weapons", "AEP not stated"),
    ("Firearms", "Total Firearms"),
    ("Other", "Total Other"), ("Other", "Dog use, of which"), ("Other", "Dog deployed"), ("Other", "Dog bite"),
    ("Other", "Dog not stated"), ("Other", "Other / improvised"),
    ("Not reported", "Total Not reported"),
    ("Tactical communication", "Tactical communication (with other tactic)"),
]
HOME_OFFICE_CED_IN_TABLES_2_TO_9 = ["CED of which", "CED non-discharge", "CED discharge", "CED not stated"]
HOME_OFFICE_COLUMNS = {
    2: ["Under 11 years", "11 - 17 years", "18 - 34 years", "35 - 49 years", "50 - 64 years", "65 and over",
        "Not reported"],
    3: ["Male", "Female", "Other", "Not reported"],
    4: ["White", "Black (or Black British)", "Asian (or Asian British)", "Mixed", "Other", "Not reported"],
    5: ["Mental", "Physical", "Physical and mental", "None", "Not reported"],
    6: ["Protect self", "Protect public", "Protect subject", "Protect other officers", "Prevent offence",
        "Secure evidence", "Effect search", "Effect arrest", "Method of entry", "Remove handcuffs", "Prevent harm",
        "Prevent escape", "Other"],
    7: ["Possession of a weapon", "Alcohol", "Drugs", "Mental health", "Prior knowledge", "Size/gender/build",
        "Acute behavioural disturbance", "Crowd", "Other"],
    8: ["Made off/escaped", "Arrested", "Hospitalised", "Detained (Mental Health Act)", "Fatality", "Other"],
    9: ["Public", "Street/ highway", "Open ground (e.g. park, car park, field etc.)", "Retail premises",
        "Licensed premises", "Public transport", "Sports or event stadia", "Police setting",
        "Police vehicle with prisoner handling cage", "Police vehicle without prisoner handling cage",
        "Police station (excluding custody block)", "Custody block", "Medical setting",
        "Hospital/ A&E (non mental health setting)", "Mental health setting", "Ambulance", "Dwelling", "Other"],
}


def test_table_1_rows_are_the_home_office_rows_in_order():
    assert [(row.type_of_force, row.tactic) for row in ho.TABLE_1_ROWS] == HOME_OFFICE_TABLE_1


def test_tables_2_to_9_collapse_the_taser_levels_as_the_home_office_does():
    ced = [row.tactic for row in ho.CROSS_TABLE_ROWS if row.tactic.startswith("CED")]
    assert ced == HOME_OFFICE_CED_IN_TABLES_2_TO_9
    rows = {row.tactic: row for row in ho.CROSS_TABLE_ROWS}
    assert set(rows["CED non-discharge"].adds) | set(rows["CED discharge"].adds) == set(rows["CED of which"].adds)
    assert set(rows["CED discharge"].adds) == {"CED Drive-stun", "CED Angle-drive stun", "CED Fired"}
    others = [row for row in ho.CROSS_TABLE_ROWS if not row.tactic.startswith("CED")]
    assert others == [row for row in ho.TABLE_1_ROWS if not row.tactic.startswith("CED")]


def test_every_tactic_is_counted_once_in_its_row_its_type_and_its_sub_group():
    force_labels = {term.home_office for term in v.TACTICS if v.is_force(term.code)}
    rows = [row for row in ho.TABLE_1_ROWS if len(row.adds) == 1 and row.incidents_fact is None
            and not row.every_incident]
    single = {row.adds[0] for row in rows}
    # Unarmed skills and Firearms have no row of their own: their "Total" row is the tactic.
    assert single | {"Unarmed skills", "Firearms"} == force_labels | {ho.TACTICAL_COMMUNICATION}
    total = next(row for row in ho.TABLE_1_ROWS if row.every_incident)
    assert set(total.adds) == force_labels
    assert ho.TACTICAL_COMMUNICATION not in total.adds
    groups = [row for row in ho.TABLE_1_ROWS if row.tactic.startswith("Total ") and not row.every_incident
              and row.adds]
    assert sorted(label for row in groups for label in row.adds) == sorted(force_labels)
    for row in ho.TABLE_1_ROWS:
        if row.tactic.endswith(", of which"):
            name = row.tactic.removesuffix(", of which")
            assert set(row.adds) == {v.tactic(code).home_office for code, group in SUBGROUPS.items()
                                     if group == name}


def test_columns_merge_codes_that_share_a_home_office_label():
    columns = {table.number: table.columns for table in ho.CROSS_TABLES}
    assert {number: [column.label for column in table] for number, table in columns.items()} == HOME_OFFICE_COLUMNS
    ethnicity = {column.label: column.codes for column in columns[4]}
    assert ethnicity["Other"] == ("other", "chinese")
    assert ethnicity["Not reported"] == ("not_reported", "dont_know")
    outcome = {column.label: column.codes for column in columns[8]}
    assert outcome["Other"] == ("no_further_action", "other")
    for table, vocabulary in zip(ho.CROSS_TABLES, (v.AGE_BANDS, v.GENDERS, v.ETHNICITIES, v.HEALTH_CONDITIONS,
                                                   v.REASONS, v.IMPACT_FACTORS, v.OUTCOMES, v.LOCATIONS),
                                 strict=True):
        single = [code for column in table.columns if not column.group for code in column.codes]
        assert sorted(single) == sorted(term.code for term in vocabulary), table.number


def test_locations_are_grouped_by_setting():
    settings = {column.label: column.codes for column in ho.CROSS_TABLES[-1].columns if column.group}
    assert settings == {
        "Public": ("street_highway", "open_ground", "retail_premises", "licensed_premises", "public_transport",
                   "sports_event_stadia"),
        "Police setting": ("police_vehicle_with_cage", "police_vehicle_without_cage", "police_station",
                           "custody_block"),
        "Medical setting": ("hospital_ae", "mental_health_setting", "ambulance"),
    }
    for label, codes in settings.items():
        assert {v.LOCATIONS.get(code).group for code in codes} == {label}  # type: ignore[union-attr]


def test_table_headers():
    assert ho.TABLE_10_HEADER == ("Officer injured as a result of incident", "Intentional assault",
                                  "Total incidents", "Minor", "Severe", "Not reported")
    assert ho.TABLE_11_HEADER[:6] == ("Person involved injured as a result of officer use of force",
                                      "Total incidents", "Minor", "Severe", "Death", "Not reported")
    assert ho.TABLE_13_HEADER[2:] == ("Total", "Total non-discharge", "Drawn", "Aimed", "Red-dot", "Arced",
                                      "Total discharge", "Drive stun", "Fired", "Angled drive stun",
                                      "CED not stated")


TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(("raw", "year"), [("2017", 2017), ("2025", 2025), (" 2026 ", 2026), ("2027", 2027)])
def test_years_from_national_recording_to_next_year(raw, year):
    assert ho.parse_year(raw, TODAY) == year


@pytest.mark.parametrize(("raw", "message"), [
    (None, "Give the financial year"), ("", "Give the financial year"), ("25", "four digits"),
    ("2025-26", "four digits"), ("2025/26", "four digits"), ("２０２５", "four digits"), ("20255", "four digits"),
    ("-2025", "four digits"), ("2016", "2017 or later"), ("0000", "2017 or later"), ("2028", "2027 or earlier"),
])
def test_bad_years_say_what_to_change(raw, message):
    with pytest.raises(ho.YearError, match=message):
        ho.parse_year(raw, TODAY)


def test_year_label():
    assert ho.year_label(2025) == "2025/26"
    assert ho.year_label(2099) == "2099/00"
