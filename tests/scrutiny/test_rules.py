"""The rules of grading, and what is removed from the free text the panel sees."""

from __future__ import annotations

import pytest

from uof.domain import scrutiny as rules
from uof.domain.scrutiny import Identifiers, check_grading, check_title, redact, tally

WHO = Identifiers(officer_name="Alice Smith", force_number="PC4521", email="alice.smith@police.example",
                  incident_reference="CAD-1234-25NOV26", report_reference="UOF-000042")


@pytest.mark.parametrize("grade", rules.GRADES)
def test_each_grade_with_or_without_feedback_is_accepted(grade):
    assert check_grading(grade, None) == {}
    assert check_grading(grade, "") == {}
    assert check_grading(grade, "Proportionate.\nWell recorded.\tThanks.") == {}
    assert check_grading(grade, "x" * rules.FEEDBACK_MAX) == {}


@pytest.mark.parametrize("grade", [None, "", "Green", "amber ", "blue", 1])
def test_a_grade_must_be_green_amber_or_red(grade):
    assert check_grading(grade, None) == {"grade": ["Choose green, amber or red."]}


def test_feedback_is_at_most_2000_characters():
    assert check_grading("red", "x" * 2001) == {
        "feedback": ["Feedback must be at most 2,000 characters; it has 2,001."]}


@pytest.mark.parametrize("feedback", ["nul\x00", "bell\x07", "escape\x1b[2J"])
def test_control_characters_in_feedback_are_refused(feedback):
    assert list(check_grading("amber", feedback)) == ["feedback"]


def test_feedback_must_be_text():
    assert check_grading("green", 12) == {"feedback": ["Feedback must be text."]}


@pytest.mark.parametrize(("title", "ok"), [
    ("Independent scrutiny panel, March", True), ("", False), ("   ", False), ("x" * 120, True),
    ("x" * 121, False), ("Panel\x00", False),
])
def test_titles(title, ok):
    assert (check_title(title) is None) is ok


# --- redaction ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("BWV-88812", "BWV-88812"),
    ("BWV-PC4521-01", "BWV-[removed]-01"),
    ("bwv pc4521 smith", "bwv [removed] [removed]"),
    ("Alice Smith's camera", "[removed]'s camera"),
    ("SMITH_A_0930", "[removed]_A_0930"),
    ("Smithfield", "Smithfield"),  # a name counts only as a word of its own
    ("see CAD-1234-25NOV26", "see [removed]"),
    ("uof-000042", "[removed]"),
    ("alice.smith@police.example", "[removed]"),
    ("ALICE.SMITH footage", "[removed] footage"),
])
def test_identifiers_are_removed_from_free_text(text, expected):
    assert redact(text, WHO) == expected


def test_short_identifiers_are_left_alone():
    """Two characters would blank out ordinary text: a name part such as "Al", a force number such as "12"."""
    who = Identifiers("Al Ng", "12", "al@x.example", "CAD-1", "UOF-000001")
    assert redact("Al 12 Ng Albion", who) == "Al 12 Ng Albion"
    assert redact("al Ng CAD-1 uof-000001", who) == "[removed] [removed] [removed]"


def test_a_report_with_no_force_number():
    who = Identifiers("Sam Jones", None, "sam@x.example", "CAD-77", "UOF-000007")
    assert redact("JONES-77 / sam", who) == "[removed]-77 / [removed]"


# --- tallies -----------------------------------------------------------------------------------------------

def test_a_tally_counts_each_grade_and_the_ungraded_with_their_shares():
    counted = tally(["green", "red", None, "green", "amber", None, "green", None])
    assert counted.counts == {"green": 3, "amber": 1, "red": 1, None: 3}
    assert counted.total == 8
    assert counted.graded == 5
    assert counted.share("green") == 37.5
    assert counted.share(None) == 37.5
    assert counted.share("red") == 12.5


def test_an_empty_tally_has_no_shares():
    counted = tally([])
    assert counted.total == 0
    assert counted.share("green") == 0.0


def test_a_tally_refuses_unknown_grades():
    with pytest.raises(ValueError, match="unknown grades"):
        tally(["purple"])
