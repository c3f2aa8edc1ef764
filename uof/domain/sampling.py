"""Drawing a random sample of reports for a scrutiny panel that anyone can draw again from its seed.

The draw, given the candidate reports (each with its stratum) and an integer seed:

1. Each stratum's report ids are sorted ascending, so the order in which the database returned them never
   matters.
2. One generator, ``random.Random(seed)``, makes every choice, and only through its ``random()`` method: Python
   promises that ``random()`` gives the same sequence for the same integer seed in every version, which it does
   not promise for ``sample``, ``shuffle`` or ``randrange``.
3. From a list of n ids, k are drawn by the first k steps of a Fisher-Yates shuffle: at step i (from 0),
   j = i + floor(random() × (n − i)), swap the ids at i and j; the first k ids, in that order, are drawn.
4. Unstratified: step 3 over all the candidates. Stratified: the sample size is shared among the non-empty
   strata (``allocate``), then step 3 runs on each stratum in turn, most serious first, with the same generator.
5. Asking for at least as many reports as there are candidates draws every candidate (still in a random order).

The sample numbers the panel sees follow the order of the draw.

A report's stratum is its most serious Home Office type of force (``stratum_of``). The Home Office tables list the
types in no order of seriousness, so this module sets one, by the harm the force can do: firearms; less lethal
weapons (Taser, AEP); other (police dogs, improvised force); other equipment (baton, irritant spray, shield, spit
guard); unarmed skills; restraint. A report with no type of force (tactical communication alone, which is not
force and which new reports may no longer record on its own) would make a stratum of its own, last.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from uof.domain import vocabulary as v

NO_FORCE = v.TACTICAL_COMMUNICATION
SERIOUSNESS: tuple[str, ...] = (v.FIREARMS, v.LESS_LETHAL, v.OTHER, v.OTHER_EQUIPMENT, v.UNARMED, v.RESTRAINT,
                                NO_FORCE)
_RANK = {stratum: rank for rank, stratum in enumerate(SERIOUSNESS)}


@dataclass(frozen=True)
class Drawn:
    report_id: int
    stratum: str


def stratum_of(groups: Iterable[str]) -> str:
    """The most serious of a report's Home Office types of force (its ``tactic_group`` facts)."""
    present = set(groups)
    return next((group for group in SERIOUSNESS if group in present), NO_FORCE)


def allocate(sizes: Mapping[str, int], size: int) -> dict[str, int]:
    """How many reports to draw from each non-empty stratum, most serious first.

    Proportional to the strata's sizes, rounded by the largest remainder (ties go to the more serious stratum).
    When the sample has room for one report from every non-empty stratum, a stratum left with none takes one
    from the stratum given the most (ties: the less serious one), most serious first. Asking for at least the
    whole population gives every stratum all of its reports.
    """
    _check_strata(sizes)
    if size < 0:
        raise ValueError("a sample cannot have a negative size")
    order = sorted((stratum for stratum, count in sizes.items() if count > 0), key=_RANK.__getitem__)
    total = sum(sizes[stratum] for stratum in order)
    if size >= total:
        return {stratum: sizes[stratum] for stratum in order}
    shares = {stratum: size * sizes[stratum] // total for stratum in order}
    # Integer remainders of size × stratum / total, so that ties are exact.
    by_remainder = sorted(order, key=lambda stratum: (-(size * sizes[stratum] % total), _RANK[stratum]))
    for stratum in by_remainder[:size - sum(shares.values())]:
        shares[stratum] += 1
    if size >= len(order):
        for stratum in order:
            if shares[stratum] == 0:
                # There is always one with two or more: the sample has room for one from every stratum.
                donor = max(order, key=lambda other: (shares[other], _RANK[other]))
                shares[donor] -= 1
                shares[stratum] = 1
    return shares


def draw(candidates: Mapping[int, str], size: int, seed: int, *, stratified: bool) -> list[Drawn]:
    """``size`` of the candidate reports (``{report id: stratum}``), in the order drawn (module docstring)."""
    _check_strata({stratum: 1 for stratum in candidates.values()})
    if size < 0:
        raise ValueError("a sample cannot have a negative size")
    generator = random.Random(seed)  # noqa: S311 (a sample anyone can draw again from its seed, not a secret)
    if not stratified:
        chosen = _fisher_yates_prefix(sorted(candidates), size, generator)
        return [Drawn(report_id, candidates[report_id]) for report_id in chosen]
    members: dict[str, list[int]] = {}
    for report_id in sorted(candidates):
        members.setdefault(candidates[report_id], []).append(report_id)
    shares = allocate({stratum: len(ids) for stratum, ids in members.items()}, size)
    return [Drawn(report_id, stratum) for stratum, share in shares.items()
            for report_id in _fisher_yates_prefix(members[stratum], share, generator)]


def _fisher_yates_prefix(ids: list[int], count: int, generator: random.Random) -> list[int]:
    """The first ``count`` ids of a Fisher-Yates shuffle of ``ids`` (all of them when there are fewer)."""
    pool = list(ids)
    for i in range(min(count, len(pool))):
        # random() < 1, so j < len(pool); the float product cannot round up to len(pool) below 2**53.
        j = i + int(generator.random() * (len(pool) - i))
        pool[i], pool[j] = pool[j], pool[i]
    return pool[:count]


def _check_strata(strata: Iterable[str]) -> None:
    unknown = sorted(set(strata) - set(SERIOUSNESS))
    if unknown:
        raise ValueError(f"unknown strata: {', '.join(unknown)}")
