"""The governance dashboard on a phone: opened from the menu, filtered by area, it shows the figures and the
downloads for that area, fits the screen with every table open, and axe-core finds nothing serious."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import PHONE, ServerProcess, _app_for, login
from tests.browser.test_accessibility import _serious_violations
from tests.factories import make_team, make_user, report_body
from uof.extensions import db
from uof.models import User
from uof.services import exports, reports

GOVERNANCE = "acc.browser@example.org"


def _seed_force(server: ServerProcess) -> None:
    """A governance user, a second area, and reports in both areas over the last fortnight."""
    app = _app_for(server.database, server.instance)
    with app.app_context():
        make_team("Coventry Response", "Coventry")
        make_user(GOVERNANCE, "governance", name="Alex Chief")
        coventry = make_user("pc.coventry@example.org", "officer", teams=("Coventry Response",), name="Cov Officer")
        birmingham = db.session.query(User).filter_by(force_number="4321").one()
        now = datetime.now(UTC)
        for officer, days, codes in ((birmingham, 3, ["non_compliant_handcuffing"]),
                                     (birmingham, 5, ["unarmed_skills"]),
                                     (coventry, 4, ["ced_drawn", "ced_fired"])):
            body = report_body(incident_at=(now - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                               tactics=[{"code": code, "effective": True} for code in codes], ced_carried=True)
            assert reports.submit(officer, body).outcome == "created"
        db.session.commit()
        db.engine.dispose()


@pytest.mark.parametrize("width", [320, PHONE["width"]])
def test_governance_filters_by_area_on_a_phone(browser, own_server, width):  # type: ignore[no-untyped-def]
    _seed_force(own_server)
    context = browser.new_context(viewport={"width": width, "height": PHONE["height"]}, is_mobile=True,
                                  has_touch=True, locale="en-GB", base_url=own_server.url)
    page = context.new_page()
    today = exports.today_in_uk()
    start, end = (today - timedelta(days=14)).isoformat(), today.isoformat()
    try:
        login(page, GOVERNANCE)
        page.get_by_role("link", name="Governance", exact=True).click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", level=1).inner_text() == "Use of force across the force"
        assert _serious_violations(page) == [], "the dashboard as it opens"

        page.get_by_label("From").fill(start)
        page.get_by_label("To", exact=True).fill(end)
        page.get_by_label("Area", exact=True).select_option("Coventry")
        page.get_by_role("button", name="Show figures").click()
        page.wait_for_load_state()
        query = parse_qs(urlsplit(page.url).query)
        assert query["area"] == ["Coventry"]
        assert page.locator("[data-total]").inner_text() == "1 report"
        assert page.locator("[data-policy-stamp]").first.is_visible()
        assert page.get_by_role("img", name="Reports per month").is_visible()
        assert page.get_by_role("img", name="Tactics").is_visible()

        records = page.get_by_role("link", name="Record-level CSV").get_attribute("href")
        assert records is not None
        assert parse_qs(urlsplit(records).query) == {"from": [start], "to": [end], "area": ["Coventry"]}
        pack = page.get_by_role("link", name="Quarterly governance pack").get_attribute("href")
        assert pack is not None
        assert parse_qs(urlsplit(pack).query) == {"quarter": [exports.quarter_code(today - timedelta(days=14))],
                                                  "area": ["Coventry"]}
        assert page.get_by_role("link", name="print page").is_visible()
        assert page.get_by_role("link", name="Home Office return").is_visible()

        page.eval_on_selector_all("details", "all => all.forEach(d => { d.open = true; })")
        tactics = page.locator('table[data-table="tactic"] tbody tr')
        assert tactics.count() == 1
        assert tactics.first.locator("td").all_inner_texts() == ["CED Fired", "1", "1", "100%"]
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {width}px"
        assert _serious_violations(page) == [], "the filtered dashboard with every table open"
    finally:
        context.close()
