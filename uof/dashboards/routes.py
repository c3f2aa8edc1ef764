"""The team dashboard, for the team's supervisors and for governance; each view of a team's figures is audited.

Who may see what: a supervisor sees the teams they supervise, governance every team. A team the caller may
not see is 404, as if it did not exist; roles that never see a dashboard (officers, admins, auditors) get 403.
"""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from uof.dashboards import bp
from uof.dashboards.figures import (
    bwv_parts,
    charts,
    long_date,
    officer_label,
    part_of,
    percentile_name,
    tactic_labels,
)
from uof.dashboards.forms import PeriodForm
from uof.extensions import db
from uof.models import Team, User
from uof.security import roles_required
from uof.services import audit, team_stats
from uof.services.reports import MAX_ID

DASHBOARD_ROLES = ("supervisor", "governance")


def _teams_of(user: User) -> list[Team]:
    """The teams whose dashboards ``user`` may see, by name."""
    if user.has_role("governance"):
        return list(db.session.scalars(select(Team).order_by(Team.name)))
    return sorted(user.supervised, key=lambda team: team.name.casefold())


def _visible_team(user: User, team_id: int) -> Team | None:
    if not 0 < team_id <= MAX_ID:
        return None
    team = db.session.get(Team, team_id)
    if team is None or not (user.has_role("governance") or team in user.supervised):
        return None
    return team


@bp.get("/team")
@roles_required(*DASHBOARD_ROLES)
def index() -> str | Response:
    """A supervisor goes straight to their (first) team; governance chooses from every team."""
    teams = _teams_of(current_user)
    if teams and not current_user.has_role("governance"):
        return redirect(url_for("dashboards.team", team_id=teams[0].id))
    return render_template("dashboards/teams.html", teams=teams)


@bp.get("/team/<int:team_id>")
@roles_required(*DASHBOARD_ROLES)
def team(team_id: int) -> tuple[str, int]:
    shown = _visible_team(current_user, team_id) or abort(404)
    form = PeriodForm(formdata=request.args)
    valid = not request.args or form.validate()
    weeks = int(form.weeks.data) if valid and form.weeks.data else team_stats.DEFAULT_WEEKS
    if not valid:
        form.weeks.data = str(weeks)
    dashboard = team_stats.for_team(shown, weeks=weeks)
    audit.record("dashboard.view", actor=current_user, object_type="team", object_id=shown.id,
                 detail={"weeks": weeks})
    db.session.commit()
    page = render_template(
        "dashboards/team.html", d=dashboard, charts=charts(dashboard), form=form,
        other_teams=[team for team in _teams_of(current_user) if team.id != shown.id],
        bwv_parts=bwv_parts(dashboard), part_of=part_of, long_date=long_date, officer_label=officer_label,
        percentile_name=percentile_name(dashboard.officers.settings.percentile), not_counted_labels=tactic_labels,
    )
    return page, 200 if valid else 400
