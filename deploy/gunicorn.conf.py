"""gunicorn in production: ``gunicorn --config deploy/gunicorn.conf.py wsgi:app`` behind the TLS proxy.

Command-line options override these (``--bind``, ``--workers``)."""

import multiprocessing

# Only the proxy on the same host talks to the workers; it terminates TLS and buffers slow phones, so that a
# sync worker is never held by a client on one bar of signal.
bind = "127.0.0.1:8000"
workers = max(2, min(4, multiprocessing.cpu_count() * 2))
worker_class = "sync"
# Longer than the slowest page (the quarterly pack of a Met-sized force takes some 8 s).
timeout = 60
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests, so that no slow growth of memory outlives a day.
max_requests = 2000
max_requests_jitter = 200
# The proxy's X-Forwarded-Proto is believed from the proxy only (the app reads X-Forwarded-For with
# UOF_PROXY_HOPS).
forwarded_allow_ips = "127.0.0.1"
# The app logs every request as JSON without query strings (uof/logs.py); gunicorn's access log would print them.
accesslog = None
errorlog = "-"
loglevel = "info"
