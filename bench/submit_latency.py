"""Submission latency through the JSON API, in-process (no network), on SQLite or PostgreSQL.

    .venv/bin/python bench/submit_latency.py                       # SQLite in a temporary folder
    .venv/bin/python bench/submit_latency.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/uof_bench

The PostgreSQL database must exist and be empty; the script migrates it. It prints figures and asserts none.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PASSWORD = "bench-password-2026"


def _body(index: int) -> dict[str, Any]:
    return {
        "client_id": str(uuid.uuid4()),
        "incident_at": (datetime.now(UTC) - timedelta(hours=1, minutes=index % 600)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "incident_reference": f"CAD-{index:05d}-BENCH",
        "locations": ["street_highway"],
        "subject": {"age_band": "age_18_34", "gender": "male", "ethnicity": "white", "health_condition": "none"},
        "conduct": "active_resistance", "impact_factors": ["alcohol"], "reasons": ["protect_self", "effect_arrest"],
        "tactics": [{"code": "non_compliant_handcuffing", "effective": True}],
        "officer_injury": {"injured": False, "intentional_assault": False, "level": "none"},
        "subject_injury": {"injured": False, "level": "none", "medical_assistance": "none"},
        "outcomes": ["arrested"], "single_crewed": False, "ced_trained": False, "ced_carried": False,
        "bwv": {"worn": True, "recording": True, "reference": f"BWV-{index}", "viewed_before_account": False},
        "narrative": "Resisted handcuffing. " * 20,
    }


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary folder")
    parser.add_argument("--reports", type=int, default=500)
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="uof-bench-"))
    os.environ.update(UOF_INSTANCE_PATH=str(instance), UOF_SECRET_KEY="bench-" + "z" * 40,
                      UOF_DATABASE_URL=args.database_url or f"sqlite:///{instance / 'uof.sqlite3'}")
    from flask_migrate import upgrade

    from uof import create_app
    from uof.extensions import db
    from uof.services import accounts

    app = create_app({"RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        accounts.create_team("Bench Team", "Birmingham")
        accounts.create_user(email="bench@example.org", name="Bench Officer", roles=["officer"],
                             password=PASSWORD, teams=["Bench Team"])
        db.session.commit()
        backend = db.engine.dialect.name

    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf-token" content="')[1].split('"')[0]
    client.post("/login", data={"username": "bench@example.org", "password": PASSWORD, "csrf_token": token})
    csrf = client.get("/api/v1/session").get_json()["csrf_token"]

    bodies = [_body(index) for index in range(args.reports)]
    latencies: list[float] = []
    started = time.perf_counter()
    for body in bodies:
        begin = time.perf_counter()
        response = client.post("/api/v1/reports", json=body, headers={"X-CSRFToken": csrf})
        latencies.append((time.perf_counter() - begin) * 1000)
        if response.status_code != 201:
            raise SystemExit(f"unexpected {response.status_code}: {response.get_data(as_text=True)}")
    elapsed = time.perf_counter() - started

    retry_latencies = []
    for body in bodies[:100]:
        begin = time.perf_counter()
        assert client.post("/api/v1/reports", json=body, headers={"X-CSRFToken": csrf}).status_code == 200
        retry_latencies.append((time.perf_counter() - begin) * 1000)

    print(f"backend: {backend}; {args.reports} submissions, one officer, in-process test client")
    print(f"submission ms: p50 {statistics.median(latencies):.1f}  p95 {_percentile(latencies, 0.95):.1f}  "
          f"p99 {_percentile(latencies, 0.99):.1f}  max {max(latencies):.1f}")
    print(f"throughput: {args.reports / elapsed:.0f} submissions/s (sequential)")
    print(f"idempotent retry ms: p50 {statistics.median(retry_latencies):.1f}  "
          f"p95 {_percentile(retry_latencies, 0.95):.1f}")


if __name__ == "__main__":
    main()
