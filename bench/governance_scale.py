"""The governance figures at a force of the Metropolitan Police's size (``bench/synthetic_force.py``), in-process.

    .venv/bin/python bench/synthetic_force.py                        # once: builds bench/data/uof-1m.sqlite3
    .venv/bin/python bench/governance_scale.py --database-url sqlite:///$PWD/bench/data/uof-1m.sqlite3
    .venv/bin/python bench/synthetic_force.py --backend postgresql   # once: builds uof_bench_1m
    .venv/bin/python bench/governance_scale.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/uof_bench_1m

Measured (``--only pages|early|aggregates|submission`` to pick; ``--help`` for the numbers of runs):

- pages, whole responses through Flask's test client with a logged-in user, p50 and p95 after a first request
  (timed apart, as "first"): the governance dashboard ``GET /governance`` (this quarter; the last financial
  year; that year for one area, one team and one type of force), the quarterly pack
  ``GET /governance/pack.xlsx?quarter=YYYYQn`` (the last complete quarter) and the Home Office return
  ``GET /governance/home-office.csv?year=YYYY`` (the last complete financial year) as governance, and the busiest
  team's dashboard ``GET /team/<id>?weeks=12`` as its sergeant. A route that answers 404 is "not available yet",
  one that fails is reported and the rest still measured;
- early intervention over the whole force: ``uof.services.alert_rules.find_pattern_breaches``, and
  ``evaluate_patterns`` when every alert is new (the first run of a period, rolled back) and when all were
  already raised (every later hour);
- every aggregate of ``uof.services.figures`` (``total_reports``, ``counts``, ``tally`` (by month and policy
  version), ``policy_versions``, ``tactic_cross_tab`` for the dimensions of Home Office tables 2-9) and the
  early-intervention count
  ``alert_rules.officer_counts``, best and median, each against the SQL an analyst would write by hand for the
  same figure over ``reports`` and ``report_facts`` (the app reads its running totals where it can), run on the
  same connection, with the ratio of the medians. The two answers are compared, and a difference stops the script;
- submission: ``POST /api/v1/reports`` by an officer of the busiest team, p50 and p95, reports drawn as the
  synthetic force's. The submitted reports (with their facts, what they added to the running totals, and their
  alerts) are deleted afterwards, so the database stays as built; the audit log keeps its entries, as it must.

``--explain`` prints the query plan of each aggregate's statements (``EXPLAIN QUERY PLAN`` on SQLite,
``EXPLAIN (ANALYZE, BUFFERS)`` on PostgreSQL) for the last financial year. The script prints figures and asserts
none. SQLite has no time zones, so its hand-written tally groups by UTC month and only its totals by policy
version are compared.
"""

# The hand-written SQL is put together from fixed fragments; every value in it is a bound parameter.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import synthetic_force  # this folder, beside this script
from sqlalchemy import bindparam, delete, event, func, select, text

from uof import create_app
from uof.domain import vocabulary as v
from uof.domain.alert_kinds import PATTERN
from uof.extensions import db
from uof.models import Alert, Report, ReportFact, Team, TeamSupervisor, User, UTCDateTime
from uof.services import alert_rules, exports, facts, figures

# The dimensions of Home Office tables 2-9, each a cross-tabulation of the tactic rows.
CROSS_DIMENSIONS = ("age_band", "gender", "ethnicity", "health_condition", "reason", "impact_factor", "outcome",
                    "location", "location_setting")
TACTIC_DIMENSIONS = ("tactic", "tactic_subgroup", "tactic_group")
AUDIT_KEY = "bench-audit-" + "k" * 40  # one key across runs, so that each run extends the same audit chain


@dataclass(frozen=True)
class Timing:
    samples: tuple[float, ...]  # seconds

    @property
    def best(self) -> float:
        return min(self.samples)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def percentile(self, share: float) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:8.1f} ms"


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="a database built by bench/synthetic_force.py")
    parser.add_argument("--runs", type=int, default=10, help="runs of each page (default 10)")
    parser.add_argument("--slow-runs", type=int, default=3, help="runs of the pack and the Home Office return")
    parser.add_argument("--aggregate-runs", type=int, default=5,
                        help="runs of early intervention and of each aggregate (default 5)")
    parser.add_argument("--new-alert-runs", type=int, default=1,
                        help="runs of early intervention raising every alert anew, the slowest case (default 1)")
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--only", choices=("pages", "early", "aggregates", "submission"), action="append",
                        help="measure only these parts (repeatable); default all")
    parser.add_argument("--explain", action="store_true", help="print the aggregates' query plans")
    args = parser.parse_args()

    record = synthetic_force.build_record(args.database_url)
    if record is None:
        raise SystemExit(f"{args.database_url} is not a finished build of bench/synthetic_force.py")
    instance = Path(tempfile.mkdtemp(prefix="uof-bench-"))
    os.environ.update(UOF_INSTANCE_PATH=str(instance), UOF_SECRET_KEY="bench-" + "z" * 40,
                      UOF_DATABASE_URL=args.database_url, UOF_AUDIT_KEY=AUDIT_KEY)

    app = create_app({"RATELIMIT_ENABLED": False})
    gc.freeze()  # as wsgi.py does after start-up
    parts = set(args.only or ("pages", "early", "aggregates", "submission"))
    bench = Bench(app, args.runs, args.slow_runs, args.aggregate_runs, args.new_alert_runs)
    bench.describe(record)
    # Pages are requested outside any application context, as a server would serve them; the rest runs in one.
    if "pages" in parts:
        bench.pages()
    with app.app_context():
        if "early" in parts:
            bench.early_intervention()
        if "aggregates" in parts:
            bench.aggregates()
        if args.explain:
            bench.explain()
    if "submission" in parts:
        bench.submission(args.submissions)


class Bench:
    def __init__(self, app: Any, runs: int, slow_runs: int, aggregate_runs: int, new_alert_runs: int) -> None:
        self.app = app
        self.runs = runs
        self.slow_runs = slow_runs
        self.aggregate_runs = aggregate_runs
        self.new_alert_runs = new_alert_runs
        with app.app_context():
            self._choose()

    def _choose(self) -> None:
        """The periods, and the busiest team of the last 12 weeks with its first sergeant and one of its officers."""
        self.dialect = db.engine.dialect.name
        self.now = datetime.now(UTC)
        self.today = exports.today_in_uk()
        self.quarter = exports.financial_quarter(self.today)
        self.year = exports.financial_year(exports.financial_year(self.today).start - timedelta(days=1))
        self.last_quarter = exports.financial_quarter(self.quarter.start - timedelta(days=1))
        since = self.now - timedelta(weeks=12)
        self.team_id = db.session.execute(
            select(Report.team_id).where(Report.incident_at >= since).group_by(Report.team_id)
            .order_by(func.count().desc()).limit(1)).scalar_one()
        sergeants = select(TeamSupervisor.user_id).where(TeamSupervisor.team_id == self.team_id)
        self.sergeant = db.session.scalars(select(User.email).where(User.id.in_(sergeants)).order_by(User.id)).first()
        self.officer_id = db.session.scalars(
            select(User.id).where(User.team_id == self.team_id, User.active.is_(True), User.id.not_in(sergeants))
            .order_by(User.id)).first()
        self.area = db.session.scalar(select(Report.area).where(Report.team_id == self.team_id).limit(1))

    # --- what is measured --------------------------------------------------------------------------------------

    def describe(self, record: Mapping[str, Any]) -> None:
        with self.app.app_context():
            reports, facts, users, teams = (db.session.scalar(select(func.count()).select_from(table))
                                            for table in (Report, ReportFact, User, Team))
        print(f"{self.dialect}: {reports:,} reports, {facts:,} facts, {users:,} users, {teams:,} teams; "
              f"built {record.get('built_at')}")
        if record.get("rules") != synthetic_force.rules_fingerprint():
            print("WARNING: the counting rules have changed since this database was built; its facts may be stale. "
                  "Rebuild it with bench/synthetic_force.py.")
        print(f"this quarter {self.quarter.start} to {self.quarter.end}; last quarter {self.last_quarter.start} to "
              f"{self.last_quarter.end}; last financial year {self.year.start} to {self.year.end}")
        print(f"busiest team: {self.team_id} ({self.area}); its sergeant {self.sergeant}; runs: pages {self.runs}, "
              f"pack and return {self.slow_runs}, early intervention and aggregates {self.aggregate_runs}, "
              f"early intervention with every alert new {self.new_alert_runs}\n")

    def pages(self) -> None:
        governance = self._client(synthetic_force.GOVERNANCE_EMAIL)
        year = figures.Filters(self.year)
        group = "Less lethal weapons"
        print("== Pages: whole responses through the test client (p50 / p95) ==")
        for label, url in (
            ("dashboard, this quarter", "/governance"),
            ("dashboard, last financial year", _url("/governance", year.query())),
            ("dashboard, the year, one area", _url("/governance", replace(year, area=self.area).query())),
            ("dashboard, the year, one team", _url("/governance", replace(year, team_id=self.team_id).query())),
            ("dashboard, the year, one type of force", _url("/governance", replace(year, tactic_group=group).query())),
        ):
            self._page(governance, label, url, self.runs)
        quarter = exports.quarter_code(self.last_quarter.start)
        self._page(governance, f"quarterly pack {quarter}", f"/governance/pack.xlsx?quarter={quarter}",
                   self.slow_runs)
        self._page(governance, f"Home Office return {self.year.start.year}",
                   f"/governance/home-office.csv?year={self.year.start.year}", self.slow_runs)
        if self.sergeant is not None:
            sergeant = self._client(self.sergeant)
            self._page(sergeant, f"team dashboard, 12 weeks (team {self.team_id})", f"/team/{self.team_id}?weeks=12",
                       self.runs)
        print()

    def early_intervention(self) -> None:
        print("== Early intervention, the whole force ==")
        settings = alert_rules.load()
        seconds, breaches = timed(lambda: alert_rules.find_pattern_breaches(self.now, settings))
        officers = len({breach.officer_id for breach in breaches})
        print(f"{len(breaches):,} breaches by {officers:,} officers (find_pattern_breaches {ms(seconds).strip()})")
        first = self._repeat(lambda: alert_rules.evaluate_patterns(self.now), self.new_alert_runs)
        raised = alert_rules.evaluate_patterns(self.now)
        db.session.commit()
        later = self._repeat(lambda: alert_rules.evaluate_patterns(self.now), self.aggregate_runs)
        db.session.execute(delete(Alert).where(Alert.kind == PATTERN, Alert.created_at == self.now))
        db.session.commit()
        print(f"{'evaluate_patterns, every alert new':48} {_percentiles(first)}  ({raised:,} alerts)")
        print(f"{'evaluate_patterns, all already raised':48} {_percentiles(later)}")
        print()

    def aggregates(self) -> None:
        print("== Aggregates: the app's function against hand-written SQL on the same connection ==")
        print(f"{'filters':24} {'aggregate':36} {'app best':>11} {'app median':>11} {'SQL best':>11} "
              f"{'SQL median':>11} {'ratio':>6}")
        year = figures.Filters(self.year)
        filter_sets = (
            ("this quarter", figures.Filters(self.quarter)),
            ("last quarter", figures.Filters(self.last_quarter)),
            ("last year", year),
            ("last year, one area", replace(year, area=self.area)),
            ("last year, one team", replace(year, team_id=self.team_id)),
            ("last year, less lethal", replace(year, tactic_group="Less lethal weapons")),
        )
        for label, filters in filter_sets:
            for aggregate in self._aggregates(filters, cross=label in ("last quarter", "last year")):
                self._compare(label, aggregate)

        count = alert_rules.load().of(alert_rules.COUNT_RULE)
        days, excluded = alert_rules.metric(count)
        # The default exclusion follows Home Office rows, so the app counts from the tactic facts; the same count
        # written over the versions' tactics is shown too.
        self._compare(f"last {days} days", Aggregate(
            "officer_counts", lambda: alert_rules.officer_counts(self.now, days, excluded),
            *hand_officer_counts_from_facts(self.now, days, excluded), same=_same_officer_counts))
        self._compare(f"last {days} days", Aggregate(
            "officer_counts (SQL over tactics)", lambda: alert_rules.officer_counts(self.now, days, excluded),
            *hand_officer_counts(self.dialect, self.now, days, excluded), same=_same_officer_counts))
        print()

    def explain(self) -> None:
        print("== Query plans, last financial year ==")
        for aggregate in self._aggregates(figures.Filters(self.year), cross=True):
            if aggregate.name.startswith("tactic_cross_tab") and not aggregate.name.endswith("(ethnicity)"):
                continue
            statements: list[tuple[str, Any]] = []

            def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool,
                        into: list[tuple[str, Any]] = statements) -> None:
                into.append((statement, parameters))

            event.listen(db.engine, "before_cursor_execute", capture)
            try:
                aggregate.app()
            finally:
                event.remove(db.engine, "before_cursor_execute", capture)
            prefix = "EXPLAIN QUERY PLAN " if self.dialect == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
            for statement, parameters in statements:
                if not statement.lstrip().upper().startswith("SELECT"):
                    continue
                print(f"-- {aggregate.name}\n{statement}")
                plan = db.session.connection().exec_driver_sql(prefix + statement, parameters).all()
                print("\n".join("   " + " | ".join(str(cell) for cell in row) for row in plan), "\n")
            db.session.rollback()

    def submission(self, count: int) -> None:
        with self.app.app_context():
            email = db.session.scalars(select(User.email).where(User.id == self.officer_id)).one()
        bodies = synthetic_bodies(count, self.now)
        client = self._client(email)
        csrf = client.get("/api/v1/session").get_json()["csrf_token"]
        latencies = []
        for body in bodies:
            seconds, response = timed(partial(client.post, "/api/v1/reports", json=body,
                                              headers={"X-CSRFToken": csrf}))
            if response.status_code != 201:
                raise SystemExit(f"submission answered {response.status_code}: {response.get_data(as_text=True)}")
            latencies.append(seconds)
        print("== Submission ==")
        print(f"{'POST /api/v1/reports, ' + str(count) + ' reports':48} {_percentiles(Timing(tuple(latencies)))}")
        with self.app.app_context():
            made = select(Report.id).where(Report.client_id.in_([body["client_id"] for body in bodies]),
                                           Report.officer_id == self.officer_id)
            # Their facts and what they added to the running totals go first, as the app would take them away.
            for report in db.session.scalars(select(Report).where(Report.id.in_(made))):
                facts.withdraw(report)
            db.session.execute(delete(Alert).where(Alert.report_id.in_(made)))
            db.session.execute(delete(Report).where(Report.id.in_(made)))
            db.session.commit()
        print()

    # --- helpers -----------------------------------------------------------------------------------------------

    def _aggregates(self, filters: figures.Filters, *, cross: bool) -> Iterator[Aggregate]:
        def make(name: str, call: Callable[[], Any], hand: tuple[str, dict[str, Any]],
                 same: Callable[[Any, Sequence[Any]], bool]) -> Aggregate:
            return Aggregate(name, call, *hand, same=same)

        yield make("total_reports", lambda: figures.total_reports(filters), hand_total(filters), _same_total)
        yield make("counts", lambda: figures.counts(filters), hand_counts(filters), _same_counts)
        yield make("tally", lambda: figures.tally(filters), hand_tally(self.dialect, filters),
                   _same_tally if self.dialect == "postgresql" else _same_tally_by_version)
        yield make("policy_versions", lambda: figures.policy_versions(filters), hand_policy_versions(filters),
                   _same_policy_versions)
        if cross:
            for dimension in CROSS_DIMENSIONS:
                yield make(f"tactic_cross_tab ({dimension})", partial(figures.tactic_cross_tab, filters, dimension),
                           hand_cross_tab(filters, dimension), _same_cross_tab)

    def _compare(self, label: str, aggregate: Aggregate) -> None:
        statement = text(aggregate.sql).bindparams(*_typed(aggregate.params))
        app_samples, sql_samples = [], []
        for _ in range(self.aggregate_runs):
            seconds, answer = timed(aggregate.app)
            app_samples.append(seconds)
            seconds, rows = timed(lambda: db.session.execute(statement, aggregate.params).all())
            sql_samples.append(seconds)
            if not aggregate.same(answer, rows):
                raise SystemExit(f"{label}, {aggregate.name}: the app's answer and the hand-written SQL's differ\n"
                                 f"app: {answer}\nSQL: {rows}\n{aggregate.sql}\n{aggregate.params}")
        app_time, sql_time = Timing(tuple(app_samples)), Timing(tuple(sql_samples))
        print(f"{label:24} {aggregate.name:36} {ms(app_time.best)} {ms(app_time.median)} {ms(sql_time.best)} "
              f"{ms(sql_time.median)} {app_time.median / sql_time.median:5.2f}×", flush=True)
        db.session.rollback()

    def _repeat(self, call: Callable[[], Any], runs: int) -> Timing:
        """``runs`` timings of ``call``, each rolled back, so that every run finds the database as the first did."""
        samples = []
        for _ in range(runs):
            seconds, _result = timed(call)
            samples.append(seconds)
            db.session.rollback()
        return Timing(tuple(samples))

    def _client(self, email: str) -> Any:
        client = self.app.test_client()
        page = client.get("/login").get_data(as_text=True)
        marker = 'name="csrf-token" content="'
        token = page[page.index(marker) + len(marker):].split('"', 1)[0]
        response = client.post("/login", data={"username": email, "password": synthetic_force.PASSWORD,
                                               "csrf_token": token})
        if response.status_code not in (302, 303):
            raise SystemExit(f"could not log in as {email}: {response.status_code}")
        return client

    def _page(self, client: Any, label: str, url: str, runs: int) -> None:
        """``runs`` timed requests after a first one, whose time is printed apart: it is the one that finds the
        database's pages on disk rather than in memory, as no request after it does on a working server."""
        samples = []
        for _ in range(runs + 1):
            try:
                seconds, response = timed(lambda: client.get(url))
            except Exception as error:
                print(f"{label:48} failed: {type(error).__name__}: {error}  ({url})")
                return
            if response.status_code == 404:
                print(f"{label:48} not available yet ({url})")
                return
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}: {response.get_data(as_text=True)[:500]}")
            samples.append(seconds)
        size = len(response.data) / 1024
        first, *timed_runs = samples
        print(f"{label:48} {_percentiles(Timing(tuple(timed_runs)))}  first {ms(first).strip():>8}  {size:6.0f} KiB  "
              f"{url}", flush=True)


def _url(path: str, query: Mapping[str, str]) -> str:
    return f"{path}?{urlencode(query)}"


def _percentiles(timing: Timing) -> str:
    return f"p50 {ms(timing.percentile(0.5))}  p95 {ms(timing.percentile(0.95))}"


# --- the hand-written SQL -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Aggregate:
    name: str
    app: Callable[[], Any]
    sql: str
    params: dict[str, Any]
    same: Callable[[Any, Sequence[Any]], bool]


def _typed(params: Mapping[str, Any]) -> list[Any]:
    """Datetimes bound as the app binds them (naive UTC), so that both queries compare the same values."""
    return [bindparam(name, type_=UTCDateTime) for name, value in params.items() if isinstance(value, datetime)]


def _scope(filters: figures.Filters, alias: str) -> tuple[str, str, dict[str, Any]]:
    """The joins and ``WHERE`` conditions an analyst writes for the filters, on a facts (or reports) alias."""
    params: dict[str, Any] = {"start": figures.uk_midnight(filters.period.start),
                              "end": figures.uk_midnight(filters.period.end_exclusive)}
    joins, where = "", [f"{alias}.incident_at >= :start", f"{alias}.incident_at < :end"]
    report = "r" if alias != "r" else alias
    if (filters.area is not None or filters.team_id is not None) and alias != "r":
        joins = f" JOIN reports r ON r.id = {alias}.report_id"
    if filters.area is not None:
        where.append(f"{report}.area = :area")
        params["area"] = filters.area
    if filters.team_id is not None:
        where.append(f"{report}.team_id = :team_id")
        params["team_id"] = filters.team_id
    if filters.tactic_group is not None:
        key = "report_id" if alias != "r" else "id"
        where.append(f"{alias}.{key} IN (SELECT report_id FROM report_facts WHERE dimension = 'tactic_group' "
                     "AND value = :tactic_group AND incident_at >= :start AND incident_at < :end)")
        params["tactic_group"] = filters.tactic_group
    return joins, " AND ".join(where), params


def hand_total(filters: figures.Filters) -> tuple[str, dict[str, Any]]:
    joins, where, params = _scope(filters, "r")
    return f"SELECT count(*) FROM reports r{joins} WHERE {where}", params


def hand_counts(filters: figures.Filters) -> tuple[str, dict[str, Any]]:
    joins, where, params = _scope(filters, "f")
    return (f"SELECT f.dimension, f.value, count(*), sum(f.times) FROM report_facts f{joins} WHERE {where} "
            "GROUP BY f.dimension, f.value", params)


def hand_cross_tab(filters: figures.Filters, dimension: str) -> tuple[str, dict[str, Any]]:
    joins, where, params = _scope(filters, "t")
    return (f"SELECT t.dimension, t.value, c.value, count(*), sum(t.times) FROM report_facts t "
            f"JOIN report_facts c ON c.report_id = t.report_id AND c.dimension = :dimension{joins} "
            f"WHERE t.dimension IN ('tactic', 'tactic_subgroup', 'tactic_group') AND {where} "
            "GROUP BY t.dimension, t.value, c.value", {**params, "dimension": dimension})


def hand_tally(dialect: str, filters: figures.Filters) -> tuple[str, dict[str, Any]]:
    joins, where, params = _scope(filters, "r")
    month = ("date_trunc('month', (r.incident_at AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/London')"
             if dialect == "postgresql" else "strftime('%Y-%m', r.incident_at)")
    return (f"SELECT {month} AS month, p.version, p.preset, count(*) FROM reports r JOIN policy_versions p "
            f"ON p.version = r.policy_version{joins} WHERE {where} GROUP BY month, p.version, p.preset", params)


def hand_policy_versions(filters: figures.Filters) -> tuple[str, dict[str, Any]]:
    joins, where, params = _scope(filters, "r")
    return ("SELECT p.version, p.preset, count(*) FROM reports r JOIN policy_versions p ON p.version = "
            f"r.policy_version{joins} WHERE {where} GROUP BY p.version, p.preset ORDER BY p.version", params)


def hand_officer_counts(dialect: str, now: datetime, days: int, excluded: Sequence[str]) -> tuple[str, dict[str, Any]]:
    """The early-intervention count as an analyst writes it: reports with a tactic outside ``excluded`` in the
    current version's JSON."""
    names = ", ".join(f":excluded{index}" for index in range(len(excluded)))
    counted = (f"EXISTS (SELECT 1 FROM json_array_elements(v.content -> 'tactics') AS t "
               f"WHERE t ->> 'code' NOT IN ({names}))" if dialect == "postgresql" else
               f"EXISTS (SELECT 1 FROM json_each(v.content, '$.tactics') AS t "
               f"WHERE json_extract(t.value, '$.code') NOT IN ({names}))")
    params: dict[str, Any] = {"since": now - timedelta(days=days), "now": now,
                              **{f"excluded{index}": code for index, code in enumerate(excluded)}}
    return ("SELECT r.officer_id, u.team_id, count(*) FROM reports r "
            "JOIN report_versions v ON v.report_id = r.id AND v.version = r.version "
            "JOIN users u ON u.id = r.officer_id "
            f"WHERE r.incident_at > :since AND r.incident_at <= :now AND u.active AND {counted} "
            "GROUP BY r.officer_id, u.team_id", params)


def hand_officer_counts_from_facts(now: datetime, days: int, excluded: Sequence[str]) -> tuple[str, dict[str, Any]]:
    """The same count from the report facts: a report counts when it has a tactic row other than the excluded
    tactics' rows (the same answer for an exclusion that follows Home Office rows, as the default one does:
    ``uof.domain.counting.rows_counting_alike``)."""

    rows = sorted({v.tactic(code).home_office for code in excluded})
    names = ", ".join(f":row{index}" for index in range(len(rows)))
    params: dict[str, Any] = {"since": now - timedelta(days=days), "now": now,
                              **{f"row{index}": row for index, row in enumerate(rows)}}
    return ("SELECT r.officer_id, u.team_id, count(*) FROM reports r JOIN users u ON u.id = r.officer_id "
            "WHERE r.incident_at > :since AND r.incident_at <= :now AND u.active AND EXISTS (SELECT 1 FROM "
            f"report_facts f WHERE f.report_id = r.id AND f.dimension = 'tactic' AND f.value NOT IN ({names})) "
            "GROUP BY r.officer_id, u.team_id", params)


def _same_total(answer: int, rows: Sequence[Any]) -> bool:
    return answer == rows[0][0]


def _same_counts(answer: Mapping[str, Mapping[str, Any]], rows: Sequence[Any]) -> bool:
    app = {(dimension, value): (count.reports, count.times)
           for dimension, values in answer.items() for value, count in values.items()}
    return app == {(dimension, value): (reports, int(times)) for dimension, value, reports, times in rows}


def _same_cross_tab(answer: Mapping[tuple[str, str], Mapping[str, Any]], rows: Sequence[Any]) -> bool:
    app = {(*row, value): (count.reports, count.times) for row, values in answer.items()
           for value, count in values.items()}
    return app == {(dimension, row, value): (reports, int(times)) for dimension, row, value, reports, times in rows}


def _same_tally(answer: figures.Tally, rows: Sequence[Any]) -> bool:
    months: dict[date, int] = defaultdict(int)
    for month, _version, _preset, count in rows:
        months[month.date()] += count
    app = {month.start: month.reports for month in answer.months if month.reports}
    return app == months and _same_tally_by_version(answer, rows)


def _same_tally_by_version(answer: figures.Tally, rows: Sequence[Any]) -> bool:
    versions: dict[tuple[int, str], int] = defaultdict(int)
    for _month, version, preset, count in rows:
        versions[(version, preset)] += count
    return {(p.version, p.preset): p.reports for p in answer.policies} == versions


def _same_policy_versions(answer: Sequence[Any], rows: Sequence[Any]) -> bool:
    return [(p.version, p.preset, p.reports) for p in answer] == [tuple(row) for row in rows]


def _same_officer_counts(answer: Mapping[int, tuple[int | None, int]], rows: Sequence[Any]) -> bool:
    return dict(answer) == {officer: (team, count) for officer, team, count in rows}


# --- submissions ---------------------------------------------------------------------------------------------------

def synthetic_bodies(count: int, now: datetime) -> list[dict[str, Any]]:
    """``count`` reports drawn as the synthetic force's are, of incidents in the two hours before ``now``."""
    rng = random.Random(f"submissions-{now.isoformat()}")  # noqa: S311 (made-up test data)
    force = synthetic_force.draw_force(rng)
    planner = synthetic_force.Planner(rng, force, now, derogated_from=now - timedelta(days=365))
    slot = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
    return [planned.body for planned in planner.reports([slot], [1.0], count)]


if __name__ == "__main__":
    main()
