"""The installable app shell: the web app manifest, the service worker and the offline page."""

from flask import Blueprint

bp = Blueprint("pwa", __name__)

from uof.pwa import routes  # noqa: E402,F401  (routes register themselves on bp)
