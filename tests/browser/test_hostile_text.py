"""Script typed into a report, opened in Chromium on a phone: shown as text, never run."""

from __future__ import annotations

import json

from tests.browser.conftest import PHONE, login
from tests.factories import report_body
from tests.hostile.test_xss import LONG, SHORT


def test_script_in_a_report_is_shown_as_text_and_never_runs(browser, own_server):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, base_url=own_server.url)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    login(page, own_server.live().officer)
    body = report_body(incident_reference=SHORT, narrative=LONG)
    body["bwv"]["reference"] = SHORT
    created = page.evaluate("""async body => {
        const token = document.querySelector('meta[name="csrf-token"]').content;
        const response = await fetch('/api/v1/reports', {method: 'POST', body,
            headers: {'Content-Type': 'application/json', 'X-CSRFToken': token}});
        return {status: response.status, json: await response.json()};
    }""", json.dumps(body))
    assert created["status"] == 201, created
    for path in (f"/reports/{created['json']['id']}", "/reports"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert page.get_by_text(SHORT).first.is_visible()
        assert page.locator("svg[onload], img[src='x'], script:not([src])").count() == 0
    page.goto(f"/reports/{created['json']['id']}")
    assert LONG in page.locator("main").inner_text()  # the whole account, as the officer typed it
    page.wait_for_timeout(300)
    assert dialogs == []
    context.close()
