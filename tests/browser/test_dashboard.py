"""The team dashboard on a phone: it fits the screen with every table open, and axe-core finds nothing serious."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.browser.conftest import PHONE, ServerProcess, _app_for, login
from tests.browser.test_accessibility import _serious_violations
from tests.factories import make_user, report_body
from uof.extensions import db
from uof.models import User
from uof.services import reports

SERGEANT = "sgt.browser@example.org"


def _seed_team(server: ServerProcess) -> None:
    """A supervisor for the seeded team, and a few of its officer's reports over the last weeks."""
    app = _app_for(server.database, server.instance)
    with app.app_context():
        make_user(SERGEANT, "supervisor", teams=("Birmingham Central A",), name="Sergeant Browser")
        officer = db.session.query(User).filter_by(force_number="4321").one()
        now = datetime.now(UTC)
        for days, codes in ((2, ["ced_drawn", "ced_fired"]), (9, ["non_compliant_handcuffing"]),
                            (16, ["compliant_handcuffing", "tactical_communication"]), (40, ["unarmed_skills"])):
            body = report_body(incident_at=(now - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                               tactics=[{"code": code, "effective": True} for code in codes],
                               ced_carried=True, ced_trained=True)
            assert reports.submit(officer, body).outcome == "created"
        db.session.commit()
        db.engine.dispose()


@pytest.mark.parametrize("width", [320, PHONE["width"]])
def test_dashboard_fits_a_phone_and_is_accessible(browser, own_server, width):  # type: ignore[no-untyped-def]
    _seed_team(own_server)
    context = browser.new_context(viewport={"width": width, "height": PHONE["height"]}, is_mobile=True,
                                  has_touch=True, locale="en-GB", base_url=own_server.url)
    page = context.new_page()
    try:
        login(page, SERGEANT)
        page.get_by_role("link", name="Team", exact=True).click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", level=1).inner_text() == "Birmingham Central A"
        assert page.get_by_role("img", name="Reports per week").is_visible()
        page.eval_on_selector_all("details", "all => all.forEach(d => { d.open = true; })")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {width}px"
        assert _serious_violations(page) == []
    finally:
        context.close()
