"""A scrutiny sample on a phone: governance draws one and records the panel's grade of a report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.browser.conftest import PHONE, ServerProcess, _app_for, choose, login
from tests.browser.test_accessibility import _serious_violations
from tests.factories import make_user, report_body
from uof.extensions import db
from uof.models import User
from uof.services import exports, reports

GOVERNANCE = "acc.browser@example.org"


def _seed_force(server: ServerProcess) -> None:
    """A governance user, and four reports of the seeded officer over the last fortnight."""
    app = _app_for(server.database, server.instance)
    with app.app_context():
        make_user(GOVERNANCE, "governance", name="Assistant Chief Constable")
        officer = db.session.query(User).filter_by(force_number="4321").one()
        now = datetime.now(UTC)
        for days, code in ((2, "ced_fired"), (5, "non_compliant_handcuffing"), (9, "unarmed_skills"),
                           (12, "dog_bite")):
            body = report_body(incident_at=(now - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                               tactics=[{"code": code, "effective": True}], ced_carried=True, ced_trained=True)
            assert reports.submit(officer, body).outcome == "created"
        db.session.commit()
        db.engine.dispose()


def test_draw_a_sample_and_grade_a_report_on_a_phone(browser, own_server):  # type: ignore[no-untyped-def]
    _seed_force(own_server)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB",
                                  base_url=own_server.url)
    page = context.new_page()
    try:
        login(page, GOVERNANCE)
        page.goto("/governance/samples")
        assert page.get_by_role("heading", level=1).inner_text() == "Scrutiny samples"
        assert _serious_violations(page) == [], "the list and the form"

        today = exports.today_in_uk()
        page.get_by_label("Title or panel name").fill("Independent panel, phone test")
        page.get_by_label("From", exact=True).fill((today - timedelta(days=30)).isoformat())
        page.get_by_label("To", exact=True).fill(today.isoformat())
        page.get_by_label("Number of reports").fill("3")
        page.get_by_label("Seed (optional)").fill("42")
        page.get_by_role("button", name="Draw the sample").click()
        page.wait_for_load_state()

        assert page.get_by_role("heading", level=1).inner_text() == "Independent panel, phone test"
        assert page.get_by_text("Sample drawn: 3 of the 4 reports in the period, with seed 42.").is_visible()
        first = page.locator("#sample-1")
        choose(first, "Panel grade for sample 1", "Amber: some concern, or learning for the force")
        first.get_by_label("Panel feedback (optional)").fill("Was the footage reviewed before the account?")
        first.get_by_role("button", name="Save the grade of sample 1").click()
        page.wait_for_load_state()

        assert page.get_by_text("Sample 1 graded amber.").is_visible()
        graded = page.locator("#sample-1")
        assert graded.get_by_role("heading", level=3).inner_text() == "Sample 1 Amber"
        assert graded.get_by_label("Panel feedback (optional)").input_value() == (
            "Was the footage reviewed before the account?")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the sample page scrolls sideways by {overflow}px"
        assert _serious_violations(page) == [], "the sample page"

        page.get_by_role("link", name="Grading report").click()
        page.wait_for_load_state()
        assert page.get_by_text("1 of the 3 reports graded.").is_visible()
        assert page.get_by_role("img", name="Reports by panel grade").is_visible()
        assert _serious_violations(page) == [], "the grading report"
    finally:
        context.close()
