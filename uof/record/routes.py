from flask import redirect, url_for

from uof.record import bp


@bp.get("/")
def home():
    return redirect(url_for("record.my_reports"))


@bp.get("/record")
def start():
    return "start"


@bp.get("/reports")
def my_reports():
    return "mine"


@bp.get("/reports/<int:report_id>")
def report(report_id):
    return "report"
