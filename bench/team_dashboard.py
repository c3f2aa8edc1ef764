"""The team dashboard at a 50-officer team with a few thousand reports, in-process, on SQLite or PostgreSQL.

    .venv/bin/python bench/team_dashboard.py                       # SQLite in a temporary folder
    .venv/bin/python bench/team_dashboard.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/uof_bench

The reports are written straight into the tables (the submission path has its own bench), a year of them spread
over the team's officers. The PostgreSQL database must exist and be empty; the script migrates it. It prints the
time to compute the figures and to serve the whole page, for each period, and asserts none.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PASSWORD = "bench-password-2026"
TACTIC_CHOICES = (["non_compliant_handcuffing"], ["compliant_handcuffing"], ["ced_drawn", "ced_red_dot"],
                  ["unarmed_skills", "ground_restraint", "tactical_communication"], ["irritant_spray_pava_used"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary folder")
    parser.add_argument("--officers", type=int, default=50)
    parser.add_argument("--reports", type=int, default=4000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="uof-bench-"))
    os.environ.update(UOF_INSTANCE_PATH=str(instance), UOF_SECRET_KEY="bench-" + "z" * 40,
                      UOF_DATABASE_URL=args.database_url or f"sqlite:///{instance / 'uof.sqlite3'}")
    from flask_migrate import upgrade

    from uof import create_app
    from uof.extensions import db
    from uof.models import Report, ReportVersion, Team, User
    from uof.services import accounts, team_stats

    app = create_app({"RATELIMIT_ENABLED": False})
    rng = random.Random(2026)  # noqa: S311 (made-up test data, reproducible)
    now = datetime.now(UTC)
    with app.app_context():
        upgrade()
        team = accounts.create_team("Bench Team", "Birmingham")
        accounts.create_user(email="sergeant@bench.example", name="Bench Sergeant", roles=["supervisor"],
                             password=PASSWORD, teams=["Bench Team"])
        officers = [
            accounts.create_user(email=f"pc{n}@bench.example", name=f"PC {n:02d}", roles=["officer"],
                                 password=PASSWORD, teams=["Bench Team"], force_number=f"B{n:04d}")
            for n in range(args.officers)
        ]
        db.session.commit()
        officer_ids = [officer.id for officer in officers]
        for index in range(args.reports):
            incident_at = now - timedelta(minutes=rng.randrange(60, 365 * 24 * 60))
            content = {"tactics": [{"code": code, "effective": True} for code in rng.choice(TACTIC_CHOICES)],
                       "bwv": {"worn": rng.random() < 0.9, "recording": rng.random() < 0.8,
                               "reference": f"BWV-{index}" if rng.random() < 0.7 else None,
                               "viewed_before_account": False},
                       "narrative": "Resisted handcuffing. " * 20}
            officer_id = rng.choice(officer_ids)
            report = Report(client_id=str(uuid.uuid4()), content_hash="0" * 64, officer_id=officer_id,
                            team_id=team.id, status=rng.choice(["submitted", "approved", "returned"]), version=1,
                            policy_version=1, incident_at=incident_at, incident_reference=f"CAD-{index}",
                            submitted_at=incident_at, updated_at=incident_at, awaiting_review_since=incident_at)
            report.versions.append(ReportVersion(version=1, content=content, author_id=officer_id,
                                                 created_at=incident_at))
            db.session.add(report)
        db.session.commit()
        team_id = team.id
        print(f"{args.officers} officers, {args.reports} reports over a year, {db.engine.dialect.name}")
        for weeks in team_stats.PERIOD_WEEKS:
            samples = []
            for _ in range(args.runs):
                started = time.perf_counter()
                team_stats.for_team(db.session.get(Team, team_id), weeks=weeks)
                samples.append(time.perf_counter() - started)
            print(f"figures, {weeks:2d} weeks: median {statistics.median(samples) * 1000:.0f} ms")
        sergeant = db.session.query(User).filter_by(email="sergeant@bench.example").one().email

    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    marker = 'name="csrf-token" content="'
    token = page[page.index(marker) + len(marker):].split('"', 1)[0]
    client.post("/login", data={"username": sergeant, "password": PASSWORD, "csrf_token": token})
    for weeks in (12, 52):
        samples = []
        for _ in range(args.runs):
            started = time.perf_counter()
            response = client.get(f"/team/{team_id}?weeks={weeks}")
            samples.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
        print(f"whole page, {weeks:2d} weeks: median {statistics.median(samples) * 1000:.0f} ms, "
              f"{len(response.data) // 1024} KiB")


if __name__ == "__main__":
    main()
