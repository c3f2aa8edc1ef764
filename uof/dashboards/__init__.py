"""The supervisor's team dashboard: the team's figures for a period, on a phone and a desktop."""

from flask import Blueprint

bp = Blueprint("dashboards", __name__)

from uof.dashboards import routes  # noqa: E402,F401  (routes register themselves on bp)
