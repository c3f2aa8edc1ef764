"""Disproportionality: rates of use of force per 1,000 residents by ethnic group, and rate ratios against White.

Pure arithmetic and validation, no database.

**Numerator.** Reports, not tactics: one report describes one subject, so each report counts once, in the group
of the subject's ethnicity *as perceived by the officer*. The recorded codes map to the five Census 2021 (TS021)
high-level groups as follows:

- ``white``, ``black``, ``asian``, ``mixed``, ``other``: the group with the same code;
- ``chinese`` (retired code): ``asian``, because Census 2021 counts Chinese residents in the Asian group (the
  Home Office return prints it as "Other"; here the numerator must follow the denominator);
- ``not_reported``, ``dont_know`` (retired), or anything missing: not mapped. Those reports are counted as
  "ethnicity not recorded" and are in no rate.

**Denominator.** Usual residents of the area on Census Day 2021 (the loaded population baselines).

**Rate ratio.** Each group's rate divided by the White rate in the same area, with a 95% confidence interval by
the Katz log method: ``exp(ln RR ± 1.96·sqrt(1/a − 1/N1 + 1/c − 1/N2))`` where ``a`` and ``N1`` are the group's
reports and population, ``c`` and ``N2`` White's.

**Small numbers.** A count of 1 to ``threshold − 1`` is shown only as "fewer than N", and neither its rate nor
its ratio is given; neither are ratios against a suppressed White count. The default threshold is 10: below about
ten events the log-normal approximation behind the Katz interval is poor (with ``a = 5`` the interval alone spans
a factor of more than five), a rate from a handful of incidents moves wildly from one quarter to the next, and a
count that small in one area, group and period can point to an identifiable person. Zero is shown as 0 (it
identifies nobody) with a rate of 0, but its ratio is not calculable (the log of zero has no interval).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass

# The Census 2021 TS021 high-level groups, in the order of the Census table; White is the reference group.
GROUPS: tuple[str, ...] = ("white", "asian", "black", "mixed", "other")
GROUP_LABELS: dict[str, str] = {
    "white": "White",
    "asian": "Asian, Asian British or Asian Welsh",
    "black": "Black, Black British, Black Welsh, Caribbean or African",
    "mixed": "Mixed or Multiple ethnic groups",
    "other": "Other ethnic group",
}
REFERENCE_GROUP = "white"

# Recorded (perceived) ethnicity code -> Census group. Codes not here are "not recorded".
ETHNICITY_TO_GROUP: dict[str, str] = {
    "white": "white",
    "black": "black",
    "asian": "asian",
    "mixed": "mixed",
    "other": "other",
    "chinese": "asian",
}

DEFAULT_THRESHOLD = 10
Z_95 = 1.96
PER = 1000

# The areas a baseline may be loaded for: ONS codes and names of the local authorities of the West Midlands
# police force area, and England and Wales for comparison.
KNOWN_AREAS: dict[str, str] = {
    "E08000025": "Birmingham",
    "E08000026": "Coventry",
    "E08000027": "Dudley",
    "E08000028": "Sandwell",
    "E08000029": "Solihull",
    "E08000030": "Walsall",
    "E08000031": "Wolverhampton",
    "E92000001": "England",
    "W92000004": "Wales",
}
CSV_HEADER = ("area_code", "area_name", "ethnic_group", "population")
TOTAL = "total"


def census_group(ethnicity: object) -> str | None:
    """The Census group a recorded ethnicity code counts in, or None when it is not recorded."""
    return ETHNICITY_TO_GROUP.get(ethnicity) if isinstance(ethnicity, str) else None


@dataclass(frozen=True)
class RateRatio:
    ratio: float
    lower: float
    upper: float


def rate_per_1000(count: int, population: int) -> float:
    if population <= 0:
        raise ValueError("population must be positive")
    return count * PER / population


def rate_ratio(a: int, n1: int, c: int, n2: int) -> RateRatio | None:
    """(a/n1) / (c/n2) with its Katz 95% interval; None when either count is zero (no log, no interval)."""
    if min(n1, n2) <= 0:
        raise ValueError("populations must be positive")
    if a <= 0 or c <= 0:
        return None
    ratio = (a / n1) / (c / n2)
    spread = Z_95 * math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    log_ratio = math.log(ratio)
    return RateRatio(ratio, math.exp(log_ratio - spread), math.exp(log_ratio + spread))


@dataclass(frozen=True)
class GroupFigures:
    group: str
    population: int
    count: int
    suppressed: bool  # 1 <= count < threshold: show "fewer than threshold", nothing else
    rate: float | None  # per 1,000 residents; None when suppressed
    ratio: RateRatio | None  # None for the reference group, when suppressed, or when not calculable
    ratio_note: str  # why there is no ratio ("" when there is one)

    @property
    def label(self) -> str:
        return GROUP_LABELS[self.group]

    @property
    def is_reference(self) -> bool:
        return self.group == REFERENCE_GROUP


@dataclass(frozen=True)
class AreaFigures:
    area: str
    threshold: int
    groups: tuple[GroupFigures, ...]
    not_recorded: int
    not_recorded_suppressed: bool


def _suppressed(count: int, threshold: int) -> bool:
    return 0 < count < threshold


def area_figures(area: str, counts: Mapping[str, int], populations: Mapping[str, int], *,
                 not_recorded: int = 0, threshold: int = DEFAULT_THRESHOLD) -> AreaFigures:
    """The figures for one area from report counts and populations by Census group."""
    if threshold < 1:
        raise ValueError("the suppression threshold must be at least 1")
    reference_count = counts.get(REFERENCE_GROUP, 0)
    reference_population = populations[REFERENCE_GROUP]
    reference_usable = reference_count >= threshold
    rows: list[GroupFigures] = []
    for group in GROUPS:
        population, count = populations[group], counts.get(group, 0)
        suppressed = _suppressed(count, threshold)
        ratio: RateRatio | None = None
        if group == REFERENCE_GROUP:
            note = "reference group"
        elif suppressed:
            note = "not given: small number"
        elif count == 0:
            note = "not calculable: no reports"
        elif reference_count == 0:
            note = "not calculable: no reports for White"
        elif not reference_usable:
            note = "not given: small number for White"
        else:
            ratio = rate_ratio(count, population, reference_count, reference_population)
            note = ""
        rows.append(GroupFigures(group, population, count, suppressed,
                                 None if suppressed else rate_per_1000(count, population), ratio, note))
    return AreaFigures(area, threshold, tuple(rows), not_recorded, _suppressed(not_recorded, threshold))


# --- the baseline CSV ---------------------------------------------------------------------------------------


class BaselineError(ValueError):
    """A baseline file that cannot be loaded; the message says where and what to change."""


@dataclass(frozen=True)
class Baseline:
    area: str
    group: str
    population: int


def parse_baselines(text: str) -> list[Baseline]:
    """The baselines of a CSV with the header ``area_code,area_name,ethnic_group,population``.

    Every area must be a known one (code and name agreeing), give each of the five groups once and may give a
    ``total``, which must then equal their sum. Any problem raises ``BaselineError`` naming the line; nothing is
    returned unless the whole file is good.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None or tuple(cell.strip() for cell in header) != CSV_HEADER:
        raise BaselineError(f"line 1: the header must be {','.join(CSV_HEADER)}")
    by_area: dict[str, dict[str, int]] = {}
    totals: dict[str, int] = {}
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(CSV_HEADER):
            raise BaselineError(f"line {line}: expected {len(CSV_HEADER)} columns, found {len(row)}")
        code, name, group, raw = (cell.strip() for cell in row)
        if code not in KNOWN_AREAS:
            raise BaselineError(f"line {line}: unknown area code {code!r}")
        if KNOWN_AREAS[code] != name:
            raise BaselineError(f"line {line}: area {code} is {KNOWN_AREAS[code]!r}, not {name!r}")
        if group not in GROUPS and group != TOTAL:
            raise BaselineError(f"line {line}: unknown ethnic group {group!r} "
                                f"(expected one of {', '.join(GROUPS)} or {TOTAL})")
        if not raw.isdigit() or int(raw) <= 0:
            raise BaselineError(f"line {line}: population {raw!r} is not a positive whole number")
        population = int(raw)
        if group == TOTAL:
            if name in totals:
                raise BaselineError(f"line {line}: a second total for {name}")
            totals[name] = population
            continue
        groups = by_area.setdefault(name, {})
        if group in groups:
            raise BaselineError(f"line {line}: a second {group} figure for {name}")
        groups[group] = population
    if not by_area:
        raise BaselineError("the file has no figures")
    for name, groups in by_area.items():
        missing = [group for group in GROUPS if group not in groups]
        if missing:
            raise BaselineError(f"{name}: no figure for {', '.join(missing)}")
        if name in totals and totals[name] != sum(groups.values()):
            raise BaselineError(f"{name}: the groups add up to {sum(groups.values())}, "
                                f"but the total is {totals[name]}")
    for name in totals:
        if name not in by_area:
            raise BaselineError(f"{name}: a total but no group figures")
    return [Baseline(name, group, groups[group]) for name, groups in by_area.items() for group in GROUPS]
