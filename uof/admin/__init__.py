from flask import Blueprint

bp = Blueprint("admin", __name__)

from uof.admin import routes  # noqa: E402,F401  (routes register themselves on bp)
