"""The public figures count by the national rules, and their months are whole UK calendar months."""

from __future__ import annotations

from datetime import UTC, datetime

from uof.services.open_data import Month, categorise, last_complete_months


def tactics(*codes: str) -> list[dict[str, object]]:
    return [{"code": code, "effective": True} for code in codes]


def test_the_last_twelve_complete_uk_months_end_before_the_current_one():
    months = last_complete_months(datetime(2026, 1, 10, 12, tzinfo=UTC))
    assert months[0] == Month(2025, 1)
    assert months[-1] == Month(2025, 12)
    assert len(months) == 12
    # 23:30 UTC on 31 May is 00:30 on 1 June in the UK: May is already complete.
    assert last_complete_months(datetime(2025, 5, 31, 23, 30, tzinfo=UTC))[-1] == Month(2025, 5)
    assert Month(2025, 12).next() == Month(2026, 1)
    assert Month(2025, 6).start() == datetime(2025, 5, 31, 23, 0, tzinfo=UTC)  # BST
    assert Month(2025, 1).label == "Jan 2025"
    assert Month(2025, 1).key == "2025-01"


def test_a_taser_counts_at_its_highest_level_and_tactical_communication_is_not_force():
    found = categorise({"tactics": tactics("ced_drawn", "ced_aimed", "ced_fired", "tactical_communication")})
    assert len(found["tactics"]) == 1
    (only,) = found["tactics"]
    assert "fired" in only.lower()
    assert categorise({"tactics": tactics("tactical_communication")})["tactics"] == set()


def test_a_category_counts_once_per_report_and_subject_details_use_home_office_labels():
    found = categorise({
        "tactics": tactics("irritant_spray_cs_drawn", "irritant_spray_pava_drawn"),
        "subject": {"age_band": "age_18_34", "gender": "male", "ethnicity": "chinese"},
        "outcomes": ["no_further_action", "other", "arrested"],
        "subject_injury": {"level": "minor"},
    })
    assert len(found["tactics"]) == 1
    assert found["age_band"] == {"18 - 34 years"}
    assert found["ethnicity"] == {"Other"}  # retired code, folded as the Home Office does
    assert found["outcomes"] == {"Other", "Arrested"}
    assert found["subject_injury"] == {"Minor"}
    assert found["officer_injury"] == set()


def test_malformed_content_counts_only_as_a_report():
    found = categorise({"tactics": "nonsense", "subject": [], "outcomes": [1, None]})
    assert found["reports"] == {"All reports"}
    assert all(not found[key] for key in found if key != "reports")
