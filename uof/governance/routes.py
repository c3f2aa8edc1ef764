"""Governance exports. Only the governance role may download them; every download is audited."""

from __future__ import annotations

from flask import Response, request, stream_with_context
from flask_login import current_user

from uof.extensions import db
from uof.governance import bp
from uof.security import roles_required
from uof.services import audit, exports, figures


@bp.get("/governance/export.csv")
@roles_required("governance")
def export_csv() -> Response:
    """``GET /governance/export.csv?from=YYYY-MM-DD&to=YYYY-MM-DD&area=…&team=…&group=…``: one row per report
    whose incident's UK date is in the period, both ends included, narrowed by the governance dashboard's filters
    (``uof.services.figures.parse_filters``) so that a download holds the reports the screen counted.

    With neither ``from`` nor ``to`` the period is the current financial-year quarter (Q1 April-June ... Q4
    January-March, by today's UK date). Only one of them, a malformed or impossible date, ``to`` before
    ``from``, or an area, team or type of force the force does not have is a 400 with a plain-text message
    saying what to change.
    """
    try:
        filters = figures.parse_filters(request.args, exports.today_in_uk())
    except (figures.PeriodError, figures.FilterError) as error:
        return Response(f"{error}\n", status=400, mimetype="text/plain")
    ids = exports.report_ids(filters)
    audit.record("export.csv", actor=current_user, object_type="export", object_id="records",
                 detail={**filters.query(), "rows": len(ids)})
    db.session.commit()
    response = Response(stream_with_context(exports.csv_lines(ids)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filters.period.filename}"'
    return response
