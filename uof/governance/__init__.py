"""Governance and transparency: exports for the force's governance board (each download is audited)."""

from flask import Blueprint

bp = Blueprint("governance", __name__)

from uof.governance import dashboard, disproportionality, home_office, pack, routes, samples  # noqa: E402,F401  (routes register themselves on bp)
