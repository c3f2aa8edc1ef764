"""Walking the recording form through the test client, as a browser without JavaScript would."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from typing import Any

from flask.testing import FlaskClient

from tests.conftest import csrf_from
from uof.uktime import LONDON

SECTION_SLUGS = ("incident", "person", "tactics", "effectiveness", "reasons", "impact", "injuries", "bwv", "account")


def yesterday_evening() -> datetime:
    return (datetime.now(LONDON) - timedelta(days=1)).replace(hour=22, minute=40, second=0, microsecond=0)


def valid_answers() -> dict[str, dict[str, Any]]:
    """What an officer enters in each section for a complete, valid report."""
    when = yesterday_evening()
    return {
        "incident": {
            "incident_day": str(when.day), "incident_month": str(when.month), "incident_year": str(when.year),
            "incident_time": "22:40", "incident_reference": "CAD-1234-25NOV26", "area": "Birmingham",
            "locations": ["street_highway", "dwelling"], "single_crewed": "no",
        },
        "person": {"age_band": "age_18_34", "gender": "male", "ethnicity": "white", "health_condition": "none",
                   "conduct": "active_resistance"},
        "tactics": {"tactics": ["non_compliant_handcuffing"]},
        "effectiveness": {"effective_non_compliant_handcuffing": "yes", "ced_trained": "yes", "ced_carried": "no"},
        "reasons": {"reasons": ["protect_self", "effect_arrest"]},
        "impact": {"impact_factors": ["alcohol"]},
        "injuries": {"officer_injured": "no", "officer_assaulted": "no", "officer_injury_level": "none",
                     "person_injured": "no", "person_injury_level": "none", "medical_assistance": "none",
                     "outcomes": ["arrested"]},
        "bwv": {"bwv_worn": "yes", "bwv_recording": "yes", "bwv_reference": "BWV-88812", "bwv_viewed": "no"},
        "account": {"narrative": "Detained for a breach of the peace; resisted handcuffing."},
    }


class Journey:
    """One officer's browser: starts drafts, posts sections with the page's CSRF token, submits."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def token(self) -> str:
        return csrf_from(self.client.get("/reports").get_data(as_text=True))

    def post(self, url: str, data: dict[str, Any] | None = None) -> Any:
        return self.client.post(url, data={**(data or {}), "csrf_token": self.token()})

    def start(self) -> str:
        """Start a draft; returns its base URL, /record/<client_id>."""
        response = self.post("/record")
        assert response.status_code == 303, response.status_code
        match = re.fullmatch(r"(/record/[0-9a-f-]{36})/incident", response.headers["Location"])
        assert match, response.headers["Location"]
        return match[1]

    def section(self, base: str, slug: str, data: dict[str, Any], query: str = "") -> Any:
        return self.post(f"{base}/{slug}{query}", data)

    def fill(self, base: str, answers: dict[str, dict[str, Any]] | None = None,
             slugs: tuple[str, ...] = SECTION_SLUGS) -> None:
        """Post every section in turn; each must be accepted and lead to the next."""
        answers = answers or valid_answers()
        for index, slug in enumerate(slugs):
            response = self.section(base, slug, answers[slug])
            assert response.status_code == 303, (slug, page_errors(response.get_data(as_text=True)))
            expected = f"{base}/{SECTION_SLUGS[index + 1]}" if index + 1 < len(SECTION_SLUGS) else f"{base}/check"
            if slugs == SECTION_SLUGS:
                assert response.headers["Location"] == expected

    def submit(self, base: str, data: dict[str, Any] | None = None) -> Any:
        return self.post(f"{base}/submit", data)


def page_errors(page: str) -> list[str]:
    """The messages of a page's error summary."""
    summary = re.search(r'<ul class="error-summary__list">(.*?)</ul>', page, re.S)
    if summary is None:
        return []
    return [html.unescape(message) for message in re.findall(r'<a href="[^"]*">([^<]*)</a>', summary[1])]


def error_hrefs(page: str) -> list[str]:
    summary = re.search(r'<ul class="error-summary__list">(.*?)</ul>', page, re.S)
    return re.findall(r'<a href="([^"]*)">', summary[1]) if summary else []
