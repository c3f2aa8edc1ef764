from flask import Blueprint

bp = Blueprint("api", __name__)

from uof.api import routes  # noqa: E402,F401  (routes register themselves on bp)
