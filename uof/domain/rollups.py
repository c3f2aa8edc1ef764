"""Running totals of the report facts, so that a quarter or a year of a Met-sized force is counted from thousands
of rows rather than tens of millions.

``fact_totals`` keeps, for each UK day and each UK month of the incident, each area, and each fact: how many
reports had it and how many times, over every report (type of force ``""``) and over the reports that used each
type of force (so the governance dashboard's type-of-force filter stays a lookup). ``fact_cross_totals`` keeps,
per UK month and force-wide, how many reports had each pair of a tactic row and a subject, reason, impact factor,
outcome, location or location setting fact: the body of the Home Office tables 2-9.

A report adds ``+1`` to each of its keys when it is submitted; an amendment takes the old keys away and adds the
new ones (its day, area or facts may change). This module only works out the keys and amounts; the database work
is ``uof.services.facts``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from uof.domain.facts import LOCATION_SETTING, TACTIC, TACTIC_GROUP, TACTIC_SUBGROUP, Fact
from uof.uktime import LONDON

DAY, MONTH = "day", "month"
ALL_REPORTS = ""  # the type of force of the totals over every report
NO_AREA = ""
TACTIC_DIMENSIONS = (TACTIC, TACTIC_SUBGROUP, TACTIC_GROUP)
# The facts the Home Office tables 2-9 break the tactic rows down by.
CROSS_DIMENSIONS = ("age_band", "gender", "ethnicity", "health_condition", "reason", "impact_factor", "outcome",
                    "location", LOCATION_SETTING)

# (span, period start, type of force, area, dimension, value)
TotalKey = tuple[str, date, str, str, str, str]
# (month, tactic dimension, tactic row, dimension, value)
CrossKey = tuple[date, str, str, str, str]
Key = TypeVar("Key", TotalKey, CrossKey)


@dataclass(frozen=True)
class Amounts:
    reports: int
    times: int


def uk_day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def total_keys(incident_at: datetime, area: str | None, facts: Iterable[Fact]) -> dict[TotalKey, Amounts]:
    """What one report adds to ``fact_totals``."""
    listed = list(facts)
    day = uk_day(incident_at)
    place = (area or "").strip() or NO_AREA
    groups = [ALL_REPORTS, *sorted({fact.value for fact in listed if fact.dimension == TACTIC_GROUP})]
    keys: dict[TotalKey, Amounts] = {}
    for span, start in ((DAY, day), (MONTH, day.replace(day=1))):
        for group in groups:
            for fact in listed:
                keys[(span, start, group, place, fact.dimension, fact.value)] = Amounts(1, fact.times)
    return keys


def cross_keys(incident_at: datetime, facts: Iterable[Fact]) -> dict[CrossKey, Amounts]:
    """What one report adds to ``fact_cross_totals``."""
    listed = list(facts)
    month = uk_day(incident_at).replace(day=1)
    rows = [fact for fact in listed if fact.dimension in TACTIC_DIMENSIONS]
    columns = [fact for fact in listed if fact.dimension in CROSS_DIMENSIONS]
    return {(month, row.dimension, row.value, column.dimension, column.value): Amounts(1, row.times)
            for row in rows for column in columns}


class MonthByMonth:
    """Totals summed from reports given in order of their incident, handed over a UK month at a time, so that
    rebuilding the totals of millions of reports keeps only one month's in memory."""

    def __init__(self) -> None:
        self.month: date | None = None
        self.totals: dict[TotalKey, list[int]] = {}
        self.cross: dict[CrossKey, list[int]] = {}

    def add(self, incident_at: datetime, area: str | None,
            facts: Iterable[Fact]) -> tuple[dict[TotalKey, list[int]], dict[CrossKey, list[int]]] | None:
        """Count one report; when it starts a new month, return the finished month's totals (else None)."""
        listed = list(facts)
        month = uk_day(incident_at).replace(day=1)
        if self.month is not None and month < self.month:
            raise ValueError("reports must come in order of their incident")
        finished = self.take() if self.month is not None and month != self.month else None
        self.month = month
        _sum_into(self.totals, total_keys(incident_at, area, listed))
        _sum_into(self.cross, cross_keys(incident_at, listed))
        return finished

    def take(self) -> tuple[dict[TotalKey, list[int]], dict[CrossKey, list[int]]]:
        """The totals counted so far, emptied."""
        taken = self.totals, self.cross
        self.totals, self.cross = {}, {}
        return taken


def _sum_into(into: dict[Key, list[int]], keys: dict[Key, Amounts]) -> None:
    for key, amounts in keys.items():
        summed = into.setdefault(key, [0, 0])
        summed[0] += amounts.reports
        summed[1] += amounts.times


def changes(before: dict[TotalKey, Amounts] | dict[CrossKey, Amounts],
            after: dict[TotalKey, Amounts] | dict[CrossKey, Amounts]) -> list[tuple[tuple[object, ...], int, int]]:
    """The non-zero (key, reports, times) differences from ``before`` to ``after``, in key order (so that two
    transactions updating the same totals lock them in the same order and never deadlock)."""
    reports: Counter[tuple[object, ...]] = Counter()
    times: Counter[tuple[object, ...]] = Counter()
    for sign, keys in ((-1, before), (1, after)):
        for key, amounts in keys.items():
            reports[key] += sign * amounts.reports
            times[key] += sign * amounts.times
    return [(key, reports[key], times[key]) for key in sorted(set(reports) | set(times), key=order)
            if reports[key] or times[key]]


def order(key: tuple[object, ...]) -> tuple[str, ...]:
    return tuple(value.isoformat() if isinstance(value, date) else str(value) for value in key)
