"""axe-core (bundled by axe-playwright-python) on the pages an officer uses: no serious or critical violation."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import login

SERIOUS = {"serious", "critical"}


def _serious_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']]}"
            for v in results.response["violations"] if v.get("impact") in SERIOUS]


def test_login_form_check_answers_and_my_reports_pages(phone, live_server):
    page = phone
    page.goto("/login")
    assert _serious_violations(page) == []
    login(page, live_server.officer)
    page.goto("/reports")
    assert _serious_violations(page) == [], "my reports"
    page.goto("/record/device")
    page.wait_for_load_state("networkidle")
    assert _serious_violations(page) == [], "device form"
    page.goto("/record")
    page.get_by_role("button", name="Start now").click()
    page.wait_for_load_state()
    assert _serious_violations(page) == [], "form section"
    page.get_by_role("button", name="Save and continue").click()  # with errors: summary and field messages
    page.wait_for_load_state()
    assert _serious_violations(page) == [], "form section with errors"
    draft = page.url.rsplit("/", 1)[0]
    page.goto(f"{draft}/check")
    assert _serious_violations(page) == [], "check your answers"
