"""The vocabulary module against reference/vocabulary.md: every code, its label and its Home Office mapping."""

from __future__ import annotations

import pytest

from uof.domain import vocabulary as v

# reference/vocabulary.md, "Tactics": code, form label, Home Office "type of force > tactic", lower-level.
TACTICS_TABLE = [
    ("tactical_communication", "Tactical communication", None, True),
    ("compliant_handcuffing", "Handcuffing – compliant", "Restraint > Compliant handcuffing", True),
    ("non_compliant_handcuffing", "Handcuffing – non-compliant", "Restraint > Non-compliant handcuffing", False),
    ("limb_body_restraints", "Limb / body restraints", "Restraint > Limb / Body restraints", False),
    ("ground_restraint", "Ground restraint", "Restraint > Ground restraint", False),
    ("unarmed_skills", "Unarmed skills (pressure points, strikes, restraints, take-downs)", "Unarmed skills",
     False),
    ("spit_guard", "Spit and bite guard", "Other equipment > Spit and bite guard", False),
    ("shield", "Shield", "Other equipment > Shield", False),
    ("baton_drawn", "Baton – drawn", "Other equipment > Baton drawn", True),
    ("baton_used", "Baton – used", "Other equipment > Baton used", False),
    ("irritant_spray_cs_drawn", "Irritant spray (CS) – drawn", "Other equipment > Irritant spray - drawn", True),
    ("irritant_spray_pava_drawn", "Irritant spray (PAVA) – drawn", "Other equipment > Irritant spray - drawn",
     True),
    ("irritant_spray_cs_used", "Irritant spray (CS) – used", "Other equipment > Irritant spray - used", False),
    ("irritant_spray_pava_used", "Irritant spray (PAVA) – used", "Other equipment > Irritant spray - used",
     False),
    ("ced_drawn", "Taser (CED) – drawn", "Less lethal weapons > CED Drawn", False),
    ("ced_aimed", "Taser (CED) – aimed", "Less lethal weapons > CED Aimed", False),
    ("ced_red_dot", "Taser (CED) – red-dotted", "Less lethal weapons > CED Red-dot", False),
    ("ced_arced", "Taser (CED) – arced", "Less lethal weapons > CED Arced", False),
    ("ced_drive_stun", "Taser (CED) – drive stun", "Less lethal weapons > CED Drive-stun", False),
    ("ced_angle_drive_stun", "Taser (CED) – angle drive stun", "Less lethal weapons > CED Angle-drive stun",
     False),
    ("ced_fired", "Taser (CED) – fired", "Less lethal weapons > CED Fired", False),
    ("aep_aimed", "AEP – aimed", "Less lethal weapons > AEP drawn", False),
    ("aep_fired", "AEP – fired", "Less lethal weapons > AEP used", False),
    ("firearm_aimed", "Firearm – aimed", "Firearms", False),
    ("firearm_fired", "Firearm – fired", "Firearms", False),
    ("dog_deployed", "Police dog – deployed", "Other > Dog deployed", True),
    ("dog_bite", "Police dog – bite", "Other > Dog bite", False),
    ("other_improvised", "Other / improvised", "Other > Other / improvised", False),
]

# reference/vocabulary.md, "Incident locations": code, label, Home Office group.
LOCATIONS_TABLE = [
    ("street_highway", "Street / highway", "Public"),
    ("public_transport", "Public transport", "Public"),
    ("retail_premises", "Retail premises", "Public"),
    ("open_ground", "Open ground (park, car park, field)", "Public"),
    ("licensed_premises", "Licensed premises", "Public"),
    ("sports_event_stadia", "Sports or event stadia", "Public"),
    ("hospital_ae", "Hospital / A&E (non mental health setting)", "Medical setting"),
    ("mental_health_setting", "Mental health setting", "Medical setting"),
    ("ambulance", "Ambulance", "Medical setting"),
    ("police_vehicle_with_cage", "Police vehicle with prisoner handling cage", "Police setting"),
    ("police_vehicle_without_cage", "Police vehicle without prisoner handling cage", "Police setting"),
    ("police_station", "Police station (excluding custody block)", "Police setting"),
    ("custody_block", "Custody block", "Police setting"),
    ("dwelling", "Dwelling", "Dwelling"),
    ("other", "Other", "Other"),
]

# The other lists of reference/vocabulary.md, in its order (current codes only).
CODE_LISTS = {
    "age_band": ["age_0_10", "age_11_17", "age_18_34", "age_35_49", "age_50_64", "age_65_plus", "not_reported"],
    "gender": ["male", "female", "other", "not_reported"],
    "ethnicity": ["white", "black", "asian", "mixed", "other", "not_reported"],
    "health_condition": ["physical", "mental", "physical_and_mental", "none", "not_reported"],
    "conduct": ["compliant", "passive_resistance", "verbal_resistance", "active_resistance",
                "aggressive_resistance", "serious_aggravated_resistance"],
    "impact_factors": ["possession_of_weapon", "alcohol", "drugs", "mental_health", "prior_knowledge",
                       "size_gender_build", "acute_behavioural_disturbance", "crowd", "other"],
    "reasons": ["protect_self", "protect_public", "protect_subject", "protect_other_officers", "prevent_offence",
                "secure_evidence", "effect_search", "effect_arrest", "method_of_entry", "remove_handcuffs",
                "prevent_harm", "prevent_escape", "other"],
    "outcomes": ["made_off_escaped", "arrested", "hospitalised", "detained_mental_health_act", "fatality",
                 "no_further_action", "other"],
    "officer_injury_level": ["none", "minor", "severe"],
    "subject_injury_level": ["none", "minor", "severe", "death"],
    "medical_assistance": ["none", "offered", "provided"],
}

# Labels given in brackets in reference/vocabulary.md: the Home Office wording, printed verbatim.
BRACKETED_LABELS = [
    ("age_band", "age_0_10", "Under 11 years"),
    ("age_band", "age_11_17", "11 - 17 years"),
    ("age_band", "age_65_plus", "65 and over"),
    ("ethnicity", "black", "Black (or Black British)"),
    ("ethnicity", "asian", "Asian (or Asian British)"),
    ("conduct", "verbal_resistance", "Verbal resistance/gestures"),
    ("outcomes", "detained_mental_health_act", "Detained (Mental Health Act)"),
]


def test_tactics_are_exactly_the_reference_table_in_its_order():
    assert v.TACTICS.codes() == [row[0] for row in TACTICS_TABLE]


@pytest.mark.parametrize(("code", "label", "home_office", "lower_level"), TACTICS_TABLE)
def test_tactic_label_home_office_mapping_and_level(code, label, home_office, lower_level):
    tactic = v.tactic(code)
    assert tactic.label == label
    assert v.TACTICS.label(code) == label
    assert tactic.lower_level is lower_level
    if home_office is None:
        # Tactical communication is not force; it is counted only alongside another tactic.
        assert tactic.group == v.TACTICAL_COMMUNICATION
        assert not v.is_force(code)
        return
    assert v.is_force(code)
    group, _, ho_tactic = home_office.partition(" > ")
    assert tactic.group == group
    assert tactic.home_office == (ho_tactic or group)


def test_both_irritant_sprays_drawn_share_one_home_office_label():
    assert v.tactic("irritant_spray_cs_drawn").home_office == "Irritant spray - drawn"
    assert v.tactic("irritant_spray_pava_drawn").home_office == "Irritant spray - drawn"
    assert v.tactic("irritant_spray_cs_used").home_office == "Irritant spray - used"
    assert v.tactic("irritant_spray_pava_used").home_office == "Irritant spray - used"


def test_ced_levels_rank_in_the_escalation_order():
    order = ["ced_drawn", "ced_aimed", "ced_red_dot", "ced_arced", "ced_drive_stun", "ced_angle_drive_stun",
             "ced_fired"]
    ranks = [v.tactic(code).ced_rank for code in order]
    assert ranks == sorted(ranks)
    assert len(set(ranks)) == len(ranks)
    assert min(ranks) > 0
    non_ced = [t.code for t in v.TACTICS.current if t.code not in order]
    assert all(v.tactic(code).ced_rank == 0 for code in non_ced)
    assert {"ced_drive_stun", "ced_angle_drive_stun", "ced_fired"} == v.CED_DISCHARGE


def test_tactic_groups_cover_every_tactic():
    assert {v.tactic(code).group for code in v.TACTICS.codes()} == set(v.TACTIC_GROUPS)


def test_tactic_lookup_of_an_unknown_code_raises():
    with pytest.raises(KeyError):
        v.tactic("water_cannon")
    with pytest.raises(KeyError):
        v.tactic("street_highway")


@pytest.mark.parametrize(("code", "label", "group"), LOCATIONS_TABLE)
def test_location_label_and_home_office_group(code, label, group):
    term = v.LOCATIONS.get(code)
    assert term is not None
    assert term.label == label
    assert term.group == group


def test_locations_are_exactly_the_reference_table_in_its_order():
    assert v.LOCATIONS.codes() == [row[0] for row in LOCATIONS_TABLE]


@pytest.mark.parametrize("name", sorted(CODE_LISTS))
def test_code_lists_match_the_reference(name):
    vocab = v.ALL[name]
    assert vocab.codes() == CODE_LISTS[name]
    for term in vocab.current:
        assert term.label.strip()
        assert term.home_office.strip()


@pytest.mark.parametrize(("name", "code", "label"), BRACKETED_LABELS)
def test_labels_given_in_the_reference_are_the_home_office_wording(name, code, label):
    term = v.ALL[name].get(code)
    assert term is not None
    assert term.home_office == label


def test_labels_in_brackets_that_are_also_form_labels():
    assert v.ETHNICITIES.label("black") == "Black (or Black British)"
    assert v.ETHNICITIES.label("asian") == "Asian (or Asian British)"
    assert v.CONDUCT.label("verbal_resistance") == "Verbal resistance/gestures"
    assert v.OUTCOMES.label("detained_mental_health_act") == "Detained (Mental Health Act)"
    assert v.AGE_BANDS.label("age_0_10") == "Under 11 years"
    assert v.AGE_BANDS.label("age_65_plus") == "65 and over"


def test_all_publishes_every_vocabulary_of_the_report():
    assert set(v.ALL) == {"tactics", "locations", *CODE_LISTS}
    for vocab in v.ALL.values():
        assert vocab.labels() == {term.code: term.label for term in vocab.current}
        assert len(vocab.codes()) == len(set(vocab.codes()))


def test_retired_ethnicities_stay_readable_but_are_not_offered():
    for code, label in (("chinese", "Chinese"), ("dont_know", "Don't know")):
        assert code in v.ETHNICITIES
        assert v.ETHNICITIES.label(code) == label
        assert v.ETHNICITIES.get(code).retired
        assert not v.ETHNICITIES.accepts(code)
        assert code not in v.ETHNICITIES.codes()
        assert code not in v.ETHNICITIES.labels()
    # They fold into the 2019/20 Home Office categories.
    assert v.ETHNICITIES.get("chinese").home_office == "Other"
    assert v.ETHNICITIES.get("dont_know").home_office == "Not reported"


def test_accepts_only_known_current_string_codes():
    assert v.REASONS.accepts("protect_self")
    for value in ("PROTECT_SELF", "", None, 1, True, ["protect_self"], {"protect_self": 1}):
        assert not v.REASONS.accepts(value)


def test_label_of_an_unknown_code_is_the_code_itself():
    assert v.OUTCOMES.label("something_new") == "something_new"
