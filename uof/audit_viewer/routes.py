"""The audit log for auditors, who read the log but never a report. Every view and export of the log is itself
written to the log (audit.view, audit.export). Other roles get 403.

Checking the hash chain reads and re-hashes every entry, which grows with the log, so it runs only on request
(``?verify=1``, the "Check the chain" button); each page shows how many entries the log holds.
"""

from __future__ import annotations

from datetime import datetime

from flask import Response, abort, render_template, request, stream_with_context
from flask_login import current_user

from uof.audit_viewer import bp
from uof.audit_viewer.forms import AuditFilterForm
from uof.extensions import db
from uof.security import roles_required
from uof.services import audit, audit_log
from uof.services.reports import MAX_ID
from uof.uktime import LONDON

AUDITOR = "auditor"


def _form() -> tuple[AuditFilterForm, bool]:
    form = AuditFilterForm(formdata=request.args, actions=audit_log.actions())
    return form, form.validate()


def _raw_filters() -> dict[str, str]:
    """What was asked for, cut short, for the log of a refused (invalid) request."""
    keys = ("user", "action", "object", "date_from", "date_to")
    return {key: request.args.get(key, "")[:80] for key in keys if request.args.get(key)}


@bp.get("/audit")
@roles_required(AUDITOR)
def index() -> tuple[str, int]:
    form, valid = _form()
    verify = request.args.get("verify") == "1"
    verification = audit.verify() if verify else None
    shown = audit_log.page(form.filters(), before=form.before.data, after=form.after.data) if valid else None
    detail = {**(form.filters().describe() if valid else _raw_filters()), "valid": valid}
    if verify:
        detail["verified"] = True
    audit.record("audit.view", actor=current_user, detail=detail)
    db.session.commit()
    query = {key: value for key, value in request.args.items() if key in ("user", "action", "object", "date_from",
                                                                          "date_to") and value}
    page = render_template("audit_viewer/index.html", form=form, page=shown, verification=verification,
                           entries=audit_log.newest_seq(), query=query)
    return page, 200 if valid else 400


@bp.get("/audit.csv")
@roles_required(AUDITOR)
def export() -> Response | tuple[str, int]:
    form, valid = _form()
    if not valid:
        audit.record("audit.view", actor=current_user, detail={**_raw_filters(), "valid": False, "export": True})
        db.session.commit()
        return render_template("audit_viewer/index.html", form=form, page=None, verification=None,
                               entries=audit_log.newest_seq(), query={}), 400
    filters = form.filters()
    audit.record("audit.export", actor=current_user, detail=filters.describe())
    db.session.commit()
    stamp = datetime.now(LONDON).strftime("%Y%m%d-%H%M")
    return Response(
        stream_with_context(audit_log.csv_lines(filters)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="audit-log-{stamp}.csv"'},
    )


@bp.get("/audit/report/<int:report_id>")
@roles_required(AUDITOR)
def report(report_id: int) -> str:
    if not 0 < report_id <= MAX_ID:
        abort(404)
    history = audit_log.report_history(report_id)
    audit.record("audit.view", actor=current_user, detail={"report": history.reference})
    db.session.commit()
    return render_template("audit_viewer/report.html", history=history)
