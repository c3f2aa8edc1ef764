"""The recording journey: start, sections, errors, drafts, policy, check answers and submission."""

from __future__ import annotations

import html
import re
import uuid
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import func, select

from tests.factories import Maker, Person
from tests.record.journey import Journey, error_hrefs, page_errors, valid_answers, yesterday_evening
from uof.extensions import db
from uof.models import Draft, Report
from uof.services import policy


def set_policy(app: Flask, preset: str, **tactics: str) -> None:
    """A new policy version, in force since before the incidents the tests record (yesterday)."""
    with app.app_context():
        policy.set_policy(preset, actor=None, tactics=tactics, effective_from=datetime.now(UTC) - timedelta(days=30))
        db.session.commit()


def draft_content(app: Flask, base: str) -> dict:
    with app.app_context():
        draft = db.session.scalar(select(Draft).where(Draft.client_id == base.rsplit("/", 1)[1]))
        assert draft is not None
        return draft.content


def test_walk_every_section_to_submission(app: Flask, journey: Journey) -> None:
    base = journey.start()
    journey.fill(base)

    check = journey.client.get(f"{base}/check").get_data(as_text=True)
    assert "Check your answers" in check
    assert page_errors(check) == []
    for answer in ("CAD-1234-25NOV26", "Street / highway\nDwelling", "18 to 34 years", "Active resistance",
                   "Handcuffing – non-compliant: Yes", "Protect self\nEffect arrest", "BWV-88812"):
        assert html.escape(answer) in check, answer
    assert yesterday_evening().strftime(", 22:40") in check

    response = journey.submit(base)
    assert response.status_code == 303
    assert re.fullmatch(r"/reports/\d+", response.headers["Location"])
    page = journey.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Report submitted. Your reference is UOF-000001." in page

    with app.app_context():
        report = db.session.scalars(select(Report)).one()
        assert report.client_id == base.rsplit("/", 1)[1]
        assert report.reference == "UOF-000001"
        assert report.area == "Birmingham"
        expected_utc = yesterday_evening().astimezone(report.incident_at.tzinfo)
        assert report.incident_at == expected_utc
        assert report.content["tactics"] == [{"code": "non_compliant_handcuffing", "effective": True}]
        assert report.content["officer_injury"] == {"injured": False, "intentional_assault": False, "level": "none"}
        assert report.content["bwv"]["reference"] == "BWV-88812"
        assert db.session.scalar(select(func.count()).select_from(Draft)) == 0


def test_start_page_states_the_policy_before_anything_is_typed(app: Flask, journey: Journey) -> None:
    set_policy(app, "derogated", compliant_handcuffing="excluded")
    page = journey.client.get("/record").get_data(as_text=True)
    assert "version 2 (derogated)" in page
    assert "not required by force policy" in page
    assert html.escape("Baton – drawn") in page
    assert "not recorded on this form" in page
    assert html.escape("Handcuffing – compliant") in page


def test_errors_shown_at_the_top_and_beside_the_field(journey: Journey) -> None:
    base = journey.start()
    answers = valid_answers()["incident"] | {"incident_reference": "", "locations": []}
    response = journey.section(base, "incident", answers)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<title>Error: The incident – Use of force</title>" in page
    assert page_errors(page) == ["Enter the incident reference (CAD or log number).",
                                 "Select at least one location."]
    assert error_hrefs(page) == ["#incident_reference", "#locations"]
    assert 'id="incident_reference-error"' in page
    assert re.search(r'<input[^>]*aria-describedby="incident_reference-hint incident_reference-error"', page)
    assert 'id="locations" value="street_highway"' in page
    assert re.search(r'<fieldset aria-describedby="locations-hint locations-error">', page)


def test_a_section_with_errors_keeps_what_was_typed(app: Flask, journey: Journey) -> None:
    base = journey.start()
    answers = valid_answers()["incident"] | {"incident_day": "31", "incident_month": "2", "incident_year": "2026",
                                             "incident_reference": "CAD-77", "single_crewed": "yes"}
    page = journey.section(base, "incident", answers).get_data(as_text=True)
    assert page_errors(page) == ["Enter a real date and time, for example 26 11 2026 and 22:40."]
    assert error_hrefs(page) == ["#incident_day"]
    assert 'value="31"' in page
    assert 'value="2026"' in page
    assert 'value="CAD-77"' in page
    assert re.search(r'id="single_crewed" value="yes" checked', page)

    content = draft_content(app, base)
    assert content["incident_reference"] == "CAD-77"
    assert content["single_crewed"] is True
    assert content["incident_at"] is None
    assert content["_form"]["incident_at"] == {"day": "31", "month": "2", "year": "2026", "time": "22:40"}

    # Coming back to it later shows the same typing and the same error.
    again = journey.client.get(f"{base}/incident").get_data(as_text=True)
    assert 'value="31"' in again
    assert page_errors(again) == ["Enter a real date and time, for example 26 11 2026 and 22:40."]


def test_a_time_skipped_by_the_clocks_going_forward_is_an_error(journey: Journey) -> None:
    base = journey.start()
    answers = valid_answers()["incident"] | {"incident_day": "29", "incident_month": "3", "incident_year": "2026",
                                             "incident_time": "01:30"}
    page = journey.section(base, "incident", answers).get_data(as_text=True)
    assert page_errors(page) == [
        "There was no 01:30 on 29 Mar 2026 in the UK: the clocks went forward an hour. Check the time."
    ]


def test_draft_is_resumed_from_my_reports(journey: Journey) -> None:
    base = journey.start()
    journey.fill(base, slugs=("incident", "person"))
    mine = journey.client.get("/reports").get_data(as_text=True)
    assert "Draft report" in mine
    assert "CAD-1234-25NOV26" in mine
    assert f'href="{base}"' in mine
    assert f'action="{base}/delete"' in mine

    response = journey.client.get(base)
    assert response.headers["Location"] == f"{base}/tactics"
    page = journey.client.get(f"{base}/incident").get_data(as_text=True)
    assert 'value="CAD-1234-25NOV26"' in page
    assert re.search(r'<option selected value="Birmingham">|<option value="Birmingham" selected>', page)


def test_save_and_come_back_later_saves_even_with_errors(app: Flask, journey: Journey) -> None:
    base = journey.start()
    response = journey.section(base, "person", {"age_band": "age_50_64", "save_and_exit": "1"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/reports"
    assert draft_content(app, base)["subject"]["age_band"] == "age_50_64"


def test_area_defaults_to_the_officers_team_area(journey: Journey) -> None:
    base = journey.start()
    page = journey.client.get(f"{base}/incident").get_data(as_text=True)
    assert re.search(r'<option selected value="Birmingham">|<option value="Birmingham" selected>', page)


def test_excluded_tactic_is_not_offered(app: Flask, journey: Journey) -> None:
    set_policy(app, "national", compliant_handcuffing="excluded")
    base = journey.start()
    page = journey.client.get(f"{base}/tactics").get_data(as_text=True)
    assert 'value="compliant_handcuffing"' not in page
    assert 'value="non_compliant_handcuffing"' in page
    assert "Not required by force policy" not in page

    # Posted anyway (an old page, a crafted request): the validator refuses it on the same page.
    response = journey.section(base, "tactics", {"tactics": ["compliant_handcuffing"]})
    assert response.status_code == 200
    assert page_errors(response.get_data(as_text=True)) == [
        "Handcuffing – compliant is not recorded under the force's recording policy (version 2)."
    ]


def test_optional_tactics_are_tagged_under_the_derogated_preset(app: Flask, journey: Journey) -> None:
    set_policy(app, "derogated")
    base = journey.start()
    page = journey.client.get(f"{base}/tactics").get_data(as_text=True)
    tagged = re.search(r'value="compliant_handcuffing" data-level="optional">\s*<label[^>]*>([^<]*)<span class="tag'
                       r' tag--grey">Not required by force policy</span>', page)
    assert tagged
    assert 'value="non_compliant_handcuffing" data-level="required">' in page
    assert page.count("Not required by force policy</span>") == 6
    assert "data-policy-duty" in page
    assert 'aria-live="polite"' in page
    assert "/static/js/form.js" in page
    # The groups are the Home Office types of force, in order.
    groups = re.findall(r'<h2 class="choice-group__title"[^>]*>([^<]*)</h2>', page)
    assert groups == ["Restraint", "Unarmed skills", "Other equipment", "Less lethal weapons", "Firearms", "Other",
                      "Tactical communication"]


def test_recording_duty_follows_the_ticked_tactics(app: Flask, journey: Journey) -> None:
    set_policy(app, "derogated")
    base = journey.start()
    journey.fill(base, slugs=("incident", "person"))
    journey.section(base, "tactics", {"tactics": ["compliant_handcuffing", "tactical_communication"]})
    page = journey.client.get(f"{base}/effectiveness").get_data(as_text=True)
    assert 'class="policy-duty policy-duty--optional"' in page
    assert "Recording this is voluntary" in page

    journey.section(base, "tactics", {"tactics": ["compliant_handcuffing", "baton_used"]})
    page = journey.client.get(f"{base}/effectiveness").get_data(as_text=True)
    assert 'class="policy-duty policy-duty--required"' in page
    check = journey.client.get(f"{base}/check").get_data(as_text=True)
    assert "You must record this use of force" in check


def test_effectiveness_is_asked_for_each_ticked_tactic_and_kept(app: Flask, journey: Journey) -> None:
    base = journey.start()
    journey.fill(base, slugs=("incident", "person"))
    journey.section(base, "tactics", {"tactics": ["non_compliant_handcuffing", "ced_drawn"]})
    response = journey.section(base, "effectiveness", {"effective_ced_drawn": "no", "ced_trained": "yes",
                                                      "ced_carried": "no"})
    page = response.get_data(as_text=True)
    assert page_errors(page) == ["Say whether handcuffing – non-compliant was effective.",
                                 "You recorded a Taser (CED) tactic, so you were carrying a Taser."]
    assert error_hrefs(page) == ["#effective_non_compliant_handcuffing", "#ced_carried"]

    # Unticking one tactic keeps the answer given for the other.
    journey.section(base, "tactics", {"tactics": ["ced_drawn"]})
    assert draft_content(app, base)["tactics"] == [{"code": "ced_drawn", "effective": False}]


def test_check_answers_lists_every_error_with_a_link_to_its_section(journey: Journey) -> None:
    base = journey.start()
    journey.fill(base, slugs=("incident",))
    page = journey.client.get(f"{base}/check").get_data(as_text=True)
    assert page.count("<title>Error: Check your answers") == 1
    hrefs = error_hrefs(page)
    assert f"{base}/person?return=check#age_band" in hrefs
    assert f"{base}/tactics?return=check#tactics" in hrefs
    assert f"{base}/injuries?return=check#outcomes" in hrefs
    assert f"{base}/bwv?return=check#bwv_worn" in hrefs
    assert not any("/incident" in href for href in hrefs)
    # Sections in order: person before tactics before injuries.
    assert hrefs.index(f"{base}/person?return=check#age_band") < hrefs.index(f"{base}/tactics?return=check#tactics")
    # Every section has a change link.
    for slug in ("incident", "person", "tactics", "effectiveness", "reasons", "impact", "injuries", "bwv", "account"):
        assert f'href="{base}/{slug}?return=check"' in page


def test_a_change_from_check_answers_returns_there(journey: Journey) -> None:
    base = journey.start()
    journey.fill(base)
    response = journey.section(base, "bwv", valid_answers()["bwv"] | {"bwv_reference": "BWV-1"}, "?return=check")
    assert response.headers["Location"] == f"{base}/check"
    # Tactics go on to effectiveness first, still on the way back to check answers.
    response = journey.section(base, "tactics", {"tactics": ["non_compliant_handcuffing", "shield"]},
                               "?return=check")
    assert response.headers["Location"] == f"{base}/effectiveness?return=check"


def test_duplicate_warning_on_check_answers_and_after_submission(make: Maker, journey: Journey,
                                                                 officer: Person) -> None:
    earlier = make.report(officer, incident_reference="CAD-1234-25NOV26")
    base = journey.start()
    journey.fill(base)
    page = journey.client.get(f"{base}/check").get_data(as_text=True)
    assert 'class="notice notice--warning"' in page
    assert f"You already submitted UOF-{earlier:06d} for incident reference CAD-1234-25NOV26." in page

    response = journey.submit(base)
    assert response.status_code == 303
    page = journey.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your reference is UOF-000002" in page
    assert f"You already submitted UOF-{earlier:06d}" in page


def test_submitting_twice_makes_exactly_one_report(app: Flask, journey: Journey) -> None:
    base = journey.start()
    journey.fill(base)
    first = journey.submit(base)
    second = journey.submit(base)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Report)) == 1
        assert db.session.scalar(select(func.count()).select_from(Draft)) == 0


def test_submitting_an_incomplete_draft_shows_the_errors_on_check_answers(app: Flask, journey: Journey) -> None:
    base = journey.start()
    journey.fill(base, slugs=("incident", "person"))
    response = journey.submit(base)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Select at least one tactic you used." in page_errors(page)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Report)) == 0
        assert db.session.scalar(select(func.count()).select_from(Draft)) == 1


def test_narrative_longer_than_the_limit_is_kept_and_refused(app: Flask, journey: Journey) -> None:
    base = journey.start()
    page = journey.section(base, "account", {"narrative": "x" * 4001}).get_data(as_text=True)
    assert page_errors(page) == ["Must be 4,000 characters or fewer (it is 4,001)."]
    assert error_hrefs(page) == ["#narrative"]
    assert len(draft_content(app, base)["narrative"]) == 4001


def test_another_officer_gets_404_on_the_draft(make: Maker, journey: Journey, auth) -> None:
    base = journey.start()
    journey.fill(base, slugs=("incident",))
    make.user("pc.two@example.org", "officer", teams=("Birmingham Central A",), force_number="5678")
    auth.logout()
    auth.login("5678")
    for path in (base, f"{base}/incident", f"{base}/check"):
        assert journey.client.get(path).status_code == 404, path
    assert journey.section(base, "incident", valid_answers()["incident"]).status_code == 404
    assert journey.post(f"{base}/delete").status_code == 404
    assert journey.submit(base).status_code == 404
    assert "Draft report" not in journey.client.get("/reports").get_data(as_text=True)


def test_unknown_draft_or_section_is_404(journey: Journey) -> None:
    base = journey.start()
    assert journey.client.get(f"{base}/nonsense").status_code == 404
    assert journey.client.get(f"/record/{uuid.uuid4()}/incident").status_code == 404


def test_deleting_a_draft(app: Flask, journey: Journey) -> None:
    base = journey.start()
    response = journey.post(f"{base}/delete")
    assert response.status_code == 303
    assert "The draft was deleted." in journey.client.get("/reports").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Draft)) == 0


def test_forms_need_the_csrf_token(journey: Journey) -> None:
    assert journey.client.post("/record").status_code == 400


def test_no_inline_script_or_style(app: Flask, journey: Journey) -> None:
    set_policy(app, "derogated")
    base = journey.start()
    journey.fill(base)
    for path in ("/record", f"{base}/incident", f"{base}/tactics", f"{base}/effectiveness", f"{base}/check",
                 "/reports"):
        page = journey.client.get(path).get_data(as_text=True)
        assert " style=" not in page, path
        assert "<style" not in page, path
        assert all('src="' in tag for tag in re.findall(r"<script[^>]*>", page)), path


def test_control_characters_are_kept_in_the_draft_and_refused(app: Flask, journey: Journey) -> None:
    base = journey.start()
    response = journey.section(base, "account", {"narrative": "before\x00after"})
    assert response.status_code == 200
    assert page_errors(response.get_data(as_text=True)) == ["Must not contain control characters."]
    assert draft_content(app, base)["narrative"] == "before\x00after"
