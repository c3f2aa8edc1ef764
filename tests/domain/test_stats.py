import pytest

from uof.domain.stats import median, percentile


def test_percentile_interpolates_between_closest_ranks_like_numpy():
    # numpy.percentile([1, 2, 3, 4, 10], 95) == 8.8
    assert percentile([4, 1, 10, 3, 2], 95) == pytest.approx(8.8)
    assert percentile([1, 2, 3, 4, 10], 0) == 1
    assert percentile([1, 2, 3, 4, 10], 100) == 10
    assert percentile([7], 95) == 7


def test_median_of_even_and_odd_counts():
    assert median([3, 1, 2]) == 2
    assert median([1, 2, 3, 4]) == 2.5


def test_nothing_has_no_percentile_and_p_must_be_a_percentage():
    assert percentile([], 95) is None
    assert median([]) is None
    with pytest.raises(ValueError, match="between 0 and 100"):
        percentile([1], 101)
