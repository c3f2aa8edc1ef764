"""What the dashboard's charts say: labels, value texts and reference marks drawn from the figures."""

from __future__ import annotations

from datetime import UTC, date, datetime

from uof.dashboards.figures import (
    charts,
    count_and_share,
    day_month,
    long_date,
    officer_label,
    part_of,
    percentile_name,
    tactic_labels,
)
from uof.services.team_stats import (
    BwvCoverage,
    Officer,
    PolicySummary,
    TeamDashboard,
    compare_officers,
    period_ending,
    status_counts,
    tactic_mix,
    weekly_counts,
)


def test_words_for_dates_shares_and_people():
    assert day_month(date(2025, 3, 3)) == "3 Mar"
    assert long_date(date(2025, 12, 29)) == "29 Dec 2025"
    assert count_and_share(2, 40.0) == "2 (40%)"
    assert count_and_share(2, None) == "2"
    assert part_of(2, 3) == "67% (2 of 3)"
    assert part_of(0, 0) == "No reports"
    assert officer_label("Alice Able", "A1") == "Alice Able (A1)"
    assert officer_label("Alice Able", None) == "Alice Able"
    assert percentile_name(95) == "95th percentile"


def test_tactic_labels_read_in_a_sentence():
    assert tactic_labels(["compliant_handcuffing", "tactical_communication"]) == (
        "tactical communication or handcuffing – compliant")
    assert tactic_labels(["aep_aimed"]) == "AEP – aimed"
    assert tactic_labels([]) == ""


def test_charts_of_a_dashboard():
    now = datetime(2025, 4, 2, 12, 0, tzinfo=UTC)
    period = period_ending(now, 4)
    officers = [Officer(1, "Alice Able", "A1"), Officer(2, "Bob Baker", None)]
    dashboard = TeamDashboard(
        team_id=1, team_name="A", now=now, period=period, reports=2,
        weeks=weekly_counts([datetime(2025, 3, 11, tzinfo=UTC), datetime(2025, 4, 1, tzinfo=UTC)], period),
        tactics=tactic_mix([["ced_fired"], ["ced_fired", "shield"]]),
        statuses=status_counts({"submitted": 2}), overdue=[], overdue_total=0,
        officers=compare_officers(officers, {1: 4}), bwv=BwvCoverage(2, 2, 1, 0),
        policies=PolicySummary([]), review_due_hours=72,
    )
    drawn = charts(dashboard)
    assert [bar.label.text for bar in drawn.weeks.bars] == ["10 Mar", "17 Mar", "24 Mar", "31 Mar"]
    assert [bar.value_text for bar in drawn.tactics.bars] == ["2 (100%)", "1 (50%)"]
    assert [bar.label.text for bar in drawn.officers.bars] == ["Alice Able (A1)", "Bob Baker"]
    assert [flag.text for flag in drawn.officers.bars[0].flags] == ["at warning level", "above team 95th percentile"]
    assert [marker.name for marker in drawn.officers.markers] == [
        "Team median", "Team 95th percentile", "Warning level"]
    assert [bar.value_text for bar in drawn.bwv.bars] == ["100% (2 of 2)", "50% (1 of 2)", "0% (0 of 2)"]
    assert drawn.bwv.bars[1].width == "48%"  # half of the full 96%: percentages are drawn against 100


def test_a_team_with_no_officers_draws_no_marks():
    now = datetime(2025, 4, 2, 12, 0, tzinfo=UTC)
    period = period_ending(now, 4)
    dashboard = TeamDashboard(
        team_id=1, team_name="A", now=now, period=period, reports=0, weeks=weekly_counts([], period),
        tactics=[], statuses=status_counts({}), overdue=[], overdue_total=0, officers=compare_officers([], {}),
        bwv=BwvCoverage(0, 0, 0, 0), policies=PolicySummary([]), review_due_hours=72,
    )
    drawn = charts(dashboard)
    assert [marker.name for marker in drawn.officers.markers] == ["Warning level"]
    assert [bar.value_text for bar in drawn.bwv.bars] == ["No reports"] * 3
