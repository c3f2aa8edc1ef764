"""A synthetic force of the Metropolitan Police's size for the governance benchmarks, in SQLite or PostgreSQL.

    .venv/bin/python bench/synthetic_force.py --reports 20000                      # SQLite: bench/data/uof-20k.sqlite3
    .venv/bin/python bench/synthetic_force.py                                      # SQLite: bench/data/uof-1m.sqlite3
    .venv/bin/python bench/synthetic_force.py --backend postgresql                 # PostgreSQL: uof_bench_1m
    .venv/bin/python bench/synthetic_force.py --backend postgresql --reports 20000 # PostgreSQL: uof_bench_20k

It prints the database URL to give ``bench/governance_scale.py``, then the build's times, sizes and peak memory.
A second run with the same parameters finds the database already built and only prints its URL and figures;
``--rebuild`` builds it again. The PostgreSQL database is created (and dropped, to rebuild) on 127.0.0.1 as the
``postgres`` user; ``--path`` puts the SQLite file elsewhere. The schema, indexes included, is exactly the
migrations' (``flask_migrate.upgrade``); the rows are then loaded in bulk, in batches so that memory stays
bounded: SQLite with ``executemany`` in one transaction per batch, journal and synchronous writes off and foreign
keys unchecked for the build only (the data are consistent by construction); PostgreSQL with ``COPY`` (psycopg 3)
into the indexed tables, foreign-key triggers skipped for the load (``session_replication_role = replica``), then
the sequences moved past the loaded ids and ``VACUUM ANALYZE``, as autovacuum would do by itself.

The force (about 30,000 accounts): the 32 London boroughs as areas, 19 teams in each (608 teams, about 50
officers each, two of them sergeants who supervise the team), three governance users, an admin and an auditor.
Every account's password is ``PASSWORD``, stored as one precomputed hash.

The reports span the five years before the build, growing year on year with the national totals, with a seasonal
swing, the demo force's weekly and daily pattern (busiest on Friday and Saturday nights), and a change of
recording policy from the national standard to the derogated preset partway through. Each report's content is
drawn as the demo force draws it (``uof.services.demo``: tactic mix, reasons, impact factors, outcomes,
locations, injuries and body-worn video from the Home Office tables for England and Wales, 2019/20), except the
person's perceived age, gender, ethnicity and health condition, which follow the Metropolitan Police's own row
of those tables, and the specialist tactics (firearms, AEP, police dogs), which the demo's response officers never
use. Every report is validated by ``uof.domain.validation.validate_report`` and stored as the app stores it: its
version's content is the validated content, its facts are ``uof.domain.facts.facts_of`` of it with the facts of
its handling (``handling_facts``: policy version, late submission, first decision on time), and the running
totals over the facts are summed by the app's own ``uof.domain.rollups.MonthByMonth``. Supervisors review
most reports within a day: approved, now and then returned and amended, rarely referred; the last days' reports
wait for review, and the long waits among them are overdue.
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import itertools
import json
import math
import os
import random
import resource
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from uof.domain import rollups  # noqa: E402  (after the path is set)
from uof.domain import vocabulary as v  # noqa: E402
from uof.domain.facts import Fact, facts_of, handling_facts  # noqa: E402
from uof.domain.policy import DEROGATED, NATIONAL, Policy  # noqa: E402
from uof.domain.review import APPROVE, REFER, RETURN, recorded_reference, video_recorded  # noqa: E402
from uof.domain.validation import validate_report  # noqa: E402
from uof.services import demo  # noqa: E402
from uof.services.accounts import hash_password  # noqa: E402
from uof.services.reports import content_hash  # noqa: E402
from uof.uktime import LONDON  # noqa: E402

PASSWORD = "bench-password-2026"
DOMAIN = "bench.police.example"  # .example is reserved (RFC 2606)
GOVERNANCE_EMAIL = f"governance.1@{DOMAIN}"
DATA = ROOT / "bench" / "data"
POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
# Bumped whenever the generator changes what it builds, so that a database built by an older one is rebuilt.
GENERATOR_VERSION = 4
# The counting rules that decide each report's facts: a database built under other rules is rebuilt.
RULES_SOURCES = ("uof/domain/facts.py", "uof/domain/counting.py", "uof/domain/vocabulary.py",
                 "uof/domain/rollups.py")
BATCH_REPORTS = 10_000
PROGRESS_EVERY = 100_000

# --- The force -----------------------------------------------------------------------------------------------
BOROUGHS = (
    "Barking and Dagenham", "Barnet", "Bexley", "Brent", "Bromley", "Camden", "Croydon", "Ealing", "Enfield",
    "Greenwich", "Hackney", "Hammersmith and Fulham", "Haringey", "Harrow", "Havering", "Hillingdon", "Hounslow",
    "Islington", "Kensington and Chelsea", "Kingston upon Thames", "Lambeth", "Lewisham", "Merton", "Newham",
    "Redbridge", "Richmond upon Thames", "Southwark", "Sutton", "Tower Hamlets", "Waltham Forest", "Wandsworth",
    "Westminster",
)
# The teams of each borough and how much force each kind of team uses, relative to a response team. Made up: no
# published figure splits a force's use of force by team.
TEAM_KINDS = {
    "Response A": 1.0, "Response B": 1.0, "Response C": 1.0, "Response D": 1.0, "Response E": 1.0,
    "Town Centre": 0.9, "Custody": 0.8, "Proactive": 0.8, "Violent Crime Taskforce": 0.7, "Roads and Transport": 0.4,
    "Neighbourhoods North": 0.3, "Neighbourhoods South": 0.3, "Neighbourhoods East": 0.3,
    "Neighbourhoods West": 0.3, "Neighbourhoods Central": 0.3, "Safer Schools": 0.15, "Licensing": 0.2,
    "Emergency Response Patrol": 0.9, "Public Order": 0.5,
}
TEAM_SIZE_RANGE = (40, 60)
SERGEANTS_PER_TEAM = 2
SERGEANT_ACTIVITY = 0.4  # sergeants record force too, less often than their officers
OFFICER_ACTIVITY_SIGMA = 0.6  # officers' own rates of force vary (lognormal), so early intervention finds some
BOROUGH_ACTIVITY_SIGMA = 0.35  # and so do the boroughs'; the Met's per-borough figures are not in the reference
LEFT_THE_FORCE_SHARE = 0.03  # inactive accounts, whose reports stay
GOVERNANCE_USERS = 3
FIRST_NAMES = (
    "Aaron", "Abigail", "Adam", "Aisha", "Amir", "Amy", "Ben", "Chloe", "Connor", "Daniel", "Ellie", "Emeka",
    "Emma", "Fatima", "George", "Grace", "Hannah", "Harry", "Imran", "Jack", "James", "Jasmine", "Kofi", "Laura",
    "Liam", "Lucy", "Mohammed", "Nadia", "Olivia", "Oliver", "Priya", "Rachel", "Rhys", "Ruth", "Sam", "Sarah",
    "Sophie", "Tom", "Yusuf", "Zara",
)
SURNAMES = (
    "Adeyemi", "Ahmed", "Ali", "Bailey", "Baker", "Begum", "Brown", "Campbell", "Chen", "Clarke", "Cooper", "Davies",
    "Edwards", "Evans", "Green", "Hall", "Harris", "Hughes", "Hussain", "Jackson", "James", "Johnson", "Jones",
    "Khan", "King", "Kowalski", "Lewis", "Mensah", "Mitchell", "Moore", "Murphy", "Nowak", "O'Brien", "Okafor",
    "Patel", "Phillips", "Roberts", "Robinson", "Shah", "Singh", "Smith", "Taylor", "Thomas", "Thompson", "Turner",
    "Walker", "White", "Williams", "Wilson", "Wood", "Wright", "Young",
)

# --- How many, and when --------------------------------------------------------------------------------------
# Reports in England and Wales by financial year (its first calendar year), reference/uof-data-standard.md §2.5:
# 2021/22 608,164; 2022/23 659,372; 2023/24 728,315 (the 43 forces); 2024/25 812,449. Later years are not
# published yet and stay at 2024/25's level. Only the ratios matter: the force's volume is --reports.
NATIONAL_REPORTS_BY_YEAR = {2021: 608_164, 2022: 659_372, 2023: 728_315, 2024: 812_449}
# No published figure gives use of force by month; this assumes the usual summer peak of violent crime, 8% above
# the year's mean in July and as far below in January.
SEASONAL_SWING = 0.08
# Busier and quieter hours than the smooth pattern: each hour's expected volume times a lognormal factor.
HOURLY_NOISE_SIGMA = 0.25

# --- Who: the person's perceived age, gender, ethnicity and health condition follow the Metropolitan Police's own
# row of the Home Office tables 14 to 17, 2019/20 (reference/data/police-use-of-force-apr2019-mar2020-hosb3720-
# tables__Table_14.csv to _17.csv, "Total Tactics"). Those count tactics, not reports; their shares stand in for
# the shares of reports, which the force-level tables do not give.
MET_AGE_BANDS = {"age_0_10": 71, "age_11_17": 25_495, "age_18_34": 118_040, "age_35_49": 47_674,
                 "age_50_64": 12_736, "age_65_plus": 1_119, "not_reported": 0}
MET_GENDERS = {"male": 178_125, "female": 26_463, "other": 547, "not_reported": 0}
MET_ETHNICITIES = {"white": 87_840, "black": 76_052, "asian": 24_385, "mixed": 6_461, "other": 8_295,
                   "not_reported": 2_102}
MET_HEALTH_CONDITIONS = {"mental": 31_569, "physical": 1_296, "physical_and_mental": 858, "none": 171_412,
                         "not_reported": 0}

# --- What force: the specialist tactics the demo's response officers never use, at their Home Office Table 1
# shares of all reports (2019/20: firearms 4,786, AEP 654 and police dogs 2,192 of 491,984), with each family's
# levels weighted by its rows (AEP drawn 613, used 36; dog deployed 1,772, bite 474). Firearms discharges are a
# handful a year nationally: one firearms report in 500 here.
SPECIALIST_TACTICS = {
    "firearms": (4_786 / demo.INCIDENTS, {"firearm_aimed": 499, "firearm_fired": 1}),
    "aep": (654 / demo.INCIDENTS, {"aep_aimed": 613, "aep_fired": 36}),
    "dog": (2_192 / demo.INCIDENTS, {"dog_deployed": 1_772, "dog_bite": 474}),
}
# The demo draws Taser at its national share for a team where that share of the activity is Taser trained.
TASER_TRAINED_SHARE = demo.TACTIC_FAMILIES[demo.TASER].share / (demo.TASER_SHARE_WHEN_CARRIED
                                                                 * demo.TASER_CARRIED_SHARE)

# --- The recording policy: the force moves from the national standard to the derogated preset (lower-level force
# optional) this far into the period. After it, most reports of lower-level force alone are no longer written:
# West Midlands Police's compliant handcuffing against non-compliant, 819 to 3,312 in 2019/20 (§4), is a seventh
# of the national ratio (197,091 to 114,690, Table 1), so a seventh of them still are.
DEROGATION_AFTER = 0.6
DEROGATED_STILL_RECORDED = (819 / 3_312) / (197_091 / 114_690)

# --- Review: as the demo force's supervisors (uof.services.demo), most within a day; a few wait for days.
LONG_WAIT_SHARE = 0.03
LONG_WAIT_HOURS = (48, 120)
UNDER_REVIEW_SHARE = 0.2  # of the reports still waiting after a day, opened but not decided
REFERRAL_SHARE = 0.002  # of serious reports (uof.services.demo.SERIOUS)
AMENDMENT_HOURS = (4, 72)

# --- Rows: the columns loaded, in the migrations' names.
REPORT_COLUMNS = ("id", "client_id", "content_hash", "officer_id", "team_id", "status", "version", "policy_version",
                  "incident_at", "incident_reference", "area", "submitted_at", "updated_at", "awaiting_review_since",
                  "first_decided_at")
VERSION_COLUMNS = ("id", "report_id", "version", "content", "reason", "diff", "author_id", "created_at")
FACT_COLUMNS = ("report_id", "dimension", "value", "times", "incident_at")
REVIEW_COLUMNS = ("id", "report_id", "reviewer_id", "report_version", "decision", "comment", "bwv_reviewed",
                  "bwv_reference", "debrief_held", "created_at")
TOTAL_COLUMNS = ("span", "period_start", "tactic_group", "area", "dimension", "value", "reports", "times")
CROSS_COLUMNS = ("month", "row_dimension", "row_value", "dimension", "value", "reports", "times")
SEQUENCED_TABLES = ("teams", "users", "policy_versions", "reports", "report_versions", "reviews")


@dataclass(frozen=True)
class Parameters:
    reports: int
    years: int
    seed: int

    @property
    def label(self) -> str:
        """1m, 20k or the number itself: the default file and database names."""
        for size, suffix in ((1_000_000, "m"), (1_000, "k")):
            if self.reports % size == 0:
                return f"{self.reports // size}{suffix}"
        return str(self.reports)

    def as_json(self) -> dict[str, int | str]:
        return {"reports": self.reports, "years": self.years, "seed": self.seed, "generator": GENERATOR_VERSION,
                "rules": rules_fingerprint()}

    def built_by(self, record: Mapping[str, Any] | None) -> bool:
        """Whether a build's record says it was built with these parameters, generator and rules."""
        return record is not None and all(record.get(key) == value for key, value in self.as_json().items())


def rules_fingerprint() -> str:
    digest = hashlib.sha256()
    for source in RULES_SOURCES:
        digest.update((ROOT / source).read_bytes())
    return digest.hexdigest()[:16]


# --- Drawing the force -----------------------------------------------------------------------------------------

@dataclass(eq=False)
class Officer:
    id: int
    team: Team
    activity: float
    taser_trained: bool


@dataclass(eq=False)
class Team:
    id: int
    name: str
    area: str
    activity: float = 0.0
    members: list[Officer] = field(default_factory=list)
    sergeants: list[Officer] = field(default_factory=list)
    cumulative: list[float] = field(default_factory=list)  # of the members' activities, to draw them

    def pick(self, rng: random.Random, count: int) -> list[Officer]:
        """``count`` different members, each as likely as their activity."""
        chosen: list[Officer] = []
        while len(chosen) < count:
            officer = self.members[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]
            if officer not in chosen:
                chosen.append(officer)
        return chosen

    def reviewer_of(self, officer: Officer, rng: random.Random) -> Officer:
        """A sergeant of the team other than the officer."""
        return rng.choice([sergeant for sergeant in self.sergeants if sergeant is not officer])


@dataclass(frozen=True)
class Account:
    id: int
    email: str
    name: str
    team_id: int | None
    roles: tuple[str, ...]
    active: bool
    session_nonce: str


@dataclass
class Force:
    teams: list[Team]
    accounts: list[Account]
    cumulative: list[float]  # of the teams' activities, to draw them

    def pick_team(self, rng: random.Random) -> Team:
        return self.teams[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


def draw_force(rng: random.Random) -> Force:
    teams: list[Team] = []
    accounts: list[Account] = []

    def add(name: str, team_id: int | None, roles: tuple[str, ...], active: bool = True,
            email: str | None = None) -> int:
        user_id = len(accounts) + 1
        login = name.lower().replace(" ", ".").replace("'", "")
        email = email or f"{login}.{user_id}@{DOMAIN}"
        accounts.append(Account(user_id, email, name, team_id, roles, active,
                                uuid.UUID(int=rng.getrandbits(128), version=4).hex))
        return user_id

    for borough in BOROUGHS:
        borough_activity = rng.lognormvariate(0, BOROUGH_ACTIVITY_SIGMA)
        for kind, kind_activity in TEAM_KINDS.items():
            team = Team(len(teams) + 1, f"{borough} {kind}", borough)
            teams.append(team)
            for index in range(rng.randint(*TEAM_SIZE_RANGE)):
                sergeant = index < SERGEANTS_PER_TEAM
                name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
                roles = ("officer", "supervisor") if sergeant else ("officer",)
                user_id = add(name, team.id, roles, active=sergeant or rng.random() >= LEFT_THE_FORCE_SHARE)
                activity = rng.lognormvariate(0, OFFICER_ACTIVITY_SIGMA) * (SERGEANT_ACTIVITY if sergeant else 1)
                officer = Officer(user_id, team, activity, rng.random() < TASER_TRAINED_SHARE)
                team.members.append(officer)
                if sergeant:
                    team.sergeants.append(officer)
            team.cumulative = list(itertools.accumulate(member.activity for member in team.members))
            team.activity = borough_activity * kind_activity * team.cumulative[-1]
    for number in range(1, GOVERNANCE_USERS + 1):
        add(f"Governance Lead {number}", None, ("governance",), email=f"governance.{number}@{DOMAIN}")
    add("Force Admin", None, ("admin",), email=f"admin@{DOMAIN}")
    add("Force Auditor", None, ("auditor",), email=f"auditor@{DOMAIN}")
    return Force(teams, accounts, list(itertools.accumulate(team.activity for team in teams)))


# --- Drawing the reports ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Planned:
    officer: Officer
    incident_at: datetime
    submitted_at: datetime
    policy: Policy
    body: dict[str, Any]


def financial_year(moment: datetime) -> int:
    local = moment.astimezone(LONDON)
    return local.year if local.month >= 4 else local.year - 1


def hour_slots(start: datetime, end: datetime, derogated_from: datetime, rng: random.Random,
               ) -> tuple[list[datetime], list[float]]:
    """Every UTC hour from ``start`` to ``end`` with its relative expected volume."""
    slots, weights = [], []
    latest_year = max(NATIONAL_REPORTS_BY_YEAR)
    derogated_volume = recorded_under_derogation(random.Random(rng.random()))  # noqa: S311
    slot = start
    while slot < end:
        local = slot.astimezone(LONDON)
        national = NATIONAL_REPORTS_BY_YEAR[min(financial_year(slot), latest_year)]
        seasonal = 1 + SEASONAL_SWING * math.cos(2 * math.pi * (local.month - 7) / 12)
        noise = rng.lognormvariate(0, HOURLY_NOISE_SIGMA)
        policy = derogated_volume if slot >= derogated_from else 1
        slots.append(slot)
        weights.append(demo.slot_weight(slot) * national * seasonal * noise * policy)
        slot += timedelta(hours=1)
    return slots, weights


def draw_tactics(rng: random.Random, carrying_taser: bool) -> list[str]:
    """The demo's draw of a response officer's tactics, with the specialist tactics at their national shares."""
    codes = demo.draw_tactic_codes(rng, carrying_taser)
    for share, levels in SPECIALIST_TACTICS.values():
        if demo.chance(rng, share):
            codes.append(demo.pick(rng, levels))
    return codes


def lower_level_only(codes: Sequence[str]) -> bool:
    """Force that the derogated preset leaves optional, and nothing more."""
    return all(v.tactic(code).lower_level for code in codes)


def recorded_under_derogation(rng: random.Random, sample: int = 20_000) -> float:
    """The volume of reports under the derogated preset against the national standard's: those with more than
    lower-level force, and ``DEROGATED_STILL_RECORDED`` of the rest (estimated from a sample of draws)."""
    carrying = TASER_TRAINED_SHARE * demo.TASER_CARRIED_SHARE
    lower = sum(lower_level_only(draw_tactics(rng, rng.random() < carrying)) for _ in range(sample)) / sample
    return 1 - lower * (1 - DEROGATED_STILL_RECORDED)


class Planner:
    """Draws the force's incidents in time order and one report per officer who used force in each."""

    def __init__(self, rng: random.Random, force: Force, now: datetime, derogated_from: datetime) -> None:
        self.rng = rng
        self.force = force
        self.now = now
        self.derogated_from = derogated_from
        self.national = Policy(1, NATIONAL)
        self.derogated = Policy(2, DEROGATED)
        self.per_day: dict[str, int] = {}

    def reports(self, slots: Sequence[datetime], weights: Sequence[float], total: int) -> Iterator[Planned]:
        """Exactly ``total`` reports, each hour's share of them by its weight (rounded cumulatively)."""
        whole = sum(weights)
        expected, made = 0.0, 0
        for slot, weight in zip(slots, weights, strict=True):
            expected += weight * total / whole
            due = min(round(expected), total) - made
            while due > 0:
                incident = self._incident(slot, due)
                due -= len(incident)
                made += len(incident)
                yield from incident

    def _reference(self, local: datetime) -> str:
        # CAD log numbers restart each day and rise through it.
        day = f"{local.day:02d}{demo.MONTHS[local.month - 1]}{local.year % 100:02d}"
        number = self.per_day.get(day, 0) + 1
        self.per_day[day] = number
        return f"CAD-{number:04d}-{day}"

    def _tactics(self, carrying_taser: bool, derogated: bool) -> list[str]:
        """Under the derogated preset, a report of lower-level force alone is mostly not written: drawn again
        (the hours' volumes already allow for the reports not written, ``recorded_under_derogation``)."""
        while True:
            codes = draw_tactics(self.rng, carrying_taser)
            if not derogated or not lower_level_only(codes) or demo.chance(self.rng, DEROGATED_STILL_RECORDED):
                return codes

    def _incident(self, slot: datetime, most_reports: int) -> list[Planned]:
        """As ``uof.services.demo``'s planner draws an incident, with the Met's people and the specialist tactics."""
        rng = self.rng
        team = self.force.pick_team(rng)
        shared = demo.chance(rng, demo.SHARED_INCIDENT_SHARE)
        size = rng.choices(demo.SHARED_INCIDENT_SIZES, weights=demo.SHARED_INCIDENT_SIZE_WEIGHTS)[0] if shared else 1
        officers = team.pick(rng, min(size, most_reports))
        incident_at = slot + timedelta(minutes=rng.randrange(60))
        local = incident_at.astimezone(LONDON)
        derogated = incident_at >= self.derogated_from
        reference = self._reference(local)
        locations = [demo.pick(rng, demo.LOCATIONS)]
        if demo.chance(rng, demo.SECOND_LOCATION_SHARE):
            second = demo.pick(rng, demo.LOCATIONS)
            locations += [second] if second not in locations else []
        subject = {"age_band": demo.pick(rng, MET_AGE_BANDS), "gender": demo.pick(rng, MET_GENDERS),
                   "ethnicity": demo.pick(rng, MET_ETHNICITIES)}
        carrying = {o.id: o.taser_trained and demo.chance(rng, demo.TASER_CARRIED_SHARE) for o in officers}
        tactics = {o.id: self._tactics(carrying[o.id], derogated) for o in officers}
        all_codes = [code for codes in tactics.values() for code in codes]
        handcuffed = demo.HANDCUFFING.intersection(all_codes)
        arrested = demo.chance(rng, demo.ARREST_IF_HANDCUFFED if handcuffed else demo.ARREST_OTHERWISE)
        outcome = "arrested" if arrested else demo.pick(rng, demo.OUTCOMES_WITHOUT_ARREST)
        # A person detained under the Mental Health Act is seen as having a mental health condition.
        subject["health_condition"] = demo.pick(
            rng, demo.MENTAL_CONDITIONS if outcome == "detained_mental_health_act" else MET_HEALTH_CONDITIONS)
        impact_factors = demo.draw_impact_factors(
            rng, taser_used=bool(demo.TASER_CODES.intersection(all_codes)),
            weekend_night=demo.is_weekend_night(local),
            mental_condition=subject["health_condition"] in demo.MENTAL_CONDITIONS,
        )
        bodies: list[tuple[Officer, dict[str, Any]]] = []
        for officer in officers:
            bodies.append((officer, demo.draw_body(
                rng, incident_at=incident_at, reference=reference, area=team.area, locations=locations,
                subject=subject, impact_factors=impact_factors, arrested=arrested, codes=tactics[officer.id],
                crew=len(officers), taser_trained=officer.taser_trained, carrying=carrying[officer.id])))
        hospitalised = demo.draw_hospitalised(rng, [body["subject_injury"] for _, body in bodies])
        outcomes = [outcome, "hospitalised"] if hospitalised else [outcome]
        policy = self.derogated if derogated else self.national
        return [
            Planned(officer, incident_at, min(incident_at + demo.draw_submission_delay(rng), self.now), policy,
                    {**body, "outcomes": outcomes})
            for officer, body in bodies
        ]


# --- Turning reports into rows ---------------------------------------------------------------------------------

@dataclass
class Rows:
    reports: list[tuple[Any, ...]] = field(default_factory=list)
    versions: list[tuple[Any, ...]] = field(default_factory=list)
    facts: list[tuple[Any, ...]] = field(default_factory=list)
    reviews: list[tuple[Any, ...]] = field(default_factory=list)
    totals: list[tuple[Any, ...]] = field(default_factory=list)
    cross_totals: list[tuple[Any, ...]] = field(default_factory=list)


def _serious(content: Mapping[str, Any]) -> bool:
    """As the demo's reviewers judge it: an injury, a hospital visit, or a weapon, ground restraint or spit guard."""
    return (content["subject_injury"]["injured"] or "hospitalised" in content["outcomes"]
            or any(t["code"] in demo.SERIOUS for t in content["tactics"]))


class Recorder:
    """Validates each planned report as the app would, and settles its review as of ``now``, into rows."""

    def __init__(self, rng: random.Random, now: datetime, stamp: Callable[[datetime], str]) -> None:
        self.rng = rng
        self.now = now
        self.stamp = stamp  # how the loader wants a naive UTC datetime
        self.version_ids = itertools.count(1)
        self.review_ids = itertools.count(1)
        self.areas = list(BOROUGHS)

    def _after(self, start: datetime) -> datetime:
        """When a supervisor gets to a report that started waiting at ``start``."""
        rng = self.rng
        hours = 1 + rng.expovariate(1 / demo.REVIEW_DELAY_MEAN_HOURS)
        if rng.random() < LONG_WAIT_SHARE:
            hours += rng.uniform(*LONG_WAIT_HOURS)
        return start + timedelta(hours=hours)

    def record(self, report_id: int, planned: Planned, rows: Rows) -> list[Fact]:
        """Add the report's rows; returns its facts, for the running totals."""
        rng, stamp = self.rng, self.stamp
        result = validate_report(planned.body, policy_for=lambda _when: planned.policy, now=planned.submitted_at,
                                 areas=self.areas)
        if not result.ok:
            raise SystemExit(f"the generator drew an invalid report: {result.errors}\n{planned.body}")
        content = result.content
        officer, team = planned.officer, planned.officer.team
        incident_at = stamp(planned.incident_at)
        submitted_at = planned.submitted_at
        rows.versions.append((next(self.version_ids), report_id, 1, json.dumps(content), None, None, officer.id,
                              stamp(submitted_at)))

        status, version, waiting_since, updated_at = "approved", 1, None, submitted_at
        decided_at = self._after(submitted_at)
        if decided_at > self.now:
            opened = self.now - submitted_at > timedelta(days=1) and rng.random() < UNDER_REVIEW_SHARE
            status, waiting_since = ("under_review" if opened else "submitted"), submitted_at
        else:
            reviewer = team.reviewer_of(officer, rng)
            serious = _serious(content)
            if serious and rng.random() < REFERRAL_SHARE:
                status, updated_at = "referred", decided_at
                self._review(rows, report_id, reviewer, 1, REFER, demo.REFERRAL_COMMENT, content, serious, decided_at)
            elif rng.random() < demo.RETURN_SHARE:
                handcuffed = any(t["code"] in demo.HANDCUFFING for t in content["tactics"])
                asked, added = rng.choice(demo.RETURNS if handcuffed else demo.RETURNS[1:])
                self._review(rows, report_id, reviewer, 1, RETURN, asked, content, serious, decided_at)
                amended_at = decided_at + timedelta(hours=rng.uniform(*AMENDMENT_HOURS))
                status, updated_at = "returned", decided_at
                if amended_at <= self.now:
                    version, status, waiting_since, updated_at = 2, "resubmitted", amended_at, amended_at
                    narrative = (content.get("narrative") or "") + added
                    amended = {**content, "narrative": narrative}
                    rows.versions.append((next(self.version_ids), report_id, 2, json.dumps(amended),
                                          demo.AMENDMENT_REASON,
                                          json.dumps({"narrative": [content.get("narrative"), narrative]}),
                                          officer.id, stamp(amended_at)))
                    approved_at = self._after(amended_at)
                    if approved_at <= self.now:
                        status, waiting_since, updated_at = "approved", None, approved_at
                        self._review(rows, report_id, reviewer, 2, APPROVE, rng.choice(demo.APPROVAL_COMMENTS),
                                     amended, serious, approved_at)
            else:
                status, updated_at = "approved", decided_at
                self._review(rows, report_id, reviewer, 1, APPROVE, rng.choice(demo.APPROVAL_COMMENTS), content,
                             serious, decided_at)
        rows.reports.append((
            report_id, content["client_id"], content_hash(planned.body), officer.id, team.id, status, version,
            planned.policy.version, incident_at, content["incident_reference"], content["area"],
            stamp(submitted_at), stamp(updated_at), stamp(waiting_since) if waiting_since else None,
            stamp(decided_at) if decided_at <= self.now else None,
        ))
        facts = [*facts_of(content), *handling_facts(planned.policy.version, planned.incident_at, submitted_at,
                                                     decided_at if decided_at <= self.now else None)]
        rows.facts.extend((report_id, f.dimension, f.value, f.times, incident_at) for f in facts)
        return facts

    def _review(self, rows: Rows, report_id: int, reviewer: Officer, version: int, decision: str,
                comment: str | None, content: Mapping[str, Any], serious: bool, at: datetime) -> None:
        rng = self.rng
        reviewed = video_recorded(content) and rng.random() < demo.BWV_REVIEWED_SHARE
        debrief = rng.random() < (demo.DEBRIEF_IF_SERIOUS if serious else demo.DEBRIEF_OTHERWISE)
        rows.reviews.append((next(self.review_ids), report_id, reviewer.id, version, decision, comment, reviewed,
                             recorded_reference(content) if reviewed else None, debrief, self.stamp(at)))


# --- Loading ---------------------------------------------------------------------------------------------------

def naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


class SQLiteLoader:
    """executemany in one transaction per batch, with the journal, synchronous writes and foreign keys off."""

    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "foreign_keys=OFF", "cache_size=-1000000",
                       "temp_store=MEMORY", "locking_mode=EXCLUSIVE"):
            self.connection.execute(f"PRAGMA {pragma}")

    @staticmethod
    def stamp(moment: datetime) -> str:
        # As SQLAlchemy's SQLite DateTime stores it: SQLite compares these as text.
        return naive_utc(moment).strftime("%Y-%m-%d %H:%M:%S.%f")

    @staticmethod
    def day(value: date) -> str:
        return value.isoformat()  # as SQLAlchemy's SQLite Date stores it

    def load(self, tables: Sequence[tuple[str, Sequence[str], Sequence[tuple[Any, ...]]]]) -> None:
        self.connection.execute("BEGIN")
        for table, columns, rows in tables:
            if rows:
                marks = ", ".join("?" * len(columns))
                insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608 (our names)
                self.connection.executemany(insert, rows)
        self.connection.execute("COMMIT")

    def finish(self) -> None:
        self.connection.execute("PRAGMA journal_mode=WAL")  # as the app opens it
        self.connection.close()


class PostgresLoader:
    """COPY into the indexed tables, foreign-key triggers skipped for the load; then sequences and statistics."""

    def __init__(self, dsn: str) -> None:
        self.connection = psycopg.connect(dsn)
        self.connection.execute("SET session_replication_role = replica")

    @staticmethod
    def stamp(moment: datetime) -> str:
        return naive_utc(moment).isoformat(" ")

    @staticmethod
    def day(value: date) -> str:
        return value.isoformat()

    def load(self, tables: Sequence[tuple[str, Sequence[str], Sequence[tuple[Any, ...]]]]) -> None:
        with self.connection.cursor() as cursor:
            for table, columns, rows in tables:
                if rows:
                    copy_in = sql.SQL("COPY {} ({}) FROM STDIN").format(
                        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)))
                    with cursor.copy(copy_in) as copy:
                        for row in rows:
                            copy.write_row(row)
        self.connection.commit()

    def finish(self) -> None:
        for table in SEQUENCED_TABLES:
            self.connection.execute(sql.SQL("SELECT setval(pg_get_serial_sequence({name}, 'id'), "
                                            "(SELECT max(id) FROM {table}))")
                                    .format(name=sql.Literal(table), table=sql.Identifier(table)))
        self.connection.commit()
        self.connection.autocommit = True
        started = time.perf_counter()
        self.connection.execute("VACUUM ANALYZE")
        print(f"VACUUM ANALYZE: {time.perf_counter() - started:.0f} s")
        self.connection.close()


# --- Building --------------------------------------------------------------------------------------------------

def migrate(database_url: str) -> None:
    """The schema and indexes exactly as the migrations make them, through the app."""
    instance = Path(tempfile.mkdtemp(prefix="uof-bench-"))
    os.environ.update(UOF_INSTANCE_PATH=str(instance), UOF_SECRET_KEY="bench-" + "z" * 40,
                      UOF_DATABASE_URL=database_url)
    from flask_migrate import upgrade

    from uof import create_app
    from uof.extensions import db

    app = create_app({"RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        db.engine.dispose()


def build(params: Parameters, loader: SQLiteLoader | PostgresLoader) -> dict[str, Any]:
    rng = random.Random(params.seed)  # noqa: S311 (made-up test data, reproducible)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    start = now - timedelta(days=365 * params.years)
    derogated_from = (start + (now - start) * DEROGATION_AFTER).replace(hour=0)
    stamp = loader.stamp

    started = time.perf_counter()
    force = draw_force(rng)
    password_hash = hash_password(PASSWORD)  # one hash for every account: argon2 is slow on purpose
    joined = stamp(start - timedelta(days=30))
    loader.load([
        ("teams", ("id", "name", "area", "created_at"),
         [(team.id, team.name, team.area, joined) for team in force.teams]),
        ("users", ("id", "email", "name", "force_number", "password_hash", "team_id", "active", "failed_logins",
                   "session_nonce", "created_at"),
         [(a.id, a.email, a.name, f"{a.id:06d}" if a.team_id else None, password_hash, a.team_id, a.active, 0,
           a.session_nonce, joined) for a in force.accounts]),
        ("user_roles", ("user_id", "role"), [(a.id, role) for a in force.accounts for role in a.roles]),
        ("team_supervisors", ("team_id", "user_id"),
         [(team.id, sergeant.id) for team in force.teams for sergeant in team.sergeants]),
        ("policy_versions", ("id", "version", "preset", "overrides", "effective_from", "created_at", "note"),
         [(2, 2, DEROGATED, "{}", stamp(derogated_from), stamp(derogated_from - timedelta(days=14)),
           "Derogated recording: lower-level force optional (synthetic force)")]),
    ])
    print(f"force: {len(force.teams)} teams, {len(force.accounts):,} accounts "
          f"({time.perf_counter() - started:.1f} s)")

    slots, weights = hour_slots(start, now - timedelta(hours=1), derogated_from, rng)
    planner = Planner(rng, force, now, derogated_from)
    recorder = Recorder(random.Random(f"{params.seed}-reviews"), now, stamp)  # noqa: S311
    counted = {"reports": 0, "versions": 0, "facts": 0, "reviews": 0, "totals": 0, "cross_totals": 0}
    load_seconds = 0.0
    rows = Rows()
    report_ids = itertools.count(1)
    progress = PROGRESS_EVERY
    # The running totals (uof.domain.rollups), summed as the app's rebuild sums them: reports come in incident
    # order, hour by hour, and each month's totals are loaded once the month is over.
    months = rollups.MonthByMonth()
    for planned in planner.reports(slots, weights, params.reports):
        facts = recorder.record(next(report_ids), planned, rows)
        _add_totals(rows, months.add(planned.incident_at, planned.body["area"], facts))
        if len(rows.reports) >= BATCH_REPORTS:
            load_seconds += _flush(loader, rows, counted)
            rows = Rows()
            if counted["reports"] >= progress:
                progress += PROGRESS_EVERY
                print(f"  {counted['reports']:,} reports, {time.perf_counter() - started:.0f} s", flush=True)
    _add_totals(rows, months.take())
    load_seconds += _flush(loader, rows, counted)
    elapsed = time.perf_counter() - started
    print(f"loaded {counted['reports']:,} reports, {counted['versions']:,} versions, {counted['facts']:,} facts, "
          f"{counted['reviews']:,} reviews, {counted['totals']:,} + {counted['cross_totals']:,} running totals "
          f"in {elapsed:.0f} s ({load_seconds:.0f} s of it writing)")
    finishing = time.perf_counter()
    loader.finish()
    print(f"finishing: {time.perf_counter() - finishing:.0f} s")
    return {**params.as_json(), "built_at": now.isoformat(), "seconds": round(time.perf_counter() - started),
            "derogated_from": stamp(derogated_from), **counted}


def _add_totals(rows: Rows, month: tuple[dict[Any, list[int]], dict[Any, list[int]]] | None) -> None:
    """A finished month's running totals (``rollups.MonthByMonth``), as rows."""
    if month is not None:
        totals, cross = month
        rows.totals.extend((*key, reports, times) for key, (reports, times) in totals.items())
        rows.cross_totals.extend((*key, reports, times) for key, (reports, times) in cross.items())


def _flush(loader: SQLiteLoader | PostgresLoader, rows: Rows, counted: dict[str, int]) -> float:
    started = time.perf_counter()
    loader.load([("reports", REPORT_COLUMNS, rows.reports), ("report_versions", VERSION_COLUMNS, rows.versions),
                 ("report_facts", FACT_COLUMNS, rows.facts), ("reviews", REVIEW_COLUMNS, rows.reviews),
                 ("fact_totals", TOTAL_COLUMNS,
                  [(span, loader.day(start), *rest) for span, start, *rest in rows.totals]),
                 ("fact_cross_totals", CROSS_COLUMNS,
                  [(loader.day(month), *rest) for month, *rest in rows.cross_totals])])
    for name in counted:
        counted[name] += len(getattr(rows, name))
    return time.perf_counter() - started


# --- Where the database lives, and whether it is already built ------------------------------------------------

def sqlite_database(params: Parameters, path: Path | None, rebuild: bool) -> str:
    path = (path or DATA / f"uof-{params.label}.sqlite3").resolve()
    url = f"sqlite:///{path}"
    record = build_record(url)
    if not rebuild and params.built_by(record):
        assert record is not None
        return _reused(url, record, path.stat().st_size)
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (path, _record_path(path), path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    print(f"building {url}")
    migrate(url)
    built = build(params, SQLiteLoader(path))
    # Written last: its presence means the build finished.
    _record_path(path).write_text(json.dumps(built, indent=1) + "\n")
    _built(url, path.stat().st_size)
    return url


def postgres_database(params: Parameters, name: str | None, rebuild: bool) -> str:
    name = name or f"uof_bench_{params.label}"
    url = f"{POSTGRES_SERVER}/{name}"
    record = build_record(url)
    if not rebuild and params.built_by(record):
        assert record is not None
        with _postgres("postgres") as server:
            size = server.execute("SELECT pg_database_size(%s)", (name,)).fetchone()
        return _reused(url, record, size[0] if size else 0)
    with _postgres("postgres") as server:
        server.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    print(f"building {url}")
    migrate(url)
    built = build(params, PostgresLoader(_postgres_dsn(name)))
    with _postgres("postgres") as server:
        # Set last: a database with the comment is a finished build.
        server.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name),
                                                                       sql.Literal(json.dumps(built))))
        size = server.execute("SELECT pg_database_size(%s)", (name,)).fetchone()
    _built(url, size[0] if size else 0)
    with _postgres(name) as connection:
        tables = connection.execute(
            "SELECT relname, pg_total_relation_size(oid), pg_relation_size(oid) FROM pg_class "
            "WHERE relname IN ('reports', 'report_versions', 'report_facts', 'reviews') ORDER BY 2 DESC").fetchall()
    for table, total, heap in tables:
        print(f"  {table}: {total / 2**30:.2f} GiB with its indexes ({heap / 2**30:.2f} GiB of rows)")
    return url


def build_record(database_url: str) -> dict[str, Any] | None:
    """What a finished build recorded about itself (parameters, time, counts); None if it is not one."""
    if database_url.startswith("sqlite:///"):
        record = _record_path(Path(database_url.removeprefix("sqlite:///")))
        return json.loads(record.read_text()) if record.exists() else None
    name = database_url.rsplit("/", 1)[-1]
    with _postgres("postgres") as server:
        found = server.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                               (name,)).fetchone()
    return json.loads(found[0]) if found and found[0] else None


def _record_path(database: Path) -> Path:
    return database.with_name(database.name + ".json")


def _postgres_dsn(name: str) -> str:
    return f"{POSTGRES_SERVER.replace('postgresql+psycopg', 'postgresql')}/{name}"


def _postgres(name: str) -> psycopg.Connection[Any]:
    return psycopg.connect(_postgres_dsn(name), autocommit=True)


def _reused(url: str, built: Mapping[str, Any], size: int) -> str:
    print(f"reusing {url} (built {built.get('built_at')} in {built.get('seconds')} s; "
          f"{size / 2**30:.2f} GiB; {built.get('reports'):,} reports, {built.get('facts'):,} facts)")
    return url


def _built(url: str, size: int) -> None:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"built {url}: {size / 2**30:.2f} GiB; peak memory (RSS) {peak:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--path", type=Path, help="SQLite: the database file (default bench/data/uof-<size>.sqlite3)")
    parser.add_argument("--database", help="PostgreSQL: the database name (default uof_bench_<size>)")
    parser.add_argument("--rebuild", action="store_true", help="build again even if already built")
    args = parser.parse_args()
    params = Parameters(args.reports, args.years, args.seed)
    if args.backend == "sqlite":
        url = sqlite_database(params, args.path, args.rebuild)
    else:
        url = postgres_database(params, args.database, args.rebuild)
    print(f"\n--database-url {url}")


if __name__ == "__main__":
    main()
