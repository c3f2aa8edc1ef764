"""Population baselines (load and read) and the disproportionality figures for a period.

The counting is one query grouped by area and recorded ethnicity; the arithmetic is ``uof.domain.disproportionality``.
Every report whose incident falls in the period counts, whatever its review status: a report records force that
was used, and a review does not undo it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select

from uof.domain import disproportionality as dp
from uof.extensions import db
from uof.models import PopulationBaseline, Report, ReportVersion, User, utcnow
from uof.services import audit
from uof.services.exports import Period
from uof.services.figures import Filters, PolicyCount, policies_in_force

CENSUS_SOURCE = ("ONS Census 2021 TS021 'Ethnic group', usual residents, released 29 November 2022 "
                 "(Nomis census2021-ts021); Open Government Licence v3.0")


def load_baselines(text: str, source: str, *, actor: User | None = None) -> list[dp.Baseline]:
    """Replace the baselines of every area in the CSV ``text`` (all or nothing; ``BaselineError`` if bad)."""
    source = source.strip()
    if not source or len(source) > 300:
        raise dp.BaselineError("the source must be given, in at most 300 characters")
    rows = dp.parse_baselines(text)
    areas = sorted({row.area for row in rows})
    db.session.execute(delete(PopulationBaseline).where(PopulationBaseline.area.in_(areas)))
    now = utcnow()
    db.session.add_all(PopulationBaseline(area=row.area, ethnic_group=row.group, population=row.population,
                                          source=source, loaded_at=now) for row in rows)
    audit.record("population.load", actor=actor, actor_label=None if actor else "command line",
                 object_type="population_baselines", object_id=None,
                 detail={"areas": areas, "rows": len(rows), "source": source})
    return rows


@dataclass(frozen=True)
class BaselineInfo:
    populations: dict[str, dict[str, int]]  # area -> group -> residents
    sources: tuple[str, ...]
    loaded_at: datetime | None


def baselines() -> BaselineInfo:
    populations: dict[str, dict[str, int]] = defaultdict(dict)
    sources: list[str] = []
    loaded: datetime | None = None
    for row in db.session.scalars(select(PopulationBaseline).order_by(PopulationBaseline.area)):
        populations[row.area][row.ethnic_group] = row.population
        if row.source not in sources:
            sources.append(row.source)
        loaded = row.loaded_at if loaded is None or row.loaded_at > loaded else loaded
    complete = {area: groups for area, groups in populations.items() if all(g in groups for g in dp.GROUPS)}
    return BaselineInfo(complete, tuple(sources), loaded)


@dataclass(frozen=True)
class Figures:
    period: Period
    areas: tuple[dp.AreaFigures, ...]
    without_baseline: dict[str, int]  # area (or "" for none recorded) -> reports in no table
    baseline: BaselineInfo
    policy_versions: tuple[PolicyCount, ...]

    @property
    def reports_without_baseline(self) -> int:
        return sum(self.without_baseline.values())


def counts(period: Period) -> dict[str, dict[str | None, int]]:
    """Reports in the period by area ("" when none) and recorded ethnicity code (None when missing)."""
    start, end = period.utc_bounds
    content: Any = ReportVersion.content
    ethnicity = content[("subject", "ethnicity")].as_string()
    rows = db.session.execute(
        select(Report.area, ethnicity, func.count())
        .join(ReportVersion, (ReportVersion.report_id == Report.id) & (ReportVersion.version == Report.version))
        .where(Report.incident_at >= start, Report.incident_at < end)
        .group_by(Report.area, ethnicity)
    ).all()
    out: dict[str, dict[str | None, int]] = defaultdict(dict)
    for area, code, count in rows:
        bucket = out[area or ""]
        bucket[code] = bucket.get(code, 0) + int(count)
    return out


def figures(period: Period, *, threshold: int = dp.DEFAULT_THRESHOLD) -> Figures:
    info = baselines()
    by_area = counts(period)
    tables: list[dp.AreaFigures] = []
    for area, populations in info.populations.items():
        grouped: dict[str, int] = defaultdict(int)
        not_recorded = 0
        for code, count in by_area.get(area, {}).items():
            group = dp.census_group(code)
            if group is None:
                not_recorded += count
            else:
                grouped[group] += count
        if not grouped and not not_recorded:
            continue  # an area of the force with no reports in the period: no table
        tables.append(dp.area_figures(area, grouped, populations, not_recorded=not_recorded, threshold=threshold))
    without = {area: sum(codes.values()) for area, codes in by_area.items() if area not in info.populations}
    return Figures(period, tuple(tables), without, info,
                   policies_in_force(Filters(period)))
