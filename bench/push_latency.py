"""From a Taser-discharge report's submission to its encrypted alert arriving at the supervisor's push service.

    .venv/bin/python bench/push_latency.py                       # SQLite in a temporary folder
    .venv/bin/python bench/push_latency.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/uof_bench

gunicorn (2 workers) serves the app on loopback with no scheduler running, so every push is sent by the web
worker right after the submission's commit. The supervisor has two devices registered with the fake push service
of the tests, which verifies each VAPID signature and decrypts each payload. The script submits the reports one
after another and prints, for each, the time from sending the request to both devices having the alert, and
asserts none. The PostgreSQL database must exist and be empty; the script migrates it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary folder")
    parser.add_argument("--reports", type=int, default=50)
    args = parser.parse_args()

    import requests

    from tests.browser.conftest import ServerProcess
    from tests.conftest import _app_for
    from tests.factories import PASSWORD, make_user, report_body
    from tests.pushservice import FakePushService
    from uof.extensions import db

    instance = Path(tempfile.mkdtemp(prefix="uof-bench-push-"))
    server = ServerProcess(instance)
    if args.database_url:
        server.database = args.database_url
        from flask_migrate import upgrade

        app = _app_for(server.database, instance)
        with app.app_context():
            upgrade()
            from tests.factories import make_team
            make_team("Birmingham Central A", "Birmingham")
            make_user("pc.browser@example.org", "officer", teams=("Birmingham Central A",), force_number="4321")
            db.engine.dispose()
    app = _app_for(server.database, instance)
    with app.app_context():
        make_user("ps.bench@example.org", "supervisor", "officer", teams=("Birmingham Central A",),
                  force_number="2001")
        db.engine.dispose()
    server.start({"UOF_PUSH_ALLOWED_HOSTS": "127.0.0.1", "UOF_VAPID_SUBJECT": "mailto:bench@example.org"})

    def session(username: str) -> requests.Session:
        client = requests.Session()
        page = client.get(f"{server.url}/login", timeout=10).text
        token = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
        client.post(f"{server.url}/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
                    timeout=10)
        client.headers["X-CSRFToken"] = client.get(f"{server.url}/api/v1/session", timeout=10).json()["csrf_token"]
        return client

    try:
        sergeant = session("ps.bench@example.org")
        key = sergeant.get(f"{server.url}/api/v1/push/key", timeout=10).json()["public_key"]
        with FakePushService(expected_public_key=key) as push_service:
            for _ in range(2):
                sergeant.post(f"{server.url}/api/v1/push/subscriptions", json=push_service.subscription(),
                              timeout=10).raise_for_status()
            officer = session("4321")
            latencies = []
            for n in range(args.reports):
                body = report_body(tactics=[{"code": "ced_fired", "effective": True}], ced_carried=True,
                                   incident_reference=f"CAD-{n:04d}")
                started = time.monotonic()
                officer.post(f"{server.url}/api/v1/reports", json=body, timeout=10).raise_for_status()
                push_service.wait_for(2 * (n + 1), timeout=30)
                latencies.append((time.monotonic() - started) * 1000)
    finally:
        server.stop()

    latencies.sort()
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"{backend}: {len(latencies)} Taser reports, submission to both devices' push service")
    print(f"  p50 {statistics.median(latencies):.1f} ms   p95 {latencies[int(0.95 * (len(latencies) - 1))]:.1f} ms"
          f"   max {latencies[-1]:.1f} ms")


if __name__ == "__main__":
    main()
