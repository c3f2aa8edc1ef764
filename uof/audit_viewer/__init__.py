"""The audit log viewer, for auditors: the filtered log, a report's history and the CSV export."""

from flask import Blueprint

bp = Blueprint("audit_viewer", __name__)

from uof.audit_viewer import routes  # noqa: E402,F401  (routes register themselves on bp)
