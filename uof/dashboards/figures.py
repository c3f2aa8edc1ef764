"""The team dashboard's charts, drawn from its figures: what each bar says and how it is labelled."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from uof.dashboards.charts import INLINE, BarChart, Row, bar_chart
from uof.domain.vocabulary import TACTICS
from uof.services.team_stats import TeamDashboard, ordinal
from uof.uktime import MONTHS


def day_month(day: date) -> str:
    """Like "3 Mar": a week's Monday on a chart, where the year is in the table below it."""
    return f"{day.day} {MONTHS[day.month - 1]}"


def long_date(day: date) -> str:
    return f"{day_month(day)} {day.year}"


def count_and_share(count: int, share: float | None) -> str:
    return f"{count} ({share:.0f}%)" if share is not None else str(count)


@dataclass(frozen=True)
class Charts:
    weeks: BarChart
    tactics: BarChart
    statuses: BarChart
    officers: BarChart
    bwv: BarChart


def charts(dashboard: TeamDashboard) -> Charts:
    officers = dashboard.officers
    markers = [
        (name, value) for name, value in (
            ("Team median", officers.median),
            (f"Team {percentile_name(officers.settings.percentile)}", officers.percentile_level),
            ("Warning level", officers.settings.warning),
        ) if value is not None
    ]
    bwv = dashboard.bwv
    return Charts(
        weeks=bar_chart([Row(day_month(week.monday), week.reports) for week in dashboard.weeks], layout=INLINE),
        tactics=bar_chart([Row(item.category, item.reports, count_and_share(item.reports, item.share))
                           for item in dashboard.tactics]),
        statuses=bar_chart([Row(item.label, item.reports) for item in dashboard.statuses]),
        officers=bar_chart([Row(officer_label(row.officer.name, row.officer.force_number), row.reports,
                                flags=tuple(row.flags))
                            for row in officers.officers], markers=markers),
        bwv=bar_chart([Row(label, bwv.of_reports(part) or 0, part_of(part, bwv.reports))
                       for label, part in bwv_parts(dashboard)], full=100),
    )


def bwv_parts(dashboard: TeamDashboard) -> list[tuple[str, int]]:
    bwv = dashboard.bwv
    return [("Camera worn", bwv.worn), ("Camera recording", bwv.recording),
            ("Footage reference given", bwv.referenced)]


def part_of(part: int, whole: int) -> str:
    """Like "83% (10 of 12)"."""
    return f"{100 * part / whole:.0f}% ({part} of {whole})" if whole else "No reports"


def officer_label(name: str, force_number: str | None) -> str:
    return f"{name} ({force_number})" if force_number else name


def percentile_name(p: int) -> str:
    return f"{ordinal(p)} percentile"


def tactic_labels(codes: Iterable[str]) -> str:
    """Like "tactical communication or handcuffing – compliant", in vocabulary order, to go in a sentence."""
    chosen = set(codes)
    return " or ".join(in_sentence(term.label) for term in TACTICS if term.code in chosen)


def in_sentence(label: str) -> str:
    """A label's capital dropped for the middle of a sentence, unless it starts an abbreviation (CS, AEP)."""
    return label[0].lower() + label[1:] if label[1:2].islower() else label
