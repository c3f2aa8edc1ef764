"""``GET /governance/disproportionality``: use of force per 1,000 residents by perceived ethnicity and area, for
governance only; each view is audited."""

from __future__ import annotations

from datetime import date

from flask import render_template, request
from flask_login import current_user

from uof.domain import disproportionality as dp
from uof.extensions import db
from uof.governance import bp
from uof.security import roles_required
from uof.services import audit, disproportionality, exports


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@bp.get("/governance/disproportionality")
@roles_required("governance")
def disproportionality_page() -> tuple[str, int]:
    """``?from=YYYY-MM-DD&to=YYYY-MM-DD`` (both ends included); neither: the current financial-year quarter.

    A bad period is a 400 showing the form with what to change, and the current quarter's figures are not shown.
    """
    raw_from, raw_to = request.args.get("from"), request.args.get("to")
    try:
        period = exports.parse_period(raw_from, raw_to, exports.today_in_uk())
    except exports.PeriodError as error:
        audit.record("disproportionality.view", actor=current_user, object_type="disproportionality",
                     object_id="period", detail={"error": str(error)})
        db.session.commit()
        return render_template("governance/disproportionality.html", error=str(error), figures=None,
                               raw_from=raw_from or "", raw_to=raw_to or "", dp=dp), 400
    figures = disproportionality.figures(period)
    audit.record("disproportionality.view", actor=current_user, object_type="disproportionality",
                 object_id="period", detail={"from": period.start.isoformat(), "to": period.end.isoformat(),
                                             "areas": [area.area for area in figures.areas]})
    db.session.commit()
    return render_template("governance/disproportionality.html", error=None, figures=figures,
                           raw_from=period.start.isoformat(), raw_to=period.end.isoformat(), dp=dp,
                           long_date=long_date), 200
