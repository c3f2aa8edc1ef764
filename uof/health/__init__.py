"""Probes for the load balancer and the process supervisor: is the process up, and can it serve."""

from flask import Blueprint

bp = Blueprint("health", __name__)

from uof.health import routes  # noqa: E402,F401  (routes register themselves on bp)
