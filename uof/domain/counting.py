"""Counting rules shared by the dashboards, the alert rules and the exports, so that every figure agrees.

- A report's force is counted by Home Office category, once per report, whatever number of times the officer
  ticked tactics of that category (two irritant sprays drawn are one "Irritant spray - drawn").
- A Taser (CED) is counted at its highest level only: drawn, aimed and fired in one incident is one "CED Fired".
- Tactical communication is recorded alongside force but is never counted as force.
- Early intervention counts an officer's reports, except those whose only tactics are compliant handcuffing
  and tactical communication (by default): they say little about how readily an officer uses force. The count
  itself is made in the database, once, by ``uof.services.alert_rules.officer_counts``.
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from functools import lru_cache

from uof.domain.vocabulary import TACTICS, Tactic, is_force

# The rolling period over which early intervention counts an officer's reports.
EARLY_INTERVENTION_DAYS = 90
# The national defaults for that count (DESIGN.md): a warning at 3 reports in 90 days, critical at 6.
EARLY_INTERVENTION_WARNING = 3
EARLY_INTERVENTION_CRITICAL = 6
NOT_COUNTED_FOR_EARLY_INTERVENTION = frozenset({"compliant_handcuffing", "tactical_communication"})


def force_categories(tactic_codes: Iterable[str]) -> list[str]:
    """The Home Office categories of force one report counts towards, each once, in vocabulary order.

    Unknown codes are skipped: a report stores only codes its validation accepted, and the vocabulary keeps
    retired codes readable.
    """
    return list(_force_categories(frozenset(tactic_codes)))


# Reports use a few hundred mixes of tactics between them; an export of a quarter asks about tens of thousands.
@lru_cache(maxsize=4096)
def _force_categories(used: frozenset[str]) -> tuple[str, ...]:
    skipped = ced_below_highest(used)
    categories: list[str] = []
    for term in _tactics(used):
        if not is_force(term.code) or term.code in skipped:
            continue
        if term.home_office not in categories:
            categories.append(term.home_office)
    return tuple(categories)


def ced_below_highest(tactic_codes: Iterable[str]) -> set[str]:
    """The Taser levels of one report that its highest level makes uncounted (drawn and aimed, when fired)."""
    levels = [term for term in _tactics(set(tactic_codes)) if term.ced_rank]
    highest = max((term.ced_rank for term in levels), default=0)
    return {term.code for term in levels if term.ced_rank != highest}


def rows_counting_alike(excluded: Iterable[str]) -> frozenset[str] | None:
    """The Home Office tactic rows of ``excluded`` when "a tactic outside these rows" picks the same reports as
    "a tactic outside these codes", else None. A report's ``tactic`` facts are then enough to judge it.

    That holds when no code outside ``excluded`` shares a row with one inside (CS and PAVA share theirs), and when
    no Taser level is excluded above one that is not: a report's facts keep its highest Taser level only, so a
    report with an aimed and a drawn Taser, excluding only "aimed", would lose its counted "drawn"."""
    codes = frozenset(excluded)
    terms = [term for term in TACTICS if isinstance(term, Tactic)]
    if not codes <= {term.code for term in terms}:
        return None
    rows = frozenset(term.home_office for term in terms if term.code in codes)
    if any(term.home_office in rows and term.code not in codes for term in terms):
        return None
    levels = [term for term in terms if term.ced_rank]
    if any(higher.code in codes and lower.ced_rank < higher.ced_rank and lower.code not in codes
           for higher in levels for lower in levels):
        return None
    return rows


def _tactics(codes: Set[str]) -> list[Tactic]:
    return [term for term in TACTICS if isinstance(term, Tactic) and term.code in codes]


def category_order() -> list[str]:
    """Every Home Office category of force, in the order of the vocabulary (and so of the Home Office tables)."""
    order: list[str] = []
    for term in _tactics({term.code for term in TACTICS}):
        if is_force(term.code) and term.home_office not in order:
            order.append(term.home_office)
    return order
