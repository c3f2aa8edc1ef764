"""Loading the population baselines from the command line, and the governance page."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import AuthActions
from uof.extensions import db
from uof.models import AuditEvent, PopulationBaseline
from uof.services import disproportionality, exports, policy
from uof.services.figures import uk_midnight

SHIPPED = Path(__file__).resolve().parents[2] / "uof" / "data" / "census2021-ethnicity-west-midlands.csv"
URL = "/governance/disproportionality"


def _load(runner, path: Path = SHIPPED, *extra: str):  # type: ignore[no-untyped-def]
    return runner.invoke(args=["uof", "population", "load", str(path), *extra])


def _baselines(app) -> dict[tuple[str, str], tuple[int, str]]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return {(row.area, row.ethnic_group): (row.population, row.source)
                for row in db.session.scalars(select(PopulationBaseline))}


def test_load_the_shipped_census_file(app, runner):
    result = _load(runner)
    assert result.exit_code == 0, result.output
    assert "Loaded 45 baselines for 9 area(s)" in result.output
    rows = _baselines(app)
    assert rows[("Birmingham", "white")] == (556608, disproportionality.CENSUS_SOURCE)
    assert rows[("Coventry", "black")][0] == 30723
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "population.load")).one()
        assert event.detail["rows"] == 45


def test_load_replaces_and_a_bad_file_changes_nothing(app, runner, tmp_path):
    assert _load(runner).exit_code == 0
    changed = tmp_path / "coventry.csv"
    changed.write_text(SHIPPED.read_text().replace("Coventry,white,226246", "Coventry,white,226000")
                       .replace("Coventry,total,345321", "Coventry,total,345075"))
    assert _load(runner, changed, "--source", "Adjusted").exit_code == 0
    assert _baselines(app)[("Coventry", "white")] == (226000, "Adjusted")

    bad = tmp_path / "bad.csv"
    bad.write_text(SHIPPED.read_text().replace("Dudley,asian,27047", "Dudley,asian,many"))
    result = _load(runner, bad)
    assert result.exit_code != 0
    assert "Nothing loaded: line" in result.output
    assert "population 'many'" in result.output
    assert _baselines(app)[("Coventry", "white")] == (226000, "Adjusted")
    assert len(_baselines(app)) == 45


def test_load_a_missing_file(runner, tmp_path):
    result = _load(runner, tmp_path / "nope.csv")
    assert result.exit_code != 0


@pytest.fixture
def world(make):  # type: ignore[no-untyped-def]
    make.team("Birmingham Central A", "Birmingham")
    make.team("Coventry Response", "Coventry")
    brum = make.user("pc.smith@example.org", "officer", teams=("Birmingham Central A",))
    cov = make.user("pc.jones@example.org", "officer", teams=("Coventry Response",))
    make.user("acc@example.org", "governance")
    make.user("sergeant@example.org", "supervisor", teams=("Birmingham Central A",))

    def subject(ethnicity: str) -> dict[str, str]:
        return {"age_band": "age_18_34", "gender": "male", "ethnicity": ethnicity, "health_condition": "none"}

    for ethnicity, how_many in (("white", 12), ("black", 10), ("asian", 3), ("not_reported", 1)):
        for _ in range(how_many):
            make.report(brum, subject=subject(ethnicity))
    make.report(cov, subject=subject("black"))


def _period() -> str:
    today = exports.today_in_uk()
    return f"?from={(today - timedelta(days=5)).isoformat()}&to={(today + timedelta(days=1)).isoformat()}"


def test_a_period_that_spans_a_change_of_policy_says_so_like_the_dashboard(app, client, runner, world):
    """The reports were all recorded under version 1, but version 2 took over within the period: its months are
    not like for like, as the governance dashboard says of the same period."""
    tomorrow = exports.today_in_uk() + timedelta(days=1)
    with app.app_context():
        policy.set_policy("derogated", actor=None, effective_from=uk_midnight(tomorrow), note="Derogation")
        db.session.commit()
    assert _load(runner).exit_code == 0
    AuthActions(client).login("acc@example.org")
    pages = [client.get(url + _period()).get_data(as_text=True) for url in (URL, "/governance")]
    for page in pages:
        assert "This period spans a change of recording policy" in page
        assert "Version 2 (derogated, in force from" in page
        assert "0 reports" in page


def test_the_page_shows_rates_ratios_and_suppression(app, client, runner, world):
    assert _load(runner).exit_code == 0
    AuthActions(client).login("acc@example.org")
    response = client.get(URL + _period())
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'data-area="Birmingham"' in page
    assert 'data-area="Coventry"' in page
    # Birmingham: black 10 / 125,760 = 0.0795 per 1,000; white 12 / 556,608 = 0.0216; RR 3.69 (1.59 to 8.54).
    assert "0.08" in page
    assert "0.02" in page
    assert "3.69" in page
    assert "1.59 to 8.54" in page
    # Asian 3 and Coventry's single report are suppressed, with no ratio.
    assert page.count("fewer than 10") >= 3
    assert "not given: small number" in page
    assert "A ratio is not proof of bias" in page
    assert "Perceived ethnicity" in page
    assert "Counted under recording policy version 1 (national" in page
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "disproportionality.view")).one()
        assert event.detail["areas"] == ["Birmingham", "Coventry"]


def test_without_baselines_the_page_says_how_to_load_them(client, world):
    AuthActions(client).login("acc@example.org")
    response = client.get(URL)
    assert response.status_code == 200
    assert "data-no-baselines" in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["?from=2026-13-01&to=2026-12-31", "?from=2026-05-01",
                                   "?from=2026-06-01&to=2026-05-01", "?from=x&to=y"])
def test_a_bad_period_is_a_400_with_the_form(app, client, world, query):
    AuthActions(client).login("acc@example.org")
    response = client.get(URL + query)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert "data-area" not in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "disproportionality.view")) == 1


def test_only_governance_sees_the_page(client, world):
    AuthActions(client).login("sergeant@example.org")
    assert client.get(URL).status_code == 403
