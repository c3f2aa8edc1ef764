"""The transparency page and the open data CSV: public, aggregated, suppressed, and identifying no one.

Seeded in the last complete UK month: seven reports in Birmingham (five male subjects, two female; every one a
Taser drawn, aimed and fired with tactical communication) and one in Coventry.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from flask import Flask

from tests.factories import Maker
from uof.services.open_data import last_complete_months
from uof.uktime import LONDON

SECRETS = ("Alice Able", "FN9876", "Carl Coventry", "FN5432", "CAD-SECRET", "Narrative-marker", "12:34", "UOF-0")


@pytest.fixture
def seeded(app: Flask, make: Maker) -> str:
    make.team("Birmingham Central A", "Birmingham")
    make.team("Coventry Response", "Coventry")
    alice = make.user("alice@example.org", "officer", teams=("Birmingham Central A",), force_number="FN9876",
                      name="Alice Able")
    carl = make.user("carl@example.org", "officer", teams=("Coventry Response",), force_number="FN5432",
                     name="Carl Coventry")
    month = last_complete_months(datetime.now(LONDON))[-1]
    incident_at = f"{month.key}-15T12:34:00Z"
    taser = [{"code": code, "effective": True}
             for code in ("ced_drawn", "ced_aimed", "ced_fired", "tactical_communication")]
    for n in range(7):
        subject = {"age_band": "age_18_34", "gender": "male" if n < 5 else "female", "ethnicity": "white",
                   "health_condition": "none"}
        make.report(alice, incident_at=incident_at, incident_reference=f"CAD-SECRET-{n}", tactics=taser,
                    subject=subject, ced_carried=True, narrative=f"Narrative-marker {n}")
    make.report(carl, incident_at=incident_at, incident_reference="CAD-SECRET-C", narrative="Narrative-marker C")
    return month.key


def _csv(client) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    response = client.get("/public/open-data.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def _count(rows: list[dict[str, str]], month: str, area: str, measure: str, category: str) -> str:
    (row,) = [r for r in rows if (r["month"], r["area"], r["measure"], r["category"]) == (month, area, measure,
                                                                                        category)]
    return row["count"]


def test_anyone_may_read_the_page_and_the_csv_without_logging_in(client, seeded):
    page = client.get("/public")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "public, max-age=3600"
    html = page.get_data(as_text=True)
    assert "Use of force: public figures" in html
    assert "fewer than 5" in html
    assert 'href="/public/open-data.csv"' in html
    assert "<svg" in html
    assert "style=" not in html
    assert "<script>" not in html
    assert client.get("/login").get_data(as_text=True).count('href="/public"') == 1


def test_the_csv_counts_by_the_national_rules_and_suppresses_small_numbers(client, seeded):
    rows = _csv(client)
    assert list(rows[0]) == ["month", "area", "measure", "category", "count", "policy_versions"]
    month = seeded
    assert _count(rows, month, "Birmingham", "reports", "All reports") == "7"
    # A Taser counts at its highest level only; tactical communication is not force.
    assert _count(rows, month, "Birmingham", "tactics", "CED Fired") == "7"
    assert _count(rows, month, "Birmingham", "tactics", "CED Drawn") == "0"
    assert not [r for r in rows if r["category"] == "Tactical communication"]
    # Two female subjects are fewer than 5; the five male ones are hidden too, or 7 - 5 would give them away.
    assert _count(rows, month, "Birmingham", "gender", "Female") == "suppressed"
    assert _count(rows, month, "Birmingham", "gender", "Male") == "suppressed"
    assert _count(rows, month, "Birmingham", "gender", "Other") == "0"
    assert _count(rows, month, "Coventry", "reports", "All reports") == "suppressed"
    assert {r["policy_versions"] for r in rows if r["month"] == month} == {"1"}
    assert {r["policy_versions"] for r in rows if r["month"] != month} == {""}
    assert len({r["month"] for r in rows}) == 12


def test_the_page_agrees_with_the_csv(client, seeded):
    html = client.get("/public").get_data(as_text=True)
    assert "Birmingham" in html
    assert "Coventry" in html
    assert ">suppressed<" in html  # the secondary suppression of the male subjects
    assert "Version 1:" in html


def test_nothing_identifies_an_officer_an_incident_or_a_time(client, seeded):
    html = client.get("/public").get_data(as_text=True)
    text = client.get("/public/open-data.csv").get_data(as_text=True)
    for secret in SECRETS:
        assert secret not in html, secret
        assert secret not in text, secret


def test_with_no_reports_the_page_says_so(client):
    html = client.get("/public").get_data(as_text=True)
    assert "No reports in these months." in html
    assert _csv(client) == []


def test_a_logged_in_reader_gets_a_page_no_shared_cache_keeps(client, auth, make, seeded):
    auth.login("alice@example.org")
    page = client.get("/public")
    assert page.status_code == 200
    assert "public" not in page.headers["Cache-Control"]
