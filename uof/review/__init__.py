"""Supervisors review and sign off their teams' reports: the queue, the report with the decision form."""

from flask import Blueprint

bp = Blueprint("review", __name__)

from uof.review import routes  # noqa: E402,F401  (routes register themselves on bp)
