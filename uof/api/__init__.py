from flask import Blueprint

bp = Blueprint("api", __name__)

from uof.api import (  # noqa: E402  (the route modules register themselves on bp)
    alert_routes,  # noqa: F401
    push_routes,  # noqa: F401
    review_routes,  # noqa: F401
    routes,  # noqa: F401
)
