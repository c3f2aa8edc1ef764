"""The in-app alert inbox: every alert lands here, whether or not a device could be reached by Web Push."""

from flask import Blueprint

bp = Blueprint("alerts", __name__)

from uof.alerts import routes  # noqa: E402,F401  (routes register themselves on bp)
