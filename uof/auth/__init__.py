from flask import Blueprint

bp = Blueprint("auth", __name__)

from uof.auth import routes  # noqa: E402,F401  (routes register themselves on bp)
