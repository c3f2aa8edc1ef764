"""Which early-intervention exclusions a report's tactic facts can judge (``rows_counting_alike``)."""

from __future__ import annotations

import pytest

from uof.domain.counting import NOT_COUNTED_FOR_EARLY_INTERVENTION, rows_counting_alike


@pytest.mark.parametrize(("excluded", "rows"), [
    (NOT_COUNTED_FOR_EARLY_INTERVENTION, {"Compliant handcuffing", "Tactical communication (with other tactic)"}),
    ({"ced_drawn"}, {"CED Drawn"}),  # the lowest level: whatever is above it stays counted in the facts
    ({"ced_aimed"}, None),  # a report with an aimed and a drawn Taser keeps only "aimed" in its facts
    ({"ced_drawn", "ced_aimed"}, {"CED Drawn", "CED Aimed"}),
    ({"irritant_spray_cs_drawn"}, None),  # PAVA drawn shares the row
    ({"irritant_spray_cs_drawn", "irritant_spray_pava_drawn"}, {"Irritant spray - drawn"}),
    ({"no_such_tactic"}, None),
    (set(), set()),
])
def test_an_exclusion_counts_alike_by_rows_only_when_it_follows_them(excluded, rows):
    assert rows_counting_alike(excluded) == (None if rows is None else frozenset(rows))
