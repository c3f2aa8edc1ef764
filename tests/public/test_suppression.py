"""Small-number suppression: primary below the threshold, secondary so a hidden cell cannot be subtracted out."""

from __future__ import annotations

import pytest

from uof.domain.suppression import PRIMARY, SECONDARY, SHOWN, THRESHOLD, is_small, suppress_row


def statuses(counts: list[int]) -> list[str]:
    return [cell.status for cell in suppress_row(counts)]


def test_threshold_is_five_and_zero_is_published():
    assert THRESHOLD == 5
    assert [is_small(n) for n in (0, 1, 4, 5, 40)] == [False, True, True, False, False]
    with pytest.raises(ValueError, match="negative"):
        is_small(-1)


def test_a_single_small_cell_takes_the_smallest_other_non_zero_cell_with_it():
    assert statuses([20, 3, 0, 7, 9]) == [SHOWN, PRIMARY, SHOWN, SECONDARY, SHOWN]
    cells = suppress_row([20, 3, 0, 7, 9])
    assert [cell.text for cell in cells] == ["20", "fewer than 5", "0", "suppressed", "9"]
    assert [cell.published for cell in cells] == [20, None, 0, None, 9]


def test_two_small_cells_hide_each_other_without_more_suppression():
    assert statuses([20, 3, 2, 7]) == [SHOWN, PRIMARY, PRIMARY, SHOWN]


def test_nothing_small_nothing_hidden_and_a_lone_cell_has_no_partner():
    assert statuses([5, 0, 12]) == [SHOWN, SHOWN, SHOWN]
    assert statuses([3]) == [PRIMARY]
    assert statuses([3, 0, 0]) == [PRIMARY, SHOWN, SHOWN]


def test_a_suppressed_cell_cannot_be_recovered_from_the_row_total():
    counts = [11, 4, 6, 0]
    cells = suppress_row(counts)
    hidden = [cell for cell in cells if cell.suppressed]
    assert len(hidden) >= 2  # the total less the published cells leaves a sum of two or more unknowns
    assert sum(cell.published or 0 for cell in cells) < sum(counts)
