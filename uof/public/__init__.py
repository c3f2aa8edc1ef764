"""The public transparency page and open data: aggregated, anonymised, small numbers suppressed; no login."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from uof.public import routes  # noqa: E402,F401  (routes register themselves on bp)
