"""``GET /governance/home-office.csv?year=YYYY``: the annual return to the Home Office, for governance only; each
download is audited."""

from __future__ import annotations

from flask import Response, current_app, request
from flask_login import current_user

from uof.domain.home_office_tables import YearError, parse_year
from uof.extensions import db
from uof.governance import bp
from uof.security import roles_required
from uof.services import audit, exports, home_office

# Shown in the return's "Police force" cell until the deployment names its force (UOF_FORCE_NAME).
UNNAMED_FORCE = "Police force not named (set UOF_FORCE_NAME)"


@bp.get("/governance/home-office.csv")
@roles_required("governance")
def home_office_csv() -> Response:
    """The financial year starting 1 April ``year``; a missing or malformed year, one before national recording
    began (2017) or after next year is a 400 with a plain-text message saying what to change."""
    today = exports.today_in_uk()
    try:
        year = parse_year(request.args.get("year"), today)
    except YearError as error:
        return Response(f"{error}\n", status=400, mimetype="text/plain")
    force = current_app.config.get("UOF_FORCE_NAME") or UNNAMED_FORCE
    annual = home_office.annual_return(year, force, today)
    audit.record("export.home_office", actor=current_user, object_type="export", object_id="home_office",
                 detail={"year": year, "reports": annual.incidents})
    db.session.commit()
    response = Response(annual.text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{annual.filename}"'
    return response
