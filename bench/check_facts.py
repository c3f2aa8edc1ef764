"""Whether a database's facts and running totals are exactly what the app computes from its reports.

    .venv/bin/python bench/synthetic_force.py --reports 3000 --path /tmp/uof-3k.sqlite3
    .venv/bin/python bench/check_facts.py --database-url sqlite:////tmp/uof-3k.sqlite3

It reads every fact and total, recomputes them as ``flask --app wsgi uof facts rebuild`` does, compares the two and
rolls the recomputation back, so the database is left as it was. For a build of ``bench/synthetic_force.py`` (which
writes facts and totals itself), or a database after a migration that backfilled them. Exits 1 on a difference.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select

from uof import create_app
from uof.extensions import db
from uof.models import FactCrossTotal, FactTotal, ReportFact
from uof.services import facts

MODELS = {"facts": ReportFact, "totals": FactTotal, "cross totals": FactCrossTotal}


def stored() -> dict[str, set[tuple[object, ...]]]:
    return {name: {tuple(getattr(row, column.name) for column in model.__table__.columns)
                   for row in db.session.scalars(select(model))} for name, model in MODELS.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    os.environ.setdefault("UOF_INSTANCE_PATH", tempfile.mkdtemp(prefix="uof-check-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url})
    with app.app_context():
        before = stored()
        facts.rebuild()
        after = stored()
        db.session.rollback()
    differ = False
    for name in MODELS:
        missing, extra = after[name] - before[name], before[name] - after[name]
        print(f"{name:13} {len(before[name]):>10,} stored  {len(after[name]):>10,} recomputed  "
              f"{'the same' if not missing and not extra else f'{len(missing)} missing, {len(extra)} extra'}")
        differ = differ or bool(missing or extra)
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
