"""A supervisor's journey on a phone: the Taser alert, the review page and its errors, returning a report, the
queue with an overdue report, and the officer reading the supervisor's comment.

The server is this module's own (gunicorn on SQLite); the reports are submitted through the app's own services
in the server's database, as the officer's phone would through the API.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, ServerProcess, choose, login
from tests.browser.test_accessibility import _serious_violations
from tests.conftest import _app_for
from tests.factories import make_user, report_body
from uof.extensions import db
from uof.models import Report, User, utcnow
from uof.services import reports

SERGEANT = "sgt.journey@example.org"
SERGEANT_NAME = "Sergeant Journey"
TEAM = "Birmingham Central A"
OFFICER = "4321"  # Alex Browser, seeded by ServerProcess
OFFICER_LABEL = "Alex Browser (4321)"
FOOTAGE = "BWV-88812"  # the reference report_body gives
COMMENT = "Say why the Taser was fired rather than drawn only, and what the subject did just before."


@dataclass(frozen=True)
class Journey:
    server: ServerProcess
    taser: str  # references, UOF-000001 …
    taser_id: int
    overdue: str
    recent: str
    recent_id: int

    @property
    def url(self) -> str:
        return self.server.url


def _when(delta: timedelta) -> str:
    return (utcnow() - delta).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Journey]:
    """The team's sergeant, and three of the officer's reports: one waiting 80 hours, one 5 hours, and a Taser
    discharge submitted just now (which alerts the sergeant)."""
    server = ServerProcess(tmp_path_factory.mktemp("supervisor-journey"))
    app = _app_for(server.database, server.instance)
    with app.app_context():
        make_user(SERGEANT, "supervisor", "officer", teams=(TEAM,), force_number="5151", name=SERGEANT_NAME)
        officer = db.session.query(User).filter_by(force_number=OFFICER).one()
        submitted: dict[str, Report] = {}
        for name, overrides in (
            ("overdue", {"incident_reference": "CAD-OVERDUE-1", "incident_at": _when(timedelta(days=4))}),
            ("recent", {"incident_reference": "CAD-RECENT-1", "incident_at": _when(timedelta(hours=6))}),
            ("taser", {"incident_reference": "CAD-TASER-1", "incident_at": _when(timedelta(hours=1)),
                       "tactics": [{"code": "ced_drawn", "effective": False},
                                   {"code": "ced_fired", "effective": True}],
                       "ced_trained": True, "ced_carried": True}),
        ):
            submission = reports.submit(officer, report_body(**overrides))
            assert submission.outcome == "created", submission.errors
            assert submission.report is not None
            submitted[name] = submission.report
        # Waiting for review since long ago: the overdue one beyond the 72 hours, the recent one well within.
        submitted["overdue"].awaiting_review_since = utcnow() - timedelta(hours=80)
        submitted["recent"].awaiting_review_since = utcnow() - timedelta(hours=5)
        db.session.commit()
        seeded = Journey(server, taser=submitted["taser"].reference, taser_id=submitted["taser"].id,
                         overdue=submitted["overdue"].reference, recent=submitted["recent"].reference,
                         recent_id=submitted["recent"].id)
        db.engine.dispose()
    server.start()
    try:
        yield seeded
    finally:
        server.stop()


@contextmanager
def _phone(browser, url: str, width: int = PHONE["width"]) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": width, "height": PHONE["height"]}, is_mobile=True,
                                  has_touch=True, locale="en-GB", base_url=url)
    try:
        yield context.new_page()
    finally:
        context.close()


def _overflow(page) -> int:  # type: ignore[no-untyped-def]
    """How far the page scrolls sideways, in CSS pixels (0 when it fits)."""
    return int(page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"))


def _queue_titles(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The queue's cards, top to bottom, by their title (reference, status and tags)."""
    cards = page.get_by_role("main").get_by_role("heading", level=2)
    return [" ".join(text.split()) for text in cards.all_inner_texts()]


def test_supervisor_returns_a_taser_report_and_the_officer_reads_why(browser, journey):  # type: ignore[no-untyped-def]
    with _phone(browser, journey.url) as page:
        login(page, SERGEANT)
        badge = page.get_by_role("link", name="Alerts, 1 unacknowledged")
        expect(badge).to_be_visible()
        badge.click()
        expect(page.get_by_role("heading", name="Alerts", exact=True, level=1)).to_be_visible()

        title = f"{journey.taser}: Taser discharged — {OFFICER_LABEL}"
        page.get_by_role("link", name=title).click()
        expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
        page.get_by_role("link", name=f"Review {journey.taser}").click()
        expect(page).to_have_url(f"{journey.url}/review/{journey.taser_id}")
        expect(page.get_by_role("heading", name=f"Review {journey.taser}", level=1)).to_be_visible()

        # The footage reference starts from the officer's; ticking and choosing, but no comment yet.
        reference = page.get_by_label("Footage reference")
        expect(reference).to_have_value(FOOTAGE)
        page.get_by_label("I have reviewed the body-worn video").check()
        page.get_by_label("Debrief held with the officer").check()
        choose(page, "Your decision", "Return to the officer for amendment")
        page.get_by_role("button", name="Save decision").click()

        expect(page).to_have_title(re.compile(r"^Error: Review "))
        summary = page.get_by_role("alert").filter(has=page.get_by_role("heading", name="There is a problem"))
        expect(summary).to_be_visible()
        error_link = summary.get_by_role("link", name="Say what the officer must amend.")
        expect(error_link).to_be_visible()
        comment = page.get_by_label("Comment", exact=True)
        expect(comment).to_have_accessible_description(re.compile(r"Error: Say what the officer must amend\."))
        # What was answered is kept.
        expect(page.get_by_label("I have reviewed the body-worn video")).to_be_checked()
        expect(page.get_by_label("Debrief held with the officer")).to_be_checked()
        expect(page.get_by_role("group", name="Your decision")
               .get_by_label("Return to the officer for amendment")).to_be_checked()
        expect(reference).to_have_value(FOOTAGE)

        error_link.click()
        expect(comment).to_be_focused()
        comment.fill(COMMENT)
        page.get_by_role("button", name="Save decision").click()

        expect(page).to_have_url(f"{journey.url}/review")
        done = f"{journey.taser} returned to Alex Browser for amendment. They have been alerted."
        expect(page.get_by_role("status").filter(has_text=done)).to_be_visible()
        expect(page.get_by_role("heading", name="Reports to review", level=1)).to_be_visible()
        expect(page.get_by_role("link", name=re.compile(journey.taser))).to_have_count(0)
        expect(page.get_by_role("link", name=re.compile(journey.recent))).to_have_count(1)

        # The report's own page keeps the decision in its review history.
        page.goto(f"/reports/{journey.taser_id}")
        expect(page.get_by_role("heading", name="Review history", level=2)).to_be_visible()
        history = page.get_by_role("list").filter(
            has=page.get_by_role("heading", name="Returned for amendment (version 1)", level=3))
        expect(history).to_be_visible()
        expect(history).to_contain_text(f"by {SERGEANT_NAME}")
        expect(history).to_contain_text(f"Yes ({FOOTAGE})")
        expect(history).to_contain_text(COMMENT)
        assert _overflow(page) <= 0

    with _phone(browser, journey.url) as page:
        login(page, OFFICER)
        # My reports says it was returned, in words.
        page.goto("/reports")
        card = page.get_by_role("listitem").filter(has=page.get_by_role("link", name=journey.taser, exact=True))
        expect(card).to_contain_text("Returned for amendment")

        page.get_by_role("link", name="Alerts, 1 unacknowledged").click()
        page.get_by_role("link", name=f"{journey.taser} returned for amendment").click()
        expect(page.get_by_role("button", name=f"Amend {journey.taser}")).to_be_visible()
        page.get_by_role("link", name=f"View {journey.taser}").click()
        expect(page.get_by_role("heading", name=f"Report {journey.taser}", level=1)).to_be_visible()
        expect(page.get_by_role("heading", name="This report was returned for amendment")).to_be_visible()
        expect(page.get_by_text(f"{SERGEANT_NAME} asked you on")).to_be_visible()
        expect(page.get_by_role("blockquote").filter(has_text=COMMENT)).to_be_visible()
        expect(page.get_by_role("button", name="Amend this report")).to_be_visible()
        assert _overflow(page) <= 0


def test_the_queue_puts_the_overdue_report_first_and_says_so(browser, journey):  # type: ignore[no-untyped-def]
    with _phone(browser, journey.url) as page:
        login(page, SERGEANT)
        # The nav link carries the number waiting in its name, not only in a coloured badge.
        review = page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile(r"^Review\b"))
        expect(review).to_have_accessible_name(re.compile(r"^Review\s*,\s*\d+ waiting$"))
        review.click()
        expect(page.get_by_role("heading", name="Reports to review", level=1)).to_be_visible()
        expect(page.get_by_role("main")).to_contain_text("1 overdue (waiting more than 72 hours)")

        titles = _queue_titles(page)
        references = [next(ref for ref in (journey.overdue, journey.recent, journey.taser) if ref in t)
                      for t in titles]
        assert references[0] == journey.overdue, titles
        assert references.index(journey.overdue) < references.index(journey.recent), titles
        # "Overdue" in words on the late one only, not by colour alone.
        assert titles[0].endswith("Overdue"), titles
        assert not any("Overdue" in t for t in titles[1:]), titles
        overdue_card = page.get_by_role("listitem").filter(
            has=page.get_by_role("link", name=re.compile(journey.overdue)))
        expect(overdue_card).to_contain_text("3 days 8 hours")
        # The link names the officer for a screen reader, so that several links are told apart.
        expect(page.get_by_role("link", name=f"{journey.overdue} by Alex Browser")).to_be_visible()


@pytest.mark.parametrize("width", [320, PHONE["width"]])
def test_queue_and_review_page_fit_the_phone_and_pass_axe(browser, journey, width):  # type: ignore[no-untyped-def]
    with _phone(browser, journey.url, width) as page:
        login(page, SERGEANT)
        page.goto("/review")
        expect(page.get_by_role("heading", name="Reports to review", level=1)).to_be_visible()
        assert _overflow(page) <= 0, f"the queue scrolls sideways by {_overflow(page)}px at {width}px"
        if width == PHONE["width"]:
            assert _serious_violations(page) == [], "queue"

        page.get_by_role("link", name=f"{journey.recent} by Alex Browser").click()
        expect(page.get_by_role("heading", name=f"Review {journey.recent}", level=1)).to_be_visible()
        assert _overflow(page) <= 0, f"the review page scrolls sideways by {_overflow(page)}px at {width}px"
        if width == PHONE["width"]:
            assert _serious_violations(page) == [], "review page"

        # With an error: saved with no decision chosen.
        page.get_by_role("button", name="Save decision").click()
        expect(page).to_have_title(re.compile(r"^Error: "))
        page.get_by_role("alert").get_by_role("link", name="Choose approve, return or refer.").click()
        expect(page.get_by_role("group", name="Your decision").get_by_label("Approve", exact=True)).to_be_focused()
        assert _overflow(page) <= 0, f"the review page with errors scrolls sideways at {width}px"
        if width == PHONE["width"]:
            assert _serious_violations(page) == [], "review page with errors"


def test_the_team_dashboard_is_in_the_phone_nav(browser, journey):  # type: ignore[no-untyped-def]
    with _phone(browser, journey.url) as page:
        login(page, SERGEANT)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Team", exact=True).click()
        expect(page.get_by_role("heading", name=TEAM, level=1)).to_be_visible()
        assert _overflow(page) <= 0

