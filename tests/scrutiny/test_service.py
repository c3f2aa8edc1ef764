"""Drawing, grading and reading scrutiny samples through the service, on each database."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tests.scrutiny.conftest import HOSTILE_AREA, PERIOD, World
from uof.domain import scrutiny as rules
from uof.domain import vocabulary as v
from uof.extensions import db
from uof.models import AuditEvent, ScrutinySample, User
from uof.services import exports, scrutiny

TODAY = date(2025, 8, 1)
QUARTER = exports.Period(date(2025, 4, 1), date(2025, 6, 30))


def _request(**answers: Any) -> scrutiny.DrawRequest:
    return scrutiny.parse_request({"title": "Panel, July 2025", **PERIOD, "size": "3", "stratified": True,
                                   **answers}, TODAY)


def _draw(app: Flask, world: World, **answers: Any) -> int:
    with app.app_context():
        actor = db.session.get(User, world.governance.id)
        sample = scrutiny.create(actor, _request(**answers))
        db.session.commit()
        return sample.id


def _items(app: Flask, sample_id: int) -> list[tuple[int, int, str]]:
    with app.app_context():
        sample = db.session.get(ScrutinySample, sample_id)
        assert sample is not None
        return [(item.position, item.report_id, item.stratum) for item in sample.items]


def _events(app: Flask, action: str) -> list[AuditEvent]:
    with app.app_context():
        events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                         .order_by(AuditEvent.seq)))
        db.session.expunge_all()
        return events


# --- candidates --------------------------------------------------------------------------------------------

def test_the_candidates_are_the_periods_reports_each_in_its_most_serious_stratum(app, world):
    with app.app_context():
        found = scrutiny.candidates(QUARTER, None)
    assert found == {
        world.restraint: v.RESTRAINT, world.less_lethal: v.LESS_LETHAL, world.unarmed: v.UNARMED,
        world.other_force: v.OTHER, world.firearms: v.FIREARMS, world.hostile: v.RESTRAINT,
        world.first_minute: v.RESTRAINT,
    }


def test_the_candidates_of_one_area(app, world):
    with app.app_context():
        assert scrutiny.candidates(QUARTER, "Coventry") == {
            world.unarmed: v.UNARMED, world.other_force: v.OTHER, world.firearms: v.FIREARMS}
        assert scrutiny.candidates(QUARTER, HOSTILE_AREA) == {world.hostile: v.RESTRAINT}


# --- drawing -----------------------------------------------------------------------------------------------

def test_a_draw_is_stored_with_its_seed_and_audited(app, world):
    sample_id = _draw(app, world, seed="2026")
    with app.app_context():
        sample = db.session.get(ScrutinySample, sample_id)
        assert sample is not None
        assert (sample.title, sample.period_start, sample.period_end, sample.area) == (
            "Panel, July 2025", date(2025, 4, 1), date(2025, 6, 30), None)
        assert (sample.size_requested, sample.population, sample.seed, sample.stratified, sample.status) == (
            3, 7, 2026, True, "open")
        assert sample.created_by_id == world.governance.id
    items = _items(app, sample_id)
    assert [position for position, _, _ in items] == [1, 2, 3]
    assert {report_id for _, report_id, _ in items} <= world.in_period
    # Three of seven in five strata: the sample is smaller than the number of strata, so proportional: restraint
    # (3 of 7) gets 0.43 and each other stratum 0.14; restraint rounds up, then the two most serious ties.
    assert [stratum for _, _, stratum in items] == [v.FIREARMS, v.LESS_LETHAL, v.RESTRAINT]
    [event] = _events(app, "scrutiny.create")
    assert (event.actor_id, event.object_type, event.object_id) == (world.governance.id, "scrutiny_sample",
                                                                   str(sample_id))
    assert event.detail == {"from": "2025-04-01", "to": "2025-06-30", "area": None, "size": 3, "seed": 2026,
                            "seed_given": True, "stratified": True, "population": 7, "drawn": 3,
                            "reports": [report_id for _, report_id, _ in items]}


def test_the_same_seed_over_the_same_reports_draws_the_same_sample(app, world):
    for stratified in (True, False):
        first = _draw(app, world, seed="77", size="4", stratified=stratified)
        again = _draw(app, world, seed="77", size="4", stratified=stratified)
        assert _items(app, first) == _items(app, again)


def test_a_stratified_sample_large_enough_has_every_type_of_force(app, world):
    items = _items(app, _draw(app, world, seed="5", size="5"))
    # Seven reports, five strata: restraint (3) gets 2.14, the others 0.71 each, so one each and restraint 1.
    assert sorted(stratum for _, _, stratum in items) == sorted(
        [v.FIREARMS, v.LESS_LETHAL, v.OTHER, v.UNARMED, v.RESTRAINT])


def test_without_a_seed_a_fresh_one_is_drawn_and_recorded(app, world):
    sample_id = _draw(app, world, seed="")
    with app.app_context():
        sample = db.session.get(ScrutinySample, sample_id)
        assert sample is not None
        assert 0 <= sample.seed < scrutiny.FRESH_SEED_BELOW
        seed = sample.seed
    [event] = _events(app, "scrutiny.create")
    assert (event.detail["seed"], event.detail["seed_given"]) == (seed, False)
    # Written down, the seed draws the same sample again.
    assert _items(app, _draw(app, world, seed=str(seed))) == _items(app, sample_id)


def test_asking_for_more_reports_than_there_are_takes_them_all(app, world):
    items = _items(app, _draw(app, world, size="500", stratified=False))
    assert {report_id for _, report_id, _ in items} == world.in_period


def test_an_area_limits_the_draw(app, world):
    items = _items(app, _draw(app, world, size="10", area="Coventry"))
    assert {report_id for _, report_id, _ in items} == {world.unarmed, world.other_force, world.firearms}


def test_a_period_with_no_report_is_refused(app, world):
    with app.app_context():
        actor = db.session.get(User, world.governance.id)
        with pytest.raises(scrutiny.RequestError) as raised:
            scrutiny.create(actor, _request(date_from="2024-01-01", date_to="2024-01-31"))
        assert raised.value.errors == {"date_from": ["No report has an incident in this period: choose another."]}
    assert _events(app, "scrutiny.create") == []


def test_no_dates_mean_the_current_financial_quarter(app, world):
    with app.app_context():
        request = scrutiny.parse_request({"title": "t", "size": "1", "date_from": "", "date_to": ""}, TODAY)
    assert request.period == exports.Period(date(2025, 7, 1), date(2025, 9, 30))
    assert request.stratified is False
    assert request.seed is None


@pytest.mark.parametrize(("answers", "field"), [
    ({"title": ""}, "title"), ({"title": "x" * 121}, "title"), ({"title": "a\x00b"}, "title"),
    ({"size": ""}, "size"), ({"size": "0"}, "size"), ({"size": "501"}, "size"), ({"size": "ten"}, "size"),
    ({"size": "２０"}, "size"), ({"size": "-3"}, "size"), ({"size": "2.5"}, "size"),
    ({"seed": "-1"}, "seed"), ({"seed": str(2**31)}, "seed"), ({"seed": "abc"}, "seed"),
    ({"date_from": "2025-04-01", "date_to": ""}, "date_from"), ({"date_from": "01/04/2025"}, "date_from"),
    ({"date_from": "2025-07-01", "date_to": "2025-06-30"}, "date_from"),
    ({"area": "Atlantis"}, "area"),
])
def test_bad_answers_are_refused_field_by_field(app, world, answers, field):
    with app.app_context(), pytest.raises(scrutiny.RequestError) as raised:
        _request(**answers)
    assert list(raised.value.errors) == [field]


def test_every_bad_answer_is_named_at_once(app, world):
    with app.app_context(), pytest.raises(scrutiny.RequestError) as raised:
        _request(title="", size="0", seed="x", area="Atlantis", date_from="bad")
    assert sorted(raised.value.errors) == ["area", "date_from", "seed", "size", "title"]
    assert raised.value.errors["size"] == ["Enter how many reports to draw: a whole number from 1 to 500."]


def test_the_largest_seed_is_accepted(app, world):
    sample_id = _draw(app, world, seed=str(rules.SEED_MAX))
    with app.app_context():
        sample = db.session.get(ScrutinySample, sample_id)
        assert sample is not None
        assert sample.seed == 2**31 - 1


# --- grading -----------------------------------------------------------------------------------------------

def _grade(app: Flask, world: World, sample_id: int, position: int, grade: str | None,
           feedback: str | None) -> dict[str, list[str]]:
    with app.app_context():
        sample = db.session.get(ScrutinySample, sample_id)
        assert sample is not None
        actor = db.session.get(User, world.governance.id)
        errors = scrutiny.grade(sample.items[position - 1], actor, grade, feedback)
        db.session.commit()
        return errors


def test_grading_and_regrading_are_audited_with_before_and_after(app, world):
    sample_id = _draw(app, world, seed="1")
    # 28 characters once the CRLF is one line break and the trailing space is gone: 9 + 1 + 18.
    assert _grade(app, world, sample_id, 2, "amber", "Handcuffs\r\nnot double-locked. ") == {}
    assert _grade(app, world, sample_id, 2, "red", None) == {}
    with app.app_context():
        sample = db.session.get(ScrutinySample, sample_id)
        assert sample is not None
        item = sample.items[1]
        assert (item.grade, item.feedback, item.graded_by_id) == ("red", None, world.governance.id)
        assert item.graded_at is not None
    first, second = _events(app, "scrutiny.grade")
    assert first.object_id == second.object_id == str(sample_id)
    assert first.detail == {"sample_number": 2, "before": {"grade": None, "feedback_chars": 0},
                            "after": {"grade": "amber", "feedback_chars": 28}}
    assert second.detail == {"sample_number": 2, "before": {"grade": "amber", "feedback_chars": 28},
                             "after": {"grade": "red", "feedback_chars": 0}}


def test_feedback_keeps_its_line_breaks_as_typed(app, world):
    sample_id = _draw(app, world, seed="1")
    _grade(app, world, sample_id, 1, "green", "One.\r\nTwo.")
    with app.app_context():
        sample = db.session.get(ScrutinySample, sample_id)
        assert sample is not None
        assert sample.items[0].feedback == "One.\nTwo."


@pytest.mark.parametrize(("grade", "feedback", "field"), [
    (None, "fine", "grade"), ("purple", None, "grade"), ("green", "x" * 2001, "feedback"),
    ("amber", "bad\x00byte", "feedback"), ("red", "escape \x1b[31m", "feedback"),
])
def test_bad_grades_change_nothing(app, world, grade, feedback, field):
    sample_id = _draw(app, world, seed="1")
    assert list(_grade(app, world, sample_id, 1, grade, feedback)) == [field]
    with app.app_context():
        sample = db.session.get(ScrutinySample, sample_id)
        assert sample is not None
        assert (sample.items[0].grade, sample.items[0].feedback) == (None, None)
    assert _events(app, "scrutiny.grade") == []


def test_2000_characters_of_feedback_with_crlf_line_breaks_fit(app, world):
    sample_id = _draw(app, world, seed="1")
    assert _grade(app, world, sample_id, 1, "green", ("x" * 99 + "\r\n") * 20) == {}


def test_a_closed_sample_keeps_its_grades(app, world):
    sample_id = _draw(app, world, seed="1")
    _grade(app, world, sample_id, 1, "green", None)
    with app.app_context():
        sample = db.session.get(ScrutinySample, sample_id)
        actor = db.session.get(User, world.governance.id)
        assert sample is not None
        assert scrutiny.close(sample, actor) is True
        assert scrutiny.close(sample, actor) is False
        db.session.commit()
    assert _grade(app, world, sample_id, 1, "red", None) == {
        "grade": ["This sample is closed: its grades can no longer change."]}
    [event] = _events(app, "scrutiny.close")
    assert event.detail == {"items": 3, "graded": 1}


def test_the_summary_counts_grades_overall_and_per_stratum(app, world):
    sample_id = _draw(app, world, seed="5", size="7")
    with app.app_context():
        sample = db.session.get(ScrutinySample, sample_id)
        assert sample is not None
        by_report = {item.report_id: item.position for item in sample.items}
    for report_id, grade in ((world.restraint, "green"), (world.hostile, "red"), (world.firearms, "amber"),
                             (world.unarmed, "green")):
        _grade(app, world, sample_id, by_report[report_id], grade, None)
    with app.app_context():
        sample = db.session.get(ScrutinySample, sample_id)
        assert sample is not None
        summary = scrutiny.summary(sample.items)
    assert summary.overall.counts == {"green": 2, "amber": 1, "red": 1, None: 3}
    assert [(stratum, tally.counts) for stratum, tally in summary.strata] == [
        (v.FIREARMS, {"green": 0, "amber": 1, "red": 0, None: 0}),
        (v.LESS_LETHAL, {"green": 0, "amber": 0, "red": 0, None: 1}),
        (v.OTHER, {"green": 0, "amber": 0, "red": 0, None: 1}),
        (v.UNARMED, {"green": 1, "amber": 0, "red": 0, None: 0}),
        (v.RESTRAINT, {"green": 1, "amber": 0, "red": 1, None: 1}),
    ]


# --- what the panel sees -----------------------------------------------------------------------------------

def test_the_panel_sees_home_office_counting_and_no_identifiers(app, world):
    sample_id = _draw(app, world, seed="5", size="7")
    with app.app_context():
        sample = db.session.get(ScrutinySample, sample_id)
        assert sample is not None
        by_report = {item.report_id: item.position for item in sample.items}
        seen = {each.number: each for each in scrutiny.panel_items(sample)}
    taser = seen[by_report[world.less_lethal]]
    assert (taser.stratum, taser.month, taser.area) == (v.LESS_LETHAL, "May 2025", "Birmingham")
    # Taser counts at the highest level it reached; rows in the order of the Home Office tables.
    assert taser.tactics == ("Non-compliant handcuffing", "CED Fired")
    assert (taser.age_band, taser.gender, taser.ethnicity) == ("18 - 34 years", "Male", "White")
    assert taser.reasons == ("Protect self", "Effect arrest")
    assert taser.outcomes == ("Arrested",)
    assert (taser.officer_injury, taser.subject_injury, taser.medical_assistance) == ("None", "None", "None")
    assert (taser.bwv, taser.bwv_reference) == ("Recording, footage reference given", "BWV-88812")
    assert (taser.review_status, taser.footage_reviewed, taser.grade) == ("Awaiting review", None, None)
    # 00:30 BST on 1 April is April in the UK, though still March in UTC.
    assert seen[by_report[world.first_minute]].month == "Apr 2025"
    hostile = seen[by_report[world.hostile]]
    assert hostile.area == '=HYPERLINK("http://x.example","[removed] [removed]")'
    assert hostile.bwv_reference == '=HYPERLINK("x","[removed] [removed] [removed]")'


def test_outcomes_that_share_a_home_office_label_are_shown_once(app, make, world):
    report_id = make.report(world.officer, incident_at="2025-05-05T10:00:00Z",
                            outcomes=["no_further_action", "other"],
                            bwv={"worn": False, "recording": False, "reference": None, "viewed_before_account": False})
    sample_id = _draw(app, world, seed="1", size="500")
    with app.app_context():
        sample = db.session.get(ScrutinySample, sample_id)
        assert sample is not None
        [seen] = [each for each, item in zip(scrutiny.panel_items(sample), sample.items, strict=True)
                  if item.report_id == report_id]
    assert seen.outcomes == ("Other",)
    assert (seen.bwv, seen.bwv_reference) == ("Not worn", "")
