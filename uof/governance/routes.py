"""Governance exports. Only the governance role may download them; every download is audited."""

from __future__ import annotations

from flask import Response, request, stream_with_context
from flask_login import current_user

from uof.extensions import db
from uof.governance import bp
from uof.security import roles_required
from uof.services import audit, exports


@bp.get("/governance/export.csv")
@roles_required("governance")
def export_csv() -> Response:
    """``GET /governance/export.csv?from=YYYY-MM-DD&to=YYYY-MM-DD``: one row per report whose incident's UK date
    is in the period, both ends included.

    With neither ``from`` nor ``to`` the period is the current financial-year quarter (Q1 April-June ... Q4
    January-March, by today's UK date). Only one of them, a malformed or impossible date, or ``to`` before
    ``from`` is a 400 with a plain-text message saying what to change.
    """
    try:
        period = exports.parse_period(request.args.get("from"), request.args.get("to"), exports.today_in_uk())
    except exports.PeriodError as error:
        return Response(f"{error}\n", status=400, mimetype="text/plain")
    ids = exports.report_ids(period)
    audit.record("export.csv", actor=current_user, object_type="export", object_id="records",
                 detail={"from": period.start.isoformat(), "to": period.end.isoformat(), "rows": len(ids)})
    db.session.commit()
    response = Response(stream_with_context(exports.csv_lines(ids)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{period.filename}"'
    return response
