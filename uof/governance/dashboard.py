"""``GET /governance``: the force-wide governance dashboard, for the governance role; each view is audited.

Every figure on it comes from ``uof.services.governance.overview``, the one source the quarterly pack and its print
page read too, so the three agree. This module only reads the filters, lays the figures out as charts and builds
the links that carry the filters to the downloads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from flask import render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from uof.dashboards.charts import INLINE, BarChart, bar_chart
from uof.dashboards.charts import Row as Bar
from uof.dashboards.figures import count_and_share, long_date
from uof.extensions import db
from uof.governance import bp
from uof.models import Team
from uof.security import roles_required
from uof.services import audit, exports, figures, governance
from uof.services.figures import Filters
from uof.services.pack import Quarter, month_text, quarter_of

TEMPLATE = "governance/dashboard.html"
# Where the quarterly pack and the Home Office return are served (API.md).
PACK_XLSX = "/governance/pack.xlsx"
PACK_PRINT = "/governance/pack"
HOME_OFFICE_CSV = "/governance/home-office.csv"


@dataclass(frozen=True)
class PeriodLink:
    label: str
    href: str
    current: bool


@dataclass(frozen=True)
class Downloads:
    """Where each download of the filtered figures is, every link carrying the filters on screen."""

    records_csv: str
    quarter: Quarter  # the quarter of the financial year in which the period starts: the pack's and the return's
    pack_xlsx: str
    pack_print: str
    home_office_csv: str
    disproportionality: str


def _narrowing(filters: Filters) -> dict[str, str]:
    """The filters other than the period, as query parameters."""
    return {name: value for name, value in filters.query().items() if name not in ("from", "to")}


def _link(path: str, query: Mapping[str, str | int]) -> str:
    return f"{path}?{urlencode(query)}"


def downloads(filters: Filters) -> Downloads:
    quarter = quarter_of(filters.period.start)
    pack_query = {"quarter": quarter.code, **_narrowing(filters)}
    return Downloads(
        records_csv=_link(url_for("governance.export_csv"), filters.query()),
        quarter=quarter,
        pack_xlsx=_link(PACK_XLSX, pack_query),
        pack_print=_link(PACK_PRINT, pack_query),
        home_office_csv=_link(HOME_OFFICE_CSV, {"year": quarter.year}),
        # That page takes a period only.
        disproportionality=_link(url_for("governance.disproportionality_page"), Filters(filters.period).query()),
    )


def period_links(today: date, filters: Filters | None) -> list[PeriodLink]:
    """This quarter, the last one and this financial year, keeping the other filters on screen."""
    this_quarter = exports.financial_quarter(today)
    last_quarter = exports.financial_quarter(this_quarter.start - timedelta(days=1))
    kept = filters or Filters(this_quarter)
    return [PeriodLink(label, _link(url_for("governance.dashboard"), kept.with_period(period).query()),
                       filters is not None and period == filters.period)
            for label, period in ((f"This quarter ({quarter_of(today).title})", this_quarter),
                                  (f"Last quarter ({quarter_of(last_quarter.start).title})", last_quarter),
                                  (f"This financial year ({quarter_of(today).financial_year})",
                                   exports.financial_year(today)))]


def filter_options() -> dict[str, list[tuple[str, str]]]:
    """Each filter's choices as (value, label): the force's areas, its teams by name, the types of force."""
    teams = db.session.scalars(select(Team).order_by(Team.name))
    return {"area": [(area, area) for area in figures.areas()],
            "team": [(str(team.id), f"{team.name} ({team.area})" if team.area else team.name) for team in teams],
            "group": [(group, group) for group in figures.FORCE_GROUPS]}


def _bars(rows: Iterable[governance.Row]) -> list[Bar]:
    return [Bar(row.label, row.reports, count_and_share(row.reports, row.share)) for row in rows]


def charts(overview: governance.Overview) -> dict[str, BarChart]:
    """One chart per section, by the key the template names it with."""
    drawn = {"monthly": bar_chart([Bar(month_text(month.start), month.reports) for month in overview.monthly],
                                  layout=INLINE),
             "review": bar_chart(_bars(overview.review.rows)),
             "not_reported": bar_chart(_bars(overview.quality.not_reported))}
    for breakdown in (*overview.breakdowns, overview.bwv):
        drawn[breakdown.key] = bar_chart(_bars(breakdown.rows))
    return drawn


def _describe(filters: Filters) -> str:
    """The filters in words, like "in Birmingham, of the team Birmingham Central A, using less lethal weapons"."""
    team = db.session.get(Team, filters.team_id) if filters.team_id is not None else None
    parts = [f"in {filters.area}" if filters.area else "", f"of the team {team.name}" if team else "",
             f"using {filters.tactic_group.lower()}" if filters.tactic_group else ""]
    return ", ".join(part for part in parts if part)


@bp.get("/governance")
@roles_required("governance")
def dashboard() -> tuple[str, int]:
    """``?from=YYYY-MM-DD&to=YYYY-MM-DD&area=…&team=<id>&group=<type of force>`` (``figures.parse_filters``);
    no dates: the current financial-year quarter.

    Bad filters are a 400 with the form and what to change, and no figures.
    """
    today = exports.today_in_uk()
    options = filter_options()
    try:
        filters = figures.parse_filters(request.args, today)
    except (figures.PeriodError, figures.FilterError) as error:
        field = error.field or "from"
        return render_template(TEMPLATE, overview=None, error={"message": str(error), "field": field},
                               raw=request.args, period_links=period_links(today, None), options=options), 400
    overview = governance.overview(filters)
    audit.record("governance.dashboard.view", actor=current_user, object_type="governance", object_id="dashboard",
                 detail={**filters.query(), "reports": overview.total})
    db.session.commit()
    return render_template(
        TEMPLATE, overview=overview, error=None, raw=filters.query(), period_links=period_links(today, filters),
        downloads=downloads(filters), charts=charts(overview), described=_describe(filters),
        long_date=long_date, month_text=month_text, options=options), 200
