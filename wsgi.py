"""The WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi …``."""

import gc

from uof import create_app, logs

logs.configure()
app = create_app()
# What start-up built lives as long as the process: frozen, it is no longer walked by every full collection (some
# 70 ms each, in the middle of a request), and a forked worker leaves its pages shared.
gc.freeze()
