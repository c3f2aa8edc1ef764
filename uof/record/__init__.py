"""The officer's recording journey: server-rendered pages for recording, drafts, own reports and amendments."""

from flask import Blueprint

bp = Blueprint("record", __name__)

from uof.record import routes  # noqa: E402,F401  (routes register themselves on bp)
