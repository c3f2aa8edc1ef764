"""The quarterly governance pack: ``GET /governance/pack.xlsx`` (the workbook) and ``GET /governance/pack`` (the
same figures as a page to print). Governance only; each download and each view is audited.

Both take ``quarter=YYYYQn`` (the financial year starting in April YYYY; missing: the current quarter by today's
UK date) and the governance dashboard's filters ``area``, ``team`` and ``group``
(``uof.services.figures.parse_filters``), so that what is downloaded or printed is what was on screen.
"""

from __future__ import annotations

from tempfile import SpooledTemporaryFile
from typing import Any

from flask import Response, render_template, request, send_file, url_for
from flask_login import current_user

from uof.extensions import db
from uof.governance import bp
from uof.governance.dashboard import charts
from uof.security import roles_required
from uof.services import audit, exports, figures, pack
from uof.services.governance import Row

# The workbook stays in memory up to this size, then goes to a temporary file until it has been sent.
IN_MEMORY_BYTES = 16 * 1024 * 1024


def _requested_pack() -> pack.Pack:
    """The pack the query asks for; raises ``QuarterError`` or ``FilterError`` with what to change."""
    today = exports.today_in_uk()
    quarter = pack.parse_quarter(request.args.get("quarter"), today)
    filters = figures.parse_filters({name: request.args.get(name, "") for name in pack.FILTER_ARGS}, today)
    return pack.make_pack(quarter, filters)


def _audit(action: str, made: pack.Pack) -> None:
    audit.record(action, actor=current_user, object_type="governance_pack", object_id=made.quarter.code,
                 detail={"quarter": made.quarter.code, "filters": made.filter_args, "reports": made.overview.total})
    db.session.commit()


@bp.get("/governance/pack.xlsx")
@roles_required("governance")
def pack_xlsx() -> Response:
    """The workbook, named ``governance-pack-YYYY-YY-Qn.xlsx``; a bad quarter or filter is a plain-text 400."""
    try:
        made = _requested_pack()
    except (pack.QuarterError, figures.FilterError) as error:
        return Response(f"{error}\n", status=400, mimetype="text/plain")
    # Closed by the response once sent.
    file = SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)  # noqa: SIM115
    try:
        pack.write_workbook(made, file)
    except BaseException:
        file.close()
        raise
    # Audited once the workbook is made. Not before: making it loads the reports in batches and clears the
    # session after each, so an audit committed first would leave the logged-in user expired and detached.
    _audit("export.pack", made)
    size = file.tell()
    file.seek(0)
    response = send_file(file, mimetype=pack.XLSX_MIMETYPE, as_attachment=True,
                         download_name=made.quarter.filename)
    response.content_length = size
    return response


@bp.get("/governance/pack")
@roles_required("governance")
def pack_page() -> tuple[str, int]:
    """The pack to print (or read on a phone); a bad quarter or filter is a 400 page saying what to change."""
    raw_quarter = request.args.get("quarter", "")
    try:
        made = _requested_pack()
    except (pack.QuarterError, figures.FilterError) as error:
        # The form keeps the filters for a new quarter, but not a filter that was itself refused.
        kept = {} if isinstance(error, figures.FilterError) else {
            name: request.args.get(name, "") for name in pack.FILTER_ARGS}
        return render_template("governance/pack.html", made=None, error=str(error), raw_quarter=raw_quarter,
                               filter_args=kept), 400
    _audit("governance.pack.view", made)
    download: dict[str, Any] = {"quarter": made.quarter.code, **made.filter_args}
    overview = made.overview
    monthly = tuple(Row(pack.month_text(month.start), month.reports, None) for month in overview.monthly)
    return render_template(
        "governance/pack.html", made=made, error=None, raw_quarter=made.quarter.code, filter_args=made.filter_args,
        monthly=monthly, charts=charts(overview), notes=pack.METHOD_NOTES, day_text=pack.day_text,
        xlsx_url=url_for("governance.pack_xlsx", **download)), 200
