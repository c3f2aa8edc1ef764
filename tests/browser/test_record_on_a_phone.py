"""An officer records a use of force on a phone-sized screen, end to end, in a real browser."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.browser.conftest import choose, login


def _continue(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()


def _no_horizontal_scroll(page) -> None:  # type: ignore[no-untyped-def]
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def _thumb_sized_targets(page) -> None:  # type: ignore[no-untyped-def]
    heights = page.eval_on_selector_all(
        ".choice, .button, .input, select, textarea",
        "elements => elements.map(e => [e.className, e.getBoundingClientRect().height])",
    )
    small = [(name, height) for name, height in heights if height < 44]
    assert not small, (page.url, small)


def test_officer_records_a_use_of_force_on_a_phone(phone, live_server):
    page = phone
    login(page, live_server.officer)
    page.goto("/record")
    _no_horizontal_scroll(page)
    page.get_by_role("button", name="Start now").click()

    when = datetime.now(ZoneInfo("Europe/London")) - timedelta(days=1)
    page.get_by_label("Day").fill(str(when.day))
    page.get_by_label("Month").fill(str(when.month))
    page.get_by_label("Year").fill(str(when.year))
    page.get_by_label("Time").fill("22:40")
    page.get_by_label("Incident reference (CAD or log number)").fill("CAD-7781-BROWSER")
    page.get_by_label("Street / highway").check()
    choose(page, "Were you single crewed?", "No")
    _no_horizontal_scroll(page)
    _continue(page)

    choose(page, "Age band (perceived)", "18 to 34 years")
    choose(page, "Gender (perceived)", "Female")
    choose(page, "Ethnicity (perceived)", "Mixed")
    choose(page, "Health condition", "None")
    choose(page, "The person's conduct", "Active resistance")
    _no_horizontal_scroll(page)
    _continue(page)

    page.get_by_label("Handcuffing – non-compliant").check()
    # With JavaScript on, the duty to record is announced as soon as a tactic is ticked.
    assert "must" in page.locator("[data-policy-duty]").inner_text().lower()
    _no_horizontal_scroll(page)
    _continue(page)

    choose(page, "Handcuffing – non-compliant", "Yes", exact=False)
    choose(page, "Are you Taser (CED) trained?", "No")
    choose(page, "Were you carrying a Taser (CED)?", "No")
    _continue(page)

    page.get_by_label("Effect arrest").check()
    _continue(page)
    page.get_by_label("Alcohol").check()
    _continue(page)

    choose(page, "Were you injured?", "No")
    choose(page, "Were you injured by an intentional assault?", "No")
    choose(page, "How badly were you injured?", "None")
    choose(page, "Was the person injured?", "No")
    choose(page, "How badly was the person injured?", "None")
    choose(page, "Medical assistance for the person", "None")
    page.get_by_role("group", name="Outcome").get_by_label("Arrested").check()
    _no_horizontal_scroll(page)
    _continue(page)

    choose(page, "Were you wearing body-worn video?", "Yes")
    choose(page, "Was it recording?", "Yes")
    page.get_by_label("Footage reference").fill("BWV-4455")
    choose(page, "Did you view the footage before writing your account?", "No")
    _continue(page)

    page.get_by_label("Your account").fill("Resisted handcuffing on the street; <b>no</b> injuries.")
    _continue(page)

    assert page.get_by_role("heading", name="Check your answers").is_visible()
    assert "CAD-7781-BROWSER" in page.content()
    _no_horizontal_scroll(page)
    page.get_by_role("button", name="Submit").click()
    page.wait_for_load_state()

    confirmation = page.locator("main").inner_text()
    assert "UOF-" in confirmation
    assert "<b>no</b> injuries" in confirmation  # shown as text, never as markup

    page.goto("/reports")
    assert "CAD-7781-BROWSER" in page.locator("main").inner_text()
    _no_horizontal_scroll(page)


def test_the_form_works_with_javascript_off(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False,
                                  base_url=live_server.url)
    page = context.new_page()
    login(page, live_server.officer)
    page.goto("/record")
    page.get_by_role("button", name="Start now").click()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    context.close()


def test_no_horizontal_scrolling_and_thumb_sized_targets_at_320px(browser, live_server):
    context = browser.new_context(viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True,
                                  base_url=live_server.url)
    page = context.new_page()
    login(page, live_server.officer)
    for path in ("/reports", "/record"):
        page.goto(path)
        _no_horizontal_scroll(page)
    page.get_by_role("button", name="Start now").click()
    page.wait_for_load_state()
    draft = page.url.rsplit("/", 1)[0]
    for section in ("incident", "person", "tactics", "injuries", "bwv", "account", "check"):
        page.goto(f"{draft}/{section}")
        _no_horizontal_scroll(page)
        _thumb_sized_targets(page)
    context.close()
