"""The draw of a scrutiny sample: reproducible from its seed, stratified by the most serious type of force."""

from __future__ import annotations

import random

import pytest

from uof.domain import sampling
from uof.domain import vocabulary as v
from uof.domain.sampling import Drawn, allocate, draw, stratum_of


def _ids(drawn: list[Drawn]) -> list[int]:
    return [each.report_id for each in drawn]


# --- strata ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("groups", "expected"), [
    ([v.RESTRAINT], v.RESTRAINT),
    ([v.RESTRAINT, v.LESS_LETHAL], v.LESS_LETHAL),
    ([v.UNARMED, v.OTHER_EQUIPMENT, v.RESTRAINT], v.OTHER_EQUIPMENT),
    ([v.OTHER, v.OTHER_EQUIPMENT], v.OTHER),  # a dog bite outranks a baton
    ([v.OTHER, v.FIREARMS, v.LESS_LETHAL], v.FIREARMS),
    ([], v.TACTICAL_COMMUNICATION),  # no type of force at all
])
def test_a_report_is_in_the_stratum_of_its_most_serious_type_of_force(groups, expected):
    assert stratum_of(groups) == expected


def test_every_home_office_type_of_force_has_a_place_in_the_order():
    assert sorted(sampling.SERIOUSNESS) == sorted(v.TACTIC_GROUPS)


# --- the unstratified draw ---------------------------------------------------------------------------------

def test_the_draw_is_a_fisher_yates_shuffle_driven_by_random_alone():
    """Replayed by hand: the generator for seed 7 gives 0.3238…, 0.1508…, 0.6509…; ids 1 to 10.

    i=0: j = 0 + int(0.3238 × 10) = 3, so id 4 comes first; i=1: j = 1 + int(0.1508 × 9) = 2, id 3;
    i=2: j = 2 + int(0.6509 × 8) = 7, id 8."""
    generator = random.Random(7)  # noqa: S311 (the generator the draw itself uses)
    assert [round(generator.random(), 4) for _ in range(3)] == [0.3238, 0.1508, 0.6509]
    candidates = dict.fromkeys(range(1, 11), v.RESTRAINT)
    assert _ids(draw(candidates, 3, 7, stratified=False)) == [4, 3, 8]


def test_the_same_seed_and_reports_draw_the_same_sample_whatever_their_order():
    ids = [17, 3, 99, 42, 8, 64, 23, 5, 71, 30, 12, 56]
    forwards = {report_id: v.RESTRAINT for report_id in ids}
    backwards = {report_id: v.RESTRAINT for report_id in reversed(ids)}
    first = draw(forwards, 5, 2026, stratified=False)
    assert draw(backwards, 5, 2026, stratified=False) == first
    assert draw(forwards, 5, 2026, stratified=False) == first
    assert len(set(_ids(first))) == 5
    assert set(_ids(first)) <= set(ids)


def test_another_seed_draws_another_sample():
    candidates = dict.fromkeys(range(1, 101), v.RESTRAINT)
    samples = {tuple(_ids(draw(candidates, 10, seed, stratified=False))) for seed in range(20)}
    assert len(samples) == 20


def test_asking_for_more_than_there_are_draws_everyone_in_a_random_order():
    candidates = dict.fromkeys([5, 6, 7, 8], v.UNARMED)
    drawn = draw(candidates, 500, 1, stratified=False)
    assert sorted(_ids(drawn)) == [5, 6, 7, 8]
    assert draw(candidates, 4, 1, stratified=False) == drawn


def test_nothing_to_draw_from_or_nothing_asked_for():
    assert draw({}, 10, 1, stratified=False) == []
    assert draw({}, 10, 1, stratified=True) == []
    assert draw({1: v.RESTRAINT}, 0, 1, stratified=True) == []


def test_each_drawn_report_keeps_its_stratum():
    candidates = {1: v.RESTRAINT, 2: v.FIREARMS, 3: v.LESS_LETHAL}
    assert {each.report_id: each.stratum for each in draw(candidates, 3, 9, stratified=False)} == candidates


@pytest.mark.parametrize("bad", [{1: "Kindness"}, {1: ""}])
def test_an_unknown_stratum_is_refused(bad):
    with pytest.raises(ValueError, match="unknown strata"):
        draw(bad, 1, 1, stratified=True)


def test_a_negative_size_is_refused():
    with pytest.raises(ValueError, match="negative"):
        draw({1: v.RESTRAINT}, -1, 1, stratified=False)
    with pytest.raises(ValueError, match="negative"):
        allocate({v.RESTRAINT: 1}, -1)


# --- allocation --------------------------------------------------------------------------------------------

def test_allocation_is_proportional_with_the_largest_remainders_rounded_up():
    # 10 of 100: quotas 5, 3, 1.5 and 0.5. The two halves tie; the more serious stratum (firearms) gets the one left.
    sizes = {v.RESTRAINT: 50, v.UNARMED: 30, v.LESS_LETHAL: 15, v.FIREARMS: 5}
    assert allocate(sizes, 10) == {v.FIREARMS: 1, v.LESS_LETHAL: 1, v.UNARMED: 3, v.RESTRAINT: 5}


def test_allocation_gives_every_stratum_one_when_the_sample_allows():
    # 5 of 100: quotas 4.85, 0.1 and 0.05 give restraint 5 and the others none; firearms then other each take one
    # from restraint, the stratum given the most.
    sizes = {v.RESTRAINT: 97, v.FIREARMS: 1, v.OTHER: 2}
    assert allocate(sizes, 5) == {v.FIREARMS: 1, v.OTHER: 1, v.RESTRAINT: 3}


def test_a_sample_smaller_than_the_number_of_strata_stays_proportional():
    # 2 of 30 in three equal strata: each quota is 0.67; the ties go to the two most serious.
    sizes = {v.RESTRAINT: 10, v.UNARMED: 10, v.FIREARMS: 10}
    assert allocate(sizes, 2) == {v.FIREARMS: 1, v.UNARMED: 1, v.RESTRAINT: 0}


def test_allocation_of_the_whole_population_or_more_takes_everyone():
    sizes = {v.RESTRAINT: 4, v.FIREARMS: 2, v.OTHER: 0}
    assert allocate(sizes, 6) == {v.FIREARMS: 2, v.RESTRAINT: 4}
    assert allocate(sizes, 500) == {v.FIREARMS: 2, v.RESTRAINT: 4}


def test_allocation_never_takes_more_than_a_stratum_holds_and_always_adds_up():
    generator = random.Random(11)  # noqa: S311 (varied, repeatable test cases)
    for _ in range(300):
        sizes = {stratum: generator.randint(0, 12) for stratum in sampling.SERIOUSNESS}
        total = sum(sizes.values())
        size = generator.randint(0, total + 3)
        shares = allocate(sizes, size)
        assert sum(shares.values()) == min(size, total)
        assert all(0 <= shares[stratum] <= sizes[stratum] for stratum in shares)
        non_empty = [stratum for stratum, count in sizes.items() if count]
        assert list(shares) == non_empty
        if size >= len(non_empty):
            assert all(shares[stratum] >= 1 for stratum in non_empty)


# --- the stratified draw -----------------------------------------------------------------------------------

def test_the_stratified_draw_takes_each_strata_share_most_serious_first():
    candidates = {**dict.fromkeys(range(1, 51), v.RESTRAINT), **dict.fromkeys(range(51, 81), v.UNARMED),
                  **dict.fromkeys(range(81, 96), v.LESS_LETHAL), **dict.fromkeys(range(96, 101), v.FIREARMS)}
    drawn = draw(candidates, 10, 123, stratified=True)
    assert [each.stratum for each in drawn] == [v.FIREARMS, v.LESS_LETHAL] + [v.UNARMED] * 3 + [v.RESTRAINT] * 5
    assert all(candidates[each.report_id] == each.stratum for each in drawn)
    assert len(set(_ids(drawn))) == 10
    assert draw(dict(reversed(candidates.items())), 10, 123, stratified=True) == drawn


def test_the_stratified_draw_is_replayable_by_hand():
    """Strata in order of seriousness, one generator: firearms {9, 2} takes 1, then restraint {1, 4, 7} takes 1.

    Seed 7: 0.3238… → firearms' pool [2, 9], j = int(0.3238 × 2) = 0: id 2; then 0.1508… → restraint's pool
    [1, 4, 7], j = int(0.1508 × 3) = 0: id 1."""
    candidates = {9: v.FIREARMS, 2: v.FIREARMS, 7: v.RESTRAINT, 4: v.RESTRAINT, 1: v.RESTRAINT}
    assert draw(candidates, 2, 7, stratified=True) == [Drawn(2, v.FIREARMS), Drawn(1, v.RESTRAINT)]
